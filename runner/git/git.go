// Package git is ibgitops's adapter over go-git: it opens a repository,
// resolves refs, finds merge bases, lists changed paths (with rename
// detection), walks the commits between two refs, exposes a commit's tree as
// an fs.FS, and deals with shallow clones. It needs no git binary at run
// time. It returns paths and commits; deciding what they mean for resources
// is the pure code in package recipes.
package git

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/ibgitops/ibgitops/internal/lazyre"
)

// Hash is a commit id.
type Hash = plumbing.Hash

// ErrNoCommits is returned when the repository has no commit yet.
var ErrNoCommits = errors.New("the repository has no commits yet: commit your files first (git add . && git commit)")

// Repo is an opened repository.
type Repo struct {
	repo    *gogit.Repository
	workDir string // "" for a bare repository
	closer  interface{ Close() error }
	// objects serialises the object reads of TreeFS file systems, so the
	// repository can be loaded at two commits at once: the pack files are
	// kept open and shared (one offset each), which is not safe for
	// concurrent readers.
	objects sync.Mutex
	// blobs keeps the blobs TreeFS read last, by id (see keepBlob): a
	// plan reads a file at base and head, and most files are the same
	// blob on both sides. Guarded by objects.
	blobs blobCache
	// raw reads packed objects without go-git for the commit walk (see
	// rawobj.go); nil when the store is not a .git folder.
	raw *rawObjects
	// goStore is go-git's own object store, without the raw reader in
	// front (r.repo reads through both).
	goStore storer.EncodedObjectStorer
}

// blobGeneration is the bytes of blobs one generation of the blob cache
// holds (see blobCache).
const blobGeneration = 4 << 20

// Open opens the repository that contains path (path or any parent holding
// a .git).
func Open(path string) (*Repo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	repo, err := gogit.PlainOpenWithOptions(abs, &gogit.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		if errors.Is(err, gogit.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("%s is not inside a git repository: run ibgitops in a clone (or `git init` and commit first)", abs)
		}
		return nil, fmt.Errorf("open git repository at %s: %w", abs, err)
	}
	r := &Repo{repo: repo}
	var wtfs billy.Filesystem
	if wt, err := repo.Worktree(); err == nil {
		r.workDir = wt.Filesystem.Root()
		wtfs = wt.Filesystem
	}
	// Reopen with the pack files kept open: go-git otherwise reopens a
	// pack for every object it reads, which dominates walks over hundreds
	// of commits. Close releases them.
	if st, ok := repo.Storer.(*filesystem.Storage); ok {
		kept := filesystem.NewStorageWithOptions(st.Filesystem(), cache.NewObjectLRU(objectCacheSize), filesystem.Options{KeepDescriptors: true})
		r.raw = newRawObjects(st.Filesystem())
		// go-git's own reads (resolving revisions, commits) go through the
		// raw reader too: go-git reads each pack index with a system call
		// per 4-byte word, most of a small plan's time.
		if reopened, err := gogit.Open(rawFirstStorage{kept, r.raw}, wtfs); err == nil {
			r.repo, r.closer, r.goStore = reopened, kept, kept
		}
	}
	if r.goStore == nil {
		r.goStore = r.repo.Storer
	}
	return r, nil
}

// objectCacheSize bounds go-git's cache of decoded objects (delta bases).
// Its default, 96 MiB, was half of a large plan's live heap. The commit
// walk's trees are read by the raw reader (rawobj.go), so go-git caches
// only the bases of commits and resource files, which are small: 8 MiB
// instead of 32 cost no measurable CPU and 40-70 MB of peak heap less.
const objectCacheSize = 8 * cache.MiByte

