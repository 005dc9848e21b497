package git

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/ibgitops/ibgitops/internal/testutil"
)

// testRepo builds real repositories with go-git.
type testRepo struct {
	t    *testing.T
	dir  string
	repo *gogit.Repository
	when time.Time
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	dir := t.TempDir()
	repo, err := gogit.PlainInitWithOptions(dir, &gogit.PlainInitOptions{
		InitOptions: gogit.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testRepo{t: t, dir: dir, repo: repo, when: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// commit writes files (a nil value deletes the file) and commits them.
func (r *testRepo) commit(msg string, files map[string]*string) Hash {
	r.t.Helper()
	wt, err := r.repo.Worktree()
	if err != nil {
		r.t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(r.dir, name)
		if content == nil {
			if _, err := wt.Remove(name); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(*content), 0o644); err != nil {
			r.t.Fatal(err)
		}
		if _, err := wt.Add(name); err != nil {
			r.t.Fatal(err)
		}
	}
	r.when = r.when.Add(time.Minute)
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: r.when}
	h, err := wt.Commit(msg, &gogit.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		r.t.Fatal(err)
	}
	return h
}

// symlinks makes each link (a path in the repository) point at its target
// and stages it; the next commit records them.
func (r *testRepo) symlinks(links map[string]string) {
	r.t.Helper()
	wt, err := r.repo.Worktree()
	if err != nil {
		r.t.Fatal(err)
	}
	for name, target := range links {
		p := filepath.Join(r.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			r.t.Fatal(err)
		}
		if _, err := wt.Add(name); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *testRepo) branch(name string, at Hash) {
	r.t.Helper()
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(name), at)); err != nil {
		r.t.Fatal(err)
	}
}

func (r *testRepo) checkout(branch string) {
	r.t.Helper()
	wt, _ := r.repo.Worktree()
	if err := wt.Checkout(&gogit.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch)}); err != nil {
		r.t.Fatal(err)
	}
}

// merge records a merge commit of the current branch with other (tree of
// the current HEAD plus files).
func (r *testRepo) merge(msg string, other Hash, files map[string]*string) Hash {
	r.t.Helper()
	wt, _ := r.repo.Worktree()
	for name, content := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(r.dir, name)), 0o755)
		os.WriteFile(filepath.Join(r.dir, name), []byte(*content), 0o644)
		wt.Add(name)
	}
	head, _ := r.repo.Head()
	r.when = r.when.Add(time.Minute)
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: r.when}
	h, err := wt.Commit(msg, &gogit.CommitOptions{Author: sig, Committer: sig, Parents: []Hash{head.Hash(), other}, AllowEmptyCommits: true})
	if err != nil {
		r.t.Fatal(err)
	}
	return h
}

func s(v string) *string { return &v }

