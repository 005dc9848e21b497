package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestBinaryBuildsOnceAndRemoves(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the go build")
	}
	defer RemoveBinaries()
	p1, err := Binary(runtime.GOOS)
	if err != nil {
		t.Fatal(err)
	}
	st1, err := os.Stat(p1)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := Binary(runtime.GOOS)
	if err != nil || p2 != p1 {
		t.Fatalf("second call: %q %v, want %q", p2, err, p1)
	}
	if st2, _ := os.Stat(p2); !st2.ModTime().Equal(st1.ModTime()) {
		t.Error("the binary was built twice")
	}
	full, err := FullBinary(runtime.GOOS)
	if err != nil || filepath.Dir(full) != filepath.Dir(p1) {
		t.Fatalf("FullBinary: %q %v, want it beside %s (ibgitops runs it from its own folder)", full, err, p1)
	}
	if _, err := os.Stat(full); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(p1, "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ibgitops") {
		t.Fatalf("the built binary does not run: %v\n%s", err, out)
	}
	RemoveBinaries()
	if _, err := os.Stat(p1); !os.IsNotExist(err) {
		t.Errorf("RemoveBinaries left %s (%v)", p1, err)
	}
}
