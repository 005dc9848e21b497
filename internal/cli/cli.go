// Package cli is the command tree of ibgitops: flags and wiring only;
// every command's logic lives in recipes/ and runner/. Two binaries run it
// (issue #15): cmd/ibgitops, the one users and pre-commit hooks start,
// without the AWS SDK, the GitHub/GitLab API clients and the AWSTOE
// executor, so that it starts in a few milliseconds; and
// cmd/ibgitops-full, which links them. ibgitops hands the commands that
// need them (Full's doc lists them) to ibgitops-full, with the same
// arguments, so both print the same help and take the same flags.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/internal/version"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
)

// Exit codes shared by every command (internal/exitcodes names them all).
const (
	exitOK       = exitcodes.OK
	exitFindings = exitcodes.Findings
	exitCannot   = exitcodes.Cannot
)

// withCode wraps err so that main exits with code.
func withCode(code int, err error) error { return exitcodes.With(code, err) }

// subcommands are the commands of ibgitops with their constructors; those
// that run in ibgitops-full say what they need from it (markFull).
var subcommands = []struct {
	name string
	new  func() *cobra.Command
}{
	{"lint", newLintCmd},
	{"plan", newPlanCmd},
	{"bump", newBumpCmd},
	{"build", func() *cobra.Command { return markFull(newBuildCmd(), "the build backends") }},
	{"status", func() *cobra.Command { return markFull(newStatusCmd(), "the backends") }},
	{"import", func() *cobra.Command { return markFull(newImportCmd(), "the aws backend") }},
	{"run", func() *cobra.Command {
		return markFull(newRunCmd(), "the build backends and the CI hosts' API clients")
	}},
	{"release", func() *cobra.Command {
		return markFull(newReleaseCmd(), "the build backends and the CI hosts' API clients")
	}},
	{"images", newImagesCmd},
	{"schema", newSchemaCmd},
	{"toe", newToeCmd},
	{"version", newVersionCmd},
	{"init", newInitCmd},
}

// newRootCmd builds a fresh command tree. Nothing is kept between two
// calls, so every in-process execution (tests) starts from the defaults a
// new process would have.
func newRootCmd() *cobra.Command {
	root := newRoot()
	for _, c := range subcommands {
		root.AddCommand(c.new())
	}
	addCompletions(root)
	return root
}

// newRootCmdFor builds the tree args run in: when args[0] names a command,
// the root with only that command (the others' flags and the completions
// were about 400 allocations of every start, issue #15); for help,
// completion, a flag or an unknown name first, the whole tree.
func newRootCmdFor(args []string) *cobra.Command {
	if len(args) > 0 {
		for _, c := range subcommands {
			if c.name == args[0] {
				root := newRoot()
				root.AddCommand(c.new())
				return root
			}
		}
	}
	return newRootCmd()
}

// newRoot is the root command, without subcommands.
func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "ibgitops",
		Short: "GitOps for EC2 Image Builder: lint, plan, bump, build, test, distribute and report",
		Long: "GitOps for EC2 Image Builder: lint, plan, bump, build, test, distribute and report.\n" +
			"Every command works on the folder holding ibgitops.yaml: --root, else the nearest one at or above\n" +
			"the current folder, else the git top level. Guides: docs/ in the ibgitops repository.\n" +
			"Exit codes, for every command: 0 passed, 1 findings or a failed build, 2 could not run.",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Runs before every command (none defines its own pre-run): in
		// ibgitops, a command that needs ibgitops-full is handed to it here.
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if full == nil && needsFull(cmd) {
				return delegate(cmd)
			}
			return findRoot(cmd, args)
		},
		// --version prints what `ibgitops version` prints.
		Version: version.String(),
	}
	root.SetVersionTemplate("ibgitops {{.Version}}\n")
	return root
}

// Full is what only ibgitops-full links. Besides these entries, its main
// package links runner/full, which registers the aws backend and the
// GitHub and GitLab hosts.
type Full struct {
	// ToeRun runs `toe run` (runner/toe.RunCommand).
	ToeRun func(ctx context.Context, f toedoc.RunFlags, stdout, stderr io.Writer) (int, error)
}

// full is the running binary's Full, nil in ibgitops: then the commands
// that need it are handed to ibgitops-full (delegate.go).
var full *Full

// Main runs the command line of os.Args and exits: f is nil for ibgitops,
// the parts ibgitops-full links for it.
func Main(f *Full) {
	full = f
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}

// execute runs the CLI and returns the process exit code. The first
// SIGINT/SIGTERM cancels the context so commands clean up; a second one
// exits at once.
func execute(args []string, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		fmt.Fprintln(stderr, "ibgitops: interrupted: cleaning up what this run started (interrupt again to exit at once)")
		cancel()
		if _, ok := <-sigs; ok {
			os.Exit(exitcodes.Interrupted)
		}
	}()
	return executeContext(ctx, args, stdout, stderr)
}

// executeContext runs one fresh command tree under ctx.
func executeContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmdFor(args)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if msg := exitcodes.Message(err); msg != "" {
		// Errors quote paths and names from the repository.
		fmt.Fprintln(stderr, "ibgitops:", escape.TermLines(msg))
	}
	return exitcodes.Of(err)
}
