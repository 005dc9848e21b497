package git

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/utils/merkletrie"
)

// Change statuses, as git diff --name-status spells them.
const (
	Added    = "A"
	Modified = "M"
	Deleted  = "D"
	Renamed  = "R"
)

// Change is one changed path between two commits. OldPath is set for
// renames (and equals Path otherwise, empty for additions).
type Change struct {
	Status  string
	Path    string
	OldPath string
}

// renameLimit bounds go-git's rename detection, which compares every added
// file with every deleted one: above this many candidates only exact
// (same content) renames are detected.
const renameLimit = 400

// Changes lists the paths that differ between the trees of two commits,
// with renames detected (exact ones always, similar content when the
// change is small enough), sorted by path.
func (r *Repo) Changes(ctx context.Context, from, to Hash) ([]Change, error) {
	ft, err := r.treeOf(from)
	if err != nil {
		return nil, err
	}
	tt, err := r.treeOf(to)
	if err != nil {
		return nil, err
	}
	return diffTrees(ctx, ft, tt)
}

func (r *Repo) treeOf(h Hash) (*object.Tree, error) {
	if h.IsZero() {
		return &object.Tree{}, nil
	}
	c, err := r.lockedCommit(h)
	if err != nil {
		return nil, err
	}
	t, err := object.GetTree(r.store(), c.TreeHash)
	if err != nil {
		return nil, fmt.Errorf("read tree of commit %s: %w", short(h), err)
	}
	return t, nil
}

