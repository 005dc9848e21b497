package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ibgitops/ibgitops/internal/benchrepo"
	"github.com/ibgitops/ibgitops/recipes"
	"gopkg.in/yaml.v3"
)

// computeBoth computes the plan from the selected files and from every
// file, and fails unless samePlan holds.
func computeBoth(t *testing.T, opts Options) (partial, all *Result) {
	t.Helper()
	partial, err := Compute(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.LoadAll = true
	if all, err = Compute(context.Background(), opts); err != nil {
		t.Fatalf("loading everything: %v", err)
	}
	samePlan(t, partial, all)
	return partial, all
}

// samePlan fails unless a plan computed from the selected files equals
// the one computed from every file: same changes, builds, changed paths
// and version-taken findings.
func samePlan(t *testing.T, partial, all *Result) {
	t.Helper()
	for _, c := range []struct {
		what   string
		pa, al any
	}{
		{"changes", partial.Plan.Changes, all.Plan.Changes},
		{"builds", partial.Plan.Builds, all.Plan.Builds},
		{"paths", partial.Paths, all.Paths},
		{"collisions", partial.Collisions, all.Collisions},
	} {
		pj, _ := json.MarshalIndent(c.pa, "", " ")
		aj, _ := json.MarshalIndent(c.al, "", " ")
		if string(pj) != string(aj) {
			t.Errorf("%s differ between the selected files and every file:\nselected: %s\nall:      %s", c.what, pj, aj)
		}
	}
}

// TestPartialPlanEqualsFull plans many ranges of a generated history
// (recipes using components, child recipes, pipelines, sources outside
// the root, conventional commits) both ways.
func TestPartialPlanEqualsFull(t *testing.T) {
	dir := t.TempDir()
	shape := benchrepo.Shape{Components: 60, Recipes: 24, Pipelines: 10, Sources: 6, Commits: 90, SourcesPerCommit: 1}
	if err := benchrepo.Create(dir, shape); err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2]int{{1, 0}, {2, 1}, {5, 0}, {20, 0}, {21, 19}, {40, 3}, {90, 0}, {60, 30}} {
		base, head := fmt.Sprintf("HEAD~%d", r[0]), fmt.Sprintf("HEAD~%d", r[1])
		t.Run(base+".."+head, func(t *testing.T) {
			partial, all := computeBoth(t, Options{Root: dir, Base: base, Head: head, NoFetch: true})
			if len(all.Plan.Changes) == 0 {
				t.Fatal("the range changes nothing: the case tests nothing")
			}
			if n, m := len(partial.Head.Resources()), len(all.Head.Resources()); n >= m {
				t.Errorf("the partial plan loaded %d of %d resources at head: it selected everything", n, m)
			}
		})
	}
}

func TestBumpFiles(t *testing.T) {
	comp := func(name, from, to string, change string, content bool) recipes.ResourceDiff {
		d := recipes.ResourceDiff{Key: recipes.Key{Kind: recipes.KindComponent, Name: name}, Change: change, ContentChanged: content,
			Files: []string{"components/" + name + ".yaml"}}
		if from != "" {
			d.Base = &recipes.Meta{Version: from}
		}
		if to != "" {
			d.Head = &recipes.Meta{Version: to}
		}
		return d
	}
	infra := recipes.ResourceDiff{Key: recipes.Key{Kind: recipes.KindInfrastructure, Name: "i"}, Change: recipes.ChangeModified,
		ContentChanged: true, Base: &recipes.Meta{}, Head: &recipes.Meta{}, Files: []string{"infra/i.yaml"}}
	got := bumpFiles([]recipes.ResourceDiff{
		comp("same", "1.0.0", "1.0.0", recipes.ChangeModified, true),        // the commits decide: read
		comp("raised", "1.0.0", "1.1.0", recipes.ChangeModified, true),      // the author decided: skip
		comp("lowered", "1.2.0", "1.1.0", recipes.ChangeModified, true),     // lint error, commits still decide the suggestion
		comp("badversion", "1.0.0", "1.0", recipes.ChangeModified, true),    // not comparable: read
		comp("formatting", "1.0.0", "1.0.0", recipes.ChangeModified, false), // no content change: skip
		comp("new", "", "1.0.0", recipes.ChangeAdded, true),
		comp("gone", "1.0.0", "", recipes.ChangeDeleted, true),
		infra,
	}, "images")
	want := []string{"images/components/same.yaml", "images/components/lowered.yaml", "images/components/badversion.yaml"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("bumpFiles = %v, want %v", got, want)
	}
}

