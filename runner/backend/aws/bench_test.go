package aws

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// largeRepo is the benchmark repository: 50 components, 20 image recipes
// of 5 components each (every component used twice), 5 of them built by
// pipelines, one infrastructure and one distribution configuration.
func largeRepo() (*recipes.Repo, []backend.Request) {
	repo := repoFixture(0)
	delete(repo.ImageRecipes, "web")
	delete(repo.Pipelines, "web-pipeline")
	for i := range 50 {
		name := fmt.Sprintf("component-%02d", i)
		doc := strings.Replace(docBuild, "name: hello", "name: "+name, 1)
		repo.Components[name] = &recipes.Component{Meta: recipes.Meta{Kind: recipes.KindComponent, Name: name, Version: "1.0.0", File: "components/" + name + ".yaml", ContentHash: sha(doc)},
			Platform: "Linux", Data: doc}
	}
	var reqs []backend.Request
	for i := range 20 {
		name := fmt.Sprintf("recipe-%02d", i)
		r := recipes.Recipe{Meta: recipes.Meta{Kind: recipes.KindImageRecipe, Name: name, Version: "2.3.4", File: "recipes/" + name + ".yaml"}, ParentImage: managedParent}
		for k := range 5 {
			r.Components = append(r.Components, recipes.ComponentRef{Name: fmt.Sprintf("component-%02d", (i*5+k)%50)})
		}
		r.ContentHash = sha(fmt.Sprint(name, r.Components))
		repo.ImageRecipes[name] = &recipes.ImageRecipe{Recipe: r}
		var pipelines []string
		if i < 5 {
			p := "pipeline-" + name
			repo.Pipelines[p] = &recipes.Pipeline{Meta: recipes.Meta{Kind: recipes.KindPipeline, Name: p, File: "pipelines/" + p + ".yaml"},
				ImageRecipe: name, InfrastructureConfiguration: "build", DistributionConfiguration: "two-regions", Status: "ENABLED"}
			pipelines = []string{p}
		}
		reqs = append(reqs, request(repo, name, pipelines...))
	}
	return repo, reqs
}

// rerun builds every request with a fresh backend (a new process) and
// returns the calls the fake saw and the wall time.
func rerun(t testing.TB, e *env, reqs []backend.Request) (map[string]int, time.Duration) {
	e.fake.ResetCalls()
	start := time.Now()
	b := e.backend(t)
	for _, req := range reqs {
		res, err := b.Build(context.Background(), req, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != backend.StatusSkipped {
			t.Fatalf("re-run of %s: %+v", req.Recipe, res)
		}
	}
	if retries := e.fake.Calls(); formatCalls(retries) != formatCalls(e.fake.FirstAttempts()) {
		t.Logf("the SDK retried requests (network): %s", formatCalls(retries))
	}
	// API calls, not HTTP attempts: a retry the network forced is the
	// same call (it made this test flaky under load).
	return e.fake.FirstAttempts(), time.Since(start)
}

// TestRerunReadBudget: a re-run with nothing changed makes no create or
// update call and at most one read call per resource (list pages of one
// List call count once).
func TestRerunReadBudget(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	_, reqs := largeRepo()
	first := e.backend(t)
	for _, req := range reqs {
		if res, err := first.Build(context.Background(), req, nil); err != nil || res.Status != backend.StatusSucceeded {
			t.Fatalf("first build of %s: %v %+v", req.Recipe, err, res)
		}
	}
	calls, wall := rerun(t, e, reqs)
	if m := mutating(calls); len(m) != 0 {
		t.Errorf("re-run made mutating calls: %s", formatCalls(m))
	}
	// One read per resource: 50 components, 20 recipes, 20 recipe
	// versions' images; one List for each mutable kind; one STS call.
	want := "GetComponent=50 GetImageRecipe=20 ListDistributionConfigurations=1 ListImageBuildVersions=20 ListImagePipelines=1 ListInfrastructureConfigurations=1 sts:GetCallerIdentity=1"
	if got := formatCalls(calls); got != want {
		t.Errorf("re-run calls:\n got %s\nwant %s", got, want)
	}
	total := 0
	for _, n := range calls {
		total += n
	}
	t.Logf("re-run over 50 components, 20 recipes, 5 pipelines: %d calls (%s) in %v", total, formatCalls(calls), wall.Round(time.Millisecond))
}

func BenchmarkRerunNothingChanged(b *testing.B) {
	e := newEnv(b, ibfake.Options{})
	_, reqs := largeRepo()
	first := e.backend(b)
	for _, req := range reqs {
		if res, err := first.Build(context.Background(), req, nil); err != nil || res.Status != backend.StatusSucceeded {
			b.Fatalf("first build of %s: %v %+v", req.Recipe, err, res)
		}
	}
	b.ResetTimer()
	var calls map[string]int
	for range b.N {
		calls, _ = rerun(b, e, reqs)
	}
	b.StopTimer()
	total, writes := 0, 0
	for _, n := range calls {
		total += n
	}
	for _, n := range mutating(calls) {
		writes += n
	}
	b.ReportMetric(float64(total), "calls/rerun")
	b.ReportMetric(float64(writes), "writes/rerun")
	b.ReportMetric(float64(calls["GetComponent"]), "GetComponent/rerun")
	b.ReportMetric(float64(calls["GetImageRecipe"]), "GetImageRecipe/rerun")
	b.ReportMetric(float64(calls["ListImageBuildVersions"]), "ListImageBuildVersions/rerun")
}
