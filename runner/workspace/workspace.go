// Package workspace finds where a repository is on disk: the folder
// ibgitops treats as the root (the nearest one holding ibgitops.yaml, as git
// finds .git) and the git top level, so that every path a CI host sees is
// relative to the top level its diff uses.
package workspace

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/ibgitops/ibgitops/recipes/diag"
)

// ConfigFile is the file that marks an ibgitops root.
const ConfigFile = "ibgitops.yaml"

// FindRoot returns the folder ibgitops works on when --root is not given:
// the nearest folder at or above start that holds ibgitops.yaml, searching
// no higher than the git top level (a repository inside another does not
// take its parent's settings); else the git top level; else start itself
// (a folder of YAML files that is no repository).
func FindRoot(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		if isFile(filepath.Join(d, ConfigFile)) {
			return d, nil
		}
		if isGitTop(d) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir, nil
		}
		d = parent
	}
}

// TopLevel returns the git top level holding dir, or "" when dir is in no
// git work tree.
func TopLevel(dir string) string {
	d, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if isGitTop(d) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// Prefix is root's path relative to its git top level, slash-separated,
// "" when root is the top level or in no repository: what to put in front
// of a root-relative path so that a host attaches it to its diff.
func Prefix(root string) string {
	top := TopLevel(root)
	if top == "" {
		return ""
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return ""
	}
	// Compare resolved paths: a root reached through a symlink is still
	// inside its repository.
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	if t, err := filepath.EvalSymlinks(top); err == nil {
		top = t
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return ""
	}
	return filepath.ToSlash(rel)
}

// PrefixFindings makes the root-relative files of findings relative to the
// top level, in place.
func PrefixFindings(prefix string, findings []diag.Finding) {
	if prefix == "" {
		return
	}
	for i := range findings {
		f := findings[i].File
		// Every finding's file is relative to the root (a path that already
		// starts with the prefix is a folder of that name inside the root).
		if f == "" || path.IsAbs(f) || filepath.IsAbs(f) {
			continue
		}
		findings[i].File = path.Join(prefix, f)
	}
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// isGitTop: a work tree's top level holds .git, a folder (a clone) or a
// file (a worktree or submodule).
func isGitTop(d string) bool {
	_, err := os.Lstat(filepath.Join(d, ".git"))
	return err == nil
}
