package git

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/ibgitops/ibgitops/internal/lazyre"
)

// FetchOptions says what to fetch to complete a shallow clone.
type FetchOptions struct {
	// Remote defaults to origin.
	Remote string
	// Refs are branch names (main, origin/main) or full commit ids to fetch
	// besides deepening the history.
	Refs []string
	// Token authenticates HTTPS remotes as User (default
	// "x-access-token", GitHub's; GitLab's job token is "gitlab-ci-token").
	// Empty: anonymous. It never appears in errors. The caller takes both
	// from the CI host (runner/vcs); this package reads no environment.
	Token, User string
	// HostFix is the CI host's setting for whole history
	// (vcs.Context.HistoryFix): errors name it.
	HostFix string
}

// HasRemote reports whether the named remote is configured.
func (r *Repo) HasRemote(name string) bool {
	_, err := r.repo.Remote(name)
	return err == nil
}

var fullSHA = lazyre.New(`^[0-9a-f]{40}$`)

// Fetch completes the history: it fetches the given refs and unshallows the
// clone (git fetch --unshallow), so merge bases and commit walks reach
// base. Stale shallow markers are cleared afterwards.
func (r *Repo) Fetch(ctx context.Context, opts FetchOptions) error {
	remote := opts.Remote
	if remote == "" {
		remote = "origin"
	}
	rem, err := r.repo.Remote(remote)
	if err != nil {
		return fmt.Errorf("no remote %q to fetch the missing history from: %s", remote, ShallowFix(opts.HostFix, firstRef(opts.Refs)))
	}
	url := ""
	if urls := rem.Config().URLs; len(urls) > 0 {
		url = urls[0]
	}
	var specs []config.RefSpec
	for _, ref := range opts.Refs {
		ref = strings.TrimPrefix(ref, remote+"/")
		switch {
		case ref == "" || strings.HasPrefix(ref, "HEAD"):
		case fullSHA.MatchString(ref):
			specs = append(specs, config.RefSpec(ref+":refs/ibgitops/fetched/"+ref))
		default:
			b := strings.TrimPrefix(ref, "refs/heads/")
			specs = append(specs, config.RefSpec("+refs/heads/"+b+":refs/remotes/"+remote+"/"+b))
		}
	}
	if len(specs) == 0 {
		specs = append(specs, config.RefSpec("+refs/heads/*:refs/remotes/"+remote+"/*"))
	}
	fo := &gogit.FetchOptions{RemoteName: remote, RefSpecs: specs, Tags: gogit.NoTags, Auth: auth(url, opts.User, opts.Token)}
	if r.IsShallow() {
		fo.Depth = 2147483647 // what git fetch --unshallow asks for
	}
	err = r.repo.FetchContext(ctx, fo)
	if errors.Is(err, gogit.ErrExactSHA1NotSupported) {
		// A server that does not serve commits by id: fetch every branch
		// and pull/merge request head instead, which hold any commit a CI
		// run is asked to plan.
		fo.RefSpecs = []config.RefSpec{
			config.RefSpec("+refs/heads/*:refs/remotes/" + remote + "/*"),
			config.RefSpec("+refs/pull/*/head:refs/remotes/" + remote + "/pull/*"),
			config.RefSpec("+refs/merge-requests/*/head:refs/remotes/" + remote + "/merge-requests/*"),
		}
		err = r.repo.FetchContext(ctx, fo)
	}
	if err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate) {
		return fmt.Errorf("fetch the missing history from %s: %s; instead %s", remote, redact(err.Error(), opts.Token), ShallowFix(opts.HostFix, firstRef(opts.Refs)))
	}
	return r.clearStaleShallow()
}

func firstRef(refs []string) string {
	if len(refs) > 0 {
		return refs[0]
	}
	return ""
}

// clearStaleShallow drops shallow markers of commits whose parents are now
// present, which go-git leaves behind after deepening.
func (r *Repo) clearStaleShallow() error {
	shallow, err := r.repo.Storer.Shallow()
	if err != nil || len(shallow) == 0 {
		return err
	}
	var keep []plumbing.Hash
	for _, h := range shallow {
		c, err := r.repo.CommitObject(h)
		if err != nil {
			keep = append(keep, h)
			continue
		}
		for _, p := range c.ParentHashes {
			if _, err := r.repo.CommitObject(p); err != nil {
				keep = append(keep, h)
				break
			}
		}
	}
	return r.repo.Storer.SetShallow(keep)
}

func auth(url, user, token string) transport.AuthMethod {
	if token == "" || !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return nil
	}
	if user == "" {
		user = "x-access-token"
	}
	return &http.BasicAuth{Username: user, Password: token}
}

// redact removes the token from s.
func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "***")
}
