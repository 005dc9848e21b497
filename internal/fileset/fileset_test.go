package fileset

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// bumpEdit replaces "1.0.0" with "1.0.1", failing as yamledit does when
// the file no longer holds the old value.
func bumpEdit(old []byte) ([]byte, error) {
	if !bytes.Contains(old, []byte("1.0.0")) {
		return nil, errors.New("the file changed since it was read")
	}
	return bytes.Replace(old, []byte("1.0.0"), []byte("1.0.1"), 1), nil
}

// tree writes files (a value starting with "->" makes a symlink) and
// returns the root.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// snapshot records every entry under root: regular files by content,
// links by target, so a test sees any file added, replaced or changed.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "->" + target
		case fi.Mode().IsRegular():
			data, _ := os.ReadFile(p)
			out[rel] = string(data) + " mode " + fi.Mode().Perm().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func changes(paths ...string) []Change {
	var cs []Change
	for _, p := range paths {
		cs = append(cs, Change{Path: p, Edit: bumpEdit})
	}
	return cs
}

func TestWriteThroughSymlinks(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		path    string
		target  string // the file that must hold 1.0.1
		link    string // the link that must stay a link
		written string // Written.String()
	}{
		{name: "plain file", files: map[string]string{"c/web.yaml": "version: 1.0.0\n"},
			path: "c/web.yaml", target: "c/web.yaml", written: "c/web.yaml"},
		{name: "file link", files: map[string]string{"shared/web.txt": "version: 1.0.0\n", "c/web.yaml": "->../shared/web.txt"},
			path: "c/web.yaml", target: "shared/web.txt", link: "c/web.yaml",
			written: "c/web.yaml (through the symlink, into shared/web.txt)"},
		{name: "link chain", files: map[string]string{"shared/web.txt": "version: 1.0.0\n", "shared/hop": "->web.txt", "c/web.yaml": "->../shared/hop"},
			path: "c/web.yaml", target: "shared/web.txt", link: "c/web.yaml",
			written: "c/web.yaml (through the symlink, into shared/web.txt)"},
		{name: "linked folder", files: map[string]string{"real/web.yaml": "version: 1.0.0\n", "c": "->real"},
			path: "c/web.yaml", target: "real/web.yaml", link: "c",
			written: "c/web.yaml (through the symlink, into real/web.yaml)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := tree(t, tc.files)
			written, err := Write(root, changes(tc.path))
			if err != nil {
				t.Fatal(err)
			}
			if len(written) != 1 || written[0].String() != tc.written {
				t.Errorf("written = %v, want %s", written, tc.written)
			}
			got, err := os.ReadFile(filepath.Join(root, tc.target))
			if err != nil || string(got) != "version: 1.0.1\n" {
				t.Errorf("%s = %q, %v; want the bumped version", tc.target, got, err)
			}
			if tc.link != "" {
				fi, err := os.Lstat(filepath.Join(root, tc.link))
				if err != nil || fi.Mode()&os.ModeSymlink == 0 {
					t.Errorf("%s is no longer a symlink: %v %v", tc.link, fi.Mode(), err)
				}
			}
			if fi, err := os.Stat(filepath.Join(root, tc.target)); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("mode of %s = %v, %v; want 0644 kept", tc.target, fi.Mode(), err)
			}
			assertNoTemps(t, root)
		})
	}
}

