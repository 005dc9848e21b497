// Package plan is the glue between git and the pure planner: it resolves
// base and head, finds their merge base (fetching history a shallow clone
// lacks), loads at both what the change can touch (partial.go), lists
// the changed paths and the commits that touched changed resources (read
// while the sides load, walk.go), and hands them to recipes.PlanChanges.
package plan

import (
	"context"
	"errors"
	"fmt"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/git"
)

// Options says what to compare.
type Options struct {
	// Root is the folder holding ibgitops.yaml (default "."), anywhere
	// inside a git work tree.
	Root string
	// Base is the ref to compare with. Empty: the default branch
	// (origin/HEAD, main, master). The comparison always starts at the
	// merge base of Base and Head, as a pull request does.
	Base string
	// Head is the commit to plan. Empty: HEAD, or the work tree when it
	// has uncommitted changes under Root (a warning says so).
	Head string
	// NoFetch forbids fetching missing history (shallow clones) from the
	// remote; the error then says how to fix the checkout.
	NoFetch bool
	// Token authenticates the fetch over HTTPS as TokenUser (default
	// x-access-token); the CLI takes both from the CI host (runner/vcs).
	// Never printed.
	Token, TokenUser string
	// HistoryFix is the CI host's setting for whole history
	// (vcs.Context.HistoryFix): when history cannot be fetched, the error
	// names it (fetch-depth: 0, GIT_DEPTH: 0); empty: the generic fix.
	HistoryFix string
	// BaseBranch is the branch the CI compares with when Base is empty
	// (vcs.Context.BaseBranch: a pull/merge request's target, GitLab's
	// default branch); empty: origin/HEAD, main or master. This package
	// reads no CI variable.
	BaseBranch string
	// KeepGoing plans around a head resource that does not load (a
	// warning) instead of refusing: `lint --base` reports the finding
	// itself and still wants the plan's versions for the others.
	KeepGoing bool
	// LoadAll loads every resource file on both sides, not only those the
	// change can touch (partial.go); the two give the same plan, which the
	// tests check.
	LoadAll bool
}

// Result is a computed plan with what it was computed from.
type Result struct {
	Plan recipes.Plan
	// Base and Head are the repository loaded at the merge base and at
	// head (the work tree when WorkTree is set).
	Base, Head *recipes.Repo
	// BaseFindings and HeadFindings are the loader's findings on each side,
	// on the files loaded: when only some were (partial.go), a reference
	// to a resource left out is reported missing. Lint loads everything.
	BaseFindings, HeadFindings []diag.Finding
	// BaseRef and HeadRef are the refs as asked for (after defaults).
	BaseRef, HeadRef string
	// BaseCommit is the merge base; HeadCommit the head commit (HEAD when
	// planning the work tree).
	BaseCommit, HeadCommit string
	WorkTree               bool
	// Root is the absolute --root folder; RepoDir the git work tree;
	// Prefix is Root relative to RepoDir ("" when they are the same).
	Root, RepoDir, Prefix string
	// Paths changed under Root, relative to Root.
	Paths []recipes.PathChange
	// Warnings did not stop the plan but the user should read them.
	Warnings []string
	// Fetched is set when missing history was fetched from the remote.
	Fetched bool
	// Tip is the repository at the base ref's tip when it moved on past
	// the merge base (another change merged first); Collisions are head's
	// versions that tip already holds with other content (version-taken).
	Tip        *recipes.Repo
	Collisions []diag.Finding
}

// Compute computes the plan between base and head.
func Compute(ctx context.Context, opts Options) (*Result, error) {
	c, err := newComputer(opts)
	if err != nil {
		return nil, err
	}
	defer c.repo.Close()
	if err := c.run(ctx); err != nil {
		return nil, err
	}
	return c.res, nil
}

