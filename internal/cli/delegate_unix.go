//go:build unix

package cli

import (
	"fmt"
	"os"
	"syscall"
)

// runFull replaces this process with ibgitops-full running args.
func runFull(path string, args []string) error {
	err := syscall.Exec(path, append([]string{path}, args...), os.Environ())
	return fmt.Errorf("start %s: %w", path, err)
}
