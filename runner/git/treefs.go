package git

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TreeFS returns the tree of a commit as a read-only fs.FS, so the loader
// reads the repository as it was at that commit. Paths are slash-separated
// and relative to the repository root. Submodules appear as empty
// directories; symbolic links as files holding the link target, and
// fs.ReadLink / fs.Lstat read them as links (the loader resolves them
// within the tree, as it does on the working tree through os.DirFS).
//
// Each folder's tree object is decoded once and indexed by name: go-git's
// Tree.FindEntry decodes the parent folders of a path again on every call
// (its path cache skips top-level folders), which made loading a commit
// quadratic in the size of a folder. Folder trees come through the raw
// pack reader (rawobj.go) where it holds them. The returned FS is safe for
// concurrent use, also with other TreeFS of the same Repo: reads of the
// object store are serialised per Repo.
func (r *Repo) TreeFS(commit Hash) (fs.FS, error) {
	r.objects.Lock()
	defer r.objects.Unlock()
	c, err := r.commit(commit)
	if err != nil {
		return nil, err
	}
	t, err := object.GetTree(r.lockedStore(), c.TreeHash)
	if err != nil {
		return nil, fmt.Errorf("read tree of commit %s: %w", short(commit), err)
	}
	return &treeFS{repo: r, mu: &r.objects, when: c.Committer.When, dirs: map[string]*treeDirIndex{".": indexTree(t)}}, nil
}

type treeFS struct {
	repo *Repo
	when time.Time
	mu   *sync.Mutex              // the Repo's object lock
	dirs map[string]*treeDirIndex // decoded folders by path ("." the root)
}

// treeDirIndex is one decoded folder with its entries by name.
type treeDirIndex struct {
	tree   *object.Tree
	byName map[string]int
}

func indexTree(t *object.Tree) *treeDirIndex {
	idx := &treeDirIndex{tree: t, byName: make(map[string]int, len(t.Entries))}
	for i := range t.Entries {
		idx.byName[t.Entries[i].Name] = i
	}
	return idx
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

// dir returns the decoded folder at name (a valid fs path), decoding and
// caching it and its parents on first use; nil when it is not a folder.
// t.mu must be held.
func (t *treeFS) dir(name string) (*treeDirIndex, error) {
	if d, ok := t.dirs[name]; ok {
		return d, nil
	}
	parent, base := ".", name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		parent, base = name[:i], name[i+1:]
	}
	pd, err := t.dir(parent)
	if err != nil || pd == nil {
		return nil, err
	}
	i, ok := pd.byName[base]
	if !ok || pd.tree.Entries[i].Mode != filemode.Dir {
		return nil, nil
	}
	tr, err := object.GetTree(t.repo.lockedStore(), pd.tree.Entries[i].Hash)
	if err != nil {
		return nil, err
	}
	d := indexTree(tr)
	t.dirs[name] = d
	return d, nil
}

// entry finds name.
func (t *treeFS) entry(op, name string) (*object.TreeEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if name == "." {
		return &object.TreeEntry{Name: ".", Mode: filemode.Dir, Hash: t.dirs["."].tree.Hash}, nil
	}
	parent, base := ".", name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		parent, base = name[:i], name[i+1:]
	}
	d, err := t.dir(parent)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	if d == nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	i, ok := d.byName[base]
	if !ok {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	e := d.tree.Entries[i]
	return &e, nil
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
	data, err := t.ReadFileShared(name)
	if err != nil {
		return nil, err
	}
	// fs.ReadFile's callers may modify what they get; the cache keeps its own.
	return bytes.Clone(data), nil
}

// ReadFileShared is ReadFile without the copy, for callers that only
// read (the plan's scan of every file at head): the bytes may be the
// Repo's blob cache's and must not be modified.
func (t *treeFS) ReadFileShared(name string) ([]byte, error) {
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
	t.mu.Lock()
	data, ok := t.repo.blobs.get(e.Hash)
	t.mu.Unlock()
	if ok {
		return data, nil
	}
	// Not under the Repo's lock: the raw reader takes its own only around
	// its cache, so both sides' loads and the head scan inflate on every
	// core while a walk resolves its trees (go-git reads, for what the
	// raw reader does not hold, take the lock in object).
	data, err := t.repo.object(plumbing.BlobObject, e.Hash)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	t.mu.Lock()
	t.repo.blobs.keep(e.Hash, data)
	t.mu.Unlock()
	return data, nil
}

// blobCache keeps the blobs read through TreeFS in two generations of
// blobGeneration bytes; when the newer is full the older is dropped. A
// plan's two sides load the same files in the same order at the same
// time, so a blob read for one is read for the other soon after; the head
// scan before them reads every file, and keeping all of those (20 MB of
// 32,000 files, twice that at the heap's peak) saved no measurable time.
// Callers hold the Repo's object lock; they only read the slices.
type blobCache struct {
	cur, old map[Hash][]byte
	curBytes int
}

func (c *blobCache) get(h Hash) ([]byte, bool) {
	if b, ok := c.cur[h]; ok {
		return b, true
	}
	b, ok := c.old[h]
	return b, ok
}

func (c *blobCache) keep(h Hash, data []byte) {
	if len(data) > blobGeneration {
		return
	}
	if c.curBytes+len(data) > blobGeneration || c.cur == nil {
		c.old, c.cur, c.curBytes = c.cur, map[Hash][]byte{}, 0
	}
	c.cur[h] = data
	c.curBytes += len(data)
}

// size is a blob's size, read from the object header without its content.
func (t *treeFS) size(e *object.TreeEntry) (int64, error) {
	if t.repo.raw != nil {
		if n, found, err := t.repo.raw.size(e.Hash); err == nil && found {
			return n, nil
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	obj, err := t.repo.goStore.EncodedObject(plumbing.BlobObject, e.Hash)
	if err != nil {
		return 0, err
	}
	return obj.Size(), nil
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
	t.mu.Lock()
	d, err := t.dir(name)
	t.mu.Unlock()
	if err != nil || d == nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, 0, len(d.tree.Entries))
	for i := range d.tree.Entries {
		out = append(out, t.info(path.Join(name, d.tree.Entries[i].Name), &d.tree.Entries[i]))
	}
	// Tree entries are sorted with folders as "name/"; fs wants plain
	// name order.
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
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
		if n, err := i.fsys.size(&i.entry); err == nil {
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
