package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
)

// The binaries built by Binary, one per target OS, in one temporary folder.
var bins struct {
	mu    sync.Mutex
	dir   string
	built map[string]built
}

type built struct {
	path string
	err  error
}

// Binary builds a static ibgitops (CGO_ENABLED=0) for goos and the host's
// architecture, once per test process and goos, and returns its path. goos
// is runtime.GOOS for a binary the test runs itself, "linux" for one that
// runs inside containers. The error carries the build's output. Call
// RemoveBinaries from TestMain so the folder does not outlive the tests.
func Binary(goos string) (string, error) {
	bins.mu.Lock()
	defer bins.mu.Unlock()
	if b, ok := bins.built[goos]; ok {
		return b.path, b.err
	}
	if bins.dir == "" {
		dir, err := os.MkdirTemp("", "ibgitops-testbin-")
		if err != nil {
			return "", err
		}
		bins.dir = dir
		bins.built = map[string]built{}
	}
	path := filepath.Join(bins.dir, goos, "ibgitops")
	cmd := exec.Command("go", "build", "-o", path, "github.com/ibgitops/ibgitops/cmd/ibgitops")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+runtime.GOARCH)
	var b built
	if out, err := cmd.CombinedOutput(); err != nil {
		b.err = fmt.Errorf("go build of a static ibgitops for %s: %v\n%s", goos, err, out)
	} else {
		b.path = path
	}
	bins.built[goos] = b
	return b.path, b.err
}

// RemoveBinaries deletes what Binary built.
func RemoveBinaries() {
	bins.mu.Lock()
	defer bins.mu.Unlock()
	if bins.dir != "" {
		os.RemoveAll(bins.dir)
	}
	bins.dir, bins.built = "", nil
}
