package e2e

// Growth benchmarks through the public API: lint (recipes.Load) against a
// plain yaml.v3 decode of the same files at 1x, 10x and 100x repository
// sizes. 100x is the lint target size: 10,000 components and 2,000 recipes.
// scripts/bench.sh runs them and prints the table; plan growth is measured
// by scripts/bench-plan.sh at the same three scales.

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ibgitops/ibgitops/recipes"
)

// scaleRepo writes a repository of 100*scale components (inline AWSTOE
// documents, three steps) and 20*scale image recipes of 8 components each.
func scaleRepo(b *testing.B, scale int) string {
	b.Helper()
	dir := b.TempDir()
	comps, recs := 100*scale, 20*scale
	os.MkdirAll(filepath.Join(dir, "components"), 0o755)
	os.MkdirAll(filepath.Join(dir, "recipes"), 0o755)
	os.WriteFile(filepath.Join(dir, "ibgitops.yaml"), []byte("backend: local\n"), 0o644)
	for i := range comps {
		src := fmt.Sprintf(`kind: Component
name: comp-%05d
version: 1.%d.0
platform: Linux
description: Generated component %d
document:
  schemaVersion: 1.0
  parameters:
    - Greeting:
        type: string
        default: hello
  phases:
    - name: build
      steps:
        - name: Install
          action: ExecuteBash
          timeoutSeconds: 600
          inputs:
            commands:
              - echo "{{ Greeting }} %d" > /etc/motd
        - name: Folder
          action: CreateFolder
          inputs:
            - path: /opt/comp-%05d
    - name: validate
      steps:
        - name: Check
          action: ExecuteBash
          inputs:
            commands:
              - grep -q "{{ Greeting }}" /etc/motd
`, i, i%7, i, i, i)
		if err := os.WriteFile(filepath.Join(dir, "components", fmt.Sprintf("comp-%05d.yaml", i)), []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for i := range recs {
		var c strings.Builder
		for j := range 8 {
			fmt.Fprintf(&c, "  - name: comp-%05d\n", (i*8+j)%comps)
		}
		src := fmt.Sprintf("kind: ImageRecipe\nname: recipe-%05d\nversion: 2.%d.1\nparentImage: ami-0123456789abcdef0\ncomponents:\n%s", i, i%9, c.String())
		if err := os.WriteFile(filepath.Join(dir, "recipes", fmt.Sprintf("recipe-%05d.yaml", i)), []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

func cpuSelf() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func decodeAll(fsys fs.FS) (int, error) {
	n := 0
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		var v any
		n++
		return yaml.Unmarshal(data, &v)
	})
	return n, err
}

// BenchmarkLintScale reports, per size, the wall and CPU time of a lint
// and of a plain decode of the same files, and their ratio.
func BenchmarkLintScale(b *testing.B) {
	for _, scale := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("%dx", scale), func(b *testing.B) {
			dir := scaleRepo(b, scale)
			fsys := os.DirFS(dir)
			var lintWall, lintCPU, decWall, decCPU time.Duration
			files := 0
			b.ResetTimer()
			for range b.N {
				c0, t0 := cpuSelf(), time.Now()
				repo, findings, err := recipes.Load(fsys)
				lintWall += time.Since(t0)
				lintCPU += cpuSelf() - c0
				if err != nil {
					b.Fatal(err)
				}
				if len(repo.Components) != 100*scale || len(repo.ImageRecipes) != 20*scale {
					b.Fatalf("loaded %d components, %d recipes", len(repo.Components), len(repo.ImageRecipes))
				}
				for _, f := range findings {
					if f.Severity == "error" {
						b.Fatalf("generated repository has an error: %+v", f)
					}
				}
				c0, t0 = cpuSelf(), time.Now()
				files, err = decodeAll(fsys)
				decWall += time.Since(t0)
				decCPU += cpuSelf() - c0
				if err != nil {
					b.Fatal(err)
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(files), "files")
			b.ReportMetric(float64(lintWall.Milliseconds())/n, "lint-ms")
			b.ReportMetric(float64(lintCPU.Milliseconds())/n, "lint-cpu-ms")
			b.ReportMetric(float64(decWall.Milliseconds())/n, "decode-ms")
			b.ReportMetric(float64(decCPU.Milliseconds())/n, "decode-cpu-ms")
			b.ReportMetric(float64(lintCPU)/float64(max(decCPU, 1)), "cpu-ratio")
			b.ReportMetric(float64(lintWall)/float64(max(decWall, 1)), "wall-ratio")
		})
	}
}
