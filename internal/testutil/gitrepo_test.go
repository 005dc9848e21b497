package testutil

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestRepoCommitsWithStableIDs(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	build := func() (*Repo, plumbing.Hash, plumbing.Hash) {
		dir := t.TempDir()
		r := NewRepo(t, dir, start)
		os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a\n"), 0o644)
		first := r.Commit("first")
		r.Checkout("feature", true)
		os.Remove(filepath.Join(dir, "a.txt"))
		os.WriteFile(filepath.Join(dir, "b.txt"), []byte("b\n"), 0o644)
		second := r.Commit("second", "a.txt")
		return r, first, second
	}
	r, first, second := build()
	_, first2, second2 := build()
	if first != first2 || second != second2 {
		t.Errorf("commit ids differ between two identical repositories: %s %s, %s %s", first, first2, second, second2)
	}
	c, err := r.Git.CommitObject(second)
	if err != nil {
		t.Fatal(err)
	}
	if want := start.Add(2 * time.Minute); !c.Author.When.Equal(want) || c.Author.Email != "dev@example.com" {
		t.Errorf("author %s %s, want dev@example.com at %s", c.Author.Email, c.Author.When, want)
	}
	tree, _ := c.Tree()
	if _, err := tree.File("a.txt"); err == nil {
		t.Error("a.txt was removed and named, yet it is still in the commit")
	}
	if _, err := tree.File("b.txt"); err == nil {
		t.Error("b.txt was not named, yet it is in the commit")
	}
	head, _ := r.Git.Head()
	if head.Name() != plumbing.NewBranchReferenceName("feature") {
		t.Errorf("HEAD is %s, want feature", head.Name())
	}
	r.Checkout("main", false)
	r.Commit("all")
	c, _ = r.Git.CommitObject(mustHead(t, r))
	tree, _ = c.Tree()
	if _, err := tree.File("b.txt"); err != nil {
		t.Errorf("Commit with no paths did not stage b.txt: %v", err)
	}
}

func mustHead(t *testing.T, r *Repo) plumbing.Hash {
	t.Helper()
	h, err := r.Git.Head()
	if err != nil {
		t.Fatal(err)
	}
	return h.Hash()
}

func TestGitCommitsWithStableIDs(t *testing.T) {
	build := func() string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		Git(t, dir, "init", "-q", "-b", "main")
		Git(t, dir, "add", ".")
		Git(t, dir, "commit", "-q", "-m", "first")
		return Git(t, dir, "rev-parse", "HEAD")
	}
	first, second := build(), build()
	if len(first) != 40 || first != second {
		t.Errorf("commit ids of two identical repositories: %q and %q, want the same 40-digit id", first, second)
	}
}

func TestExampleHistory(t *testing.T) {
	build := func(extra map[string]string) (string, string, string) {
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS("../../testdata/example")); err != nil {
			t.Fatal(err)
		}
		base, head := ExampleHistory(t, dir, extra)
		return dir, base, head
	}
	dir, base, head := build(map[string]string{"notes/extra.txt": "x\n"})
	_, base2, head2 := build(map[string]string{"notes/extra.txt": "x\n"})
	if base != base2 || head != head2 {
		t.Errorf("ids of two identical histories differ: %s %s, %s %s", base, head, base2, head2)
	}
	changed := Git(t, dir, "diff", "--name-only", base, head)
	if changed != "components/smoke-tests.yaml\nnotes/extra.txt" {
		t.Errorf("head changes %q, want components/smoke-tests.yaml and notes/extra.txt", changed)
	}
}
