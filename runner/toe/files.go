package toe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
)

func init() {
	register("CreateFile", module{listInputs: true, run: createFile})
	register("CreateFolder", module{listInputs: true, run: createFolder})
	register("CreateSymlink", module{listInputs: true, platforms: unixLike, run: createSymlink})
	register("CopyFile", module{listInputs: true, run: func(ctx context.Context, e *env, in any) (output, error) { return transfer(in, false, false) }})
	register("CopyFolder", module{listInputs: true, run: func(ctx context.Context, e *env, in any) (output, error) { return transfer(in, true, false) }})
	register("MoveFile", module{listInputs: true, run: func(ctx context.Context, e *env, in any) (output, error) { return transfer(in, false, true) }})
	register("MoveFolder", module{listInputs: true, run: func(ctx context.Context, e *env, in any) (output, error) { return transfer(in, true, true) }})
	register("DeleteFile", module{listInputs: true, run: deleteFile})
	register("DeleteFolder", module{listInputs: true, run: deleteFolder})
	register("ListFiles", module{listInputs: true, run: listFiles})
	register("ReadFile", module{listInputs: true, run: readFile})
	register("AppendFile", module{listInputs: true, run: appendFile})
	register("SetFileEncoding", module{listInputs: true, run: setFileEncoding})
	register("SetFileOwner", module{listInputs: true, platforms: unixLike, run: func(ctx context.Context, e *env, in any) (output, error) { return setOwner(in, false) }})
	register("SetFolderOwner", module{listInputs: true, platforms: unixLike, run: func(ctx context.Context, e *env, in any) (output, error) { return setOwner(in, true) }})
	register("SetFilePermissions", module{listInputs: true, platforms: unixLike, run: func(ctx context.Context, e *env, in any) (output, error) { return setPermissions(in, false) }})
	register("SetFolderPermissions", module{listInputs: true, platforms: unixLike, run: func(ctx context.Context, e *env, in any) (output, error) { return setPermissions(in, true) }})
}

var unixLike = []string{"linux", "darwin", "freebsd"}

// parseMode reads an octal permission string ("755", "0644"); YAML numbers
// keep their digits (see number).
func parseMode(s string) (os.FileMode, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(s, "0o"), "0"), 8, 32)
	if s == "0" || s == "000" || s == "0000" {
		return 0, nil
	}
	if err != nil || v > 07777 {
		return 0, fmt.Errorf("permissions %q is not an octal mode such as \"0644\" or \"755\"", s)
	}
	mode := os.FileMode(v & 0777)
	if v&04000 != 0 {
		mode |= os.ModeSetuid
	}
	if v&02000 != 0 {
		mode |= os.ModeSetgid
	}
	if v&01000 != 0 {
		mode |= os.ModeSticky
	}
	return mode, nil
}

// lookupOwner resolves user and group names to ids. Numeric ids work without
// /etc/passwd entries (static binary in a minimal container). An empty group
// means the user's primary group.
func lookupOwner(owner, group string) (int, int, error) {
	uid, gid := -1, -1
	if owner != "" {
		if n, err := strconv.Atoi(owner); err == nil {
			uid = n
		} else {
			u, err := user.Lookup(owner)
			if err != nil {
				return 0, 0, fmt.Errorf("unknown user %q: create it first or use a numeric uid", owner)
			}
			uid, _ = strconv.Atoi(u.Uid)
			if group == "" {
				gid, _ = strconv.Atoi(u.Gid)
			}
		}
	}
	if group != "" {
		if n, err := strconv.Atoi(group); err == nil {
			gid = n
		} else {
			g, err := user.LookupGroup(group)
			if err != nil {
				return 0, 0, fmt.Errorf("unknown group %q: create it first or use a numeric gid", group)
			}
			gid, _ = strconv.Atoi(g.Gid)
		}
	}
	return uid, gid, nil
}