func newComputer(opts Options) (*computer, error) {
	root := opts.Root
	if root == "" {
		root = "."
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(absRoot); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--root %s is not a folder: pass the folder holding ibgitops.yaml", root)
	}
	repo, err := git.Open(absRoot)
	if err != nil {
		return nil, err
	}
	if !repo.HasCommits() {
		repo.Close()
		return nil, fmt.Errorf("%s: %w", repo.WorkDir(), git.ErrNoCommits)
	}
	prefix := ""
	if wd := repo.WorkDir(); wd != "" {
		realRoot, _ := filepath.EvalSymlinks(absRoot)
		realWD, _ := filepath.EvalSymlinks(wd)
		rel, err := filepath.Rel(realWD, realRoot)
		if err != nil || strings.HasPrefix(rel, "..") {
			repo.Close()
			return nil, fmt.Errorf("--root %s is outside the git work tree %s", root, wd)
		}
		if rel != "." {
			prefix = filepath.ToSlash(rel)
		}
	}
	return &computer{opts: opts, repo: repo, prefix: prefix, absRoot: absRoot, parses: recipes.NewParses(),
		res: &Result{Root: absRoot, RepoDir: repo.WorkDir(), Prefix: prefix}}, nil
}

type computer struct {
	opts    Options
	repo    *git.Repo
	prefix  string
	absRoot string
	res     *Result
	fetched bool
	baseTip git.Hash // the base ref's own commit (the merge base may be older)
	// sel is the files every side loads (partial.go); nil loads all.
	sel *selection
	// parses are the YAML parses the loads of every side share: most
	// files are the same on both.
	parses *recipes.Parses
}

// withHistory runs fn; when it fails for lack of history (a shallow
// clone such as actions/checkout's default fetch-depth: 1, a base or head
// commit not fetched) and a remote exists, it fetches once what is missing
// (the base and head refs, deepening a shallow clone) and retries.
func (c *computer) withHistory(ctx context.Context, fn func() error) error {
	err := fn()
	if err == nil {
		return nil
	}
	refs := c.historyRefs()
	var missing *git.MissingHistoryError
	var unknown *git.UnknownRefError
	isMissing := errors.As(err, &missing)
	if !isMissing && !(errors.As(err, &unknown) && slices.Contains(refs, unknown.Rev)) {
		return err
	}
	if isMissing {
		missing.HostFix = c.opts.HistoryFix
		if missing.Rev == "" {
			missing.Rev = c.res.BaseRef
		}
	}
	if c.fetched || c.opts.NoFetch || !c.repo.HasRemote("origin") {
		if !isMissing && c.repo.IsShallow() {
			return fmt.Errorf("%w; this clone is shallow, so %s", err, git.ShallowFix(c.opts.HistoryFix, c.res.BaseRef))
		}
		return err
	}
	c.fetched = true
	if ferr := c.repo.Fetch(ctx, git.FetchOptions{Refs: refs, Token: c.opts.Token, User: c.opts.TokenUser, HostFix: c.opts.HistoryFix}); ferr != nil {
		return fmt.Errorf("%v; fetching it failed: %v", err, ferr)
	}
	c.res.Fetched = true
	c.res.Warnings = append(c.res.Warnings, "the clone lacked history to compare "+strings.Join(refs, " and ")+"; fetched it from origin (set fetch-depth: 0 / GIT_DEPTH: 0 to skip this)")
	return fn()
}

// historyRefs are the refs a plan needs from the remote: the base and an
// explicit head (a pull request's head commit is often not in a
// depth-1 checkout of the merge commit).
func (c *computer) historyRefs() []string {
	base := c.res.BaseRef
	if base == "" {
		base = c.opts.Base
	}
	var refs []string
	for _, r := range []string{base, c.opts.Head} {
		if r != "" && r != "HEAD" && !slices.Contains(refs, r) {
			refs = append(refs, r)
		}
	}
	return refs
}

// resolveHead resolves the head ref, fetching it when the clone lacks it.
func (c *computer) resolveHead(ctx context.Context, headRev string) (git.Hash, error) {
	var h git.Hash
	err := c.withHistory(ctx, func() error {
		var err error
		h, err = c.repo.Resolve(headRev)
		return err
	})
	if err != nil {
		return h, fmt.Errorf("head: %w", err)
	}
	return h, nil
}

