package git

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TreeFS returns the tree of a commit as a read-only fs.FS, so the loader
// reads the repository as it was at that commit. Paths are slash-separated
// and relative to the repository root. Submodules appear as empty
// directories; symbolic links as files holding the link target, and
// fs.ReadLink / fs.Lstat read them as links (the loader resolves them
// within the tree, as it does on the working tree through os.DirFS).
func (r *Repo) TreeFS(commit Hash) (fs.FS, error) {
	c, err := r.commit(commit)
	if err != nil {
		return nil, err
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of commit %s: %w", short(commit), err)
	}
	return &treeFS{root: t, when: c.Committer.When}, nil
}

type treeFS struct {
	root *object.Tree
	when time.Time
}

var (
	_ fs.ReadDirFS  = (*treeFS)(nil)
	_ fs.ReadFileFS = (*treeFS)(nil)
	_ fs.StatFS     = (*treeFS)(nil)
	_ fs.ReadLinkFS = (*treeFS)(nil)
)

// Lstat is Stat: the tree never follows links.
func (t *treeFS) Lstat(name string) (fs.FileInfo, error) {
	e, err := t.entry("lstat", name)
	if err != nil {
		return nil, err
	}
	return t.info(name, e), nil
}

// ReadLink returns the target of a symbolic link (the blob's text).
func (t *treeFS) ReadLink(name string) (string, error) {
	e, err := t.entry("readlink", name)
	if err != nil {
		return "", err
	}
	if e.Mode != filemode.Symlink {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	data, err := t.blob(name, e)
	if err != nil {
		return "", err
	}
	return string(data), nil
}

func (t *treeFS) tree(name string) (*object.Tree, error) {
	if name == "." {
		return t.root, nil
	}
	return t.root.Tree(name)
}

// entry finds name; dir reports whether it is a directory.
func (t *treeFS) entry(op, name string) (*object.TreeEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &object.TreeEntry{Name: ".", Mode: filemode.Dir, Hash: t.root.Hash}, nil
	}
	e, err := t.root.FindEntry(name)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return e, nil
}

func isDir(m filemode.FileMode) bool { return m == filemode.Dir || m == filemode.Submodule }

func (t *treeFS) Stat(name string) (fs.FileInfo, error) {
	e, err := t.entry("stat", name)
	if err != nil {
		return nil, err
	}
	return t.info(name, e), nil
}

func (t *treeFS) info(name string, e *object.TreeEntry) *treeInfo {
	return &treeInfo{fsys: t, name: path.Base(name), full: name, entry: *e}
}

func (t *treeFS) ReadFile(name string) ([]byte, error) {
	e, err := t.entry("read", name)
	if err != nil {
		return nil, err
	}
	if isDir(e.Mode) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	return t.blob(name, e)
}

func (t *treeFS) blob(name string, e *object.TreeEntry) ([]byte, error) {
	f, err := t.root.TreeEntryFile(e)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	rd, err := f.Reader()
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return data, nil
}

func (t *treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := t.entry("readdir", name)
	if err != nil {
		return nil, err
	}
	if !isDir(e.Mode) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	if e.Mode == filemode.Submodule {
		return nil, nil
	}
	tr, err := t.tree(name)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, 0, len(tr.Entries))
	for i := range tr.Entries {
		// Tree entries are sorted with directories as "name/"; fs wants
		// plain name order.
		out = append(out, t.info(path.Join(name, tr.Entries[i].Name), &tr.Entries[i]))
	}
	sortDirEntries(out)
	return out, nil
}

func sortDirEntries(es []fs.DirEntry) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].Name() < es[j-1].Name(); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

func (t *treeFS) Open(name string) (fs.File, error) {
	e, err := t.entry("open", name)
	if err != nil {
		return nil, err
	}
	info := t.info(name, e)
	if isDir(e.Mode) {
		entries, err := t.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &treeDir{info: info, entries: entries}, nil
	}
	data, err := t.blob(name, e)
	if err != nil {
		return nil, err
	}
	return &treeFile{info: info, Reader: bytes.NewReader(data)}, nil
}

type treeInfo struct {
	fsys  *treeFS
	name  string
	full  string
	entry object.TreeEntry
	size  int64
	sized bool
}

func (i *treeInfo) Name() string { return i.name }
func (i *treeInfo) Size() int64 {
	if !i.sized && !isDir(i.entry.Mode) {
		if n, err := i.fsys.root.Size(i.full); err == nil {
			i.size = n
		}
		i.sized = true
	}
	return i.size
}
func (i *treeInfo) Mode() fs.FileMode {
	switch {
	case isDir(i.entry.Mode):
		return fs.ModeDir | 0o555
	case i.entry.Mode == filemode.Executable:
		return 0o555
	case i.entry.Mode == filemode.Symlink:
		return fs.ModeSymlink | 0o444
	}
	return 0o444
}
func (i *treeInfo) ModTime() time.Time         { return i.fsys.when }
func (i *treeInfo) IsDir() bool                { return isDir(i.entry.Mode) }
func (i *treeInfo) Sys() any                   { return i.entry.Hash }
func (i *treeInfo) Type() fs.FileMode          { return i.Mode().Type() }
func (i *treeInfo) Info() (fs.FileInfo, error) { return i, nil }

type treeFile struct {
	info *treeInfo
	*bytes.Reader
}

func (f *treeFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *treeFile) Close() error               { return nil }

type treeDir struct {
	info    *treeInfo
	entries []fs.DirEntry
	off     int
}

func (d *treeDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *treeDir) Close() error               { return nil }
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.full, Err: errors.New("is a directory")}
}
func (d *treeDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.off += n
	return rest[:n], nil
}
