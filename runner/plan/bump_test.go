package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes"
)

// Files whose comments, quoting, key order and blank lines must survive
// bump --write byte for byte.
const (
	webStyled = `# The web component.
# Comments above, beside and below the version stay.

kind: Component
name: web
version: "1.0.0"   # quoted on purpose
platform: Linux

document:
  schemaVersion: 1.0
  phases:
    - name: build
      steps:
        - name: Hello
          action: ExecuteBash
          inputs:
            commands:
              - echo hello
`
	baseStyled = `kind: ImageRecipe
# name first would be nicer; the order is the author's
version: 1.0.0
name: base
parentImage: ami-0123456789abcdef0
components:
  - name: web
  - name: tools
`
	appStyled = `kind: ImageRecipe
name: app
version: '2.3.0'
parentImage: recipe:base
components:
  - {name: web, version: 1.0.0}   # exact pin, flow style
`
)

func TestBumpWrite(t *testing.T) {
	f := newFixture(t)
	f.commit("chore: initial", map[string]string{
		"components/web.yaml":        webStyled,
		"components/tools.yaml":      toolsYAML,
		"components/docs/tools.yaml": toolsDoc,
		"recipes/base.yaml":          baseStyled,
		"recipes/app.yaml":           appStyled,
		"infrastructure/small.yaml":  infraYAML,
		"pipelines/base-weekly.yaml": pipeYAML,
	})
	f.checkoutNew("feature")
	f.commit("fix(web): say hello politely", map[string]string{
		"components/web.yaml": strings.Replace(webStyled, "echo hello", "echo hello, please", 1),
	})
	res := compute(t, Options{Root: f.dir, Base: "main"})
	edits, err := Bumps(res)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range edits {
		lines = append(lines, e.String())
	}
	want := []string{
		"components/web.yaml:6: component web 1.0.0 -> 1.0.1",
		"recipes/app.yaml:3: image recipe app 2.3.0 -> 2.3.1",
		"recipes/app.yaml:6: image recipe app pins component web 1.0.0 -> 1.0.1",
		"recipes/base.yaml:3: image recipe base 1.0.0 -> 1.0.1",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("edits:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	written, err := WriteBumps(res, edits)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 3 {
		t.Errorf("written = %v", written)
	}
	for _, name := range []string{"components/web.yaml", "recipes/base.yaml", "recipes/app.yaml"} {
		got, err := os.ReadFile(filepath.Join(f.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("bump", strings.ReplaceAll(name, "/", "_")), got)
	}

	// Planning the bumped work tree again: the versions now stand, nothing
	// more to write.
	again := compute(t, Options{Root: f.dir, Base: "main"})
	if !again.WorkTree {
		t.Fatal("the bumped files should make the work tree dirty")
	}
	more, err := Bumps(again)
	if err != nil || len(more) != 0 {
		t.Errorf("second bump = %v, %v; want nothing", more, err)
	}
	for _, c := range again.Plan.Changes {
		if c.Name == "web" && (c.ToVersion != "1.0.1" || !strings.Contains(c.Reason, "raised by the author")) {
			t.Errorf("after bump web = %+v", c)
		}
	}

	// A file edited since the plan was computed is refused, nothing written.
	os.WriteFile(filepath.Join(f.dir, "recipes/base.yaml"), []byte(strings.Replace(baseStyled, "1.0.0", "1.0.7", 1)), 0o644)
	if _, err := WriteBumps(res, edits); err == nil || !strings.Contains(err.Error(), "changed since it was read") {
		t.Errorf("stale write: %v", err)
	}
}

// bump --write through a real repository: a resource file that is a
// symlink inside the repository is written through (the link stays, its
// target is bumped), and a read-only folder refuses the whole write, so
// no file is bumped (#12 items 5 and 6).
func TestBumpWriteSymlinkAndReadOnly(t *testing.T) {
	setup := func(t *testing.T) (*fixture, *Result, []recipes.VersionEdit) {
		f := newFixture(t)
		f.commit("chore: initial", map[string]string{
			".shared/web.yaml":           webStyled, // a dot folder: not loaded itself
			"components/tools.yaml":      toolsYAML,
			"components/docs/tools.yaml": toolsDoc,
			"recipes/base.yaml":          baseStyled,
			"recipes/app.yaml":           appStyled,
			"infrastructure/small.yaml":  infraYAML,
			"pipelines/base-weekly.yaml": pipeYAML,
		})
		if err := os.Symlink("../.shared/web.yaml", filepath.Join(f.dir, "components/web.yaml")); err != nil {
			t.Fatal(err)
		}
		f.repo.Commit("chore: link web", "components/web.yaml")
		f.checkoutNew("feature")
		f.commit("fix(web): say hello politely", map[string]string{
			".shared/web.yaml": strings.Replace(webStyled, "echo hello", "echo hello, please", 1),
		})
		res := compute(t, Options{Root: f.dir, Base: "main"})
		edits, err := Bumps(res)
		if err != nil {
			t.Fatal(err)
		}
		if len(edits) == 0 || edits[0].File != "components/web.yaml" {
			t.Fatalf("edits = %v; want web's version first", edits)
		}
		return f, res, edits
	}
	read := func(t *testing.T, f *fixture, name string) string {
		data, err := os.ReadFile(filepath.Join(f.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}

	t.Run("symlink", func(t *testing.T) {
		f, res, edits := setup(t)
		written, err := WriteBumps(res, edits)
		if err != nil {
			t.Fatal(err)
		}
		if written[0].Target != ".shared/web.yaml" {
			t.Errorf("written = %v", written)
		}
		fi, err := os.Lstat(filepath.Join(f.dir, "components/web.yaml"))
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("components/web.yaml is no longer a symlink (%v, %v)", fi.Mode(), err)
		}
		if got := read(t, f, ".shared/web.yaml"); !strings.Contains(got, `version: "1.0.1"   # quoted on purpose`) {
			t.Errorf("the link's target was not bumped:\n%s", got)
		}
	})

	t.Run("read-only folder", func(t *testing.T) {
		f, res, edits := setup(t)
		before := map[string]string{}
		for _, name := range []string{".shared/web.yaml", "recipes/base.yaml", "recipes/app.yaml"} {
			before[name] = read(t, f, name)
		}
		dir := filepath.Join(f.dir, "recipes")
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		_, err := WriteBumps(res, edits)
		if err == nil || !strings.Contains(err.Error(), "folder recipes is read-only") {
			t.Fatalf("err = %v", err)
		}
		for name, content := range before {
			if got := read(t, f, name); got != content {
				t.Errorf("%s was written although the bump was refused:\n%s", name, got)
			}
		}
	})
}