func open(t *testing.T, dir string) *Repo {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestResolve(t *testing.T) {
	tr := newTestRepo(t)
	c1 := tr.commit("first", map[string]*string{"a.yaml": s("a: 1\n")})
	c2 := tr.commit("second", map[string]*string{"a.yaml": s("a: 2\n")})
	c3 := tr.commit("third", map[string]*string{"a.yaml": s("a: 3\n")})
	tr.branch("feature", c2)
	if _, err := tr.repo.CreateTag("v1.0.0", c1, nil); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: tr.when}
	if _, err := tr.repo.CreateTag("v2.0.0", c2, &gogit.CreateTagOptions{Tagger: sig, Message: "annotated"}); err != nil {
		t.Fatal(err)
	}
	r := open(t, filepath.Join(tr.dir))
	tests := []struct {
		rev  string
		want Hash
	}{
		{"HEAD", c3}, {"", c3}, {"main", c3}, {"feature", c2}, {"v1.0.0", c1}, {"v2.0.0", c2},
		{"HEAD~1", c2}, {"HEAD~2", c1}, {"HEAD^", c2}, {c1.String(), c1}, {c1.String()[:8], c1},
	}
	for _, tc := range tests {
		got, err := r.Resolve(tc.rev)
		if err != nil {
			t.Errorf("Resolve(%q): %v", tc.rev, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Resolve(%q) = %s, want %s", tc.rev, got, tc.want)
		}
	}
	_, err := r.Resolve("no-such-branch")
	var unknown *UnknownRefError
	if !errors.As(err, &unknown) || !strings.Contains(err.Error(), `"no-such-branch"`) || !strings.Contains(err.Error(), "git fetch origin no-such-branch") {
		t.Errorf("unknown ref error = %v", err)
	}
	tags, err := r.Tags()
	if err != nil {
		t.Fatal(err)
	}
	want := []Tag{{"v1.0.0", c1}, {"v2.0.0", c2}}
	if !reflect.DeepEqual(tags, want) {
		t.Errorf("Tags = %v, want %v", tags, want)
	}
	if b := r.CurrentBranch(); b != "main" {
		t.Errorf("CurrentBranch = %q", b)
	}
	if b, err := r.DefaultBranch(); err != nil || b != "main" {
		t.Errorf("DefaultBranch = %q, %v", b, err)
	}
}

// TestResolveRefusesNonCommits: revisions naming a tree, a blob, a tag
// object or a reflog entry are refused naming the ref, what it names and
// what to pass, never silently resolved to the commit they start from.
func TestResolveRefusesNonCommits(t *testing.T) {
	tr := newTestRepo(t)
	c1 := tr.commit("first", map[string]*string{"README.md": s("hi\n"), "components/a.yaml": s("a: 1\n")})
	c2 := tr.commit("fix: second", map[string]*string{"README.md": s("hi 2\n")})
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: tr.when}
	if _, err := tr.repo.CreateTag("v2.0.0", c2, &gogit.CreateTagOptions{Tagger: sig, Message: "annotated"}); err != nil {
		t.Fatal(err)
	}
	r := open(t, tr.dir)
	refused := []struct {
		rev  string
		want []string // substrings of the error
	}{
		{"main^{tree}", []string{`"main^{tree}"`, "a tree (the root folder of main)", `pass "main"`}},
		{"HEAD~1^{tree}", []string{"a tree", `"HEAD~1"`}},
		{"main^{blob}", []string{"a blob"}},
		{"v2.0.0^{tag}", []string{"annotated tag object", `"v2.0.0"`}},
		{"main:README.md", []string{`"main:README.md"`, "a blob (the file README.md in main)", `"main"`}},
		{"main:components", []string{"a tree (the folder components in main)"}},
		{"main:components/", []string{"a tree (the folder components in main)"}},
		{"main:", []string{"a tree (the root folder of main)"}},
		{"main:nope.txt", []string{"nope.txt inside main (not found there)"}},
		{"no-such-branch:README.md", []string{"README.md inside no-such-branch"}},
		{":README.md", []string{"staged file README.md"}},
		{":/fix", []string{"commit-message search", "git rev-parse ':/fix'"}},
		{"main@{1}", []string{"@{...}", "git rev-parse 'main@{1}'"}},
		{"@{-1}", []string{"@{...}"}},
		{"main@{upstream}", []string{"@{...}"}},
	}
	for _, tc := range refused {
		h, err := r.Resolve(tc.rev)
		var nc *NotCommitError
		if !errors.As(err, &nc) {
			t.Errorf("Resolve(%q) = %s, %v; want a NotCommitError", tc.rev, h, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Resolve(%q) error %q does not contain %q", tc.rev, err, w)
			}
		}
	}
	accepted := []struct {
		rev  string
		want Hash
	}{
		{"main^{commit}", c2}, {"main^{}", c2}, {"v2.0.0^{}", c2}, {"v2.0.0^{commit}", c2},
		{"HEAD~1^{commit}", c1}, {"main^{/first}", c1},
	}
	for _, tc := range accepted {
		got, err := r.Resolve(tc.rev)
		if err != nil || got != tc.want {
			t.Errorf("Resolve(%q) = %s, %v; want %s", tc.rev, got, err, tc.want)
		}
	}
}

