package cli

import (
	"bytes"
	"context"
	"testing"
)

// cli runs `ibgitops args...` in-process on a fresh command tree, as a new
// process would, and returns its exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = executeContext(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// Two executions share nothing: a slice flag does not keep the first run's
// values and the second run does not inherit its cancelled context.
func TestFreshTreePerExecution(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	// A cancelled first execution must not leak into the next one.
	executeContext(ctx, []string{"version"}, &out, &out)
	a, b := newRootCmd(), newRootCmd()
	if a == b {
		t.Fatal("newRootCmd returned the same tree twice")
	}
	for _, c := range a.Commands() {
		if c.Context() != nil {
			t.Errorf("%s: a fresh tree carries a context", c.Name())
		}
	}
	ba, _, _ := a.Find([]string{"build"})
	if err := ba.Flags().Set("only", "x"); err != nil {
		t.Fatal(err)
	}
	bb, _, _ := b.Find([]string{"build"})
	if got := bb.Flags().Lookup("only").Value.String(); got != "[]" {
		t.Errorf("second tree's --only = %s, want the default []", got)
	}
	code, stdout, _ := cli(t, "version")
	if code != exitOK || stdout == "" {
		t.Errorf("version after a cancelled run: exit %d, %q", code, stdout)
	}
}
