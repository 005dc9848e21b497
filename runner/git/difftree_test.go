package git

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/ibgitops/ibgitops/internal/testutil"
)

// diffTreeIDs reads trees raw and decodes them only for renames: its
// answer must be go-git's DiffTree (plus rename detection) for every pair
// of commits of a history that adds, deletes, modifies, renames, changes
// modes, turns files into links and folders into files, packed or loose.
func TestDiffTreeIDsMatchesGoGit(t *testing.T) {
	for _, packed := range []bool{false, true} {
		dir := t.TempDir()
		testutil.Git(t, dir, "init", "-q", "-b", "main")
		write := func(name, content string) {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var commits []Hash
		commit := func(msg string) {
			testutil.Git(t, dir, "add", "-A")
			testutil.Git(t, dir, "commit", "-q", "--allow-empty", "-m", msg)
			commits = append(commits, plumbing.NewHash(testutil.Git(t, dir, "rev-parse", "HEAD")[:40]))
		}
		for i := range 30 {
			write(filepath.Join("images/components", "c"+string(rune('a'+i%26))+string(rune('0'+i/26))+".yaml"), "name: x\n")
		}
		write("images/recipes/r.yaml", "components: [ca0]\n")
		write("docs/readme.md", "hello\n")
		commit("base")
		write("images/components/ca0.yaml", "name: changed\n") // modify
		commit("modify")
		if err := os.Chmod(filepath.Join(dir, "images/components/cb0.yaml"), 0o755); err != nil { // mode only
			t.Fatal(err)
		}
		commit("chmod")
		os.Remove(filepath.Join(dir, "images/components/cc0.yaml"))
		os.Symlink("ca0.yaml", filepath.Join(dir, "images/components/cc0.yaml")) // file to link
		write("images/new/deep/d.yaml", "new\n")                                 // added folder
		commit("link and add")
		testutil.Git(t, dir, "mv", "images/components/cd0.yaml", "images/moved.yaml") // rename
		commit("rename")
		os.RemoveAll(filepath.Join(dir, "images/new"))
		write("images/new", "now a file\n") // folder to file
		commit("type change")
		os.RemoveAll(filepath.Join(dir, "docs"))
		commit("delete folder")
		if packed {
			testutil.Git(t, dir, "gc", "-q", "--aggressive")
		}
		r := open(t, dir)
		tree := func(c Hash) *object.Tree {
			t.Helper()
			tr, err := r.treeOf(c)
			if err != nil {
				t.Fatal(err)
			}
			return tr
		}
		all := append([]Hash{plumbing.ZeroHash}, commits...)
		ctx := context.Background()
		for _, a := range all {
			for _, b := range all {
				want, err := diffTrees(ctx, tree(a), tree(b))
				if err != nil {
					t.Fatal(err)
				}
				got, err := r.diffTreeIDs(ctx, tree(a).Hash, tree(b).Hash)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 {
					want = nil
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("packed %v, %s..%s:\n got %v\nwant %v", packed, a.String()[:7], b.String()[:7], got, want)
				}
			}
		}
	}
}
