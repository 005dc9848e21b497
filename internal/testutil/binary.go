package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
)

// The binaries built by Binary, one folder per target OS, in one temporary
// folder.
var bins struct {
	mu    sync.Mutex
	dir   string
	built map[string]built
}

type built struct {
	path string
	err  error
}

// Binary builds a static ibgitops and ibgitops-full (CGO_ENABLED=0) for
// goos and the host's architecture into one folder, once per test process
// and goos, and returns the path of ibgitops (it runs ibgitops-full from
// its own folder). goos is runtime.GOOS for binaries the test runs itself,
// "linux" for ones that run inside containers. The error carries the
// build's output. Call RemoveBinaries from TestMain so the folder does not
// outlive the tests.
func Binary(goos string) (string, error) {
	dir, err := binaries(goos)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "ibgitops"+exeSuffix(goos)), nil
}

// FullBinary is Binary's ibgitops-full: the binary that runs `toe run`
// inside build containers (the local backend's IBGITOPS_BINARY).
func FullBinary(goos string) (string, error) {
	dir, err := binaries(goos)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "ibgitops-full"+exeSuffix(goos)), nil
}

func exeSuffix(goos string) string {
	if goos == "windows" {
		return ".exe"
	}
	return ""
}

// binaries builds both commands for goos into one folder and returns it.
func binaries(goos string) (string, error) {
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
	dir := filepath.Join(bins.dir, goos)
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"github.com/ibgitops/ibgitops/cmd/ibgitops", "github.com/ibgitops/ibgitops/cmd/ibgitops-full")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+runtime.GOARCH)
	var b built
	if out, err := cmd.CombinedOutput(); err != nil {
		b.err = fmt.Errorf("go build of a static ibgitops and ibgitops-full for %s: %v\n%s", goos, err, out)
	} else {
		b.path = dir
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