func TestOpenFromSubdirAndErrors(t *testing.T) {
	tr := newTestRepo(t)
	tr.commit("first", map[string]*string{"sub/dir/a.yaml": s("a: 1\n")})
	r := open(t, filepath.Join(tr.dir, "sub", "dir"))
	if r.WorkDir() != tr.dir {
		t.Errorf("WorkDir = %q, want %q", r.WorkDir(), tr.dir)
	}
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not inside a git repository") {
		t.Errorf("Open(non-repo) = %v", err)
	}
	empty := newTestRepo(t)
	re := open(t, empty.dir)
	if _, err := re.Resolve("HEAD"); !errors.Is(err, ErrNoCommits) {
		t.Errorf("Resolve(HEAD) on empty repo = %v, want ErrNoCommits", err)
	}
	if _, err := re.DefaultBranch(); err == nil || !strings.Contains(err.Error(), "--base") {
		t.Errorf("DefaultBranch on empty repo = %v", err)
	}
}

func TestMergeBaseAndRevList(t *testing.T) {
	//   c1 - c2 - c4 (main) ------- m (main)
	//          \                   /
	//           c3 - c5 (feature)-/
	tr := newTestRepo(t)
	ctx := context.Background()
	c1 := tr.commit("c1", map[string]*string{"a": s("1")})
	c2 := tr.commit("c2", map[string]*string{"a": s("2")})
	tr.branch("feature", c2)
	c4 := tr.commit("c4", map[string]*string{"b": s("4")})
	tr.checkout("feature")
	c3 := tr.commit("c3", map[string]*string{"c": s("3")})
	c5 := tr.commit("c5", map[string]*string{"c": s("5")})
	tr.checkout("main")
	m := tr.merge("merge feature", c5, map[string]*string{"c": s("5")})
	r := open(t, tr.dir)

	cases := []struct {
		a, b, want Hash
	}{{c4, c5, c2}, {c5, c4, c2}, {c1, c5, c1}, {m, c5, c5}, {c4, c4, c4}, {m, c1, c1}}
	for _, tc := range cases {
		got, err := r.MergeBase(ctx, tc.a, tc.b)
		if err != nil || got != tc.want {
			t.Errorf("MergeBase(%s,%s) = %s, %v; want %s", short(tc.a), short(tc.b), short(got), err, short(tc.want))
		}
	}
	if ok, _ := r.IsAncestor(ctx, c2, m); !ok {
		t.Error("c2 should be an ancestor of m")
	}
	if ok, _ := r.IsAncestor(ctx, c4, c5); ok {
		t.Error("c4 is not an ancestor of c5")
	}

	names := func(cs []Commit) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Subject())
		}
		return out
	}
	list, err := r.RevList(ctx, c4, m)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(list), []string{"merge feature", "c5", "c3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("RevList(c4..m) = %v, want %v", got, want)
	}
	list, _ = r.RevList(ctx, plumbing.ZeroHash, c4)
	if got, want := names(list), []string{"c4", "c2", "c1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("RevList(..c4) = %v, want %v", got, want)
	}
	list, _ = r.RevList(ctx, m, c4)
	if len(list) != 0 {
		t.Errorf("RevList(m..c4) = %v, want none", names(list))
	}

	log, err := r.Log(ctx, c1, m, []string{"c", "a"})
	if err != nil {
		t.Fatal(err)
	}
	// merge commits are skipped; c4 touches only b.
	if got, want := names(log), []string{"c5", "c3", "c2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Log = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(log[2].Paths, []string{"a"}) {
		t.Errorf("Log paths of c2 = %v", log[2].Paths)
	}
	_ = c3
}

func TestMergeBaseUnrelated(t *testing.T) {
	tr := newTestRepo(t)
	a := tr.commit("a", map[string]*string{"a": s("1")})
	// An orphan commit: no parents, same repository.
	ac, _ := tr.repo.CommitObject(a)
	sig := object.Signature{Name: "t", Email: "t@example.com", When: tr.when.Add(time.Hour)}
	orphan := &object.Commit{Author: sig, Committer: sig, Message: "orphan", TreeHash: ac.TreeHash}
	obj := tr.repo.Storer.NewEncodedObject()
	if err := orphan.Encode(obj); err != nil {
		t.Fatal(err)
	}
	b, err := tr.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	r := open(t, tr.dir)
	if _, err := r.MergeBase(context.Background(), a, b); err == nil || !strings.Contains(err.Error(), "share no history") {
		t.Errorf("MergeBase(unrelated) = %v", err)
	}
}

