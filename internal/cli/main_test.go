package cli

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/spf13/cobra"
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

// The tree of one command (newRootCmdFor) says what the whole tree says:
// each command's name is its entry's, and its help and a bad flag's error
// read the same either way.
func TestOneCommandTree(t *testing.T) {
	run := func(root *cobra.Command, args []string) string {
		var out bytes.Buffer
		root.SetArgs(args)
		root.SetOut(&out)
		root.SetErr(&out)
		err := root.Execute()
		return fmt.Sprintf("%s\nerr: %v", out.String(), err)
	}
	whole := newRootCmd()
	if len(whole.Commands()) != len(subcommands) {
		t.Fatalf("the tree has %d commands, subcommands %d", len(whole.Commands()), len(subcommands))
	}
	for _, c := range subcommands {
		if got := c.new().Name(); got != c.name {
			t.Errorf("subcommands entry %q builds %q", c.name, got)
		}
		one := newRootCmdFor([]string{c.name})
		if len(one.Commands()) != 1 {
			t.Errorf("%s: newRootCmdFor built %d commands, want 1", c.name, len(one.Commands()))
		}
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "--no-such-flag"}} {
			if got, want := run(newRootCmdFor(args), args), run(newRootCmd(), args); got != want {
				t.Errorf("%v: the one-command tree prints\n%s\nthe whole tree\n%s", args, got, want)
			}
		}
	}
	for _, args := range [][]string{{"help"}, {"--version"}, {"nosuch"}, {}} {
		if n := len(newRootCmdFor(args).Commands()); n != len(subcommands) {
			t.Errorf("%v: %d commands, want the whole tree", args, n)
		}
	}
}
