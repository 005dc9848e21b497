//go:build unix

package toe

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// newProcessGroup makes the step the leader of a new process group, so a
// timeout or an interrupt can kill everything it started.
func newProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup kills the step's whole process group (negative pid).
func killProcessGroup(p *os.Process) error {
	if err := syscall.Kill(-p.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}
