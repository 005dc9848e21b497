package plan

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
)

// countingFS counts the operations that reach the file system below and
// cancels after the first cancelAfter of them.
type countingFS struct {
	fs.FS
	ops, cancelAfter int64
	cancel           context.CancelFunc
}

func (c *countingFS) Open(name string) (fs.File, error) {
	if atomic.AddInt64(&c.ops, 1) == c.cancelAfter {
		c.cancel()
	}
	return c.FS.Open(name)
}

// TestLoadStopsOnInterrupt: an interrupt during a load of thousands of
// files stops it at the next file: nothing more reaches the file system
// and the error is the interrupt, however many files are left.
func TestLoadStopsOnInterrupt(t *testing.T) {
	for _, files := range []int{50, 2000} {
		t.Run(fmt.Sprint(files), func(t *testing.T) {
			m := fstest.MapFS{}
			for i := range files {
				m[fmt.Sprintf("components/c%05d.yaml", i)] = &fstest.MapFile{Data: []byte(strings.Replace(webYAML, "name: web", fmt.Sprintf("name: c%05d", i), 1))}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfs := &countingFS{FS: m, cancelAfter: 20, cancel: cancel}
			_, _, err := (&computer{}).load(ctx, cfs, "head")
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "load the repository at head") {
				t.Fatalf("load after an interrupt = %v, want the interrupt", err)
			}
			if cfs.ops != 20 {
				t.Errorf("%d file operations reached the file system, want 20 (none after the interrupt)", cfs.ops)
			}
		})
	}
}

// TestScanStopsOnInterrupt: the head scan reads on several cores; an
// interrupt stops every reader at its next file, and the scan answers
// with the interrupt rather than a selection of what it had read.
func TestScanStopsOnInterrupt(t *testing.T) {
	m := fstest.MapFS{}
	for i := range 5000 {
		m[fmt.Sprintf("components/c%05d.yaml", i)] = &fstest.MapFile{Data: []byte(strings.Replace(webYAML, "name: web", fmt.Sprintf("name: c%05d", i), 1))}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfs := &countingFS{FS: m, cancelAfter: 100, cancel: cancel}
	cands, err := candidates(ctx, withContext(ctx, cfs), ".", nil)
	if !errors.Is(err, context.Canceled) || cands != nil {
		t.Fatalf("scan after an interrupt = %d files, %v; want the interrupt", len(cands), err)
	}
	// The walk lists before reading; once cancelled, a reader may be in
	// the middle of one file of its own.
	if limit := int64(100 + 2*runtime.GOMAXPROCS(0)); cfs.ops > limit {
		t.Errorf("%d file operations reached the file system, want at most %d", cfs.ops, limit)
	}
}
