package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Git runs the git binary in dir with a fixed author, committer and date
// (t <t@example.com>, 2026-01-01T00:00:00Z) and no global or system
// configuration, so that commit ids are stable; it returns the trimmed
// output and fails the test when git fails. It skips the test when git is
// not installed.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := gitCmd(t, dir, args).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// GitBytes is Git returning standard output as it is (object contents).
func GitBytes(t testing.TB, dir string, args ...string) []byte {
	t.Helper()
	cmd := gitCmd(t, dir, args)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

func gitCmd(t testing.TB, dir string, args []string) *exec.Cmd {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: this test makes its repositories with it")
	}
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	return cmd
}

// ExampleHistory turns dir, a copy of testdata/example, into the history the
// run tests use (with Git, so the ids are stable): a base commit of the
// example as it is, then a head commit that changes
// components/smoke-tests.yaml (version 1.1.0 and one more line) and adds the
// extra files (path -> content). It returns both commit ids.
func ExampleHistory(t testing.TB, dir string, extra map[string]string) (base, head string) {
	t.Helper()
	Git(t, dir, "init", "-q", "-b", "main")
	Git(t, dir, "add", ".")
	Git(t, dir, "commit", "-q", "-m", "initial")
	base = Git(t, dir, "rev-parse", "HEAD")
	f := filepath.Join(dir, "components", "smoke-tests.yaml")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	data = regexp.MustCompile(`(?m)^version: .*$`).ReplaceAll(data, []byte("version: 1.1.0"))
	data = append(data, []byte("# checks the banner too\n")...)
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, content := range extra {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	Git(t, dir, "add", ".")
	Git(t, dir, "commit", "-q", "-m", "feat: smoke tests check the banner")
	return base, Git(t, dir, "rev-parse", "HEAD")
}