// Close releases the open pack files. The Repo must not be used after.
func (r *Repo) Close() error {
	if r.raw != nil {
		r.raw.Close()
	}
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// WorkDir is the root of the work tree ("" for a bare repository).
func (r *Repo) WorkDir() string { return r.workDir }

// Go returns the underlying go-git repository.
func (r *Repo) Go() *gogit.Repository { return r.repo }

// HasCommits reports whether HEAD points to a commit.
func (r *Repo) HasCommits() bool {
	_, err := r.repo.Head()
	return err == nil
}

// Resolve turns a revision (full or short sha, branch, remote branch such as
// origin/main, tag, HEAD, HEAD~n, HEAD^) into a commit id.
func (r *Repo) Resolve(rev string) (Hash, error) {
	if rev == "" {
		rev = "HEAD"
	}
	if !r.HasCommits() && (rev == "HEAD" || strings.HasPrefix(rev, "HEAD~") || strings.HasPrefix(rev, "HEAD^")) {
		return plumbing.ZeroHash, ErrNoCommits
	}
	if err := r.checkCommitRev(rev); err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := r.repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		if errors.Is(err, plumbing.ErrObjectNotFound) && r.IsShallow() {
			return plumbing.ZeroHash, &MissingHistoryError{Rev: rev, Shallow: true}
		}
		return plumbing.ZeroHash, &UnknownRefError{Rev: rev, Err: err}
	}
	return *h, nil
}

// NotCommitError is a revision that names something other than a commit
// (a tree, a file, a tag object, a reflog entry). go-git's ResolveRevision
// ignores those suffixes and returns the commit they start from, so they
// are refused before resolving.
type NotCommitError struct {
	Rev  string
	What string // what the revision names, e.g. "a tree (the root folder of main)"
	Use  string // what to pass instead
}

func (e *NotCommitError) Error() string {
	return fmt.Sprintf("ref %q names %s, not a commit; pass %s", e.Rev, e.What, e.Use)
}

var reCaretType = lazyre.New(`\^\{([a-z]*)\}`)

// checkCommitRev refuses revision syntax that names a non-commit object
// (`X^{tree}`, `X:path`, `:path`) or that ResolveRevision would silently
// drop (`X@{1}`, `@{-1}`, `X@{upstream}`, `:/message`). Git ref names
// cannot contain ':', '^{' or '@{', so these never hide a branch name.
func (r *Repo) checkCommitRev(rev string) error {
	commitOf := func(base string) string {
		if base == "" {
			return "HEAD"
		}
		return base
	}
	head := rev // a `^{/regex}` message search may contain ':' itself
	if i := strings.Index(rev, "^{/"); i >= 0 {
		head = rev[:i]
	}
	if i := strings.IndexByte(head, ':'); i >= 0 {
		base, p := rev[:i], rev[i+1:]
		switch {
		case base == "" && strings.HasPrefix(p, "/"):
			return &NotCommitError{Rev: rev, What: "a commit-message search, which ibgitops does not resolve",
				Use: fmt.Sprintf("the commit's sha instead (git rev-parse %s)", shellQuote(rev))}
		case base == "":
			return &NotCommitError{Rev: rev, What: fmt.Sprintf("the staged file %s (a blob in the index)", p),
				Use: `a branch, tag or commit sha such as "HEAD"`}
		}
		return &NotCommitError{Rev: rev, What: r.pathKind(base, p), Use: fmt.Sprintf("a branch, tag or commit sha such as %q", base)}
	}
	if m := reCaretType.FindStringSubmatchIndex(rev); m != nil {
		base := commitOf(rev[:m[0]])
		switch typ := rev[m[2]:m[3]]; typ {
		case "", "commit", "object":
		case "tree":
			return &NotCommitError{Rev: rev, What: fmt.Sprintf("a tree (the root folder of %s)", base), Use: fmt.Sprintf("%q (or %q)", base, base+"^{commit}")}
		case "blob":
			return &NotCommitError{Rev: rev, What: "a blob (file content)", Use: fmt.Sprintf("%q (or %q)", base, base+"^{commit}")}
		case "tag":
			return &NotCommitError{Rev: rev, What: "an annotated tag object", Use: fmt.Sprintf("%q (ibgitops uses the commit the tag points to)", base)}
		default:
			return &NotCommitError{Rev: rev, What: fmt.Sprintf("an object of unknown type %q", typ), Use: fmt.Sprintf("%q (or %q)", base, base+"^{commit}")}
		}
	}
	if strings.Contains(rev, "@{") {
		return &NotCommitError{Rev: rev, What: "a reflog, upstream or previous-branch selector (@{...}), which ibgitops does not resolve",
			Use: fmt.Sprintf("the commit's sha instead (git rev-parse %s)", shellQuote(rev))}
	}
	return nil
}

