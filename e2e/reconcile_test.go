package e2e

// Reconcile through the binary against the Image Builder fake: status on
// a fresh account, the first build builds everything missing, status is
// then in sync, a schedule-only change is one UpdateImagePipeline and no
// image build, and a failed build is retried by the next build that
// touched nothing related.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/internal/ibfake"
)

func statusArgs(dir string, extra ...string) []string {
	return append([]string{"status", "--root", dir, "--backend", "aws"}, extra...)
}

type statusJSON struct {
	InSync  bool `json:"inSync"`
	Entries []struct {
		Kind, Name, Version, State, Message string
		Fields                              []struct {
			Field         string
			Live, Desired any
		}
	} `json:"entries"`
	Reads int `json:"reads"`
}

func parseStatus(t *testing.T, r result) statusJSON {
	t.Helper()
	var s statusJSON
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("status --format json: %v: %s", err, r)
	}
	return s
}

func writes(calls map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range calls {
		for _, p := range []string{"Create", "Update", "Tag", "Start", "Delete", "Cancel"} {
			if strings.HasPrefix(op, p) {
				out[op] = n
			}
		}
	}
	return out
}

func TestReconcileStatusBuildDrift(t *testing.T) {
	t.Parallel()
	repo := newGitRepo(t)
	fake, _, env := ibFake(t, ibfake.Options{}, ibfake.Faults{})
	o := runOpts{dir: repo.dir, env: env}

	// A fresh account: everything is missing, exit 1.
	r := run(t, o, statusArgs(repo.dir)...)
	assertSane(t, r)
	if r.code != 1 || !strings.Contains(r.stdout, "was never built") {
		t.Fatalf("status on a fresh account: want exit 1 and 'never built': %s", r)
	}
	if w := writes(fake.Calls()); len(w) != 0 {
		t.Errorf("status wrote: %v", w)
	}

	// plan --backend compares all of head with the backend, not only what
	// the diff touched: on a fresh account every recipe is to build.
	r = run(t, o, "plan", "--root", repo.dir, "--base", repo.base, "--backend", "aws")
	assertSane(t, r)
	for _, recipe := range []string{"base-linux", "app-server", "app-container"} {
		if !strings.Contains(r.stdout, "build   "+recipe+" ") {
			t.Errorf("plan --backend on a fresh account does not build %s: %s", recipe, r)
		}
	}

	// The first build builds every recipe, not only what the diff touched.
	r = run(t, o, buildArgs(repo)...)
	assertSane(t, r)
	if r.code != 0 {
		t.Fatalf("first build: %s", r)
	}
	for _, recipe := range []string{"base-linux", "app-server", "app-container"} {
		if !strings.Contains(r.stdout, recipe) {
			t.Errorf("the first build did not build %s: %s", recipe, r)
		}
	}

	// Now in sync, with at most one read per resource plus list pages.
	fake.ResetCalls()
	r = run(t, o, statusArgs(repo.dir, "--format", "json")...)
	assertSane(t, r)
	s := parseStatus(t, r)
	if r.code != 0 || !s.InSync {
		t.Fatalf("status after the build: want in sync, exit 0: %s", r)
	}
	if w := writes(fake.Calls()); len(w) != 0 {
		t.Errorf("status wrote: %v", w)
	}

	// A schedule-only change: one UpdateImagePipeline, no image build.
	path := filepath.Join(repo.dir, "pipelines", "base-linux-weekly.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), "cron(0 3 ? * MON *)", "cron(0 4 ? * TUE *)", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, o, statusArgs(repo.dir, "--format", "json")...)
	s = parseStatus(t, r)
	if r.code != 1 {
		t.Fatalf("status after a schedule edit: want exit 1: %s", r)
	}
	drift := ""
	for _, e := range s.Entries {
		if e.State == "drifted" {
			for _, f := range e.Fields {
				drift += e.Name + " " + f.Field + " " + f.Live.(string) + " -> " + f.Desired.(string)
			}
		}
	}
	if drift != "base-linux-weekly schedule.scheduleExpression cron(0 3 ? * MON *) -> cron(0 4 ? * TUE *)" {
		t.Errorf("drift: %q: %s", drift, r)
	}
	// The plan says so, read-only.
	fake.ResetCalls()
	r = run(t, o, "plan", "--root", repo.dir, "--base", repo.base, "--backend", "aws")
	assertSane(t, r)
	if r.code != 0 || !strings.Contains(r.stdout, "update  ImagePipeline base-linux-weekly") || strings.Contains(r.stdout, "build   ") {
		t.Errorf("plan --backend aws after a schedule edit: want one update and no build: %s", r)
	}
	if w := writes(fake.Calls()); len(w) != 0 {
		t.Errorf("plan wrote: %v", w)
	}
	fake.ResetCalls()
	r = run(t, o, buildArgs(repo)...)
	assertSane(t, r)
	if r.code != 0 {
		t.Fatalf("build after a schedule edit: %s", r)
	}
	w := writes(fake.Calls())
	if w["UpdateImagePipeline"] != 1 || w["StartImagePipelineExecution"] != 0 || w["CreateImage"] != 0 {
		t.Errorf("a schedule-only change: want 1 UpdateImagePipeline and no build, got %v: %s", w, r)
	}
	if r = run(t, o, statusArgs(repo.dir)...); r.code != 0 {
		t.Errorf("status after the update: want in sync: %s", r)
	}
}

// A build that fails on push N is built on push N+1, which touched
// nothing related; the output says it retries and which run failed.
func TestReconcileRetriesFailedBuild(t *testing.T) {
	t.Parallel()
	repo := newGitRepo(t)
	fake, _, env := ibFake(t, ibfake.Options{}, ibfake.Faults{FailStep: "RunTestComponents"})
	o := runOpts{dir: repo.dir, env: env}
	r := run(t, o, buildArgs(repo)...)
	assertSane(t, r)
	if r.code != 1 {
		t.Fatalf("a build failing its tests: want exit 1: %s", r)
	}
	fake.SetFaults(ibfake.Faults{})
	r = run(t, o, statusArgs(repo.dir)...)
	if r.code != 1 || !strings.Contains(r.stdout, "the last build failed") {
		t.Fatalf("status after the failure: want missing with the failed build: %s", r)
	}
	r = run(t, o, buildArgs(repo)...)
	assertSane(t, r)
	if r.code != 0 || !strings.Contains(r.stderr, "retrying, failed in") {
		t.Fatalf("the next build should retry: %s", r)
	}
	if r = run(t, o, statusArgs(repo.dir)...); r.code != 0 {
		t.Errorf("status after the retry: want in sync: %s", r)
	}
}

// Import through the binary: an account built from the example is written
// into an empty folder; status there is in sync (nothing to build); a
// second import refuses to overwrite.
func TestImportThenStatus(t *testing.T) {
	t.Parallel()
	repo := newGitRepo(t)
	_, _, env := ibFake(t, ibfake.Options{}, ibfake.Faults{})
	o := runOpts{dir: repo.dir, env: env}
	if r := run(t, o, buildArgs(repo)...); r.code != 0 {
		t.Fatalf("build: %s", r)
	}
	dir := t.TempDir()
	r := run(t, o, "import", "--root", dir)
	assertSane(t, r)
	if r.code != 0 || !strings.Contains(r.stdout, "wrote recipes/base-linux.yaml") || !strings.Contains(r.stdout, "wrote components/documents/app-runtime.yaml") {
		t.Fatalf("import: %s", r)
	}
	if r = run(t, o, "lint", "--root", dir); r.code != 0 {
		t.Errorf("the imported repository does not lint clean: %s", r)
	}
	if r = run(t, o, statusArgs(dir)...); r.code != 0 {
		t.Errorf("status right after the import: want in sync: %s", r)
	}
	r = run(t, o, "import", "--root", dir)
	assertSane(t, r)
	if r.code != 2 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("a second import: want exit 2 naming --force: %s", r)
	}
}
