package aws

import (
	"context"
	"testing"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// builtLargeRepo is largeRepo (50 components, 20 recipes, 5 pipelines)
// built once on a fresh fake.
func builtLargeRepo(t testing.TB) (*env, *recipes.Repo) {
	e := newEnv(t, ibfake.Options{})
	repo, reqs := largeRepo()
	first := e.backend(t)
	for _, req := range reqs {
		if res, err := first.Build(context.Background(), req, nil); err != nil || res.Status != backend.StatusSucceeded {
			t.Fatalf("first build of %s: %v %+v", req.Recipe, err, res)
		}
	}
	return e, repo
}

// resources counts what the repository defines.
func resources(repo *recipes.Repo) int { return len(repo.Resources()) }

// TestObserveReadBudget: an in-sync observation makes at most one read
// per resource plus list pages, and no write.
func TestObserveReadBudget(t *testing.T) {
	e, repo := builtLargeRepo(t)
	e.fake.ResetCalls()
	a := observe(t, e.backend(t), repo)
	calls := e.fake.Calls()
	if m := mutating(calls); len(m) != 0 {
		t.Errorf("observe wrote: %s", formatCalls(m))
	}
	if budget := resources(repo) + a.Lists; a.Reads > budget {
		t.Errorf("%d reads for %d resources and %d list pages: over the budget %d: %s", a.Reads, resources(repo), a.Lists, budget, formatCalls(calls))
	}
	for _, o := range a.Resources {
		if o.Have != o.Want || !jsonEqual(o.Live, o.Desired) || (o.Kind == recipes.KindImageRecipe && len(o.Images) != 1) {
			t.Errorf("%s %s is not in sync: %+v", o.Kind, o.Name, o)
		}
	}
	t.Logf("%d reads (%d list pages) for %d resources: %s", a.Reads, a.Lists, resources(repo), formatCalls(calls))
}

func BenchmarkStatusInSync(b *testing.B) {
	e, repo := builtLargeRepo(b)
	be := e.backend(b)
	var a *backend.Actual
	var calls map[string]int
	b.ResetTimer()
	for range b.N {
		e.fake.ResetCalls()
		var err error
		if a, err = be.Observe(context.Background(), backend.ObserveRequest{Repo: repo}); err != nil {
			b.Fatal(err)
		}
		calls = e.fake.Calls()
	}
	b.StopTimer()
	writes := 0
	for _, n := range mutating(calls) {
		writes += n
	}
	b.ReportMetric(float64(a.Reads), "reads/status")
	b.ReportMetric(float64(a.Lists), "list-pages/status")
	b.ReportMetric(float64(writes), "writes/status")
	b.ReportMetric(float64(resources(repo)), "resources")
}