// pathKind says what `base:p` names: a tree or a blob of base's commit.
func (r *Repo) pathKind(base, p string) string {
	where := base
	if where == "" {
		where = "HEAD"
	}
	h, err := r.repo.ResolveRevision(plumbing.Revision(base))
	if err != nil {
		return fmt.Sprintf("the path %s inside %s (a tree or blob)", p, where)
	}
	c, err := r.repo.CommitObject(*h)
	if err != nil {
		return fmt.Sprintf("the path %s inside %s (a tree or blob)", p, where)
	}
	clean := strings.Trim(p, "/")
	if clean == "" || clean == "." {
		return fmt.Sprintf("a tree (the root folder of %s)", where)
	}
	tree, err := c.Tree()
	if err != nil {
		return fmt.Sprintf("the path %s inside %s (a tree or blob)", p, where)
	}
	e, err := tree.FindEntry(clean)
	switch {
	case err != nil:
		return fmt.Sprintf("the path %s inside %s (not found there)", p, where)
	case e.Mode == filemode.Dir:
		return fmt.Sprintf("a tree (the folder %s in %s)", clean, where)
	case e.Mode == filemode.Submodule:
		return fmt.Sprintf("a submodule commit (%s in %s), which is not in this repository", clean, where)
	}
	return fmt.Sprintf("a blob (the file %s in %s)", clean, where)
}

// shellQuote quotes s for a POSIX shell command line in a hint.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// UnknownRefError is a revision that names nothing in the repository.
type UnknownRefError struct {
	Rev string
	Err error
}

func (e *UnknownRefError) Error() string {
	return fmt.Sprintf("unknown ref %q: no branch, remote branch, tag or commit of that name here (check the spelling, or fetch it: git fetch origin %s)", e.Rev, strings.TrimPrefix(e.Rev, "origin/"))
}
func (e *UnknownRefError) Unwrap() error { return e.Err }

// MissingHistoryError says a commit the operation needs is not in the clone,
// usually because the clone is shallow.
type MissingHistoryError struct {
	Rev     string // what was asked for, when known
	Hash    Hash   // the missing commit, when known
	Shallow bool
	// HostFix is the CI host's setting for whole history
	// (vcs.Context.HistoryFix), set by the caller that knows it, so the
	// message names that host's fix first; empty: the generic fix.
	HostFix string
}

func (e *MissingHistoryError) Error() string {
	what := e.Rev
	if what == "" && !e.Hash.IsZero() {
		what = e.Hash.String()
	}
	msg := fmt.Sprintf("commit history needed to compare with %s is missing", what)
	if e.Shallow {
		msg += " because the clone is shallow"
	}
	return msg + ": " + ShallowFix(e.HostFix, e.Rev)
}

// ShallowFix is the exact fix for a checkout that lacks history: the CI
// host's own setting (hostFix, from vcs.Context.HistoryFix) or, outside
// CI, the generic one, then the git command that fetches what is missing.
func ShallowFix(hostFix, base string) string {
	fetch := "git fetch --unshallow"
	if base != "" && base != "HEAD" && !strings.HasPrefix(base, "HEAD") {
		fetch += " (or only the base: git fetch origin " + strings.TrimPrefix(base, "origin/") + ")"
	}
	if hostFix != "" {
		return hostFix + ", or run " + fetch + " before ibgitops"
	}
	return "run " + fetch + "; in CI set `fetch-depth: 0` on actions/checkout, or `GIT_DEPTH: 0` on GitLab"
}