// Every refusal leaves every file as it was, whichever position the bad
// file has among the changes.
func TestWriteAllOrNothing(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "web.yaml"), []byte("version: 1.0.0\n"), 0o644)
	good := []string{"a/one.yaml", "b/two.yaml"}
	cases := []struct {
		name    string
		files   map[string]string
		bad     string
		prepare func(t *testing.T, root string)
		want    string
	}{
		{name: "read-only folder", bad: "ro/three.yaml",
			files:   map[string]string{"ro/three.yaml": "version: 1.0.0\n"},
			prepare: func(t *testing.T, root string) { chmod(t, filepath.Join(root, "ro"), 0o555) },
			want:    "its folder ro is read-only (mode 0555); nothing was changed: make it writable (chmod u+w ro)"},
		{name: "read-only file", bad: "ro/three.yaml",
			files:   map[string]string{"ro/three.yaml": "version: 1.0.0\n"},
			prepare: func(t *testing.T, root string) { chmod(t, filepath.Join(root, "ro/three.yaml"), 0o444) },
			want:    "ro/three.yaml is read-only (mode 0444); nothing was changed"},
		{name: "link out of the repository", bad: "c/web.yaml",
			files: map[string]string{"c/web.yaml": "->" + filepath.Join(outside, "web.yaml")},
			want:  "c/web.yaml is a symlink to " + filepath.Join(outside, "web.yaml") + ", outside the repository; bump writes only files inside it: replace the link with a copy"},
		{name: "relative link climbing out", bad: "c/web.yaml",
			prepare: func(t *testing.T, root string) {
				rel, _ := filepath.Rel(filepath.Join(root, "c"), filepath.Join(outside, "web.yaml"))
				if err := os.MkdirAll(filepath.Join(root, "c"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(rel, filepath.Join(root, "c/web.yaml")); err != nil {
					t.Fatal(err)
				}
			},
			want: "outside the repository"},
		{name: "dangling link", bad: "c/web.yaml",
			files: map[string]string{"c/web.yaml": "->gone.yaml"},
			want:  "c/web.yaml does not exist (a dangling symlink?)"},
		{name: "stale file", bad: "c/web.yaml",
			files: map[string]string{"c/web.yaml": "version: 1.0.7\n"},
			want:  "c/web.yaml: the file changed since it was read"},
		{name: "folder, not a file", bad: "c/web.yaml",
			files: map[string]string{"c/web.yaml/x": "x"},
			want:  "c/web.yaml is not a regular file"},
		{name: "a file and a link to it", bad: "c/link.yaml",
			files: map[string]string{"c/link.yaml": "->../a/one.yaml"},
			want:  "a/one.yaml and c/link.yaml are the same file a/one.yaml (through a symlink)"},
	}
	for _, tc := range cases {
		for pos := 0; pos <= len(good); pos++ {
			paths := slices.Insert(slices.Clone(good), pos, tc.bad)
			if tc.name == "a file and a link to it" && pos == 0 {
				continue // the message names the first of the two
			}
			t.Run(tc.name+"/at "+string(rune('0'+pos)), func(t *testing.T) {
				files := map[string]string{"a/one.yaml": "version: 1.0.0\n", "b/two.yaml": "version: 1.0.0\n"}
				for k, v := range tc.files {
					files[k] = v
				}
				root := tree(t, files)
				if tc.prepare != nil {
					tc.prepare(t, root)
				}
				before := snapshot(t, root)
				_, err := Write(root, changes(paths...))
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.want)
				}
				if after := snapshot(t, root); !equalMaps(before, after) {
					t.Errorf("files changed although the write was refused:\nbefore %v\nafter  %v", before, after)
				}
			})
		}
	}
}

// A write that fails after some targets were replaced (a full disk, a
// folder changed under us) puts the replaced ones back.
func TestWriteRollsBack(t *testing.T) {
	paths := []string{"a/one.yaml", "b/two.yaml", "c/three.yaml", "d/link.yaml"}
	for _, fault := range []string{"create", "rename"} {
		for failAt := range len(paths) {
			t.Run(fault+"/at "+string(rune('0'+failAt)), func(t *testing.T) {
				root := tree(t, map[string]string{
					"a/one.yaml": "version: 1.0.0\n", "b/two.yaml": "version: 1.0.0\n", "c/three.yaml": "version: 1.0.0\n",
					"shared/four.txt": "version: 1.0.0\n", "d/link.yaml": "->../shared/four.txt",
				})
				chmod(t, filepath.Join(root, "c/three.yaml"), 0o600)
				before := snapshot(t, root)
				calls := 0
				boom := errors.New("no space left on device")
				if fault == "create" {
					createTemp = func(dir, pattern string) (*os.File, error) {
						if calls++; calls == failAt+1 {
							return nil, boom
						}
						return os.CreateTemp(dir, pattern)
					}
				} else {
					rename = func(from, to string) error {
						if calls++; calls == failAt+1 {
							return boom
						}
						return os.Rename(from, to)
					}
				}
				t.Cleanup(func() { createTemp, rename = os.CreateTemp, os.Rename })
				_, err := Write(root, changes(paths...))
				if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), "nothing was changed") {
					t.Fatalf("err = %v", err)
				}
				if after := snapshot(t, root); !equalMaps(before, after) {
					t.Errorf("not rolled back:\nbefore %v\nafter  %v", before, after)
				}
			})
		}
	}
}

// When even the rollback fails, the error lists the files left bumped.
func TestWriteRollbackFailureNamesFiles(t *testing.T) {
	root := tree(t, map[string]string{"a/one.yaml": "version: 1.0.0\n", "b/two.yaml": "version: 1.0.0\n"})
	calls := 0
	rename = func(from, to string) error {
		if calls++; calls >= 2 {
			return errors.New("input/output error")
		}
		return os.Rename(from, to)
	}
	t.Cleanup(func() { rename = os.Rename })
	_, err := Write(root, changes("a/one.yaml", "b/two.yaml"))
	if err == nil || !strings.Contains(err.Error(), "restoring the files already written failed for a/one.yaml: restore them with `git checkout -- FILE`") {
		t.Fatalf("err = %v", err)
	}
	assertNoTemps(t, root)
}

func chmod(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	// TempDir's cleanup must be able to remove what is inside.
	t.Cleanup(func() { os.Chmod(p, 0o755) })
}

func assertNoTemps(t *testing.T, root string) {
	t.Helper()
	for name := range snapshot(t, root) {
		if strings.Contains(name, ".ibgitops-") {
			t.Errorf("temporary file left: %s", name)
		}
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
