// Package backendtest is the conformance suite every backend passes: build
// (with a snapshot between build and test), test, distribute, a failing
// component, a failing test, cancel, and re-run (skipped unless forced).
// A backend's own test calls Run with a factory; see local_test.go and
// aws_test.go.
package backendtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// Target is one backend under test.
type Target struct {
	Backend backend.Backend
	// Leftovers lists what this backend created and still holds (build
	// containers, untagged images, in-flight builds). After a cancelled
	// build and Cleanup it must be empty. Nil skips that check.
	Leftovers func(ctx context.Context) ([]string, error)
	// Tweak adjusts the suite's repository for the backend, e.g. sets
	// local.parentImage on every recipe.
	Tweak func(repo *recipes.Repo)
	// Timeout bounds one build (default 3 minutes).
	Timeout time.Duration
	// CoarseFailures is set by backends that cannot report a failing
	// step's exit code and output tail (the suite then checks only that
	// the failing component and step are named).
	CoarseFailures bool
	// CancelAfter is how long after the build stage starts the cancel
	// test waits, so that the slow step is surely running (default 2s: a
	// container starting on a loaded machine). A fake whose images move
	// by polls, not time, needs only a moment.
	CancelAfter time.Duration
}

// Factory returns a fresh target. root is the repository root the
// requests use (an empty temporary folder).
type Factory func(t *testing.T, root string) Target

// Run runs the conformance suite.
func Run(t *testing.T, newTarget Factory) {
	t.Run("build snapshot test distribute", func(t *testing.T) { testBuild(t, newTarget) })
	t.Run("re-run is skipped unless forced", func(t *testing.T) { testRerun(t, newTarget) })
	t.Run("failing component", func(t *testing.T) { testFailure(t, newTarget) })
	t.Run("failing test tags nothing", func(t *testing.T) { testFailingTest(t, newTarget) })
	t.Run("cancel leaves nothing", func(t *testing.T) { testCancel(t, newTarget) })
	t.Run("observe: missing, then in sync", func(t *testing.T) { testObserve(t, newTarget) })
	t.Run("observe: a failed build is retried", func(t *testing.T) { testObserveFailed(t, newTarget) })
}

// Names used by the suite's repository; each test prefixes a random id so
// runs never collide on an engine or an account.
const (
	markerBuild = "conformance-build-marker"
	markerFail  = "conformance-failure-marker"
)

// Documents of the suite's components. The build phase writes a file the
// test phase reads, so a passing test proves the snapshot kept the build.
const (
	docWrite = `name: conformance-write
description: writes a file in build, checks it in validate and test
schemaVersion: 1.0
parameters:
  - greeting:
      type: string
      default: hello
phases:
  - name: build
    steps:
      - name: WriteMarker
        action: ExecuteBash
        inputs:
          commands:
            - mkdir -p /opt/conformance
            - echo "{{ greeting }} ` + markerBuild + `" > /opt/conformance/marker
  - name: validate
    steps:
      - name: MarkerExists
        action: ExecuteBash
        inputs:
          commands:
            - test -s /opt/conformance/marker
  - name: test
    steps:
      - name: MarkerInSnapshot
        action: ExecuteBash
        inputs:
          commands:
            - grep -q "` + markerBuild + `" /opt/conformance/marker
            - grep -q "^bonjour " /opt/conformance/marker
`
	docSecond = `name: conformance-second
description: a second component, run after the first
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: AfterFirst
        action: ExecuteBash
        inputs:
          commands:
            - test -s /opt/conformance/marker
            - echo second > /opt/conformance/second
  - name: test
    steps:
      - name: SecondThere
        action: ExecuteBash
        inputs:
          commands:
            - test "$(cat /opt/conformance/second)" = second
`
	docFailBuild = `name: conformance-fail
description: fails in build with exit code 3
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Boom
        action: ExecuteBash
        inputs:
          commands:
            - echo "` + markerFail + `"
            - exit 3
`
	docFailTest = `name: conformance-fail-test
description: builds, then fails its test
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Fine
        action: ExecuteBash
        inputs:
          commands:
            - echo built
  - name: test
    steps:
      - name: TestFails
        action: ExecuteBash
        inputs:
          commands:
            - echo "` + markerFail + `"
            - exit 4
`
	docSlow = `name: conformance-slow
description: sleeps so that the build can be cancelled
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Sleep
        action: ExecuteBash
        inputs:
          commands:
            - echo sleeping
            - sleep 120
`
)

