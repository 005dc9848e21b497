// Package testutil holds the helpers several packages' tests share.
// It is imported only from _test.go files.
package testutil

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Golden compares got with the golden file at path. With update set it
// writes got there instead (creating the folder), and the test passes:
// each package keeps its own `-update` flag and passes its value.
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run '%s' -update to create it)", err, t.Name())
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file (go test -run '%s' -update to accept):\n--- got ---\n%s\n--- want ---\n%s", path, t.Name(), got, want)
	}
}