// TestPartialPlanWorkTree plans uncommitted changes: a FIFO and an
// oversized file under the root are selected without being read (a read
// of the FIFO would block), links are selected, and the plan equals the
// one from every file.
func TestPartialPlanWorkTree(t *testing.T) {
	f := standard(t)
	dir := filepath.Join(f.dir, "images")
	if err := syscall.Mkfifo(filepath.Join(dir, "components", "pipe.yaml"), 0o644); err != nil {
		t.Skip("no FIFO here:", err)
	}
	big := "kind: Component\nname: big\n# " + strings.Repeat("x", recipes.MaxFileSize) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "components", "big.yaml"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("docs/tools.yaml", filepath.Join(dir, "components", "doc-link.yaml")); err != nil {
		t.Fatal(err)
	}
	f.write(map[string]string{"images/components/docs/tools.yaml": strings.Replace(toolsDoc, "echo curl", "echo wget", 1)})
	// A read of the FIFO would block: the test's timeout reports it.
	partial, _ := computeBoth(t, Options{Root: dir, Base: "main"})
	if !partial.WorkTree || len(partial.Plan.Changes) == 0 {
		t.Errorf("want a work-tree plan with changes: %+v", partial.Plan)
	}
}

// FuzzScanHead: whenever the scan answers, the YAML parser agrees.
func FuzzScanHead(f *testing.F) {
	for _, s := range []string{
		"kind: Component\nname: web\nversion: 1.0.0\n",
		"---\nkind: ImageRecipe\nname: app # the app\nparentImage: recipe:base\ncomponents:\n  - name: web\n",
		"kind: ImageRecipe\nname: my\n  recipe\n",
		"kind: Component\r\nname: 'quoted'\r\n",
		"kind: Component\nname: a\nname: b\n",
		"{kind: Component, name: web}\n",
		"kind: Component\nname: web\ndescription: |\n  name: other\n",
		"<<: *x\nkind: Component\nname: web\n",
		"kind: Component\nname: null\n",
		"kind: Component\nname: 1.0\n",
		"description: \"a\nname: hidden\"\nkind: Component\nname: web\n",
		"tags: {a: 1,\nname: hidden}\nkind: Component\nname: web\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := scanHead(data)
		if !ok {
			return
		}
		var want head
		if err := yaml.Unmarshal(data, &want); err != nil {
			return // no resource: the loader refuses the file whatever its head says
		}
		if got != want {
			t.Fatalf("scanHead = %+v, YAML reads %+v:\n%q", got, want, data)
		}
	})
}

// TestScanHeadReadsPlainFiles: the files people write (and the
// fixtures) are read by the scan, without the parser.
func TestScanHeadReadsPlainFiles(t *testing.T) {
	for _, c := range []struct {
		data string
		want head
	}{
		{webYAML, head{Kind: "Component", Name: "web"}},
		{baseYAML, head{Kind: "ImageRecipe", Name: "base", ParentImage: "ami-0123456789abcdef0"}},
		{appYAML, head{Kind: "ImageRecipe", Name: "app", ParentImage: "recipe:base"}},
		{pipeYAML, head{Kind: "ImagePipeline", Name: "base-weekly"}},
		{"# a comment\n---\nkind: Component\r\nname: My Tools  # shown in the console\r\ndescription: \"tools\"\r\ndocument:\r\n  phases: []\r\n", head{Kind: "Component", Name: "My Tools"}},
	} {
		got, ok := scanHead([]byte(c.data))
		if !ok || got != c.want {
			t.Errorf("scanHead(%q) = %+v, %v; want %+v", c.data, got, ok, c.want)
		}
	}
}

// The hash sieve must never drop a file that mentions a word: every word
// mentions finds has its hash among the file's (a collision may keep a
// file the text check then drops).
func FuzzWordSieve(f *testing.F) {
	for _, seed := range []struct{ data, word string }{
		{"components:\n  - name: C00042\n", "c00042"},
		{"arn:aws:imagebuilder:us-east-1:123:component/my-comp/1.0.0", "My Comp"},
		{"name: x\ncomponents: [{name: web_server}]", "web-server"},
		{"no match here", "other"},
		{"trailing word", "word"},
		{"ÄÖÜ caféBar", "cafébar"},
	} {
		f.Add([]byte(seed.data), seed.word)
	}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		w := keyWord(name)
		if w == "" {
			return
		}
		words := map[string]bool{w: true}
		if mentions(data, words, nil) && !anyHashIn(appendWordHashes(nil, data), map[uint32]bool{wordHash(w): true}) {
			t.Fatalf("%q mentions %q but its word hashes miss it", data, w)
		}
	})
}