func randomID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// fixture is the suite's repository: one recipe named prefix+"-recipe"
// using the given documents in order, a pipeline and a distribution.
type fixture struct {
	repo   *recipes.Repo
	recipe string
	root   string
	target Target
}

func newFixture(t *testing.T, newTarget Factory, docs ...string) *fixture {
	t.Helper()
	id := "conf-" + randomID()
	repo := recipes.NewRepo()
	r := recipes.Recipe{Meta: recipes.Meta{Kind: recipes.KindImageRecipe, Name: id + "-recipe", Version: "1.0.0", File: "recipes/" + id + ".yaml"},
		ParentImage: "ami-0123456789abcdef0"}
	for i, doc := range docs {
		name := fmt.Sprintf("%s-c%d", id, i+1)
		repo.Components[name] = &recipes.Component{
			Meta:     recipes.Meta{Kind: recipes.KindComponent, Name: name, Version: "1.0.0", File: "components/" + name + ".yaml", ContentHash: hashOf(doc)},
			Platform: "Linux", Data: doc,
		}
		ref := recipes.ComponentRef{Name: name}
		if doc == docWrite {
			ref.Parameters = map[string][]string{"greeting": {"bonjour"}}
		}
		r.Components = append(r.Components, ref)
	}
	r.ContentHash = hashOf(fmt.Sprint(r.Name, r.ParentImage, r.Components))
	repo.ImageRecipes[r.Name] = &recipes.ImageRecipe{Recipe: r}
	repo.Infrastructures[id+"-infra"] = &recipes.Infrastructure{Meta: recipes.Meta{Kind: recipes.KindInfrastructure, Name: id + "-infra", File: "infrastructure/" + id + ".yaml"}, InstanceProfileName: "conformance"}
	repo.Distributions[id+"-dist"] = &recipes.Distribution{
		Meta:          recipes.Meta{Kind: recipes.KindDistribution, Name: id + "-dist", File: "distribution/" + id + ".yaml"},
		Distributions: []map[string]any{{"region": "us-east-1", "amiDistributionConfiguration": map[string]any{"name": id + "-{{ imagebuilder:buildDate }}"}}},
		Local:         &recipes.LocalDistribution{Images: []string{id + "/{{name}}:{{version}}", id + "/{{name}}:latest"}, Export: true},
	}
	repo.Pipelines[id+"-pipeline"] = &recipes.Pipeline{Meta: recipes.Meta{Kind: recipes.KindPipeline, Name: id + "-pipeline", File: "pipelines/" + id + ".yaml"},
		ImageRecipe: r.Name, InfrastructureConfiguration: id + "-infra", DistributionConfiguration: id + "-dist", Status: "ENABLED"}
	root := t.TempDir()
	target := newTarget(t, root)
	if target.Tweak != nil {
		target.Tweak(repo)
	}
	if target.Timeout == 0 {
		target.Timeout = 3 * time.Minute
	}
	return &fixture{repo: repo, recipe: r.Name, root: root, target: target}
}

func (f *fixture) request() backend.Request {
	return backend.Request{Repo: f.repo, Root: f.root, Recipe: f.recipe, Kind: recipes.KindImageRecipe, Version: "1.0.0",
		Pipelines:  []string{strings.TrimSuffix(f.recipe, "-recipe") + "-pipeline"},
		Provenance: backend.Provenance{Repository: "https://example.com/conformance", Commit: "0123456789abcdef0123456789abcdef01234567", Tool: "conformance"}}
}

// events records progress safely from any goroutine.
type events struct {
	mu  sync.Mutex
	all []backend.Event
}