func (c *computer) run(ctx context.Context) error {
	res := c.res
	// Head.
	headRev := c.opts.Head
	if headRev == "" {
		headRev = "HEAD"
	}
	headHash, err := c.resolveHead(ctx, headRev)
	if err != nil {
		return err
	}
	res.HeadRef, res.HeadCommit = headRev, headHash.String()
	var headFS fs.FS
	var dirty []git.Change
	if c.opts.Head == "" {
		if dirty, err = c.dirty(ctx, headHash); err != nil {
			return err
		}
	}
	if len(dirty) > 0 {
		res.WorkTree = true
		res.HeadRef = "work tree"
		headFS = os.DirFS(c.absRoot)
		res.Warnings = append(res.Warnings, fmt.Sprintf("planning the work tree: %d uncommitted change(s) under %s are included (%s); commit them so CI plans the same, or pass --head HEAD to plan the last commit",
			len(dirty), displayRoot(c.prefix), listPaths(dirty, 3)))
	} else {
		tfs, err := c.repo.TreeFS(headHash)
		if err != nil {
			return err
		}
		if headFS, err = sub(tfs, c.prefix, headRev); err != nil {
			return err
		}
	}

	mergeBase, baseRev, err := c.mergeBase(ctx, headRev, headHash)
	if err != nil {
		return err
	}
	headLabel := fmt.Sprintf("head %s (%s)", res.HeadRef, headHash.String()[:7])
	if res.WorkTree {
		headLabel = "the work tree"
	}
	baseFS, err := c.treeAt(mergeBase, baseRev)
	if err != nil {
		return err
	}
	// The head's settings decide both what to select and whether bumps
	// read commits; a file that does not read is the loader's to report.
	headCfg, _, cfgErr := recipes.LoadConfig(headFS)
	// The walk needs only the object store: it runs while the files are
	// selected and loaded.
	var walk *earlyWalk
	if cfgErr == nil {
		walk = c.startWalk(ctx, mergeBase, headHash, headCfg)
	}
	defer walk.stop()
	if !c.opts.LoadAll && cfgErr == nil {
		if c.sel, err = c.selectFiles(ctx, mergeBase, headHash, baseFS, headFS, headCfg, dirty); err != nil {
			return err
		}
	}
	// Both sides load at once: decoding YAML is most of a plan's work and
	// the two loads share nothing but the object store, which TreeFS
	// serialises.
	baseDone := make(chan error, 1)
	go func() { baseDone <- c.loadBase(ctx, restrict(baseFS, c.sel), mergeBase, baseRev) }()
	var headErr error
	res.Head, res.HeadFindings, headErr = c.load(ctx, restrict(headFS, c.sel), headLabel)
	if err := <-baseDone; err != nil {
		return err
	}
	// The shared parses are the YAML trees of every loaded file: let them
	// go before planning allocates (they doubled a large plan's peak).
	c.parses = nil
	if headErr != nil {
		return headErr
	}
	baseOwners := res.Base.FileOwners()
	for _, f := range unloaded(res.Head, res.HeadFindings) {
		if _, wasResource := baseOwners[f.File]; wasResource && !c.opts.KeepGoing {
			return fmt.Errorf("cannot plan: %s does not load at %s (%s:%d: %s); fix it (ibgitops lint --root %s lists every finding): a resource that does not load would look deleted",
				f.File, headLabel, f.File, f.Line, f.Message, displayRoot(c.prefix))
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s does not load at %s (%s:%d: %s); whatever it defines is left out of the plan", f.File, headLabel, f.File, f.Line, f.Message))
	}

	// Changed paths, relative to Root.
	changes, err := c.repo.ChangesIn(ctx, mergeBase, headHash, c.scope(res.Base, res.Head))
	if err != nil {
		return err
	}
	if res.WorkTree {
		changes = overlay(changes, dirty)
	}
	for _, ch := range changes {
		p, okNew := c.rel(ch.Path)
		o, okOld := c.rel(ch.OldPath)
		if !okNew && !okOld {
			continue
		}
		res.Paths = append(res.Paths, recipes.PathChange{Status: ch.Status, Path: p, OldPath: o})
	}

	// Commits touching changed versioned resources, for conventional bumps.
	var commits []recipes.CommitInfo
	if res.Head.Config.Versioning.Bump == "conventional" || res.Head.Config.Versioning.Bump == "" {
		files := bumpFiles(recipes.DiffRepos(res.Base, res.Head, res.Paths), c.prefix)
		log, ok := walk.result(files)
		if !ok {
			err := c.withHistory(ctx, func() error {
				var err error
				log, err = c.repo.Log(ctx, mergeBase, headHash, files)
				return err
			})
			if err != nil {
				return fmt.Errorf("read the commits between %s and %s: %w", baseRev, res.HeadRef, err)
			}
		}
		for _, cm := range log {
			ci := recipes.CommitInfo{Hash: cm.Hash.String(), Message: cm.Message}
			for _, p := range cm.Paths {
				if r, ok := c.rel(p); ok {
					ci.Paths = append(ci.Paths, r)
				}
			}
			commits = append(commits, ci)
		}
	}
	headID := res.HeadCommit
	if res.WorkTree {
		// A build from uncommitted files is not the commit's: its
		// provenance says so.
		headID = DirtyLabel(res.HeadCommit)
	}
	res.Plan = recipes.PlanChanges(recipes.PlanInput{Base: res.Base, Head: res.Head, BaseRef: res.BaseCommit, HeadRef: headID,
		Paths: res.Paths, Commits: commits})
	return c.collisions(ctx, mergeBase, baseRev)
}

// bumpFiles are the files whose commits decide a conventional bump:
// those of versioned resources whose content changed and whose author
// did not raise the version. Reading commits costs a tree read per commit
// in the range, so a change whose authors bumped every version reads none.
func bumpFiles(diffs []recipes.ResourceDiff, prefix string) []string {
	var files []string
	for _, d := range diffs {
		if !d.Kind.Versioned() || !d.ContentChanged || d.Change == recipes.ChangeAdded || d.Change == recipes.ChangeDeleted ||
			recipes.VersionRaised(d.Base.Version, d.Head.Version) {
			continue
		}
		for _, f := range d.Files {
			files = append(files, path.Join(prefix, f))
		}
	}
	return files
}

// collisions loads the base ref's tip when it moved on past the merge base
// and finds head's versions it already holds with other content: a pull
// request planned against the merge base alone would only meet them at
// build time, after merge.
func (c *computer) collisions(ctx context.Context, mergeBase git.Hash, baseRev string) error {
	res := c.res
	if c.baseTip == mergeBase || c.baseTip == (git.Hash{}) {
		return nil
	}
	tfs, err := c.repo.TreeFS(c.baseTip)
	if err != nil {
		return err
	}
	tipFS, err := sub(tfs, c.prefix, baseRev)
	if err != nil {
		// The root folder does not exist on the tip: nothing to collide with.
		return nil
	}
	if res.Tip, _, err = c.load(ctx, restrict(tipFS, c.sel), fmt.Sprintf("%s (%s)", baseRev, c.baseTip.String()[:7])); err != nil {
		return err
	}
	levels := map[recipes.Key]string{}
	for _, ch := range res.Plan.Changes {
		levels[recipes.Key{Kind: ch.Kind, Name: ch.Name}] = ch.Bump
	}
	res.Collisions = recipes.VersionCollisions(res.Tip, res.Head, baseRev, levels)
	return nil
}

// mergeBase resolves the base ref (default: the default branch) and
// returns the merge base of it and head, fetching missing history once.
func (c *computer) mergeBase(ctx context.Context, headRev string, headHash git.Hash) (git.Hash, string, error) {
	res := c.res
	baseRev := c.opts.Base
	if baseRev == "" {
		var err error
		if baseRev, err = defaultBase(c.repo, c.opts.BaseBranch); err != nil {
			return git.Hash{}, "", err
		}
	}
	res.BaseRef = baseRev
	var baseHash, mergeBase git.Hash
	err := c.withHistory(ctx, func() error {
		var err error
		if baseHash, err = c.repo.Resolve(baseRev); err != nil {
			return err
		}
		mergeBase, err = c.repo.MergeBase(ctx, baseHash, headHash)
		return err
	})
	if err != nil {
		return git.Hash{}, "", fmt.Errorf("base %s: %w", baseRev, err)
	}
	if mergeBase != baseHash {
		res.Warnings = append(res.Warnings, fmt.Sprintf("base %s (%s) is not an ancestor of %s; comparing from their merge base %s, as a pull request does",
			baseRev, baseHash.String()[:7], headRev, mergeBase.String()[:7]))
	}
	res.BaseCommit = mergeBase.String()
	c.baseTip = baseHash
	return mergeBase, baseRev, nil
}

// defaultBase is the ref a change is compared with when --base is not
// given: the pull/merge request's target branch from the CI environment
// (CI checkouts are detached and often lack origin/HEAD), else the
// repository's default branch.
func defaultBase(repo *git.Repo, ciBranch string) (string, error) {
	if ciBranch != "" {
		return "origin/" + ciBranch, nil
	}
	return repo.DefaultBranch()
}

// treeAt is the --root folder at commit h (named rev in errors).
func (c *computer) treeAt(h git.Hash, rev string) (fs.FS, error) {
	tfs, err := c.repo.TreeFS(h)
	if err != nil {
		return nil, err
	}
	return sub(tfs, c.prefix, rev)
}

// selectFiles picks the files the plan loads (partial.go): the paths
// changed between the merge base and head (and the base ref's tip, for
// version-taken) and the files that may depend on them. nil means load
// everything: the settings changed (they can change any decision), the
// root moved, or a changed name has nothing to search for.
func (c *computer) selectFiles(ctx context.Context, mergeBase, headHash git.Hash, baseFS, headFS fs.FS, headCfg recipes.Config, dirty []git.Change) (*selection, error) {
	baseCfg, _, berr := recipes.LoadConfig(baseFS)
	if berr != nil || headCfg.Root != baseCfg.Root {
		return nil, nil
	}
	// Renames do not matter here (both paths are seeds): the raw lister
	// skips what both trees share.
	changed, err := c.repo.ChangedPaths(ctx, mergeBase, headHash, c.prefix)
	if err != nil {
		return nil, err
	}
	for _, d := range dirty {
		changed = append(changed, d.Path, d.OldPath)
	}
	sides := []fs.FS{baseFS, headFS}
	if c.baseTip != mergeBase && c.baseTip != (git.Hash{}) {
		tipChanged, err := c.repo.ChangedPaths(ctx, mergeBase, c.baseTip, c.prefix)
		if err != nil {
			return nil, err
		}
		changed = append(changed, tipChanged...)
		if tipFS, err := c.treeAt(c.baseTip, c.res.BaseRef); err == nil {
			sides = append(sides, tipFS)
		}
	}
	var seeds []string
	seeded := map[string]bool{}
	for _, p := range changed {
		r, ok := c.rel(p)
		if !ok || r == "" || seeded[r] {
			continue
		}
		if r == recipes.ConfigFile || r == "ibgitops.yml" {
			return nil, nil
		}
		seeded[r] = true
		seeds = append(seeds, r)
	}
	// The head's other files are read while the changed ones are.
	type scan struct {
		cands []candidate
		err   error
	}
	scanned := make(chan scan, 1)
	go func() {
		cands, err := candidates(ctx, withContext(ctx, headFS), headCfg.Root, seeded)
		scanned <- scan{cands, err}
	}()
	s := newSelector()
	for _, r := range seeds {
		if ctx.Err() != nil {
			break // the scan answers with the interrupt
		}
		s.seed(r, sides...)
	}
	sc := <-scanned
	cands, err := sc.cands, sc.err
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, nil // the loader reports an unreadable root
	}
	s.grow(cands)
	if !s.ok {
		return nil, nil
	}
	return s.sel, nil
}

