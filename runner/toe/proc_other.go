//go:build !unix

package toe

import (
	"os"
	"os/exec"
)

// On systems without process groups (Windows) only the step's own process
// is killed; the executor targets Linux, this keeps the binary building.
func newProcessGroup(cmd *exec.Cmd) {}

func killProcessGroup(p *os.Process) error { return p.Kill() }
