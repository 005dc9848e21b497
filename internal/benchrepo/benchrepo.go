// Package benchrepo generates git repositories for the plan and lint
// benchmarks: ibgitops resources whose recipes really use their components
// and whose pipelines build their recipes, plus ordinary source files, with
// a history in which every commit changes a different resource. The
// dependency work (change mapping, propagation, bump levels) is therefore
// exercised in proportion to the change, as in a real repository.
//
// The repository is written as a `git fast-import` stream, so a
// 20,000-file, 5,000-commit repository takes seconds to create.
package benchrepo

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// Shape is the size of a generated repository.
type Shape struct {
	// Components, Recipes and Pipelines are resources under images/.
	// Each recipe uses three components spread over all of them; every
	// fourth recipe (after the first four) has a parent recipe; pipeline
	// i builds recipe i (Pipelines <= Recipes).
	Components, Recipes, Pipelines int
	// Sources are ordinary files outside images/ (a monorepo's code).
	Sources int
	// Commits after the initial import. Commit n changes one resource:
	// every 20th commit a recipe, the others a component, each a different
	// one while there are enough of them. Its message is a conventional
	// commit (fix, feat, chore, refactor, and every 97th a breaking fix!).
	Commits int
	// SourcesPerCommit ordinary files each commit also changes.
	SourcesPerCommit int
}

// Files is the number of files the head commit holds.
func (s Shape) Files() int { return s.Components + s.Recipes + s.Pipelines + s.Sources + 2 }

// Component is the file of component i.
func Component(i int) string { return fmt.Sprintf("images/components/c%05d.yaml", i) }

// Recipe is the file of recipe i.
func Recipe(i int) string { return fmt.Sprintf("images/recipes/r%05d.yaml", i) }

func componentYAML(i, rev int) string {
	return fmt.Sprintf(`kind: Component
name: c%05d
version: 1.0.0
platform: Linux
description: Generated component %d
document:
  schemaVersion: 1.0
  phases:
    - name: build
      steps:
        - name: Install
          action: ExecuteBash
          inputs:
            commands:
              - echo "component %d revision %d" > /etc/c%05d
        - name: Record
          action: CreateFile
          inputs:
            - path: /opt/c%05d/revision
              content: "%d"
`, i, i, i, rev, i, i, rev)
}

// recipeComponents are the three components recipe i uses, spread so that
// every component is used by some recipe when Recipes*3 >= Components.
func (s Shape) recipeComponents(i int) [3]int {
	var out [3]int
	for j := range out {
		out[j] = (i + j*s.Recipes) % s.Components
	}
	return out
}

func (s Shape) recipeYAML(i, rev int) string {
	parent := "ami-0123456789abcdef0"
	if i >= 4 && i%4 == 0 {
		parent = fmt.Sprintf("recipe:r%05d", i/4)
	}
	c := s.recipeComponents(i)
	return fmt.Sprintf("kind: ImageRecipe\nname: r%05d\nversion: 1.0.0\ndescription: Generated recipe revision %d\nparentImage: %s\ncomponents:\n  - name: c%05d\n  - name: c%05d\n  - name: c%05d\n",
		i, rev, parent, c[0], c[1], c[2])
}

func pipelineYAML(i int) string {
	return fmt.Sprintf("kind: ImagePipeline\nname: p%05d\nimageRecipe: r%05d\ninfrastructureConfiguration: build\n", i, i)
}

func source(i int) string { return fmt.Sprintf("src/d%03d/f%03d.txt", i/100, i%100) }

// Touched is what commit n (1-based) changes: the resource file and the
// message.
func (s Shape) Touched(n int) (file, message string) {
	types := []string{"fix", "feat", "chore", "fix", "refactor"}
	typ, bang := types[n%len(types)], ""
	if n%97 == 0 {
		typ, bang = "fix", "!" // a breaking change: "fix(scope)!: ..."
	}
	if s.Recipes > 0 && n%20 == 0 {
		r := (n / 20) % s.Recipes
		return Recipe(r), fmt.Sprintf("%s(r%05d)%s: change %d", typ, r, bang, n)
	}
	c := (n - n/20) % s.Components
	return Component(c), fmt.Sprintf("%s(c%05d)%s: change %d", typ, c, bang, n)
}

// WriteStream writes the repository as a git fast-import stream on branch
// main.
func WriteStream(w io.Writer, s Shape) error {
	if s.Components < 1 || s.Pipelines > s.Recipes {
		return fmt.Errorf("benchrepo: need at least one component and no more pipelines than recipes: %+v", s)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	const t0 = 1700000000
	data := func(str string) {
		fmt.Fprintf(bw, "data %d\n%s\n", len(str), str)
	}
	commit := func(n int, msg string, files map[string]string) {
		t := t0 + n*60
		fmt.Fprintf(bw, "commit refs/heads/main\nauthor Dev <dev@example.com> %d +0000\ncommitter Dev <dev@example.com> %d +0000\n", t, t)
		data(msg)
		names := make([]string, 0, len(files))
		for p := range files {
			names = append(names, p)
		}
		sort.Strings(names)
		for _, p := range names {
			fmt.Fprintf(bw, "M 100644 inline %s\n", p)
			data(files[p])
		}
	}
	first := map[string]string{
		"ibgitops.yaml":                    "root: images\nbackend: local\nversioning:\n  bump: conventional\n  propagate: true\n",
		"images/infrastructure/build.yaml": "kind: InfrastructureConfiguration\nname: build\ninstanceProfileName: EC2InstanceProfileForImageBuilder\n",
	}
	for i := range s.Components {
		first[Component(i)] = componentYAML(i, 0)
	}
	for i := range s.Recipes {
		first[Recipe(i)] = s.recipeYAML(i, 0)
	}
	for i := range s.Pipelines {
		first[fmt.Sprintf("images/pipelines/p%05d.yaml", i)] = pipelineYAML(i)
	}
	for i := range s.Sources {
		first[source(i)] = fmt.Sprintf("file %d\n", i)
	}
	commit(0, "chore: initial import", first)
	for n := 1; n <= s.Commits; n++ {
		file, msg := s.Touched(n)
		files := map[string]string{}
		var i int
		if _, err := fmt.Sscanf(filepath.Base(file)[1:], "%05d", &i); err != nil {
			return err
		}
		if filepath.Dir(file) == "images/recipes" {
			files[file] = s.recipeYAML(i, n)
		} else {
			files[file] = componentYAML(i, n)
		}
		for j := range s.SourcesPerCommit {
			if s.Sources > 0 {
				k := (n*7919 + j*104729) % s.Sources
				files[source(k)] = fmt.Sprintf("file %d revision %d\n", k, n)
			}
		}
		commit(n, msg, files)
	}
	return bw.Flush()
}

// Create makes the repository in dir (which must not exist or be empty)
// with the git binary: init, fast-import, checkout, gc.
func Create(dir string, s Shape) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	git := func(stdin io.Reader, args ...string) error {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Stdin = stdin
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %v: %v: %s", args, err, out)
		}
		return nil
	}
	if err := git(nil, "init", "-q", "-b", "main"); err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(WriteStream(pw, s)) }()
	if err := git(pr, "fast-import", "--quiet"); err != nil {
		return err
	}
	if err := git(nil, "checkout", "-q", "main"); err != nil {
		return err
	}
	return git(nil, "gc", "-q")
}