// loadBase loads the repository at the merge base.
func (c *computer) loadBase(ctx context.Context, baseFS fs.FS, mergeBase git.Hash, baseRev string) error {
	res := c.res
	label := c.baseLabel(mergeBase, baseRev)
	var err error
	if res.Base, res.BaseFindings, err = c.load(ctx, baseFS, label); err != nil {
		return err
	}
	for _, f := range unloaded(res.Base, res.BaseFindings) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s does not load at %s (%s:%d: %s); what it defines is planned as new", f.File, label, f.File, f.Line, f.Message))
	}
	return nil
}

func (c *computer) baseLabel(mergeBase git.Hash, baseRev string) string {
	return fmt.Sprintf("base %s (%s)", baseRev, mergeBase.String()[:7])
}

// scope lists the repository paths that can matter to the plan: the
// configured root on each side, the settings file and any resource file
// outside the root (a documentFile elsewhere). Diffing only these keeps
// the plan independent of the size of the rest of a monorepo.
func (c *computer) scope(repos ...*recipes.Repo) []string {
	paths := []string{path.Join(c.prefix, recipes.ConfigFile), path.Join(c.prefix, "ibgitops.yml")}
	for _, r := range repos {
		if r == nil {
			continue
		}
		root := path.Clean(r.Config.Root)
		paths = append(paths, path.Join(c.prefix, root))
		for _, res := range r.Resources() {
			for _, f := range res.Files {
				if root != "." && f != root && !strings.HasPrefix(f, root+"/") {
					paths = append(paths, path.Join(c.prefix, f))
				}
			}
		}
	}
	return paths
}

