package testutil

import (
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Repo is a git repository for a test, on branch main, whose commits have
// a fixed author and dates a minute apart, so that their ids are stable.
type Repo struct {
	t    testing.TB
	Dir  string
	Git  *gogit.Repository
	when time.Time
}

// NewRepo makes dir a git repository on branch main; its first commit is
// dated a minute after start.
func NewRepo(t testing.TB, dir string, start time.Time) *Repo {
	t.Helper()
	repo, err := gogit.PlainInitWithOptions(dir, &gogit.PlainInitOptions{
		InitOptions: gogit.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Repo{t: t, Dir: dir, Git: repo, when: start}
}

func (r *Repo) worktree() *gogit.Worktree {
	r.t.Helper()
	wt, err := r.Git.Worktree()
	if err != nil {
		r.t.Fatal(err)
	}
	return wt
}

// Commit stages the paths (every change in the work tree when none is
// named; a named path that is gone is staged as removed) and commits them
// as dev <dev@example.com>.
func (r *Repo) Commit(msg string, paths ...string) plumbing.Hash {
	r.t.Helper()
	wt := r.worktree()
	if len(paths) == 0 {
		if err := wt.AddWithOptions(&gogit.AddOptions{All: true}); err != nil {
			r.t.Fatal(err)
		}
	}
	for _, p := range paths {
		if _, err := wt.Add(p); err != nil {
			if _, err := wt.Remove(p); err != nil {
				r.t.Fatal(err)
			}
		}
	}
	r.when = r.when.Add(time.Minute)
	sig := &object.Signature{Name: "dev", Email: "dev@example.com", When: r.when}
	h, err := wt.Commit(msg, &gogit.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		r.t.Fatal(err)
	}
	return h
}

// Checkout switches to branch, creating it from HEAD when create is set.
func (r *Repo) Checkout(branch string, create bool) {
	r.t.Helper()
	if err := r.worktree().Checkout(&gogit.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch), Create: create}); err != nil {
		r.t.Fatal(err)
	}
}