func (e *events) add(ev backend.Event) { e.mu.Lock(); e.all = append(e.all, ev); e.mu.Unlock() }
func (e *events) len() int             { e.mu.Lock(); defer e.mu.Unlock(); return len(e.all) }

func (f *fixture) build(t *testing.T, req backend.Request) (*backend.Result, *events) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), f.target.Timeout)
	defer cancel()
	ev := &events{}
	res, err := f.target.Backend.Build(ctx, req, ev.add)
	if err != nil {
		t.Fatalf("Build(%s): %v", req.Recipe, err)
	}
	if res == nil {
		t.Fatalf("Build(%s) returned no result and no error", req.Recipe)
	}
	if res.Recipe != req.Recipe || res.Version != req.Version {
		t.Errorf("result names %s %s, want %s %s", res.Recipe, res.Version, req.Recipe, req.Version)
	}
	if res.Finished.Before(res.Started) {
		t.Errorf("result finished %v before it started %v", res.Finished, res.Started)
	}
	return res, ev
}

func describe(res *backend.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "status %s, message %q, image %q, outputs %v, warnings %v", res.Status, res.Message, res.Image, res.Outputs, res.Warnings)
	for _, s := range append(append([]backend.StepResult{}, res.Steps...), res.Tests...) {
		fmt.Fprintf(&b, "\n  %s/%s/%s: %s exit %d %s", s.Component, s.Phase, s.Step, s.Status, s.ExitCode, s.Message)
		if s.LogTail != "" {
			fmt.Fprintf(&b, "\n    | %s", strings.ReplaceAll(s.LogTail, "\n", "\n    | "))
		}
	}
	return b.String()
}

func failedSteps(steps []backend.StepResult) []backend.StepResult {
	var out []backend.StepResult
	for _, s := range steps {
		if strings.EqualFold(s.Status, "failed") {
			out = append(out, s)
		}
	}
	return out
}

func testBuild(t *testing.T, newTarget Factory) {
	f := newFixture(t, newTarget, docWrite, docSecond)
	res, ev := f.build(t, f.request())
	if res.Status != backend.StatusSucceeded {
		t.Fatalf("want succeeded, got %s", describe(res))
	}
	if res.Image == "" {
		t.Errorf("a succeeded build names no image: %s", describe(res))
	}
	if len(res.Steps) == 0 || len(failedSteps(res.Steps)) > 0 {
		t.Errorf("want build steps, none failed: %s", describe(res))
	}
	// The test phases read what the build phase wrote: they pass only if
	// the snapshot kept the build.
	if len(res.Tests) < 2 || len(failedSteps(res.Tests)) > 0 {
		t.Errorf("want the test steps of both components, none failed: %s", describe(res))
	}
	if len(res.Outputs) == 0 {
		t.Errorf("the pipeline's distribution produced no outputs: %s", describe(res))
	}
	if ev.len() == 0 {
		t.Errorf("no progress reported")
	}
}

func testRerun(t *testing.T, newTarget Factory) {
	f := newFixture(t, newTarget, docWrite)
	first, _ := f.build(t, f.request())
	if first.Status != backend.StatusSucceeded {
		t.Fatalf("first build: want succeeded, got %s", describe(first))
	}
	again, _ := f.build(t, f.request())
	if again.Status != backend.StatusSkipped {
		t.Fatalf("re-run of the same request: want skipped, got %s", describe(again))
	}
	if again.Image != first.Image {
		t.Errorf("skipped re-run names image %q, the first build %q", again.Image, first.Image)
	}
	if again.Message == "" {
		t.Errorf("a skipped build must say why")
	}
	req := f.request()
	req.Force = true
	forced, _ := f.build(t, req)
	if forced.Status != backend.StatusSucceeded {
		t.Fatalf("forced re-run: want succeeded, got %s", describe(forced))
	}
	if forced.BuildNumber != 0 && forced.BuildNumber <= first.BuildNumber {
		t.Errorf("forced re-run has build number %d, the first %d: want a higher one", forced.BuildNumber, first.BuildNumber)
	}
}

