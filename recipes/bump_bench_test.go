package recipes

import (
	"fmt"
	"testing"
)

// benchRepos builds a large repository pair: 500 components, 200 recipes
// (half children of the other half), 200 pipelines; head changes every
// fifth component, and 500 commits touch them.
func benchRepos() (base, head *Repo, paths []PathChange, commits []CommitInfo) {
	build := func(changed bool) *Repo {
		b := newRepoB().infra("infra", "i")
		for i := 0; i < 500; i++ {
			hash := "h"
			if changed && i%5 == 0 {
				hash = "h2"
			}
			b.comp(fmt.Sprintf("c%03d", i), "1.0.0", hash)
		}
		for i := 0; i < 200; i++ {
			parent := ""
			if i >= 100 {
				parent = fmt.Sprintf("recipe:r%03d", i-100)
			}
			b.recipe(fmt.Sprintf("r%03d", i), "1.0.0", "r", parent,
				ref(fmt.Sprintf("c%03d", (i*2)%500)), ref(fmt.Sprintf("c%03d", (i*2+1)%500)), ref(fmt.Sprintf("c%03d", (i*7)%500)))
			b.pipeline(fmt.Sprintf("p%03d", i), "p", fmt.Sprintf("r%03d", i), "infra", "")
		}
		return b.r
	}
	base, head = build(false), build(true)
	for i := 0; i < 500; i += 5 {
		f := fmt.Sprintf("components/c%03d.yaml", i)
		paths = append(paths, PathChange{PathModified, f, f})
	}
	for n := 0; n < 500; n++ {
		f := fmt.Sprintf("components/c%03d.yaml", (n*5)%500)
		commits = append(commits, CommitInfo{Hash: fmt.Sprintf("%040d", n), Message: []string{"fix: a", "feat: b", "chore: c"}[n%3], Paths: []string{f}})
	}
	return base, head, paths, commits
}

func BenchmarkPlanChanges(b *testing.B) {
	base, head, paths, commits := benchRepos()
	b.ReportAllocs()
	b.ResetTimer()
	var plan Plan
	for i := 0; i < b.N; i++ {
		plan = PlanChanges(PlanInput{Base: base, Head: head, Paths: paths, Commits: commits})
	}
	b.StopTimer()
	if len(plan.Builds) == 0 || len(plan.Changes) < 100 {
		b.Fatalf("unexpected plan: %d changes, %d builds", len(plan.Changes), len(plan.Builds))
	}
	b.ReportMetric(float64(len(plan.Changes)), "changes")
}
