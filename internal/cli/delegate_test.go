package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Which commands ibgitops hands to ibgitops-full: those that need the AWS
// SDK, the CI hosts' API clients or the AWSTOE executor, and plan only
// with --backend.
func TestNeedsFull(t *testing.T) {
	cases := []struct {
		args []string
		want bool
	}{
		{[]string{"version"}, false},
		{[]string{"lint"}, false},
		{[]string{"plan"}, false},
		{[]string{"plan", "--backend", "aws"}, true},
		{[]string{"bump", "--write"}, false},
		{[]string{"schema"}, false},
		{[]string{"init"}, false},
		{[]string{"images"}, false},
		{[]string{"toe", "validate", "-d", "a.yaml"}, false},
		{[]string{"toe", "run", "-d", "a.yaml"}, true},
		{[]string{"build"}, true},
		{[]string{"status"}, true},
		{[]string{"import"}, true},
		{[]string{"run"}, true},
		{[]string{"release", "--tag", "x/v1.0.0"}, true},
	}
	for _, c := range cases {
		root := newRootCmd()
		cmd, rest, err := root.Find(c.args)
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.ParseFlags(rest); err != nil {
			t.Fatal(err)
		}
		if got := needsFull(cmd); got != c.want {
			t.Errorf("%s: needsFull = %v, want %v", strings.Join(c.args, " "), got, c.want)
		}
	}
}

// The built ibgitops hands `toe run` to the ibgitops-full beside it (the
// error is the executor's), and without one says what to install.
func TestDelegateToFull(t *testing.T) {
	bin := ibgitopsBinary(t)
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	out, err := exec.Command(bin, "toe", "run", "-d", missing).CombinedOutput()
	if code := exitCodeOf(err); code != exitCannot || !strings.Contains(string(out), "read document "+missing) {
		t.Errorf("toe run through ibgitops-full: exit %d (%v)\n%s", code, err, out)
	}
	alone := filepath.Join(t.TempDir(), filepath.Base(bin))
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(alone, "toe", "run", "-d", missing)
	cmd.Env = append(os.Environ(), "PATH="+t.TempDir())
	out, err = cmd.CombinedOutput()
	if code := exitCodeOf(err); code != exitCannot || !strings.Contains(string(out), "runs in ibgitops-full") || !strings.Contains(string(out), "not installed") {
		t.Errorf("toe run without ibgitops-full: exit %d (%v)\n%s", code, err, out)
	}
	cmd = exec.Command(alone, "version")
	cmd.Env = append(os.Environ(), "PATH="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "ibgitops ") {
		t.Errorf("version without ibgitops-full: %v\n%s", err, out)
	}
}

func exitCodeOf(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
