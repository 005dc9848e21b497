package plan

import (
	"context"
	"io/fs"
)

// ctxFS fails every file operation once ctx is done, so a load of
// thousands of files (recipes.Load takes no context) stops at the next
// file after an interrupt instead of reading the rest: each later read
// fails at once and the caller checks ctx when Load returns.
type ctxFS struct {
	ctx  context.Context
	fsys fs.FS
}

func withContext(ctx context.Context, fsys fs.FS) fs.FS { return &ctxFS{ctx: ctx, fsys: fsys} }

var (
	_ fs.ReadDirFS  = (*ctxFS)(nil)
	_ fs.ReadFileFS = (*ctxFS)(nil)
	_ fs.StatFS     = (*ctxFS)(nil)
	_ fs.ReadLinkFS = (*ctxFS)(nil)
	_ fs.SubFS      = (*ctxFS)(nil)
)

func (c *ctxFS) err(op, name string) error {
	if err := c.ctx.Err(); err != nil {
		return &fs.PathError{Op: op, Path: name, Err: err}
	}
	return nil
}

func (c *ctxFS) Open(name string) (fs.File, error) {
	if err := c.err("open", name); err != nil {
		return nil, err
	}
	return c.fsys.Open(name)
}

func (c *ctxFS) ReadFile(name string) ([]byte, error) {
	if err := c.err("read", name); err != nil {
		return nil, err
	}
	return fs.ReadFile(c.fsys, name)
}

// sharedReader is a file system that can hand out a file's bytes
// without copying them (git.TreeFS); the caller must not modify them.
type sharedReader interface {
	ReadFileShared(name string) ([]byte, error)
}

// readShared reads name from fsys without a copy where fsys can; the
// bytes must not be modified.
func readShared(fsys fs.FS, name string) ([]byte, error) {
	if sr, ok := fsys.(sharedReader); ok {
		return sr.ReadFileShared(name)
	}
	return fs.ReadFile(fsys, name)
}

func (c *ctxFS) ReadFileShared(name string) ([]byte, error) {
	if err := c.err("read", name); err != nil {
		return nil, err
	}
	return readShared(c.fsys, name)
}

func (c *ctxFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := c.err("readdir", name); err != nil {
		return nil, err
	}
	return fs.ReadDir(c.fsys, name)
}

func (c *ctxFS) Stat(name string) (fs.FileInfo, error) {
	if err := c.err("stat", name); err != nil {
		return nil, err
	}
	return fs.Stat(c.fsys, name)
}

func (c *ctxFS) ReadLink(name string) (string, error) {
	if err := c.err("readlink", name); err != nil {
		return "", err
	}
	return fs.ReadLink(c.fsys, name)
}

func (c *ctxFS) Lstat(name string) (fs.FileInfo, error) {
	if err := c.err("lstat", name); err != nil {
		return nil, err
	}
	return fs.Lstat(c.fsys, name)
}

func (c *ctxFS) Sub(dir string) (fs.FS, error) {
	sub, err := fs.Sub(c.fsys, dir)
	if err != nil {
		return nil, err
	}
	return &ctxFS{ctx: c.ctx, fsys: sub}, nil
}
