package backendtest

import (
	"context"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/reconcile"
)

// observe compares the fixture's repository with what the backend holds.
func (f *fixture) observe(t *testing.T) *reconcile.Status {
	t.Helper()
	obs, ok := f.target.Backend.(backend.Observer)
	if !ok {
		t.Skipf("the %s backend does not implement backend.Observer", f.target.Backend.Name())
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.target.Timeout)
	defer cancel()
	a, err := obs.Observe(ctx, backend.ObserveRequest{Repo: f.repo, Root: f.root})
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	return reconcile.Compare(f.repo, a)
}

func describeStatus(s *reconcile.Status) string {
	var b strings.Builder
	for _, e := range s.Entries {
		b.WriteString("\n  " + string(e.State) + " " + string(e.Kind) + " " + e.Name + ": " + e.Message)
	}
	return b.String()
}

// testObserve: before a build the recipe is missing and the plan builds
// it; after it everything the backend holds is in sync and the plan is
// empty.
func testObserve(t *testing.T, newTarget Factory) {
	f := newFixture(t, newTarget, docWrite)
	before := f.observe(t)
	if e, ok := before.Lookup(f.request().Kind, f.recipe); !ok || e.State != reconcile.Missing {
		t.Fatalf("before any build the recipe should be missing:%s", describeStatus(before))
	}
	if p := reconcile.PlanFrom(f.repo, before); len(p.Builds) != 1 || p.Builds[0].Name != f.recipe {
		t.Errorf("the plan should build %s: %+v", f.recipe, p.Builds)
	}
	if res, _ := f.build(t, f.request()); res.Status != backend.StatusSucceeded {
		t.Fatalf("build: %s", describe(res))
	}
	after := f.observe(t)
	if !after.InSync() {
		t.Fatalf("after the build everything should be in sync:%s", describeStatus(after))
	}
	if p := reconcile.PlanFrom(f.repo, after); !p.Empty() {
		t.Errorf("an in-sync repository plans work: %+v", p)
	}
}

// testObserveFailed: a failed build leaves the version missing, with the
// failed build named, and the plan retries it.
func testObserveFailed(t *testing.T, newTarget Factory) {
	f := newFixture(t, newTarget, docFailBuild)
	if res, _ := f.build(t, f.request()); res.Status != backend.StatusFailed {
		t.Fatalf("build: want failed, got %s", describe(res))
	}
	s := f.observe(t)
	e, ok := s.Lookup(f.request().Kind, f.recipe)
	if !ok || e.State != reconcile.Missing || e.LastBuild == nil || e.LastBuild.State != backend.ImageFailed {
		t.Fatalf("after a failed build the recipe should be missing with its failed build:%s", describeStatus(s))
	}
	p := reconcile.PlanFrom(f.repo, s)
	if len(p.Builds) != 1 || !strings.HasPrefix(p.Retries[f.recipe], "retrying, failed in ") {
		t.Errorf("the plan should retry %s: builds %+v, retries %v", f.recipe, p.Builds, p.Retries)
	}
}
