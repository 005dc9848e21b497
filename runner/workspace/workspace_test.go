package workspace

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/diag"
)

// tree makes files (a trailing / makes a folder) under a new temp folder.
func tree(t *testing.T, paths ...string) string {
	dir := t.TempDir()
	for _, p := range paths {
		full := filepath.Join(dir, p)
		if p[len(p)-1] == '/' {
			os.MkdirAll(full, 0o755)
			continue
		}
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte("x: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFindRoot(t *testing.T) {
	for _, tc := range []struct {
		name  string
		paths []string
		start string
		want  string
	}{
		{"config at the top, from a subfolder", []string{".git/", "ibgitops.yaml", "recipes/a.yaml"}, "recipes", "."},
		{"config at the top, from deep down", []string{".git/", "ibgitops.yaml", "components/docs/x/"}, "components/docs/x", "."},
		{"config in a folder of its own", []string{".git/", "images/ibgitops.yaml", "images/recipes/"}, "images/recipes", "images"},
		{"nearest config wins", []string{".git/", "ibgitops.yaml", "images/ibgitops.yaml", "images/recipes/"}, "images/recipes", "images"},
		{"no config: the git top level", []string{".git/", "recipes/"}, "recipes", "."},
		{"worktree or submodule: .git is a file", []string{".git", "recipes/"}, "recipes", "."},
		{"a nested repository keeps its own top", []string{"ibgitops.yaml", "inner/.git/", "inner/recipes/"}, "inner/recipes", "inner"},
		{"no repository: the nearest config", []string{"ibgitops.yaml", "recipes/"}, "recipes", "."},
		{"config beside .git in the start folder", []string{".git/", "ibgitops.yaml"}, ".", "."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tree(t, tc.paths...)
			got, err := FindRoot(filepath.Join(dir, tc.start))
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(dir, tc.want); got != want {
				t.Errorf("FindRoot(%s) = %s, want %s", tc.start, got, want)
			}
		})
	}
}

func TestFindRootWithoutRepositoryOrConfig(t *testing.T) {
	// Temp folders sit in no repository on a CI machine; guard anyway.
	dir := tree(t, "a/b/")
	if TopLevel(dir) != "" {
		t.Skip("the temp folder is inside a git work tree")
	}
	got, err := FindRoot(filepath.Join(dir, "a/b"))
	if err != nil || got != filepath.Join(dir, "a/b") {
		t.Errorf("FindRoot = %s, %v; want the start folder", got, err)
	}
}

func TestPrefixFindings(t *testing.T) {
	dir := tree(t, ".git/", "images/ibgitops.yaml", "images/images/")
	for _, tc := range []struct {
		root, file, want string
	}{
		{"images", "recipes/app.yaml", "images/recipes/app.yaml"},
		{"images", "images/x.yaml", "images/images/x.yaml"}, // a folder named like the prefix inside the root
		{"images", "", ""},
		{".", "recipes/app.yaml", "recipes/app.yaml"},
	} {
		f := []diag.Finding{{File: tc.file}}
		PrefixFindings(Prefix(filepath.Join(dir, tc.root)), f)
		if f[0].File != tc.want {
			t.Errorf("root %s, file %q: got %q, want %q", tc.root, tc.file, f[0].File, tc.want)
		}
	}
	if p := Prefix(t.TempDir()); p != "" {
		t.Errorf("a folder in no repository has prefix %q", p)
	}
}
