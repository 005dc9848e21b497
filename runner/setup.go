package runner

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/git"
	"github.com/ibgitops/ibgitops/runner/plan"
)

// checkRoot makes Root absolute and checks that it is a folder.
func checkRoot(o *Options) error {
	if o.Root == "" {
		o.Root = "."
	}
	abs, err := filepath.Abs(o.Root)
	if err != nil {
		return err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return fmt.Errorf("--root %s is not a readable folder: give the repository's root folder (where ibgitops.yaml lives)", o.Root)
	}
	o.Root = abs
	return nil
}

// computePlan adapts runner/plan to the flow.
func computePlan(ctx context.Context, req PlanRequest) (*PlanResult, error) {
	res, err := plan.Compute(ctx, plan.Options{Root: req.Root, Base: req.Base, Head: req.Head, HistoryFix: req.HistoryFix, Token: req.Token, TokenUser: req.TokenUser, BaseBranch: req.BaseBranch})
	if err != nil {
		return nil, err
	}
	// The lint step already reported the head's own findings; the plan adds
	// the rules that compare base and head.
	var findings []diag.Finding
	if res.Base != nil && res.Head != nil {
		findings = recipes.LintAgainstBase(res.Base, res.Head, res.Plan)
	}
	// Versions the target branch took since the merge base (version-taken).
	findings = append(findings, res.Collisions...)
	return &PlanResult{Plan: res.Plan, Base: res.Base, Head: res.Head, Findings: findings, Warnings: res.Warnings, WorkTree: res.WorkTree}, nil
}

// IsTerminal reports whether w is a terminal that takes colour and
// cursor movement: a character device, NO_COLOR unset (no-color.org) and
// TERM not dumb. It is the one terminal check of every command.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("NO_COLOR") == "" && !strings.EqualFold(os.Getenv("TERM"), "dumb")
}

// gitProvenance is what the repository itself says about the commit and
// where it lives, for runs outside CI: HEAD, and origin's path
// ("owner/name", the spelling the CI hosts use). Either may be "".
func gitProvenance(root string) (commit, repository string) {
	repo, err := git.Open(root)
	if err != nil {
		return "", ""
	}
	defer repo.Close()
	if h, err := repo.Resolve("HEAD"); err == nil {
		commit = h.String()
	}
	if r, err := repo.Go().Remote("origin"); err == nil && len(r.Config().URLs) > 0 {
		repository = repositoryPath(r.Config().URLs[0])
	}
	return commit, repository
}

// repositoryPath is a remote URL's "owner/name" path, without
// credentials, host or .git: https://x:token@github.com/acme/images.git,
// git@github.com:acme/images.git and ssh://git@host/group/sub/proj all
// give the path alone, so that no token ever reaches a tag.
func repositoryPath(remote string) string {
	var path string
	if u, err := url.Parse(remote); err == nil && u.Scheme != "" && u.Host != "" {
		path = u.Path
	} else if i := strings.Index(remote, ":"); i > 0 && !strings.Contains(remote[:i], "/") {
		path = remote[i+1:] // scp-like: user@host:owner/name
	} else {
		return "" // a local path: nothing public to name
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	return path
}