// dirty lists uncommitted changes that can matter to the plan: under the
// configured root (read from HEAD) and the settings file.
func (c *computer) dirty(ctx context.Context, head git.Hash) ([]git.Change, error) {
	cfgRoot := "."
	if tfs, err := c.repo.TreeFS(head); err == nil {
		if sfs, err := sub(tfs, c.prefix, "HEAD"); err == nil {
			if cfg, _, err := recipes.LoadConfig(sfs); err == nil {
				cfgRoot = cfg.Root
			}
		}
	}
	if cfgRoot == "." || cfgRoot == "" {
		return c.repo.Dirty(ctx, c.prefix)
	}
	changes, err := c.repo.Dirty(ctx, path.Join(c.prefix, cfgRoot))
	if err != nil {
		return nil, err
	}
	files, err := c.repo.DirtyFiles([]string{path.Join(c.prefix, recipes.ConfigFile), path.Join(c.prefix, "ibgitops.yml")})
	if err != nil {
		return nil, err
	}
	return append(changes, files...), nil
}

// rel makes a repository path relative to Root; false when outside it.
func (c *computer) rel(p string) (string, bool) {
	if p == "" {
		return "", false
	}
	if c.prefix == "" {
		return p, true
	}
	if r, ok := strings.CutPrefix(p, c.prefix+"/"); ok {
		return r, true
	}
	return "", false
}

