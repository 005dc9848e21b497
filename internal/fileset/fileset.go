// Package fileset rewrites a set of files inside one folder all or nothing.
// It is what `ibgitops bump --write` uses: a repository is never left half
// bumped, and a symlink inside the folder is written through to its target,
// never replaced by a plain file.
package fileset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Change is one file to rewrite: Path is relative to the root (slash
// separated, as findings print it); Edit turns the current content into
// the new one, or fails (for example when the file changed since it was
// read).
type Change struct {
	Path string
	Edit func(old []byte) ([]byte, error)
}

// Written says which file was written, and through which link.
type Written struct {
	Path   string // as given in the Change
	Target string // the file actually written, relative to the root; == Path unless Path is a symlink
}

func (w Written) String() string {
	if w.Target == w.Path {
		return w.Path
	}
	return w.Path + " (through the symlink, into " + w.Target + ")"
}

// Seams for tests: a write can fail for reasons a test cannot produce
// with real files as root (a full disk, a folder made read-only between
// the check and the write).
var (
	rename     = os.Rename
	createTemp = os.CreateTemp
)

// target is one resolved file to write.
type target struct {
	path     string // as the change names it
	abs      string // resolved absolute path
	rel      string // resolved path relative to the root
	perm     os.FileMode
	old, new []byte
	tmp      string // the temporary file holding new, next to abs
	renamed  bool
	edit     func([]byte) ([]byte, error)
}

// Write applies every change under root, all or nothing:
//  1. each path is resolved through its symlinks; a link leading outside
//     root, or to anything but a regular file, is refused with the fix;
//  2. each target is read, edited, and checked writable (the file and its
//     folder carry a write bit) before anything is written;
//  3. the new contents go to temporary files next to their targets (so a
//     full disk or a folder that refuses new files fails here, with
//     nothing changed), which are then renamed over the targets;
//  4. if a rename still fails, the targets already replaced get their old
//     content back.
//
// Two paths that lead to one file (a file and a link to it) are refused.
func Write(root string, changes []Change) ([]Written, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", root, err)
	}
	realRoot, err = filepath.Abs(realRoot)
	if err != nil {
		return nil, err
	}
	var targets []*target
	byAbs := map[string]*target{}
	var written []Written
	for _, c := range changes {
		abs, rel, err := resolve(root, realRoot, c.Path)
		if err != nil {
			return nil, err
		}
		if other := byAbs[abs]; other != nil {
			// Both edits were computed from the same old content; applying
			// them in turn would fail or write one twice.
			return nil, fmt.Errorf("%s and %s are the same file %s (through a symlink), so the repository holds its resource twice; remove the link and run again", other.path, c.Path, rel)
		}
		t := &target{path: c.Path, abs: abs, rel: rel, edit: c.Edit}
		byAbs[abs] = t
		targets = append(targets, t)
		written = append(written, Written{Path: c.Path, Target: rel})
	}
	for _, t := range targets {
		if err := t.prepare(); err != nil {
			return nil, err
		}
	}
	// Temporary files first: a folder that refuses a new file, or a full
	// disk, stops everything before any target changes.
	for _, t := range targets {
		if err := t.writeTemp(); err != nil {
			removeTemps(targets)
			return nil, fmt.Errorf("%s: cannot write next to %s (%w); nothing was changed: make the folder writable and free some space, then run again", t.name(), t.rel, unwrapPath(err))
		}
	}
	for i, t := range targets {
		if err := rename(t.tmp, t.abs); err != nil {
			removeTemps(targets)
			failed := restore(targets[:i])
			if len(failed) > 0 {
				return nil, fmt.Errorf("%s: %w; restoring the files already written failed for %s: restore them with `git checkout -- FILE`", t.name(), unwrapPath(err), strings.Join(failed, ", "))
			}
			return nil, fmt.Errorf("%s: cannot replace %s (%w); the files already written were restored, nothing was changed", t.name(), t.rel, unwrapPath(err))
		}
		t.renamed = true
	}
	return written, nil
}

// resolve follows path's symlinks and returns the target, absolute and
// relative to the root. A target outside the root is refused: it is not a
// file of this repository.
func resolve(root, realRoot, path string) (abs, rel string, err error) {
	p := filepath.Join(root, filepath.FromSlash(path))
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", "", fmt.Errorf("%s does not exist (a dangling symlink?); run the command again on the current files", path)
		}
		return "", "", fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	real, err = filepath.Abs(real)
	if err != nil {
		return "", "", err
	}
	r, err := filepath.Rel(realRoot, real)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", "", fmt.Errorf("%s is a symlink to %s, outside the repository; bump writes only files inside it: replace the link with a copy of the file (or edit %s by hand)", path, real, real)
	}
	return real, filepath.ToSlash(r), nil
}

func (t *target) name() string {
	if t.path == t.rel {
		return t.rel
	}
	return t.path + " (-> " + t.rel + ")"
}

// prepare reads the target, applies the edits and checks it can be
// written, without writing.
func (t *target) prepare() error {
	st, err := os.Stat(t.abs)
	if err != nil {
		return fmt.Errorf("%s: %w", t.name(), unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file; bump writes only regular files", t.name())
	}
	t.perm = st.Mode().Perm()
	// The write bits are the owner's statement, honoured even by root
	// (who could write anyway): a read-only file or folder is not ours to
	// change.
	if t.perm&0o222 == 0 {
		return fmt.Errorf("%s is read-only (mode %04o); nothing was changed: make it writable (chmod u+w %s) and run again", t.name(), t.perm, t.rel)
	}
	dir := filepath.Dir(t.abs)
	if dst, err := os.Stat(dir); err == nil && dst.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("%s: its folder %s is read-only (mode %04o); nothing was changed: make it writable (chmod u+w %s) and run again", t.name(), filepath.Dir(t.rel), dst.Mode().Perm(), filepath.Dir(t.rel))
	}
	if t.old, err = os.ReadFile(t.abs); err != nil {
		return fmt.Errorf("%s: %w", t.name(), unwrapPath(err))
	}
	if t.new, err = t.edit(t.old); err != nil {
		return fmt.Errorf("%s: %w", t.path, err)
	}
	return nil
}

func (t *target) writeTemp() error {
	return writeTemp(t, t.new)
}

// writeTemp writes data to a new temporary file next to t.abs, with t's
// permissions, and records its name in t.tmp.
func writeTemp(t *target, data []byte) error {
	f, err := createTemp(filepath.Dir(t.abs), "."+filepath.Base(t.abs)+".ibgitops-*")
	if err != nil {
		return err
	}
	t.tmp = f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(t.tmp, t.perm)
	}
	if err != nil {
		os.Remove(t.tmp)
		t.tmp = ""
	}
	return err
}

func removeTemps(targets []*target) {
	for _, t := range targets {
		if t.tmp != "" && !t.renamed {
			os.Remove(t.tmp)
			t.tmp = ""
		}
	}
}

// restore puts the old content back into targets already replaced and
// returns those it could not restore.
func restore(done []*target) []string {
	var failed []string
	for _, t := range done {
		if err := writeTemp(t, t.old); err != nil {
			failed = append(failed, t.rel)
			continue
		}
		if err := rename(t.tmp, t.abs); err != nil {
			os.Remove(t.tmp)
			failed = append(failed, t.rel)
		}
	}
	return failed
}

// unwrapPath drops the absolute temporary path an *os.PathError carries,
// keeping the reason (the messages name the file relative to the root).
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
