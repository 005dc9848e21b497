package toe

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// maxRSSMB is the bound issue #12 sets on `toe run`'s resident memory
// whatever a step prints or however long a loop runs.
const maxRSSMB = 200

// TestHelperRunDocument is not a test: the memory benchmarks start this
// test binary with IBGITOPS_TOE_HELPER_DOC set, so that the run has a
// process of its own whose peak RSS the kernel measures.
func TestHelperRunDocument(t *testing.T) {
	doc := os.Getenv("IBGITOPS_TOE_HELPER_DOC")
	if doc == "" {
		t.Skip("helper process of the memory benchmarks")
	}
	s, err := Run(context.Background(), Options{Documents: []DocumentSpec{{Path: doc}}, LogDirectory: os.Getenv("IBGITOPS_TOE_HELPER_LOGS"), Environ: os.Environ()})
	if err != nil || s.Status != StatusSuccess {
		t.Fatalf("%v %+v", err, s)
	}
}

// runMeasured runs doc in a helper process and returns its peak RSS in MB
// and the wall time.
func runMeasured(b *testing.B, body string) (float64, time.Duration) {
	b.Helper()
	dir := b.TempDir()
	doc := filepath.Join(dir, "doc.yaml")
	if err := os.WriteFile(doc, []byte(body), 0o644); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRunDocument$", "-test.count=1")
	// The log folder is removed when the benchmark ends (console.log holds
	// the whole stream, 1 GB for the big-output case).
	cmd.Env = append(os.Environ(), "IBGITOPS_TOE_HELPER_DOC="+doc, "IBGITOPS_TOE_HELPER_LOGS="+dir)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("helper run failed: %v\n%s", err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Skip("no rusage on this OS")
	}
	return float64(ru.Maxrss) / 1024, wall // Linux reports KiB
}

// BenchmarkRunPrints1GB runs a step printing 1 GiB on stdout: `toe run`
// must finish with its peak RSS under 200 MB (the stdout kept in memory and
// in detailedoutput.json is cut to head and tail; console.log gets it all).
func BenchmarkRunPrints1GB(b *testing.B) {
	if _, err := exec.LookPath("bash"); err != nil {
		b.Skip("bash is not installed")
	}
	const gib = 1 << 30
	body := fmt.Sprintf("name: big\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Prints\n        action: ExecuteBash\n        inputs:\n          commands: [\"head -c %d /dev/zero | tr '\\\\0' x\"]\n", gib)
	for i := 0; i < b.N; i++ {
		rss, wall := runMeasured(b, body)
		b.ReportMetric(rss, "peak-RSS-MB")
		b.ReportMetric(wall.Seconds(), "wall-s")
		if rss > maxRSSMB {
			b.Fatalf("peak RSS %.0f MB printing 1 GiB; the bound is %d MB", rss, maxRSSMB)
		}
	}
}

// BenchmarkLoop10M runs a for loop of 10^7 iterations of a no-op Assert:
// memory must not grow with the iterations.
func BenchmarkLoop10M(b *testing.B) {
	body := "name: loop\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Loop\n        action: Assert\n        timeoutSeconds: -1\n        loop:\n          for: {start: 1, end: 10000000, updateBy: 1}\n        inputs:\n          stringEquals: '{{ loop.value }}'\n          value: '{{ loop.value }}'\n"
	for i := 0; i < b.N; i++ {
		rss, wall := runMeasured(b, body)
		b.ReportMetric(rss, "peak-RSS-MB")
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(float64(wall.Nanoseconds())/1e7, "ns/iteration")
		if rss > maxRSSMB {
			b.Fatalf("peak RSS %.0f MB for 10^7 iterations; the bound is %d MB", rss, maxRSSMB)
		}
	}
}