func diffTrees(ctx context.Context, from, to *object.Tree) (out []Change, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	raw, err := object.DiffTreeWithOptions(ctx, from, to, nil)
	if err != nil {
		return nil, fmt.Errorf("diff trees: %w", err)
	}
	var added, deleted int
	for _, c := range raw {
		switch {
		case c.From.Name == "":
			added++
		case c.To.Name == "":
			deleted++
		}
	}
	if added > 0 && deleted > 0 {
		opts := *object.DefaultDiffTreeOptions
		if added*deleted > renameLimit*renameLimit {
			opts.OnlyExactRenames = true
		}
		detected, derr := detectRenames(raw, &opts)
		if derr != nil {
			return nil, derr
		}
		raw = detected
	}
	for _, c := range raw {
		action, err := c.Action()
		if err != nil {
			return nil, err
		}
		switch action {
		case merkletrie.Insert:
			out = append(out, Change{Status: Added, Path: c.To.Name})
		case merkletrie.Delete:
			out = append(out, Change{Status: Deleted, Path: c.From.Name, OldPath: c.From.Name})
		default:
			if c.From.Name != c.To.Name {
				out = append(out, Change{Status: Renamed, Path: c.To.Name, OldPath: c.From.Name})
			} else {
				out = append(out, Change{Status: Modified, Path: c.To.Name, OldPath: c.From.Name})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// detectRenames runs go-git's rename detection, turning a panic in its
// content similarity code into an error that names the files.
func detectRenames(raw object.Changes, opts *object.DiffTreeOptions) (out object.Changes, err error) {
	defer func() {
		if p := recover(); p != nil {
			var names []string
			for _, c := range raw {
				if c.From.Name == "" || c.To.Name == "" {
					names = append(names, c.From.Name+c.To.Name)
				}
				if len(names) == 5 {
					names = append(names, "...")
					break
				}
			}
			err = fmt.Errorf("rename detection failed on %v: %v (report this; as a workaround split the change into a rename commit and an edit commit)", names, p)
		}
	}()
	return object.DetectRenames(raw, opts)
}

// BlobHash is the git object id of a file's content.
func BlobHash(data []byte) Hash {
	return plumbing.ComputeHash(plumbing.BlobObject, data)
}

// ChangesIn is Changes restricted to the given paths (folders or files,
// relative to the repository root): subtrees whose ids are equal on both
// sides are skipped without being read, so scoping the diff to the
// ibgitops root keeps it independent of the rest of a monorepo. A path
// "" or "." means the whole tree. Renames are detected within each path.
func (r *Repo) ChangesIn(ctx context.Context, from, to Hash, paths []string) ([]Change, error) {
	ft, err := r.treeOf(from)
	if err != nil {
		return nil, err
	}
	tt, err := r.treeOf(to)
	if err != nil {
		return nil, err
	}
	paths = minimalPaths(paths)
	if len(paths) == 1 && paths[0] == "" {
		return r.diffTreeIDs(ctx, ft.Hash, tt.Hash)
	}
	var out []Change
	for _, p := range paths {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		fe, fok := findEntry(ft, p)
		te, tok := findEntry(tt, p)
		switch {
		case !fok && !tok:
			continue
		case fok && tok && fe.Hash == te.Hash && fe.Mode == te.Mode:
			continue
		}
		sub := func(e *object.TreeEntry, ok bool) Hash {
			if !ok || e.Mode != filemode.Dir {
				return plumbing.ZeroHash
			}
			return e.Hash
		}
		changes, err := r.diffTreeIDs(ctx, sub(fe, fok), sub(te, tok))
		if err != nil {
			return nil, fmt.Errorf("compare %s at %s and %s: %w", p, short(from), short(to), err)
		}
		for _, c := range changes {
			c.Path = path.Join(p, c.Path)
			if c.OldPath != "" {
				c.OldPath = path.Join(p, c.OldPath)
			}
			out = append(out, c)
		}
		// A file at p itself (not a folder) on either side.
		fileF := fok && fe.Mode != filemode.Dir
		fileT := tok && te.Mode != filemode.Dir
		switch {
		case fileF && fileT:
			out = append(out, Change{Status: Modified, Path: p, OldPath: p})
		case fileF:
			out = append(out, Change{Status: Deleted, Path: p, OldPath: p})
		case fileT:
			out = append(out, Change{Status: Added, Path: p})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// diffTreeIDs is diffTrees of two trees by id (zero: an empty tree). The
// trees are compared raw, entries whose ids are equal on both sides
// skipped without decoding (a folder of 16,000 files changed in 500 was a
// plan's largest diff); only when files were both added and deleted, and
// renames must be looked for, are the trees decoded for go-git's rename
// detection.
func (r *Repo) diffTreeIDs(ctx context.Context, from, to Hash) ([]Change, error) {
	if from == to {
		return nil, nil
	}
	tc := &treeCache{r: r, cur: map[Hash]rope{}}
	var out []Change
	var added, deleted int
	var list func(a, b Hash, prefix string) error
	list = func(a, b Hash, prefix string) error {
		if err := ctxErr(ctx); err != nil {
			return err
		}
		at, bt, err := tc.trees(a, b)
		if err != nil {
			return err
		}
		return diffRope(&at, &bt, func(e *rawEntry, ah, bh Hash, aDir, bDir bool) error {
			full := path.Join(prefix, string(e.name))
			aFile, bFile := !ah.IsZero() && !aDir, !bh.IsZero() && !bDir
			switch {
			case aFile && bFile:
				out = append(out, Change{Status: Modified, Path: full, OldPath: full})
			case aFile:
				deleted++
				out = append(out, Change{Status: Deleted, Path: full, OldPath: full})
			case bFile:
				added++
				out = append(out, Change{Status: Added, Path: full})
			}
			if aDir || bDir {
				var sa, sb Hash
				if aDir {
					sa = ah
				}
				if bDir {
					sb = bh
				}
				return list(sa, sb, full)
			}
			return nil
		})
	}
	if err := list(from, to, ""); err != nil {
		return nil, err
	}
	if added > 0 && deleted > 0 {
		tree := func(h Hash) (*object.Tree, error) {
			if h.IsZero() {
				return &object.Tree{}, nil
			}
			return object.GetTree(r.store(), h)
		}
		ft, err := tree(from)
		if err != nil {
			return nil, err
		}
		tt, err := tree(to)
		if err != nil {
			return nil, err
		}
		return diffTrees(ctx, ft, tt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func findEntry(t *object.Tree, p string) (*object.TreeEntry, bool) {
	if t == nil || len(t.Entries) == 0 {
		return nil, false
	}
	e, err := t.FindEntry(p)
	if err != nil {
		return nil, false
	}
	return e, true
}

// minimalPaths cleans paths and drops those inside another one; "" (the
// whole tree) absorbs everything.
func minimalPaths(paths []string) []string {
	var clean []string
	for _, p := range paths {
		p = strings.Trim(path.Clean("/"+p), "/")
		if p == "" {
			return []string{""}
		}
		clean = append(clean, p)
	}
	sort.Strings(clean)
	var out []string
	for _, p := range clean {
		if len(out) > 0 {
			last := out[len(out)-1]
			if p == last || strings.HasPrefix(p, last+"/") {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}
