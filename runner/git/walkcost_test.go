package git

import (
	"context"
	"fmt"
	"io/fs"
	"reflect"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage"
)

// countingStorer counts the tree objects read from the store, through
// go-git or the raw pack reader.
type countingStorer struct {
	storage.Storer
	r          *Repo
	goGitTrees int
}

func (c *countingStorer) trees() int {
	n := c.goGitTrees
	if c.r.raw != nil {
		c.r.raw.mu.Lock()
		n += int(c.r.raw.served[plumbing.TreeObject].Load())
		c.r.raw.mu.Unlock()
	}
	return n
}

func (c *countingStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	obj, err := c.Storer.EncodedObject(t, h)
	if err == nil && obj.Type() == plumbing.TreeObject {
		c.goGitTrees++
	}
	return obj, err
}

func countTrees(r *Repo) *countingStorer {
	cs := &countingStorer{Storer: r.repo.Storer, r: r}
	r.repo.Storer = cs
	return cs
}

// TestTreeFSDecodesEachFolderOnce: reading every file of a commit reads
// each folder's tree once, however many files the folder holds (go-git's
// FindEntry read a top-level folder again for every file in it).
func TestTreeFSDecodesEachFolderOnce(t *testing.T) {
	for _, n := range []int{1, 10, 60} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			tr := newTestRepo(t)
			files := map[string]*string{"deep/a/b/c.yaml": s("x")}
			for i := range n {
				files[fmt.Sprintf("components/c%03d.yaml", i)] = s(fmt.Sprint(i))
			}
			c := tr.commit("one", files)
			r := open(t, tr.dir)
			cs := countTrees(r)
			fsys, err := r.TreeFS(c)
			if err != nil {
				t.Fatal(err)
			}
			for name := range files {
				if _, err := fs.ReadFile(fsys, name); err != nil {
					t.Fatal(err)
				}
				if _, err := fs.Stat(fsys, name); err != nil {
					t.Fatal(err)
				}
			}
			// root, components, deep, deep/a, deep/a/b
			if cs.trees() > 5 {
				t.Errorf("%d files in one folder: %d tree reads, want at most 5 (one per folder)", n, cs.trees())
			}
		})
	}
}

// TestLogPaths: Log reports, per commit, exactly the asked-for paths whose
// content changed against the first parent, in nested folders, for added,
// deleted and modified files, and a folder replaced by a file.
func TestLogPaths(t *testing.T) {
	tr := newTestRepo(t)
	c0 := tr.commit("init", map[string]*string{
		"images/components/a.yaml": s("a"), "images/components/b.yaml": s("b"),
		"images/recipes/r.yaml": s("r"), "other/x.txt": s("x"), "top.yaml": s("t"),
	})
	c1 := tr.commit("modify a and unrelated", map[string]*string{"images/components/a.yaml": s("a2"), "other/x.txt": s("x2")})
	c2 := tr.commit("add c, delete b", map[string]*string{"images/components/c.yaml": s("c"), "images/components/b.yaml": nil})
	c3 := tr.commit("unwanted only", map[string]*string{"images/components/z.yaml": s("z")})
	c4 := tr.commit("top and recipe", map[string]*string{"top.yaml": s("t2"), "images/recipes/r.yaml": s("r2")})
	want := []string{"images/components/a.yaml", "images/components/b.yaml", "images/components/c.yaml", "images/recipes/r.yaml", "top.yaml", "other"}
	r := open(t, tr.dir)
	log, err := r.Log(context.Background(), c0, c4, want)
	if err != nil {
		t.Fatal(err)
	}
	got := map[Hash][]string{}
	for _, c := range log {
		got[c.Hash] = c.Paths
	}
	expect := map[Hash][]string{
		c4: {"images/recipes/r.yaml", "top.yaml"},
		c2: {"images/components/b.yaml", "images/components/c.yaml"},
		c1: {"images/components/a.yaml", "other"},
	}
	if !reflect.DeepEqual(got, expect) {
		t.Errorf("Log paths = %v, want %v", got, expect)
	}
	if _, ok := got[c3]; ok {
		t.Error("a commit touching no asked-for path is listed")
	}
}

// TestLogReadsEachCommitOnce: Log compares each commit with its parent
// once, whatever the number of paths asked for: the tree reads grow with
// the commits, not with commits x paths.
func TestLogReadsEachCommitOnce(t *testing.T) {
	tr := newTestRepo(t)
	const n = 40
	files := map[string]*string{}
	var paths []string
	for i := range n {
		p := fmt.Sprintf("components/c%03d.yaml", i)
		files[p] = s("0")
		paths = append(paths, p)
	}
	base := tr.commit("init", files)
	var head Hash
	for i := range n {
		head = tr.commit(fmt.Sprintf("fix: %d", i), map[string]*string{paths[i]: s("1")})
	}
	r := open(t, tr.dir)
	cs := countTrees(r)
	log, err := r.Log(context.Background(), base, head, paths)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != n {
		t.Fatalf("Log listed %d commits, want %d", len(log), n)
	}
	// Each commit's root and components trees, the parent's shared with
	// the next commit: about 2 per commit.
	if cs.trees() > 3*n {
		t.Errorf("%d commits x %d paths: %d tree reads, want at most %d", n, n, cs.trees(), 3*n)
	}
}

// TestCompareEntries: raw tree entries merge in git's order, where a
// folder sorts as if its name ended in "/".
func TestCompareEntries(t *testing.T) {
	for _, tc := range []struct {
		a       string
		aDir    bool
		b       string
		bDir    bool
		want    int
		comment string
	}{
		{"a", false, "b", false, -1, "plain names"},
		{"foo.txt", false, "foo", true, -1, "'.' sorts before the folder's '/'"},
		{"foo", true, "foo0", false, -1, "'/' sorts before '0'"},
		{"foo", false, "foo.txt", false, -1, "a prefix sorts first"},
		{"foo", true, "foo", true, 0, "same folder"},
		{"foo", false, "foo", true, -1, "a file before a folder of the same name"},
	} {
		a, b := rawEntry{name: []byte(tc.a), dir: tc.aDir}, rawEntry{name: []byte(tc.b), dir: tc.bDir}
		if got := compareEntries(&a, &b); got != tc.want {
			t.Errorf("%s: compare(%q, %q) = %d, want %d", tc.comment, tc.a, tc.b, got, tc.want)
		}
		if got := compareEntries(&b, &a); got != -tc.want {
			t.Errorf("%s: compare(%q, %q) = %d, want %d", tc.comment, tc.b, tc.a, got, -tc.want)
		}
	}
}
