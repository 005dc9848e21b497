package backend

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/recipes"
)

// orderBackend records the order builds start and the peak concurrency.
type orderBackend struct {
	mu      sync.Mutex
	started []string
	running int
	peak    int
	fail    map[string]bool
	errs    map[string]bool
}

func (b *orderBackend) Name() string { return "order" }

func (b *orderBackend) Build(ctx context.Context, req Request, progress func(Event)) (*Result, error) {
	b.mu.Lock()
	b.started = append(b.started, req.Recipe)
	b.running++
	if b.running > b.peak {
		b.peak = b.running
	}
	b.mu.Unlock()
	progress(Event{Recipe: req.Recipe, Stage: "build"})
	time.Sleep(20 * time.Millisecond)
	b.mu.Lock()
	b.running--
	b.mu.Unlock()
	if b.errs[req.Recipe] {
		return nil, errors.New("engine died")
	}
	status := StatusSucceeded
	if b.fail[req.Recipe] {
		status = StatusFailed
	}
	return &Result{Recipe: req.Recipe, Version: req.Version, Status: status}, nil
}

func scheduleRepo() *recipes.Repo {
	repo := recipes.NewRepo()
	add := func(name, parent string) {
		repo.ImageRecipes[name] = &recipes.ImageRecipe{Recipe: recipes.Recipe{Meta: recipes.Meta{Name: name, Version: "1.0.0"}, ParentImage: parent}}
	}
	add("base", "ami-1")
	add("app", "recipe:base")
	add("app-child", "recipe:app")
	add("other1", "ami-1")
	add("other2", "ami-1")
	add("other3", "ami-1")
	return repo
}

func TestBuildAllParentsFirstAndParallel(t *testing.T) {
	repo := scheduleRepo()
	builds := []recipes.Build{{Name: "app-child"}, {Name: "app"}, {Name: "other1"}, {Name: "base"}, {Name: "other2"}, {Name: "other3"}}
	be := &orderBackend{}
	var events int
	results, _ := BuildAll(context.Background(), be, Requests(repo, "/repo", builds, Provenance{}), 2, func(Event) { events++ })
	pos := map[string]int{}
	for i, n := range be.started {
		pos[n] = i
	}
	if !(pos["base"] < pos["app"] && pos["app"] < pos["app-child"]) {
		t.Errorf("start order %v: parents must start before children", be.started)
	}
	if be.peak != 2 {
		t.Errorf("peak concurrency %d, want 2", be.peak)
	}
	if events != len(builds) {
		t.Errorf("%d progress events, want %d", events, len(builds))
	}
	for i, r := range results {
		if r.Recipe != builds[i].Name || r.Status != StatusSucceeded {
			t.Errorf("result %d: %+v", i, r)
		}
	}
}

func TestBuildAllFailedParentAndBackendError(t *testing.T) {
	repo := scheduleRepo()
	builds := []recipes.Build{{Name: "base"}, {Name: "app"}, {Name: "app-child"}, {Name: "other1"}}
	be := &orderBackend{fail: map[string]bool{"base": true}, errs: map[string]bool{"other1": true}}
	results, _ := BuildAll(context.Background(), be, Requests(repo, "/repo", builds, Provenance{}), 4, nil)
	want := map[string]Status{"base": StatusFailed, "app": StatusFailed, "app-child": StatusFailed, "other1": StatusFailed}
	for _, r := range results {
		if r.Status != want[r.Recipe] {
			t.Errorf("%s: %s, want %s", r.Recipe, r.Status, want[r.Recipe])
		}
	}
	if results[1].Message != "not built: its parent recipe base failed" || results[3].Message != "engine died" {
		t.Errorf("messages: %q, %q", results[1].Message, results[3].Message)
	}
	if len(be.started) != 2 {
		t.Errorf("started %v: children of a failed parent must not start", be.started)
	}
}

func TestBuildAllCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	results, _ := BuildAll(ctx, &orderBackend{}, Requests(scheduleRepo(), "/repo", []recipes.Build{{Name: "other1"}, {Name: "other2"}}, Provenance{}), 1, nil)
	cancelled := 0
	for _, r := range results {
		if r.Status == StatusCancelled {
			cancelled++
		}
	}
	if cancelled != len(results) {
		t.Errorf("results %+v: want builds refused after cancel", results)
	}
}
