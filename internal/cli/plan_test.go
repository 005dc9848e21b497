package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/internal/testutil"
)

// exampleRepo copies testdata/example into a git repository with the
// example on main and a feature branch that edits a component document
// without raising its version.
func exampleRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../testdata/example")); err != nil {
		t.Fatal(err)
	}
	repo := testutil.NewRepo(t, dir, time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	repo.Commit("chore: example")
	repo.Checkout("feature", true)
	p := filepath.Join(dir, "components", "smoke-tests.yaml")
	data, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(data, []byte("echo ok"), []byte("echo okay"), 1), 0o644)
	repo.Commit("feat(smoke): louder")
	return dir
}

func executeOut(t *testing.T, args ...string) (int, string) {
	t.Helper()
	code, out, _ := cli(t, args...)
	return code, out
}

func TestPlanBumpLintBase(t *testing.T) {
	dir := exampleRepo(t)
	out := filepath.Join(t.TempDir(), "lint.json")

	// lint --base: the changed component did not raise its version.
	code, _ := executeOut(t, "lint", "--root", dir, "--base", "main", "--format", "json", "--output", out)
	if code != exitFindings {
		t.Fatalf("lint --base exit %d, want %d", code, exitFindings)
	}
	data, _ := os.ReadFile(out)
	if !strings.Contains(string(data), `"version-not-raised"`) || !strings.Contains(string(data), "components/smoke-tests.yaml") {
		t.Errorf("lint --base report lacks version-not-raised:\n%s", data)
	}
	// The fix lint suggests is the version bump writes (a feat: minor).
	if !strings.Contains(string(data), "set version: 1.1.0") {
		t.Errorf("lint --base does not ask for the 1.1.0 bump writes:\n%s", data)
	}

	code, stdout := executeOut(t, "plan", "--root", dir, "--base", "main", "--format", "json")
	if code != exitOK {
		t.Fatalf("plan exit %d", code)
	}
	var p struct {
		Changes []struct{ Name, Change, FromVersion, ToVersion, Bump string }
		Builds  []struct{ Name, Version string }
	}
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatalf("plan json: %v\n%s", err, stdout)
	}
	if len(p.Changes) == 0 || p.Changes[0].Name != "smoke-tests" || p.Changes[0].ToVersion != "1.1.0" || p.Changes[0].Bump != "minor" {
		t.Errorf("plan changes = %+v", p.Changes)
	}

	code, stdout = executeOut(t, "bump", "--root", dir, "--base", "main", "--write")
	if code != exitOK || !strings.Contains(stdout, "component smoke-tests 1.0.0 -> 1.1.0") {
		t.Fatalf("bump --write exit %d:\n%s", code, stdout)
	}
	// After the bump the work tree passes lint --base.
	if code, _ := executeOut(t, "lint", "--root", dir, "--base", "main", "--format", "json", "--output", out); code != exitOK {
		data, _ := os.ReadFile(out)
		t.Errorf("lint --base after bump exit %d:\n%s", code, data)
	}

	for _, args := range [][]string{
		{"plan", "--root", dir, "--base", "no-such-ref", "--format", "text"},
		{"plan", "--root", dir, "--base", "main", "--format", "yaml"},
		{"lint", "--root", dir, "--base", "no-such-ref", "--format", "text", "--output", out},
	} {
		if code, _ := executeOut(t, args...); code != exitCannot {
			t.Errorf("%v: exit %d, want %d", args, code, exitCannot)
		}
	}
}
