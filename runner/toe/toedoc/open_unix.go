//go:build unix

package toedoc

import (
	"os"
	"syscall"
)

// openNoBlock opens path for reading without blocking on a FIFO with no
// writer (the caller refuses non-regular files on the descriptor).
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
