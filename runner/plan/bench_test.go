package plan

import (
	"context"
	"fmt"
	"github.com/ibgitops/ibgitops/internal/testutil"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/internal/benchrepo"
)

// Plan benchmarks on generated repositories whose recipes use their
// components and whose pipelines build their recipes, every commit
// changing a different resource (package benchrepo). Each iteration times
// Compute and `git diff --name-status` of the same two commits, so the
// ratio holds on a noisy machine. The first run creates the repositories
// in the user's cache folder (minutes for the largest); later runs reuse
// them.

type planCase struct {
	name  string
	shape benchrepo.Shape
	gap   int // commits between base and head
}

var planCases = []planCase{
	// The monorepo: 20,000 files, 5,000 commits, plan 500 apart.
	{"20k-files-500-apart", benchrepo.Shape{Components: 16000, Recipes: 2000, Pipelines: 1000, Sources: 1000, Commits: 5000}, 500},
	// 5,000 changed components in a 25,000-component repository.
	{"25k-components-5k-changed", benchrepo.Shape{Components: 25000, Recipes: 5000, Pipelines: 2000, Commits: 5264}, 5264},
}

func BenchmarkPlanRepo(b *testing.B) {
	for _, pc := range planCases {
		b.Run(pc.name, func(b *testing.B) {
			dir, err := benchrepo.Cached(pc.shape)
			if err != nil {
				b.Fatal(err)
			}
			base, head := fmt.Sprintf("HEAD~%d", pc.gap), "HEAD"
			if pc.gap >= pc.shape.Commits {
				base = strings.TrimSpace(gitOut(b, dir, "rev-list", "--max-parents=0", "HEAD"))
			}
			base = strings.TrimSpace(gitOut(b, dir, "rev-parse", base))
			head = strings.TrimSpace(gitOut(b, dir, "rev-parse", head))
			var planWall, gitWall time.Duration
			var peak float64
			var changes, builds int
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				gitOut(b, dir, "diff", "--name-status", base, head)
				gitWall += time.Since(t0)
				t0 = time.Now()
				var res *Result
				peak = max(peak, testutil.PeakHeapMB(func() {
					res, err = Compute(context.Background(), Options{Root: dir, Base: base, Head: head, NoFetch: true})
				}))
				planWall += time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				changes, builds = len(res.Plan.Changes), len(res.Plan.Builds)
			}
			n := float64(b.N)
			b.ReportMetric(float64(pc.shape.Files()), "files")
			b.ReportMetric(float64(changes), "changes")
			b.ReportMetric(float64(builds), "builds")
			b.ReportMetric(float64(planWall.Milliseconds())/n, "plan-ms")
			b.ReportMetric(float64(gitWall.Milliseconds())/n, "git-diff-ms")
			b.ReportMetric(float64(planWall)/float64(max(gitWall, 1)), "ratio")
			b.ReportMetric(peak, "peak-heap-MB")
		})
	}
}

func gitOut(b *testing.B, dir string, args ...string) string {
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		b.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}