func TestChanges(t *testing.T) {
	tr := newTestRepo(t)
	long := strings.Repeat("line of a component document that stays the same\n", 20)
	base := tr.commit("base", map[string]*string{
		"components/a.yaml": s(long),
		"components/b.yaml": s("b: 1\n" + long + "x"),
		"recipes/r.yaml":    s("r: 1\n"),
		"recipes/gone.yaml": s("gone: 1\n"),
	})
	head := tr.commit("change", map[string]*string{
		"components/a.yaml":       nil,
		"components/moved/a.yaml": s(long), // exact rename
		"components/b.yaml":       nil,
		"components/c.yaml":       s("b: 2\n" + long + "x"), // similar rename
		"recipes/r.yaml":          s("r: 2\n"),
		"recipes/gone.yaml":       nil,
		"recipes/new.yaml":        s("completely new content\n"),
	})
	r := open(t, tr.dir)
	got, err := r.Changes(context.Background(), base, head)
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{Renamed, "components/c.yaml", "components/b.yaml"},
		{Renamed, "components/moved/a.yaml", "components/a.yaml"},
		{Deleted, "recipes/gone.yaml", "recipes/gone.yaml"},
		{Added, "recipes/new.yaml", ""},
		{Modified, "recipes/r.yaml", "recipes/r.yaml"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Changes =\n%v\nwant\n%v", got, want)
	}
	// From nothing: everything is added.
	all, err := r.Changes(context.Background(), plumbing.ZeroHash, base)
	if err != nil || len(all) != 4 || all[0].Status != Added {
		t.Errorf("Changes(zero, base) = %v, %v", all, err)
	}
}

func TestTreeFS(t *testing.T) {
	tr := newTestRepo(t)
	c1 := tr.commit("one", map[string]*string{
		"ibgitops.yaml":          s("root: .\n"),
		"components/a.yaml":      s("kind: Component\n"),
		"components/docs/a.yaml": s("phases: []\n"),
		"z.txt":                  s("z"),
	})
	tr.commit("two", map[string]*string{"components/a.yaml": s("kind: Component\nname: a\n")})
	r := open(t, tr.dir)
	fsys, err := r.TreeFS(c1)
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(fsys, "ibgitops.yaml", "components/a.yaml", "components/docs/a.yaml", "z.txt"); err != nil {
		t.Fatal(err)
	}
	data, err := fsys.(interface{ ReadFile(string) ([]byte, error) }).ReadFile("components/a.yaml")
	if err != nil || string(data) != "kind: Component\n" {
		t.Errorf("ReadFile at c1 = %q, %v (want the old content)", data, err)
	}
	// ReadFile hands out a copy: changing it changes nothing the shared
	// read (the blob cache's bytes) gives later.
	data[0] = 'X'
	shared, err := fsys.(interface{ ReadFileShared(string) ([]byte, error) }).ReadFileShared("components/a.yaml")
	if err != nil || string(shared) != "kind: Component\n" {
		t.Errorf("ReadFileShared after a caller changed its ReadFile copy = %q, %v", shared, err)
	}
	if _, err := fsys.(interface{ ReadFileShared(string) ([]byte, error) }).ReadFileShared("components"); err == nil {
		t.Error("ReadFileShared of a folder read it")
	}
}

