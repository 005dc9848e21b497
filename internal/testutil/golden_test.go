package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of stopping.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }

func TestGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "out.txt")
	Golden(t, path, []byte("one\n"), true)
	if data, err := os.ReadFile(path); err != nil || string(data) != "one\n" {
		t.Fatalf("update did not write the file: %q %v", data, err)
	}
	Golden(t, path, []byte("one\n"), false)

	r := &recorder{TB: t}
	Golden(r, path, []byte("two\n"), false)
	if !r.failed {
		t.Error("a different output passed")
	}
	r = &recorder{TB: t}
	Golden(r, filepath.Join(t.TempDir(), "missing.txt"), []byte("x"), false)
	if !r.failed {
		t.Error("a missing golden file passed")
	}
}
