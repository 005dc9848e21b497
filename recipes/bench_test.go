package recipes

import (
	"fmt"
	"github.com/ibgitops/ibgitops/internal/testutil"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const (
	benchComponents = 10_000
	benchRecipes    = 2_000
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchRepo writes (once per process) a repository of 10,000 components
// and 2,000 recipes, each recipe using 8 components with parameters.
func benchRepo(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "ibgitops-bench-")
		if benchErr != nil {
			return
		}
		for _, d := range []string{"components", "recipes"} {
			if benchErr = os.MkdirAll(filepath.Join(benchDir, d), 0o755); benchErr != nil {
				return
			}
		}
		for i := 0; i < benchComponents; i++ {
			src := fmt.Sprintf(`kind: Component
name: comp-%05d
version: 1.%d.0
platform: Linux
description: Generated component %d
tags:
  team: bench
document:
  schemaVersion: 1.0
  parameters:
    - Target:
        type: string
        default: /opt/c%d
  phases:
    - name: build
      steps:
        - name: Folders
          action: ExecuteBash
          loop:
            name: dir
            forEach: [bin, etc, log]
          inputs:
            commands:
              - mkdir -p '{{ Target }}/{{ dir.value }}'
        - name: Stamp
          action: ExecuteBash
          inputs:
            commands:
              - date -u > '{{ Target }}/etc/stamp'
              - cat '{{ Target }}/etc/stamp'
        - name: Record
          action: CreateFile
          if:
            not:
              stringIsEmpty: '{{ build.Stamp.outputs.stdout }}'
          inputs:
            - path: '{{ Target }}/etc/built'
              content: '{{ build.Stamp.outputs.stdout }}'
    - name: validate
      steps:
        - name: Check
          action: ExecuteBash
          inputs:
            commands:
              - test -f '{{ Target }}/etc/built'
`, i, i%7, i, i)
			if benchErr = os.WriteFile(filepath.Join(benchDir, "components", fmt.Sprintf("comp-%05d.yaml", i)), []byte(src), 0o644); benchErr != nil {
				return
			}
		}
		for i := 0; i < benchRecipes; i++ {
			var comps strings.Builder
			for j := 0; j < 8; j++ {
				fmt.Fprintf(&comps, "  - name: comp-%05d\n    parameters:\n      Target: /opt/r%d-%d\n", (i*5+j)%benchComponents, i, j)
			}
			parent := "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x"
			if i%4 != 0 {
				parent = fmt.Sprintf("recipe:recipe-%04d", i-i%4)
			}
			src := fmt.Sprintf("kind: ImageRecipe\nname: recipe-%04d\nversion: 2.%d.1\ndescription: Generated recipe\nparentImage: %s\ncomponents:\n%sblockDeviceMappings:\n  - deviceName: /dev/xvda\n    ebs: {volumeSize: 20, volumeType: gp3}\nlocal:\n  parentImage: localhost/ibgitops-base:latest\n",
				i, i%9, parent, comps.String())
			if benchErr = os.WriteFile(filepath.Join(benchDir, "recipes", fmt.Sprintf("recipe-%04d.yaml", i)), []byte(src), 0o644); benchErr != nil {
				return
			}
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir
}

// cpuTime is the process's user+system CPU time: on a shared machine it
// compares the two benchmarks more fairly than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLoad lints the generated repository (12,000 files).
func BenchmarkLoad(b *testing.B) {
	dir := benchRepo(b)
	fsys := os.DirFS(dir)
	b.ResetTimer()
	cpu0 := cpuTime()
	var peak float64
	for i := 0; i < b.N; i++ {
		var findings int
		p := testutil.PeakHeapMB(func() {
			repo, fs, err := Load(fsys)
			if err != nil {
				b.Fatal(err)
			}
			findings = len(fs)
			if len(repo.Components) != benchComponents || len(repo.ImageRecipes) != benchRecipes {
				b.Fatalf("loaded %d components, %d recipes", len(repo.Components), len(repo.ImageRecipes))
			}
		})
		if findings != 0 {
			b.Fatalf("%d findings in the generated repository", findings)
		}
		peak = max(peak, p)
	}
	b.ReportMetric(float64(benchComponents+benchRecipes)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
	b.ReportMetric(peak, "peak-heap-MB")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkYAMLDecodeOnly reads and decodes the same files with yaml.v3
// into plain Go values and does nothing else: the baseline of the
// lint-to-decode ratio.
func BenchmarkYAMLDecodeOnly(b *testing.B) {
	dir := benchRepo(b)
	fsys := os.DirFS(dir)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		n := 0
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			var v any
			if err := yaml.Unmarshal(data, &v); err != nil {
				return err
			}
			n++
			return nil
		})
		if err != nil || n != benchComponents+benchRecipes {
			b.Fatalf("decoded %d files: %v", n, err)
		}
	}
	b.ReportMetric(float64(benchComponents+benchRecipes)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}
