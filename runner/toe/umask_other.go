//go:build !unix

package toe

import "os"

func processUmask() os.FileMode { return 0 }
