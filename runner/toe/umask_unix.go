//go:build unix

package toe

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// processUmask reads the umask without changing it (Linux 4.7+ shows it
// in /proc/self/status); elsewhere it sets and restores it, which is
// process-wide but done before any file is created for the step.
func processUmask() os.FileMode {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return os.FileMode(n)
				}
			}
		}
	}
	old := syscall.Umask(0o022)
	syscall.Umask(old)
	return os.FileMode(old)
}