// IsShallow reports whether the clone is shallow.
func (r *Repo) IsShallow() bool {
	s, err := r.repo.Storer.Shallow()
	return err == nil && len(s) > 0
}

// Commit is one commit with what planning needs.
type Commit struct {
	Hash    Hash
	Message string
	Parents []Hash
	// Paths changed against the first parent, restricted to the paths asked
	// for (see Log).
	Paths []string
}

// Subject is the first line of the message.
func (c Commit) Subject() string {
	s, _, _ := strings.Cut(c.Message, "\n")
	return strings.TrimSpace(s)
}

// lockedCommit is commit for callers that hold no lock (the walks).
func (r *Repo) lockedCommit(h Hash) (*object.Commit, error) {
	r.objects.Lock()
	defer r.objects.Unlock()
	return r.commit(h)
}

func (r *Repo) commit(h Hash) (*object.Commit, error) {
	c, err := r.repo.CommitObject(h)
	if err != nil {
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil, &MissingHistoryError{Hash: h, Shallow: r.IsShallow()}
		}
		return nil, fmt.Errorf("read commit %s: %w", h, err)
	}
	return c, nil
}

// Tag is a tag and the commit it points to.
type Tag struct {
	Name   string
	Commit Hash
}

// Tags lists the tags pointing at commits, sorted by name.
func (r *Repo) Tags() ([]Tag, error) {
	it, err := r.repo.Tags()
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	var tags []Tag
	err = it.ForEach(func(ref *plumbing.Reference) error {
		h := ref.Hash()
		if t, err := r.repo.TagObject(h); err == nil {
			c, err := t.Commit()
			if err != nil {
				return nil // a tag of a tree or blob: not a release
			}
			h = c.Hash
		}
		tags = append(tags, Tag{Name: ref.Name().Short(), Commit: h})
		return nil
	})
	sort.Slice(tags, func(i, j int) bool { return tags[i].Name < tags[j].Name })
	return tags, err
}

// DefaultBranch finds the branch pull requests target: origin/HEAD when the
// clone has it, then main, then master (local or on origin). It returns a
// revision that Resolve accepts.
func (r *Repo) DefaultBranch() (string, error) {
	if ref, err := r.repo.Storer.Reference(plumbing.NewRemoteHEADReferenceName("origin")); err == nil {
		if ref.Type() == plumbing.SymbolicReference {
			if t, err := r.repo.Storer.Reference(ref.Target()); err == nil {
				return t.Name().Short(), nil
			}
		}
	}
	for _, b := range []string{"main", "master"} {
		if _, err := r.repo.Storer.Reference(plumbing.NewRemoteReferenceName("origin", b)); err == nil {
			return "origin/" + b, nil
		}
		if _, err := r.repo.Storer.Reference(plumbing.NewBranchReferenceName(b)); err == nil {
			return b, nil
		}
	}
	return "", errors.New("cannot tell the default branch: no origin/HEAD, main or master here; pass --base REF (for example --base origin/develop)")
}

// CurrentBranch is the checked-out branch, "" on a detached HEAD.
func (r *Repo) CurrentBranch() string {
	ref, err := r.repo.Storer.Reference(plumbing.HEAD)
	if err != nil || ref.Type() != plumbing.SymbolicReference {
		return ""
	}
	return ref.Target().Short()
}

// ctxErr reports a cancelled context.
func ctxErr(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}

// RemoteURL returns the first URL of the named remote, "" when there is none.
func (r *Repo) RemoteURL(name string) string {
	rem, err := r.repo.Remote(name)
	if err != nil || len(rem.Config().URLs) == 0 {
		return ""
	}
	return rem.Config().URLs[0]
}