func chownPath(path, owner, group string, recursive bool) error {
	if owner == "" && group == "" {
		return nil
	}
	uid, gid, err := lookupOwner(owner, group)
	if err != nil {
		return err
	}
	if !recursive {
		return os.Lchown(path, uid, gid)
	}
	return filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

// perPath is perItem for the modules whose first input is the required path.
func perPath(in any, fn func(m map[string]any, path string) (map[string]any, error)) (output, error) {
	return perItem(in, func(_ int, m map[string]any) (map[string]any, error) {
		path, err := reqString(m, "path")
		if err != nil {
			return nil, err
		}
		return fn(m, path)
	})
}

// readEncoding reads the encoding input (default utf8; a value that is not a
// string counts as the default).
func readEncoding(m map[string]any) (textEncoding, error) {
	encName, _ := optString(m, "encoding", "utf8")
	return parseEncoding(encName)
}

// createAttrs are the inputs CreateFile and CreateFolder share: the
// permissions (as written; empty for the default), owner, group and
// overwrite (default true).
type createAttrs struct {
	perm, owner, group string
	overwrite          bool
}

func readCreateAttrs(m map[string]any) (createAttrs, error) {
	var a createAttrs
	a.perm, _ = optString(m, "permissions", "")
	a.owner, _ = optString(m, "owner", "")
	a.group, _ = optString(m, "group", "")
	var err error
	a.overwrite, err = optBool(m, "overwrite", true)
	return a, err
}

// apply sets the given permissions exactly, then the owner and group, on
// the created path.
func (a createAttrs) apply(path string) error {
	if a.perm != "" {
		mode, err := parseMode(a.perm)
		if err != nil {
			return err
		}
		if err := os.Chmod(path, mode); err != nil {
			return err
		}
	}
	return chownPath(path, a.owner, a.group, false)
}

func createFile(_ context.Context, e *env, in any) (output, error) {
	return perPath(in, func(m map[string]any, path string) (map[string]any, error) {
		content, _ := optString(m, "content", "")
		enc, err := readEncoding(m)
		if err != nil {
			return nil, err
		}
		a, err := readCreateAttrs(m)
		if err != nil {
			return nil, err
		}
		mode := os.FileMode(0o666)
		if a.perm != "" {
			if mode, err = parseMode(a.perm); err != nil {
				return nil, err
			}
		}
		if _, err := os.Lstat(path); err == nil && !a.overwrite {
			return nil, fmt.Errorf("%s already exists and overwrite is false: delete it first or set overwrite: true", path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, append(enc.bom(), enc.encode(content)...), mode); err != nil {
			return nil, err
		}
		// An explicit mode is applied exactly (WriteFile honours umask and
		// keeps an existing file's mode).
		return nil, a.apply(path)
	})
}

func createFolder(_ context.Context, e *env, in any) (output, error) {
	return perPath(in, func(m map[string]any, path string) (map[string]any, error) {
		a, err := readCreateAttrs(m)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(path); err == nil {
			if !st.IsDir() {
				return nil, fmt.Errorf("%s exists and is not a folder", path)
			}
			if !a.overwrite {
				return nil, fmt.Errorf("folder %s already exists and overwrite is false", path)
			}
		}
		if err := os.MkdirAll(path, 0o777); err != nil {
			return nil, err
		}
		return nil, a.apply(path)
	})
}

func createSymlink(_ context.Context, e *env, in any) (output, error) {
	return perPath(in, func(m map[string]any, path string) (map[string]any, error) {
		target, err := reqString(m, "target")
		if err != nil {
			return nil, err
		}
		force, err := optBool(m, "force", false)
		if err != nil {
			return nil, err
		}
		if path, err = filepath.Abs(path); err != nil {
			return nil, err
		}
		if _, err := os.Stat(target); err != nil {
			return nil, fmt.Errorf("symlink target %s does not exist: create it first", target)
		}
		if _, err := os.Lstat(path); err == nil {
			if !force {
				return nil, fmt.Errorf("%s already exists: set force: true to replace it", path)
			}
			if err := os.Remove(path); err != nil {
				return nil, err
			}
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
			return nil, err
		}
		return nil, os.Symlink(target, path)
	})
}

// expand resolves a wildcard in the last path element. Without a wildcard
// the path must exist.
func expand(pattern string) ([]string, bool, error) {
	if !strings.ContainsAny(filepath.Base(pattern), "*?[") {
		if _, err := os.Lstat(pattern); err != nil {
			return nil, false, fmt.Errorf("%s does not exist", pattern)
		}
		return []string{pattern}, false, nil
	}
	if strings.ContainsAny(filepath.Dir(pattern), "*?[") {
		return nil, true, fmt.Errorf("%s: wildcards are allowed only after the last path separator", pattern)
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return nil, true, fmt.Errorf("bad wildcard %s: %w", pattern, err)
	}
	if len(matches) == 0 {
		return nil, true, fmt.Errorf("nothing matches %s", pattern)
	}
	return matches, true, nil
}

// transfer implements CopyFile, CopyFolder, MoveFile and MoveFolder.
func transfer(in any, folders, move bool) (output, error) {
	return perItem(in, func(_ int, m map[string]any) (map[string]any, error) {
		source, dest, err := reqSourceDest(m)
		if err != nil {
			return nil, err
		}
		overwrite, err := optBool(m, "overwrite", true)
		if err != nil {
			return nil, err
		}
		sources, wildcard, err := expand(source)
		if err != nil {
			return nil, err
		}
		intoFolder := wildcard || strings.HasSuffix(dest, "/") || strings.HasSuffix(dest, `\`)
		for _, src := range sources {
			st, err := os.Stat(src)
			if err != nil {
				return nil, err
			}
			if folders != st.IsDir() {
				if wildcard {
					continue // CopyFile *.txt skips folders and vice versa
				}
				if folders {
					return nil, fmt.Errorf("%s is a file: use CopyFile/MoveFile", src)
				}
				return nil, fmt.Errorf("%s is a folder: use CopyFolder/MoveFolder", src)
			}
			target := dest
			if intoFolder {
				target = filepath.Join(dest, filepath.Base(src))
			}
			if _, err := os.Lstat(target); err == nil {
				if !overwrite {
					return nil, fmt.Errorf("%s already exists and overwrite is false: delete it first or set overwrite: true", target)
				}
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o777); err != nil {
				return nil, err
			}
			if move {
				if err := moveTree(src, target, overwrite); err != nil {
					return nil, err
				}
				continue
			}
			if folders {
				err = copyTree(src, target)
			} else {
				err = copyFileData(src, target)
			}
			if err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
}

func moveTree(src, dst string, overwrite bool) error {
	if overwrite {
		if st, err := os.Lstat(dst); err == nil && st.IsDir() {
			if err := os.RemoveAll(dst); err != nil {
				return err
			}
		}
	}
	err := os.Rename(src, dst)
	var le *os.LinkError
	if errors.As(err, &le) && errors.Is(le.Err, syscall.EXDEV) {
		// Another file system: copy, then remove the source.
		st, serr := os.Stat(src)
		if serr != nil {
			return serr
		}
		if st.IsDir() {
			err = copyTree(src, dst)
		} else {
			err = copyFileData(src, dst)
		}
		if err == nil {
			err = os.RemoveAll(src)
		}
	}
	return err
}

func copyFileData(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, st.Mode().Perm())
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			_ = os.Remove(target)
			return os.Symlink(link, target)
		case d.IsDir():
			info, err := d.Info()
			if err != nil {
				return err
			}
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		default:
			return copyFileData(p, target)
		}
	})
}

func deleteFile(_ context.Context, e *env, in any) (output, error) {
	return perPath(in, func(m map[string]any, path string) (map[string]any, error) {
		paths, wildcard, err := expand(path)
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			st, err := os.Lstat(p)
			if err != nil {
				return nil, err
			}
			if st.IsDir() {
				if wildcard {
					continue
				}
				return nil, fmt.Errorf("%s is a folder: use DeleteFolder", p)
			}
			if err := os.Remove(p); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
}

func deleteFolder(_ context.Context, e *env, in any) (output, error) {
	return perPath(in, func(m map[string]any, path string) (map[string]any, error) {
		force, err := optBool(m, "force", false)
		if err != nil {
			return nil, err
		}
		st, err := os.Lstat(path)
		if err != nil {
			return nil, fmt.Errorf("folder %s does not exist", path)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("%s is not a folder: use DeleteFile", path)
		}
		if force {
			return nil, os.RemoveAll(path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("folder %s is not empty: set force: true to delete its contents too", path)
		}
		return nil, nil
	})
}

func listFiles(_ context.Context, e *env, in any) (output, error) {
	return perPath(in, func(m map[string]any, path string) (map[string]any, error) {
		pattern, _ := optString(m, "fileNamePattern", "*")
		if pattern == "" {
			pattern = "*"
		}
		recursive, err := optBool(m, "recursive", false)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(path); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("folder %s does not exist", path)
		}
		var files []string
		err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != path && !recursive {
					return filepath.SkipDir
				}
				return nil
			}
			if ok, _ := filepath.Match(pattern, d.Name()); ok {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		return map[string]any{"files": strings.Join(files, ",")}, nil
	})
}

func readFile(_ context.Context, e *env, in any) (output, error) {
	return perPath(in, func(m map[string]any, path string) (map[string]any, error) {
		enc, err := readEncoding(m)
		if err != nil {
			return nil, err
		}
		print, err := optBool(m, "printFileContent", false)
		if err != nil {
			return nil, err
		}
		// ReadFile's content is held in memory and chained: bounded like
		// a step's stdout, and never read from a FIFO or a device.
		b, err := toedoc.ReadRegularFile(path, maxKeptOutput, "ReadFile", "print it with ExecuteBash (cat) or pass the path to the next step instead of its content")
		if err != nil {
			return nil, err
		}
		text, err := enc.decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if print {
			fmt.Fprintln(e.console, text)
		}
		return map[string]any{"content": text}, nil
	})
}

func appendFile(_ context.Context, e *env, in any) (output, error) {
	return perPath(in, func(m map[string]any, path string) (map[string]any, error) {
		content, _ := optString(m, "content", "")
		enc, err := readEncoding(m)
		if err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s does not exist: create it first with CreateFile", path)
			}
			return nil, err
		}
		if _, err := f.Write(enc.encode(content)); err != nil {
			f.Close()
			return nil, err
		}
		return nil, f.Close()
	})
}

func setFileEncoding(_ context.Context, e *env, in any) (output, error) {
	return perPath(in, func(m map[string]any, path string) (map[string]any, error) {
		enc, err := readEncoding(m)
		if err != nil {
			return nil, err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		text, err := detectEncoding(b).decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		return nil, os.WriteFile(path, append(enc.bom(), enc.encode(text)...), st.Mode().Perm())
	})
}

// checkTarget is what SetFile/SetFolder Owner and Permissions share once their
// own inputs are read: the folder variants' recursive input (default true), and
// that path exists and is a folder for them, a file otherwise. what ("Owner",
// "Permissions") names the module to use instead.
func checkTarget(m map[string]any, path string, folder bool, what string) (recursive bool, err error) {
	if folder {
		if recursive, err = optBool(m, "recursive", true); err != nil {
			return false, err
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("%s does not exist", path)
	}
	if folder != st.IsDir() {
		if folder {
			return false, fmt.Errorf("%s is a file: use SetFile%s", path, what)
		}
		return false, fmt.Errorf("%s is a folder: use SetFolder%s", path, what)
	}
	return recursive, nil
}

func setOwner(in any, folder bool) (output, error) {
	return perPath(in, func(m map[string]any, path string) (map[string]any, error) {
		owner, err := reqString(m, "owner")
		if err != nil {
			return nil, err
		}
		group, _ := optString(m, "group", "")
		recursive, err := checkTarget(m, path, folder, "Owner")
		if err != nil {
			return nil, err
		}
		return nil, chownPath(path, owner, group, recursive)
	})
}

func setPermissions(in any, folder bool) (output, error) {
	return perPath(in, func(m map[string]any, path string) (map[string]any, error) {
		permText, err := reqString(m, "permissions")
		if err != nil {
			return nil, err
		}
		mode, err := parseMode(permText)
		if err != nil {
			return nil, err
		}
		recursive, err := checkTarget(m, path, folder, "Permissions")
		if err != nil {
			return nil, err
		}
		if !recursive {
			return nil, os.Chmod(path, mode)
		}
		return nil, filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type()&fs.ModeSymlink != 0 {
				return nil
			}
			return os.Chmod(p, mode)
		})
	})
}
