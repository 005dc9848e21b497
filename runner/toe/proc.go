package toe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
)

// rebootExitCode is the exit code with which a step (ExecuteBash,
// ExecuteBinary) asks AWSTOE to reboot the machine and run the same step
// again, and the exit code with which `toe run` tells its caller to reboot.
const rebootExitCode = exitcodes.Reboot

// errRebootRequested is returned by a module whose process exited with 194
// or by the Reboot module; the executor saves its state and stops.
type errRebootRequested struct {
	rerunStep bool // true: run the same step again after the reboot (exit 194)
}

func (e *errRebootRequested) Error() string {
	if e.rerunStep {
		return "the step exited with 194: reboot requested; the step runs again after the reboot"
	}
	return "reboot requested"
}

// pipeGrace bounds how long a finished step's output pipes stay open for
// background processes it left behind, so a daemon started with `&` cannot
// hang the run.
const pipeGrace = 2 * time.Second

// runProcess starts argv in its own process group, streams its stdout and
// stderr into console (in order, as written) and returns the captured stdout:
// a string, or a cutText when it was longer than maxKeptOutput.
// When ctx ends the whole group is killed, so nothing the step started is
// left running after a timeout or an interrupt.
func runProcess(ctx context.Context, e *env, dir string, environ []string, argv []string) (any, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	stepTag := envStepTag + "=" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(stepSeq.Add(1), 10)
	cmd.Env = append(environ[:len(environ):len(environ)], stepTag)
	newProcessGroup(cmd)
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		err := killProcessGroup(cmd.Process)
		killTagged(stepTag) // what left the group: setsid, double forks
		return err
	}
	cmd.WaitDelay = pipeGrace
	// The kept stdout is redacted as a stream, before it is cut: a secret
	// cannot survive as two halves on either side of the cut. console is
	// redacted by the executor.
	stdout := newHeadTail(maxKeptOutput, "stdout")
	keep := e.redact.writer(stdout)
	sc := &syncWriter{w: e.console}
	cmd.Stdout = io.MultiWriter(keep, sc)
	cmd.Stderr = sc
	cmd.Stdin = nil
	err := startTracked(cmd.Start, func() int { return cmd.Process.Pid })
	if err == nil {
		err = cmd.Wait()
		untrack(cmd.Process.Pid)
		// Kill what the step left after a timeout or an interrupt; after
		// a normal exit background jobs keep running until the run ends
		// (a later step may use a server an earlier one started).
		if ctx.Err() != nil {
			_ = killProcessGroup(cmd.Process)
			killTagged(stepTag)
		}
	}
	flush(keep)
	flush(e.console)
	out := stdout.value(true)
	if err == nil {
		return out, nil
	}
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return out, errTimeout
		}
		return out, fmt.Errorf("%s was stopped: %w", argv[0], ctx.Err())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.ExitCode() == rebootExitCode {
			return out, &errRebootRequested{rerunStep: true}
		}
		if ee.ExitCode() < 0 {
			return out, fmt.Errorf("%s was killed (%v)", argv[0], ee.ProcessState)
		}
		return out, fmt.Errorf("exit status %d", ee.ExitCode())
	}
	if errors.Is(err, exec.ErrWaitDelay) {
		return out, nil
	}
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
		return out, fmt.Errorf("cannot start %s: %w (install it or fix the path)", argv[0], err)
	}
	return out, fmt.Errorf("cannot run %s: %w", argv[0], err)
}

// errTimeout marks a step (or loop) that ran out of its timeoutSeconds.
var stepSeq atomic.Int64

var errTimeout = errors.New("timed out")

// syncWriter serialises writes from the stdout and stderr copiers.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Flush flushes the writer underneath (a redactWriter holding back what
// may be the start of a secret).
func (s *syncWriter) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	flush(s.w)
	return nil
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
