package git

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Dirty lists the paths under prefix ("" or "." for the whole work tree)
// whose work-tree content differs from HEAD: modified, deleted and
// untracked files that .gitignore does not exclude. Hidden directories
// (.git, .ibgitops, ...) are skipped. It hashes only the files under
// prefix, so scoping it to the ibgitops root keeps it fast in large
// repositories. Paths are relative to the work-tree root.
func (r *Repo) Dirty(ctx context.Context, prefix string) ([]Change, error) {
	if r.workDir == "" {
		return nil, nil
	}
	prefix = strings.Trim(path.Clean(filepath.ToSlash(prefix)), "/")
	if prefix == "." {
		prefix = ""
	}
	var head *object.Tree
	if h, err := r.Resolve("HEAD"); err == nil {
		if head, err = r.treeOf(h); err != nil {
			return nil, err
		}
	}
	tracked := map[string]Hash{}
	if head != nil {
		sub := head
		if prefix != "" {
			sub, _ = head.Tree(prefix)
		}
		if sub != nil {
			if err := r.trackedFiles(ctx, sub, prefix, tracked); err != nil {
				return nil, err
			}
		}
	}

	// The index records each file's size and modification time when it was
	// last hashed: a file that still matches them (and whose index hash is
	// HEAD's) is clean without being read, as git status does. Files
	// modified in the same second the index was written are hashed anyway
	// (git's "racily clean" rule).
	type stamp struct {
		hash Hash
		size uint32
		mod  time.Time
	}
	stamps := map[string]stamp{}
	var indexTime time.Time
	if idx, err := r.repo.Storer.Index(); err == nil {
		for _, e := range idx.Entries {
			stamps[e.Name] = stamp{e.Hash, e.Size, e.ModifiedAt}
		}
		if st, err := os.Stat(filepath.Join(r.gitDir(), "index")); err == nil {
			indexTime = st.ModTime()
		}
	}
	ignore := r.ignorePatterns(prefix)
	var out []Change
	seen := map[string]bool{}
	start := filepath.Join(r.workDir, filepath.FromSlash(prefix))
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == start {
				return filepath.SkipDir
			}
			return err
		}
		if err := ctxErr(ctx); err != nil {
			return err
		}
		rel, _ := filepath.Rel(r.workDir, p)
		rel = filepath.ToSlash(rel)
		parts := strings.Split(rel, "/")
		if d.IsDir() {
			if p != start && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if rel != "." {
				ignore = append(ignore, readIgnore(p, parts)...)
			}
			if rel != "." && gitignore.NewMatcher(ignore).Match(parts, true) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		want, isTracked := tracked[rel]
		if !isTracked && gitignore.NewMatcher(ignore).Match(parts, false) {
			return nil
		}
		seen[rel] = true
		if st, ok := stamps[rel]; ok && isTracked && st.hash == want && !indexTime.IsZero() {
			if info, err := d.Info(); err == nil && info.Mode().IsRegular() && uint32(info.Size()) == st.size &&
				info.ModTime().Equal(st.mod) && info.ModTime().Before(indexTime.Truncate(time.Second)) {
				return nil
			}
		}
		var data []byte
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			data = []byte(target)
		} else if data, err = os.ReadFile(p); err != nil {
			return err
		}
		switch {
		case !isTracked:
			out = append(out, Change{Status: Added, Path: rel})
		case BlobHash(data) != want:
			out = append(out, Change{Status: Modified, Path: rel, OldPath: rel})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan work tree %s: %w", start, err)
	}
	for p := range tracked {
		if !seen[p] && !hiddenPath(p, prefix) {
			out = append(out, Change{Status: Deleted, Path: p, OldPath: p})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// gitDir is the .git folder of the work tree.
// trackedFiles records the blob of every file under tree, at dir. It reads
// the entries itself rather than through go-git's TreeWalker, which stops
// with an error at a name holding a control character (a file named with
// a newline): every tracked file after it then looked untracked, and the
// whole root was reported as uncommitted changes.
func (r *Repo) trackedFiles(ctx context.Context, tree *object.Tree, dir string, into map[string]Hash) error {
	for _, e := range tree.Entries {
		if err := ctxErr(ctx); err != nil {
			return err
		}
		p := path.Join(dir, e.Name)
		switch e.Mode {
		case filemode.Submodule:
		case filemode.Dir:
			sub, err := object.GetTree(r.repo.Storer, e.Hash)
			if err != nil {
				return fmt.Errorf("read tree %s: %w", p, err)
			}
			if err := r.trackedFiles(ctx, sub, p, into); err != nil {
				return err
			}
		default:
			into[p] = e.Hash
		}
	}
	return nil
}

func (r *Repo) gitDir() string {
	if st, ok := r.closer.(interface{ Filesystem() billy.Filesystem }); ok {
		return st.Filesystem().Root()
	}
	return filepath.Join(r.workDir, ".git")
}

// hiddenPath reports whether p (under prefix) lies in a hidden directory,
// which the work-tree walk skips.
func hiddenPath(p, prefix string) bool {
	rest := strings.TrimPrefix(strings.TrimPrefix(p, prefix), "/")
	dir := path.Dir(rest)
	if dir == "." {
		return false
	}
	for _, part := range strings.Split(dir, "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

// ignorePatterns reads .git/info/exclude and the .gitignore files from the
// work-tree root down to prefix.
func (r *Repo) ignorePatterns(prefix string) []gitignore.Pattern {
	ps := readIgnoreFile(filepath.Join(r.workDir, ".git", "info", "exclude"), nil)
	ps = append(ps, readIgnore(r.workDir, nil)...)
	if prefix == "" {
		return ps
	}
	parts := strings.Split(prefix, "/")
	for i := 1; i < len(parts); i++ {
		ps = append(ps, readIgnore(filepath.Join(r.workDir, filepath.FromSlash(path.Join(parts[:i]...))), parts[:i])...)
	}
	return ps
}

func readIgnore(dir string, domain []string) []gitignore.Pattern {
	return readIgnoreFile(filepath.Join(dir, ".gitignore"), domain)
}

func readIgnoreFile(file string, domain []string) []gitignore.Pattern {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var ps []gitignore.Pattern
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, domain))
	}
	return ps
}

// DirtyFiles compares single files of the work tree with HEAD (paths
// relative to the work-tree root) and returns those that differ.
func (r *Repo) DirtyFiles(paths []string) ([]Change, error) {
	if r.workDir == "" {
		return nil, nil
	}
	var head *object.Tree
	if h, err := r.Resolve("HEAD"); err == nil {
		if head, err = r.treeOf(h); err != nil {
			return nil, err
		}
	}
	var out []Change
	for _, p := range paths {
		e, tracked := findEntry(head, p)
		data, err := os.ReadFile(filepath.Join(r.workDir, filepath.FromSlash(p)))
		switch {
		case err != nil && !os.IsNotExist(err):
			return nil, fmt.Errorf("read %s: %w", p, err)
		case err != nil && tracked:
			out = append(out, Change{Status: Deleted, Path: p, OldPath: p})
		case err == nil && !tracked:
			out = append(out, Change{Status: Added, Path: p})
		case err == nil && BlobHash(data) != e.Hash:
			out = append(out, Change{Status: Modified, Path: p, OldPath: p})
		}
	}
	return out, nil
}