func testFailure(t *testing.T, newTarget Factory) {
	f := newFixture(t, newTarget, docWrite, docFailBuild)
	res, _ := f.build(t, f.request())
	if res.Status != backend.StatusFailed {
		t.Fatalf("want failed, got %s", describe(res))
	}
	if res.Message == "" {
		t.Errorf("a failed build must say why")
	}
	failed := failedSteps(res.Steps)
	if len(failed) == 0 {
		t.Fatalf("no failed step reported: %s", describe(res))
	}
	s := failed[0]
	if s.Component != strings.TrimSuffix(f.recipe, "-recipe")+"-c2" || s.Step != "Boom" {
		t.Errorf("failing step is %s/%s, want %s-c2/Boom: %s", s.Component, s.Step, strings.TrimSuffix(f.recipe, "-recipe"), describe(res))
	}
	if f.target.CoarseFailures {
		return
	}
	if s.ExitCode != 3 {
		t.Errorf("failing step exit code %d, want 3: %s", s.ExitCode, describe(res))
	}
	if !strings.Contains(s.LogTail, markerFail) {
		t.Errorf("the failing step's log tail does not show its output %q: %s", markerFail, describe(res))
	}
	if res.Image != "" {
		t.Errorf("a failed build names image %q", res.Image)
	}
	// A failure is not cached: the next run builds again.
	again, _ := f.build(t, f.request())
	if again.Status == backend.StatusSkipped {
		t.Errorf("a failed build was skipped on re-run: %s", describe(again))
	}
}

func testFailingTest(t *testing.T, newTarget Factory) {
	f := newFixture(t, newTarget, docFailTest)
	res, _ := f.build(t, f.request())
	if res.Status != backend.StatusFailed {
		t.Fatalf("want failed, got %s", describe(res))
	}
	failed := failedSteps(res.Tests)
	if len(failed) == 0 || failed[0].Step != "TestFails" || failed[0].Phase != "test" {
		t.Errorf("want the failed test step TestFails in phase test: %s", describe(res))
	}
	if res.Image != "" || len(res.Outputs) > 0 {
		t.Errorf("an image whose tests failed was tagged or distributed: %s", describe(res))
	}
}

func testCancel(t *testing.T, newTarget Factory) {
	f := newFixture(t, newTarget, docSlow)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{})
	var once sync.Once
	type outcome struct {
		res *backend.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := f.target.Backend.Build(ctx, f.request(), func(ev backend.Event) {
			if ev.Stage == "build" {
				once.Do(func() { close(started) })
			}
		})
		done <- outcome{res, err}
	}()
	select {
	case <-started:
	case o := <-done:
		t.Fatalf("the slow build ended before it was cancelled: %v %v", o.err, o.res)
	case <-time.After(f.target.Timeout):
		t.Fatalf("no build progress within %v", f.target.Timeout)
	}
	// Let the slow step start, then interrupt.
	wait := f.target.CancelAfter
	if wait <= 0 {
		wait = 2 * time.Second
	}
	time.Sleep(wait)
	t0 := time.Now()
	cancel()
	var o outcome
	select {
	case o = <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("Build did not return within 60s of cancel")
	}
	if took := time.Since(t0); took > 30*time.Second {
		t.Errorf("Build took %v to return after cancel", took)
	}
	if o.err != nil && !errors.Is(o.err, context.Canceled) {
		t.Errorf("cancelled build: error %v, want nil or context.Canceled", o.err)
	}
	if o.err == nil && (o.res == nil || o.res.Status != backend.StatusCancelled) {
		t.Errorf("cancelled build: want status cancelled, got %+v", o.res)
	}
	if c, ok := f.target.Backend.(backend.Canceller); ok {
		cctx, ccancel := context.WithTimeout(context.Background(), time.Minute)
		defer ccancel()
		if err := c.Cleanup(cctx); err != nil {
			t.Errorf("Cleanup: %v", err)
		}
	}
	if f.target.Leftovers != nil {
		left, err := f.target.Leftovers(context.Background())
		if err != nil {
			t.Fatalf("Leftovers: %v", err)
		}
		if len(left) > 0 {
			t.Errorf("after cancel and cleanup these remain: %v", left)
		}
	}
}
