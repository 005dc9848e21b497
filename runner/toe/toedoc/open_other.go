//go:build !unix

package toedoc

import "os"

func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
