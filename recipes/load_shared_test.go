package recipes

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"reflect"
	"sync"
	"testing"
	"testing/fstest"
)

// Loads that share parses give what loads of their own give, findings
// included (a broken file is parsed by each load that reads it), and a
// file with the same content at both commits is parsed once.
func TestLoadSharedMatchesLoad(t *testing.T) {
	base := fstest.MapFS{}
	if err := fs.WalkDir(os.DirFS("../testdata/example"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(os.DirFS("../testdata/example"), p)
		base[p] = &fstest.MapFile{Data: data}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	base["components/broken.yaml"] = &fstest.MapFile{Data: []byte("kind: Component\nname: [unclosed\n")}
	base["components/two.yaml"] = &fstest.MapFile{Data: []byte("kind: Component\nname: two\n---\nkind: Component\nname: three\n")}
	base["components/empty.yaml"] = &fstest.MapFile{Data: []byte("# nothing\n")}
	head := fstest.MapFS{}
	for p, f := range base {
		head[p] = f
	}
	changed := "recipes/app-server.yaml"
	head[changed] = &fstest.MapFile{Data: append([]byte("# edited\n"), base[changed].Data...)}

	ps := NewParses()
	type out struct {
		repo     *Repo
		findings any
	}
	var shared [2]out
	var wg sync.WaitGroup
	for i, fsys := range []fs.FS{base, head} {
		wg.Go(func() {
			r, f, err := LoadShared(fsys, ps)
			if err != nil {
				t.Error(err)
			}
			shared[i] = out{r, f}
		})
	}
	wg.Wait()
	for i, fsys := range []fs.FS{base, head} {
		r, f, err := Load(fsys)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r, shared[i].repo) || !reflect.DeepEqual(f, shared[i].findings) {
			t.Errorf("side %d: the shared load differs from a load of its own", i)
		}
		if len(f) == 0 {
			t.Fatalf("side %d: no findings; the broken files are not read", i)
		}
	}
	// Every YAML file of the two sides, the changed one twice.
	yamlFiles := 0
	for p := range base {
		if ext := path.Ext(p); ext == ".yaml" || ext == ".yml" {
			yamlFiles++
		}
	}
	if want := yamlFiles + 1; ps.parsed != want {
		t.Errorf("%d files parsed for two sides of %d YAML files with one changed, want %d", ps.parsed, yamlFiles, want)
	}
	// What both loads took is let go; the changed file's two versions,
	// taken once each, wait for a load that never comes.
	if n := ps.held(); n != 2 {
		t.Errorf("after both loads %d parses are held, want the changed file's 2", n)
	}
}

// Parses taken by one load only are let go once two generations of newer
// ones came after them: a plan's changed files do not pile up.
func TestParsesHeldAreBounded(t *testing.T) {
	ps := NewParses()
	for i := range 5 * sharedPerGeneration {
		ps.parse(fmt.Appendf(nil, "kind: Component\nname: c%d\n", i))
		if n := ps.held(); n > 2*sharedPerGeneration {
			t.Fatalf("after %d files %d parses are held, want at most %d", i+1, n, 2*sharedPerGeneration)
		}
	}
	// The newest are still there for a second load.
	before := ps.parsed
	if pf := ps.parse(fmt.Appendf(nil, "kind: Component\nname: c%d\n", 5*sharedPerGeneration-1)); pf == nil || pf.kind != "Component" || ps.parsed != before {
		t.Errorf("the newest parse was not shared (%d parses before, %d after)", before, ps.parsed)
	}
}
