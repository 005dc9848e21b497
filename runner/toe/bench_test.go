package toe

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// manyStepsDoc is a document of n ExecuteBash steps each running `true`.
func manyStepsDoc(n int) string {
	var b strings.Builder
	b.WriteString("name: bench\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "      - name: Step%d\n        action: ExecuteBash\n        inputs:\n          commands: [\"true\"]\n", i)
	}
	return b.String()
}

// BenchmarkExecutor500Steps runs a document of 500 ExecuteBash steps
// running `true` and compares it with bash running `true` 500 times in one
// script (builtin) and with starting `bash script` 500 times (the process
// start each ExecuteBash step needs). It reports ms/step for each and the
// executor's overhead per step over both baselines.
func BenchmarkExecutor500Steps(b *testing.B) {
	const steps = 500
	bash, err := exec.LookPath("bash")
	if err != nil {
		b.Skip("bash is not installed")
	}
	dir := b.TempDir()
	doc := filepath.Join(dir, "bench.yaml")
	if err := os.WriteFile(doc, []byte(manyStepsDoc(steps)), 0o644); err != nil {
		b.Fatal(err)
	}
	script := filepath.Join(dir, "true.sh")
	os.WriteFile(script, []byte("true\n"), 0o755)
	loop := filepath.Join(dir, "loop.sh")
	os.WriteFile(loop, []byte(fmt.Sprintf("for i in $(seq %d); do true; done\n", steps)), 0o755)

	var toe, builtin, spawn, selfCPU time.Duration
	for i := 0; i < b.N; i++ {
		before := cpuSelf()
		start := time.Now()
		s, err := Run(context.Background(), Options{Documents: []DocumentSpec{{Path: doc}}, LogDirectory: b.TempDir(), Environ: os.Environ()})
		toe += time.Since(start)
		selfCPU += cpuSelf() - before
		if err != nil || s.Status != StatusSuccess || s.ExecutedStepCount != steps {
			b.Fatalf("run: %v %+v", err, s)
		}
		start = time.Now()
		if err := exec.Command(bash, loop).Run(); err != nil {
			b.Fatal(err)
		}
		builtin += time.Since(start)
		start = time.Now()
		for j := 0; j < steps; j++ {
			if err := exec.Command(bash, script).Run(); err != nil {
				b.Fatal(err)
			}
		}
		spawn += time.Since(start)
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N*steps) }
	b.ReportMetric(per(toe), "ms/step")
	b.ReportMetric(per(builtin), "bash-builtin-ms/step")
	b.ReportMetric(per(spawn), "bash-spawn-ms/step")
	b.ReportMetric(per(toe)-per(builtin), "overhead-vs-builtin-ms/step")
	b.ReportMetric(per(toe)-per(spawn), "overhead-vs-spawn-ms/step")
	// CPU the executor itself spends per step (user+system of this
	// process, children excluded): the part of the overhead that is ours
	// and that does not depend on how loaded the machine is.
	b.ReportMetric(per(selfCPU), "executor-cpu-ms/step")
}

func cpuSelf() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExecutor500InProcessSteps runs 500 steps that start no process
// (CreateFolder on one folder): the executor's own cost per step
// (expressions, bookkeeping, logs, outputs) without process creation.
func BenchmarkExecutor500InProcessSteps(b *testing.B) {
	const steps = 500
	dir := b.TempDir()
	var doc strings.Builder
	doc.WriteString("name: bench\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n")
	for i := 0; i < steps; i++ {
		fmt.Fprintf(&doc, "      - name: Step%d\n        action: CreateFolder\n        inputs:\n          - path: %s/d\n", i, dir)
	}
	path := filepath.Join(dir, "bench.yaml")
	os.WriteFile(path, []byte(doc.String()), 0o644)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		s, err := Run(context.Background(), Options{Documents: []DocumentSpec{{Path: path}}, LogDirectory: b.TempDir(), Environ: os.Environ()})
		total += time.Since(start)
		if err != nil || s.ExecutedStepCount != steps || s.Status != StatusSuccess {
			b.Fatalf("%v %+v", err, s)
		}
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N*steps), "ms/step")
}