func TestDirty(t *testing.T) {
	tr := newTestRepo(t)
	tr.commit("one", map[string]*string{
		".gitignore":        s("*.bak\n"),
		"images/a.yaml":     s("a: 1\n"),
		"images/b.yaml":     s("b: 1\n"),
		"other/c.txt":       s("c"),
		"images/.hidden/x":  s("x"),
		"images/sub/d.yaml": s("d"),
	})
	r := open(t, tr.dir)
	ctx := context.Background()
	if d, err := r.Dirty(ctx, ""); err != nil || len(d) != 0 {
		t.Fatalf("clean tree Dirty = %v, %v", d, err)
	}
	os.WriteFile(filepath.Join(tr.dir, "images/a.yaml"), []byte("a: 2\n"), 0o644)
	os.Remove(filepath.Join(tr.dir, "images/sub/d.yaml"))
	os.WriteFile(filepath.Join(tr.dir, "images/new.yaml"), []byte("n"), 0o644)
	os.WriteFile(filepath.Join(tr.dir, "images/old.bak"), []byte("ignored"), 0o644)
	os.WriteFile(filepath.Join(tr.dir, "other/c.txt"), []byte("changed outside the prefix"), 0o644)
	got, err := r.Dirty(ctx, "images")
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{Modified, "images/a.yaml", "images/a.yaml"},
		{Added, "images/new.yaml", ""},
		{Deleted, "images/sub/d.yaml", "images/sub/d.yaml"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Dirty(images) =\n%v\nwant\n%v", got, want)
	}
	all, _ := r.Dirty(ctx, ".")
	if len(all) != 4 {
		t.Errorf("Dirty(.) = %v, want 4 changes", all)
	}
}

// TestShallowClone makes a depth-1 clone with the git binary, checks that
// a missing base is reported with the exact fix, and that Fetch completes
// the history through the remote.
func TestShallowClone(t *testing.T) {
	tr := newTestRepo(t)
	c1 := tr.commit("feat: one", map[string]*string{"a": s("1")})
	tr.commit("fix: two", map[string]*string{"a": s("2")})
	c3 := tr.commit("fix: three", map[string]*string{"a": s("3")})
	clone := filepath.Join(t.TempDir(), "clone")
	testutil.Git(t, tr.dir, "clone", "-q", "--depth", "1", "file://"+tr.dir, clone)

	r := open(t, clone)
	if !r.IsShallow() {
		t.Fatal("clone should be shallow")
	}
	ctx := context.Background()
	head, err := r.Resolve("HEAD")
	if err != nil || head != c3 {
		t.Fatalf("Resolve(HEAD) = %s, %v", head, err)
	}
	_, err = r.Resolve("HEAD~2")
	var missing *MissingHistoryError
	if !errors.As(err, &missing) {
		t.Fatalf("Resolve(HEAD~2) on shallow = %v, want MissingHistoryError", err)
	}
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITLAB_CI", "")
	if !strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Errorf("error lacks the GitHub fix: %v", err)
	}
	if _, err := r.RevList(ctx, c1, head); !errors.As(err, &missing) {
		t.Errorf("RevList across the shallow boundary = %v, want MissingHistoryError", err)
	}
	t.Setenv("GITHUB_ACTIONS", "")
	t.Setenv("GITLAB_CI", "true")
	if _, err := r.MergeBase(ctx, head, c1); err == nil || !strings.Contains(err.Error(), "GIT_DEPTH: 0") {
		t.Errorf("MergeBase on shallow = %v, want the GitLab fix", err)
	}
	if b, err := r.DefaultBranch(); err != nil || b != "origin/main" {
		t.Errorf("DefaultBranch of a clone = %q, %v (want origin/main from origin/HEAD)", b, err)
	}

	if err := r.Fetch(ctx, FetchOptions{Refs: []string{"main"}}); err != nil {
		t.Fatal(err)
	}
	if r.IsShallow() {
		t.Error("still shallow after Fetch")
	}
	list, err := r.RevList(ctx, c1, head)
	if err != nil || len(list) != 2 {
		t.Errorf("RevList after fetch = %d commits, %v", len(list), err)
	}
	if got, err := r.Resolve("HEAD~2"); err != nil || got != c1 {
		t.Errorf("Resolve(HEAD~2) after fetch = %s, %v", got, err)
	}
}

