// Package exitcodes names the process exit codes of every ibgitops command,
// so that cmd/ibgitops and runner agree on them (after golangci-lint's
// pkg/exitcodes). Scripts and CI read these numbers: they never change.
package exitcodes

import (
	"errors"
	"fmt"
)

const (
	// OK: the command did its job and found nothing that fails it.
	OK = 0
	// Findings: lint errors (or warnings, per --fail-on), a failed build,
	// a failed step, invalid documents.
	Findings = 1
	// Cannot: the command could not run: bad flags, unreadable input, no
	// engine or credentials, an interrupt.
	Cannot = 2
	// Interrupted: a second interrupt stopped the process without waiting
	// for the cleanup (128 + SIGINT, as shells report it).
	Interrupted = 130
	// Reboot: `toe run` saved its state because a step asked for a reboot
	// (AWSTOE's own code); run the same command again after the reboot.
	Reboot = 194
)

// Error carries an exit code to main through layers that only pass errors
// (cobra). A nil Err means the output already said everything.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// With wraps err so that the process exits with code.
func With(code int, err error) error { return &Error{Code: code, Err: err} }

// Of is the exit code for err: OK for nil, the code an Error carries, and
// Cannot for any other error (something went wrong before the command
// could say more).
func Of(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Cannot
}

// Message is what to print for err, "" when the output already said it.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Err == nil {
		return ""
	}
	if err == nil {
		return ""
	}
	return err.Error()
}