func displayRoot(prefix string) string {
	if prefix == "" {
		return "."
	}
	return prefix
}

func sub(fsys fs.FS, prefix, ref string) (fs.FS, error) {
	if prefix == "" {
		return fsys, nil
	}
	if st, err := fs.Stat(fsys, prefix); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("folder %s does not exist at %s: pick a --base/--head where it exists, or the right --root", prefix, ref)
	}
	return fs.Sub(fsys, prefix)
}

// load loads the repository in fsys; an interrupt stops it at the next
// file (see ctxFS) and is returned as the error.
func (c *computer) load(ctx context.Context, fsys fs.FS, label string) (*recipes.Repo, []diag.Finding, error) {
	r, findings, err := recipes.LoadShared(withContext(ctx, fsys), c.parses)
	if cerr := ctx.Err(); cerr != nil {
		return nil, nil, fmt.Errorf("load the repository at %s: %w", label, cerr)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load the repository at %s: %w", label, err)
	}
	return r, findings, nil
}

// unloaded returns the error findings of files that define no resource in
// repo: files that failed to parse or decode at all.
func unloaded(repo *recipes.Repo, findings []diag.Finding) []diag.Finding {
	owned := repo.FileOwners()
	var out []diag.Finding
	seen := map[string]bool{}
	for _, f := range findings {
		if f.Severity != diag.Error || seen[f.File] || f.File == recipes.ConfigFile || f.File == "ibgitops.yml" {
			continue
		}
		if _, ok := owned[f.File]; ok {
			continue
		}
		if !strings.HasSuffix(f.File, ".yaml") && !strings.HasSuffix(f.File, ".yml") {
			continue
		}
		seen[f.File] = true
		out = append(out, f)
	}
	return out
}

// overlay applies work-tree changes on top of the committed changes.
func overlay(committed, dirty []git.Change) []git.Change {
	byPath := map[string]int{}
	out := append([]git.Change(nil), committed...)
	for i, c := range out {
		byPath[c.Path] = i
	}
	for _, d := range dirty {
		if i, ok := byPath[d.Path]; ok {
			// Keep the committed status (an added file stays added), but a
			// deletion in the work tree wins.
			if d.Status == git.Deleted {
				out[i] = git.Change{Status: git.Deleted, Path: out[i].OldPath, OldPath: out[i].OldPath}
				if out[i].Path == "" {
					out[i] = d
				}
			}
			continue
		}
		out = append(out, d)
	}
	return out
}

func listPaths(cs []git.Change, n int) string {
	var names []string
	for i, c := range cs {
		if i == n {
			names = append(names, fmt.Sprintf("and %d more", len(cs)-n))
			break
		}
		// A path may hold a newline: the warning stays one line in every
		// sink it reaches.
		names = append(names, escape.Term(c.Path))
	}
	return strings.Join(names, ", ")
}

// DirtyLabel is the revision recorded for a build of a work tree with
// uncommitted changes on top of commit: "<sha>-dirty".
func DirtyLabel(commit string) string { return commit + "-dirty" }