func TestFetchWithoutRemote(t *testing.T) {
	tr := newTestRepo(t)
	tr.commit("one", map[string]*string{"a": s("1")})
	r := open(t, tr.dir)
	t.Setenv("GITHUB_ACTIONS", "")
	t.Setenv("GITLAB_CI", "")
	err := r.Fetch(context.Background(), FetchOptions{})
	if err == nil || !strings.Contains(err.Error(), "git fetch --unshallow") {
		t.Errorf("Fetch without remote = %v", err)
	}
}

func TestChangesIn(t *testing.T) {
	tr := newTestRepo(t)
	base := tr.commit("base", map[string]*string{
		"ibgitops.yaml":            s("root: images\n"),
		"images/components/a.yaml": s("a: 1\n"),
		"images/components/b.yaml": s("b: 1\n"),
		"shared/doc.yaml":          s("doc: 1\n"),
		"src/big/file.txt":         s("x"),
	})
	head := tr.commit("head", map[string]*string{
		"ibgitops.yaml":             s("root: images\nversioning: {bump: patch}\n"),
		"images/components/a.yaml":  s("a: 2\n"),
		"images/components/b.yaml":  nil,
		"images/components/bb.yaml": s("b: 1\n"),
		"shared/doc.yaml":           s("doc: 2\n"),
		"src/big/file.txt":          s("y"),
	})
	r := open(t, tr.dir)
	ctx := context.Background()
	got, err := r.ChangesIn(ctx, base, head, []string{"images", "images/components", "ibgitops.yaml", "shared/doc.yaml", "missing/dir"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{Modified, "ibgitops.yaml", "ibgitops.yaml"},
		{Modified, "images/components/a.yaml", "images/components/a.yaml"},
		{Renamed, "images/components/bb.yaml", "images/components/b.yaml"},
		{Modified, "shared/doc.yaml", "shared/doc.yaml"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ChangesIn =\n%v\nwant\n%v", got, want)
	}
	all, err := r.ChangesIn(ctx, base, head, []string{"images", "."})
	if err != nil || len(all) != 5 {
		t.Errorf("ChangesIn(.) = %v, %v; want the 5 changes of the whole tree", all, err)
	}
	// A folder that appears: everything in it is added.
	tr.commit("new folder", map[string]*string{"images/recipes/r.yaml": s("r: 1\n")})
	h3, _ := r.Resolve("HEAD")
	got, _ = r.ChangesIn(ctx, head, h3, []string{"images/recipes"})
	if !reflect.DeepEqual(got, []Change{{Added, "images/recipes/r.yaml", ""}}) {
		t.Errorf("new folder = %v", got)
	}

	os.WriteFile(filepath.Join(tr.dir, "ibgitops.yaml"), []byte("root: elsewhere\n"), 0o644)
	os.Remove(filepath.Join(tr.dir, "shared/doc.yaml"))
	dirty, err := r.DirtyFiles([]string{"ibgitops.yaml", "shared/doc.yaml", "ibgitops.yml", "images/components/a.yaml"})
	want = []Change{{Modified, "ibgitops.yaml", "ibgitops.yaml"}, {Deleted, "shared/doc.yaml", "shared/doc.yaml"}}
	if err != nil || !reflect.DeepEqual(dirty, want) {
		t.Errorf("DirtyFiles = %v, %v", dirty, err)
	}
}

func TestMinimalPaths(t *testing.T) {
	got := minimalPaths([]string{"images/a", "images", "./x/", "images/b/c", "x/y"})
	if want := []string{"images", "x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("minimalPaths = %v", got)
	}
	if got := minimalPaths([]string{"a", "."}); !reflect.DeepEqual(got, []string{""}) {
		t.Errorf("minimalPaths with . = %v", got)
	}
}

// TestDirtyRacyClean: a same-size edit that keeps the index's recorded
// modification time is still found when it happened in the second the
// index was written (git's racily-clean rule), and a file whose stat
// matches the index is not read at all.
func TestDirtyRacyClean(t *testing.T) {
	tr := newTestRepo(t)
	tr.commit("one", map[string]*string{"r/a.yaml": s("version: 1.0.0\n")})
	idx, err := tr.repo.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	entry, err := idx.Entry("r/a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(tr.dir, "r/a.yaml")
	os.WriteFile(p, []byte("version: 1.0.1\n"), 0o644) // same size
	os.Chtimes(p, entry.ModifiedAt, entry.ModifiedAt)
	os.Chtimes(filepath.Join(tr.dir, ".git", "index"), entry.ModifiedAt, entry.ModifiedAt)
	r := open(t, tr.dir)
	got, err := r.Dirty(context.Background(), "r")
	if err != nil || len(got) != 1 || got[0].Status != Modified {
		t.Fatalf("racy same-size edit: %v, %v", got, err)
	}
	// Restore the content; make the index clearly newer than the file: the
	// stat matches and the file is clean.
	os.WriteFile(p, []byte("version: 1.0.0\n"), 0o644)
	os.Chtimes(p, entry.ModifiedAt, entry.ModifiedAt)
	later := entry.ModifiedAt.Add(10 * time.Second)
	os.Chtimes(filepath.Join(tr.dir, ".git", "index"), later, later)
	if got, err := r.Dirty(context.Background(), "r"); err != nil || len(got) != 0 {
		t.Errorf("clean file with matching stat: %v, %v", got, err)
	}
	// The shortcut is really taken: like git status, a same-size edit
	// whose mtime is forced back to the recorded one, long after the index
	// was written, is not read (and so not seen).
	os.WriteFile(p, []byte("version: 9.9.9\n"), 0o644)
	os.Chtimes(p, entry.ModifiedAt, entry.ModifiedAt)
	if got, _ := r.Dirty(context.Background(), "r"); len(got) != 0 {
		t.Errorf("stat shortcut not taken: %v", got)
	}
}

// TestTreeFSSymlinks: links in a commit are links through fs.ReadLinkFS,
// so the loader can refuse those leading out of the repository.
func TestTreeFSSymlinks(t *testing.T) {
	tr := newTestRepo(t)
	tr.commit("one", map[string]*string{"docs/real.yaml": s("phases: []\n")})
	links := map[string]string{"docs/in.yaml": "real.yaml", "docs/out.yaml": "../../outside.yaml"}
	tr.symlinks(links)
	c := tr.commit("links", nil)
	fsys, err := open(t, tr.dir).TreeFS(c)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range links {
		got, err := fs.ReadLink(fsys, name)
		if err != nil || got != want {
			t.Errorf("ReadLink(%s) = %q, %v; want %q", name, got, err, want)
		}
		st, err := fs.Lstat(fsys, name)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("Lstat(%s) = %v, %v; want a symlink", name, st, err)
		}
	}
	if _, err := fs.ReadLink(fsys, "docs/real.yaml"); err == nil {
		t.Error("ReadLink of a regular file succeeded")
	}
	if _, err := fs.ReadLink(fsys, "docs/nope.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadLink of a missing file = %v", err)
	}
}

// TestDirtyControlCharacterNames: a tracked file whose name holds a newline
// (go-git's tree walker refuses such names) must not make the files after
// it look untracked: a clean tree stays clean, and a change is still seen.
func TestDirtyControlCharacterNames(t *testing.T) {
	dir := t.TempDir()
	testutil.Git(t, dir, "init", "-q", "-b", "main")
	for _, name := range []string{"images/a.yaml", "images/we\nird.yaml", "images/z.yaml", "images/zz/x.yaml"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte("k: v\n"), 0o644)
	}
	testutil.Git(t, dir, "add", "-A")
	testutil.Git(t, dir, "commit", "-q", "-m", "one")
	r := open(t, dir)
	if d, err := r.Dirty(context.Background(), "images"); err != nil || len(d) != 0 {
		t.Fatalf("clean tree Dirty = %v, %v", d, err)
	}
	os.WriteFile(filepath.Join(dir, "images/z.yaml"), []byte("k: w\n"), 0o644)
	got, err := r.Dirty(context.Background(), "")
	if want := []Change{{Modified, "images/z.yaml", "images/z.yaml"}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Dirty = %v, %v; want %v", got, err, want)
	}
}
