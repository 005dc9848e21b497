// Command ibgitops is GitOps for EC2 Image Builder. This package holds flags
// and wiring only; every command's logic lives in recipes/ and runner/.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes shared by every command.
const (
	exitOK       = 0
	exitFindings = 1 // lint errors, a failed build, a failed step
	exitCannot   = 2 // could not run: bad flags, unreadable input, no engine
)

// exitError carries an exit code through cobra. A nil err with a code means
// "the output already said everything".
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// withCode wraps err so that main exits with code.
func withCode(code int, err error) error { return &exitError{code: code, err: err} }

var rootCmd = &cobra.Command{
	Use:           "ibgitops",
	Short:         "GitOps for EC2 Image Builder: lint, plan, bump, build, test, distribute and report",
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	os.Exit(execute(os.Args[1:]))
}

// execute runs the CLI and returns the process exit code. The first
// SIGINT/SIGTERM cancels the context so commands clean up; a second one
// exits at once.
func execute(args []string) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		fmt.Fprintln(os.Stderr, "ibgitops: interrupted: cleaning up what this run started (interrupt again to exit at once)")
		cancel()
		if _, ok := <-sigs; ok {
			os.Exit(130)
		}
	}()

	rootCmd.SetArgs(args)
	err := rootCmd.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "ibgitops:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "ibgitops:", err)
	return exitCannot
}
