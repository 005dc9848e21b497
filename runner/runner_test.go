package runner

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/ibgitops/ibgitops/runner/report/escape/escapetest"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

// fakeRepo has base <- web (recipe: parent) and an independent api.
func fakeRepo() *recipes.Repo {
	r := recipes.NewRepo()
	add := func(name, version, parent string) {
		ir := &recipes.ImageRecipe{}
		ir.Kind, ir.Name, ir.Version, ir.File = recipes.KindImageRecipe, name, version, "recipes/"+name+".yaml"
		ir.VersionPos = diag.Pos{Line: 3, Column: 10}
		ir.ParentImage = parent
		r.ImageRecipes[name] = ir
	}
	add("base", "1.0.0", "ami-123")
	add("web", "2.0.1", "recipe:base")
	add("api", "0.3.0", "ami-123")
	r.Pipelines["web"] = &recipes.Pipeline{Meta: recipes.Meta{Kind: recipes.KindPipeline, Name: "web"}, ImageRecipe: "web", DistributionConfiguration: "dist"}
	return r
}

func fakePlan() recipes.Plan {
	return recipes.Plan{Base: "b0b0b0b0b0", Head: "c1c1c1c1c1c1",
		Changes: []recipes.Change{{Kind: recipes.KindImageRecipe, Name: "base", Change: "modified", FromVersion: "0.9.0", ToVersion: "1.0.0", Bump: "minor"}},
		Builds: []recipes.Build{
			{Kind: recipes.KindImageRecipe, Name: "web", Version: "2.0.1", Pipelines: []string{"web"}},
			{Kind: recipes.KindImageRecipe, Name: "base", Version: "1.0.0"},
			{Kind: recipes.KindImageRecipe, Name: "api", Version: "0.3.0"},
		}}
}

type fakeBackend struct {
	mu       sync.Mutex
	order    []string
	fail     map[string]bool
	requests []backend.Request
	running  map[string]bool
	overlap  bool
}

func (b *fakeBackend) Name() string { return "fake" }
func (b *fakeBackend) Build(ctx context.Context, req backend.Request, progress func(backend.Event)) (*backend.Result, error) {
	b.mu.Lock()
	b.requests = append(b.requests, req)
	if b.running == nil {
		b.running = map[string]bool{}
	}
	if len(b.running) > 0 {
		b.overlap = true
	}
	b.running[req.Recipe] = true
	b.mu.Unlock()
	progress(backend.Event{Recipe: req.Recipe, Stage: "build", Message: "working"})
	time.Sleep(20 * time.Millisecond)
	b.mu.Lock()
	delete(b.running, req.Recipe)
	b.order = append(b.order, req.Recipe)
	b.mu.Unlock()
	res := &backend.Result{Recipe: req.Recipe, Kind: req.Kind, Version: req.Version, Status: backend.StatusSucceeded, Image: "localhost/" + req.Recipe + ":" + req.Version}
	if b.fail[req.Recipe] {
		res.Status, res.Image, res.Message = backend.StatusFailed, "", "component failed"
		res.Steps = []backend.StepResult{{Phase: "build", Step: "Install", Status: "failed", ExitCode: 1, LogTail: "boom"}}
	}
	return res, nil
}

type fakeHost struct {
	mu        sync.Mutex
	statuses  []vcs.Status
	comments  []string
	published bool
	err       error
}

func (h *fakeHost) Name() string                     { return "FakeHub" }
func (h *fakeHost) Prepare(context.Context) []string { return nil }
func (h *fakeHost) CommentLimit() int                { return 65536 }
func (h *fakeHost) SetStatus(ctx context.Context, s vcs.Status) error {
	if ctx.Err() != nil {
		return ctx.Err() // as a real API client would
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.statuses = append(h.statuses, s)
	return h.err
}
func (h *fakeHost) UpsertComment(_ context.Context, body string) error {
	h.comments = append(h.comments, body)
	return h.err
}
func (h *fakeHost) Publish(context.Context, *report.Report, string) error {
	h.published = true
	return h.err
}

func options(t *testing.T, findings []diag.Finding) (Options, *fakeBackend, *bytes.Buffer) {
	t.Helper()
	be := &fakeBackend{}
	out := &bytes.Buffer{}
	// A repository, so reports go under .ibgitops/ in it (not the system's
	// temp folder, as they would for a plain folder).
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, ".git"), 0o755)
	return Options{
		Root: root,
		Load: func(fs.FS) (*recipes.Repo, []diag.Finding, error) { return fakeRepo(), findings, nil },
		Plan: func(context.Context, PlanRequest) (*PlanResult, error) {
			return &PlanResult{Plan: fakePlan()}, nil
		},
		Backend: be, TestBackend: be, Tool: "ibgitops test",
		Progress: out, Out: out,
	}, be, out
}

func TestLocalRunBuildsParentsFirstAndWritesReports(t *testing.T) {
	opts, be, out := options(t, nil)
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 {
		t.Fatalf("exit code %d\n%s", res.ExitCode, out)
	}
	pos := map[string]int{}
	for i, n := range be.order {
		pos[n] = i
	}
	if len(be.order) != 3 || pos["base"] > pos["web"] {
		t.Errorf("build order %v: base must finish before web", be.order)
	}
	if !be.overlap {
		t.Errorf("independent recipes (base, api) did not build in parallel")
	}
	for _, f := range []string{"report.md", "report.json"} {
		if _, err := os.Stat(filepath.Join(res.RunDir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	if !strings.HasPrefix(res.RunDir, filepath.Join(opts.Root, ".ibgitops", "runs")) || !strings.HasSuffix(res.RunDir, "-c1c1c1c") {
		t.Errorf("run dir %s", res.RunDir)
	}
	for _, want := range []string{"loading and linting the repository", "planning changes", "building web 2.0.1, base 1.0.0, api 0.3.0", "writing reports", "ibgitops passed", "RECIPE"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestFailedParentSkipsChild(t *testing.T) {
	opts, be, _ := options(t, nil)
	be.fail = map[string]bool{"base": true}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 1 {
		t.Errorf("exit code %d, want 1", res.ExitCode)
	}
	for _, b := range res.Report.Builds {
		if b.Recipe == "web" && (b.Status != backend.StatusFailed || !strings.Contains(b.Message, "parent recipe base")) {
			t.Errorf("web: %+v", b)
		}
	}
	for _, n := range be.order {
		if n == "web" {
			t.Errorf("web was built although its parent failed")
		}
	}
}

func TestPullRequestLintsPlansAndComments(t *testing.T) {
	opts, be, _ := options(t, nil)
	host := &fakeHost{}
	opts.CI = &vcs.Context{Host: "FakeHub", Event: vcs.EventPullRequest, Number: 7, SHA: "c1c1c1c1c1c1", DefaultBranch: "main", RunURL: "https://ci.example/run/1"}
	opts.Host = host
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(be.order) != 0 {
		t.Errorf("a pull request built %v", be.order)
	}
	if len(res.Report.Skipped) == 0 || !strings.Contains(res.Report.Skipped[0], "built after merge") {
		t.Errorf("skipped: %v", res.Report.Skipped)
	}
	if len(host.comments) != 1 || !strings.HasPrefix(host.comments[0], "<!-- ibgitops:report root=") {
		t.Errorf("comments: %q", host.comments)
	}
	if len(host.statuses) != 2 || host.statuses[0].State != vcs.StatePending || host.statuses[1].State != vcs.StateSuccess || host.statuses[1].Name != "ibgitops/lint" {
		t.Errorf("statuses: %+v", host.statuses)
	}
	if host.statuses[1].TargetURL != "https://ci.example/run/1" {
		t.Errorf("target url %q", host.statuses[1].TargetURL)
	}
}

func TestTestComponentsBuildWithoutDistribution(t *testing.T) {
	opts, be, _ := options(t, nil)
	opts.CI = &vcs.Context{Host: "FakeHub", Event: vcs.EventPullRequest, Number: 7}
	opts.TestComponents = true
	if _, err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if len(be.requests) != 3 {
		t.Fatalf("requests %d", len(be.requests))
	}
	for _, r := range be.requests {
		if len(r.Repo.Pipelines) != 0 || len(r.Pipelines) != 0 {
			t.Errorf("%s: component tests must not reach a distribution (pipelines %v)", r.Recipe, r.Pipelines)
		}
	}
}

func TestLintErrorsSkipBuildAndFailOn(t *testing.T) {
	warn := []diag.Finding{{Rule: "w", Severity: diag.Warning, File: "a.yaml", Line: 1, Message: "meh"}}
	errs := []diag.Finding{{Rule: "e", Severity: diag.Error, File: "a.yaml", Line: 1, Message: "bad"}}
	cases := []struct {
		name     string
		findings []diag.Finding
		failOn   string
		exit     int
		built    bool
	}{
		{"warning passes by default", warn, "error", 0, true},
		{"warning fails with fail-on warning", warn, "warning", 1, true},
		{"error fails", errs, "error", 1, false},
		{"error with fail-on never", errs, "never", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts, be, _ := options(t, c.findings)
			opts.FailOn = c.failOn
			res, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.ExitCode != c.exit {
				t.Errorf("exit %d, want %d", res.ExitCode, c.exit)
			}
			if (len(be.order) > 0) != c.built {
				t.Errorf("built %v, want built=%v", be.order, c.built)
			}
		})
	}
}

func TestReportingFailureDoesNotChangeOutcome(t *testing.T) {
	opts, _, _ := options(t, nil)
	host := &fakeHost{err: errors.New("HTTP 403")}
	opts.CI = &vcs.Context{Host: "FakeHub", Event: vcs.EventPush, Branch: "main", DefaultBranch: "main", SHA: "abc"}
	opts.Host = host
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 || res.Report.Failed {
		t.Errorf("a reporting failure changed the outcome: exit %d", res.ExitCode)
	}
	if len(res.Report.Notes) == 0 || !strings.Contains(strings.Join(res.Report.Notes, "\n"), "HTTP 403") {
		t.Errorf("notes: %v", res.Report.Notes)
	}
}

func TestLoadErrorStillReports(t *testing.T) {
	opts, _, _ := options(t, nil)
	host := &fakeHost{}
	opts.CI = &vcs.Context{Host: "FakeHub", Event: vcs.EventPullRequest, Number: 3, SHA: "abc"}
	opts.Host = host
	opts.Load = func(fs.FS) (*recipes.Repo, []diag.Finding, error) {
		return nil, nil, errors.New("root: no such folder")
	}
	res, err := Run(context.Background(), opts)
	if err == nil || res.ExitCode != 2 {
		t.Fatalf("err %v exit %d", err, res.ExitCode)
	}
	last := host.statuses[len(host.statuses)-1]
	if last.Name != "ibgitops/lint" || last.State != vcs.StateFailure || !strings.Contains(last.Description, "could not lint") {
		t.Errorf("lint status %+v", last)
	}
	if len(host.comments) != 1 || !strings.Contains(host.comments[0], "Could not finish") {
		t.Errorf("comment %q", host.comments)
	}
}

func TestOtherEventsSayWhatWasSkipped(t *testing.T) {
	cases := []struct {
		ctx  vcs.Context
		want string
	}{
		{vcs.Context{Event: vcs.EventPushBranch, Branch: "feature", DefaultBranch: "main", Name: "push"}, "feature is not the default branch main"},
		{vcs.Context{Event: vcs.EventOther, Name: "schedule"}, `the "schedule" event builds nothing`},
	}
	for _, c := range cases {
		opts, be, _ := options(t, nil)
		ctx := c.ctx
		opts.CI = &ctx
		res, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(be.order) != 0 || !strings.Contains(strings.Join(res.Report.Skipped, "\n"), c.want) {
			t.Errorf("%s: built %v, skipped %v", c.ctx.Name, be.order, res.Report.Skipped)
		}
	}
}

func TestRelease(t *testing.T) {
	opts, be, _ := options(t, nil)
	opts.ReleaseTag = "web/v2.0.1"
	// The files the fake loader stands for; a real release reads the
	// tag's tree from git (releaseCommit).
	opts.Source = fstest.MapFS{}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(be.requests) != 1 || be.requests[0].Recipe != "web" || be.requests[0].Version != "2.0.1" || be.requests[0].Pipelines[0] != "web" {
		t.Errorf("release built %+v", be.requests)
	}
	if res.Report.Plan != nil {
		t.Errorf("a release does not plan")
	}

	opts, be, _ = options(t, nil)
	opts.ReleaseTag = "web/v2.0.2"
	opts.Source = fstest.MapFS{}
	_, err = Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "recipes/web.yaml:3 has version 2.0.1") {
		t.Errorf("mismatch error: %v", err)
	}
	if len(be.requests) != 0 {
		t.Errorf("built despite the version mismatch")
	}
}

func TestParseTag(t *testing.T) {
	cases := []struct {
		pattern, tag, name, version, err string
	}{
		{"{name}/v{version}", "web-server/v1.4.3", "web-server", "1.4.3", ""},
		{"release-{name}-{version}", "release-base-image-2.0.0", "base-image", "2.0.0", ""},
		{"{name}/v{version}", "web-server/1.4.3", "", "", "does not match"},
		{"{name}/v{version}", "web/v1.4", "", "", "does not match"},
		{"{name}/v{version}", "web/v01.4.3", "", "", "does not match"},
		{"{name}/v{version}", "web/v1.4.03", "", "", "does not match"},
		{"{name}/v{version}", "web/v10.0.100", "web", "10.0.100", ""},
		{"v{version}", "v1.0.0", "", "", "must contain {name}"},
	}
	for _, c := range cases {
		name, version, err := ParseTag(c.pattern, c.tag)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s %s: err %v, want %q", c.pattern, c.tag, err, c.err)
			}
			continue
		}
		if err != nil || name != c.name || version != c.version {
			t.Errorf("%s %s: %q %q %v", c.pattern, c.tag, name, version, err)
		}
	}
}

func TestLiveViewRedrawsInPlace(t *testing.T) {
	opts, _, _ := options(t, nil)
	var progress bytes.Buffer
	opts.Progress, opts.Live, opts.Out = &progress, true, &bytes.Buffer{}
	if _, err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	out := progress.String()
	if !strings.Contains(out, "\x1b[") || !strings.Contains(out, "A\r\x1b[J") {
		t.Errorf("no in-place redraw in the live view:\n%q", out)
	}
	// The final block, after the last redraw, shows every recipe's outcome.
	last := out[strings.LastIndex(out, "\x1b[J")+len("\x1b[J"):]
	for _, want := range []string{"base", "web", "api", "succeeded"} {
		if !strings.Contains(last, want) {
			t.Errorf("final block lacks %q:\n%s", want, last)
		}
	}
	// Log lines still go above the block.
	if !strings.Contains(out, "writing reports") {
		t.Errorf("step lines missing:\n%s", out)
	}
}

func TestGitLabLogSections(t *testing.T) {
	opts, _, out := options(t, nil)
	opts.CI = &vcs.Context{Host: "GitLab", Event: vcs.EventPush, Branch: "main", DefaultBranch: "main", SHA: "abc", LogSections: true}
	if _, err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	starts := regexp.MustCompile(`\x1b\[0Ksection_start:\d+:(ibgitops_step_\d+)\r\x1b\[0K([^\n]+)\n`).FindAllStringSubmatch(out.String(), -1)
	ends := regexp.MustCompile(`\x1b\[0Ksection_end:\d+:(ibgitops_step_\d+)\r\x1b\[0K\n`).FindAllStringSubmatch(out.String(), -1)
	if len(starts) < 3 || len(starts) != len(ends) {
		t.Fatalf("sections: %d starts, %d ends:\n%q", len(starts), len(ends), out.String())
	}
	for i := range starts {
		if starts[i][1] != ends[i][1] {
			t.Errorf("section %s closed as %s", starts[i][1], ends[i][1])
		}
	}
	if starts[0][2] != "loading and linting the repository" {
		t.Errorf("first section header %q", starts[0][2])
	}
}

// blockingBackend builds until the context ends, then reports a cancel.
type blockingBackend struct {
	started chan struct{}
	once    sync.Once
	cleaned bool
}

func (b *blockingBackend) Name() string { return "blocking" }
func (b *blockingBackend) Build(ctx context.Context, req backend.Request, _ func(backend.Event)) (*backend.Result, error) {
	b.once.Do(func() { close(b.started) })
	<-ctx.Done()
	return &backend.Result{Recipe: req.Recipe, Version: req.Version, Status: backend.StatusCancelled, Message: "interrupted"}, nil
}
func (b *blockingBackend) Cleanup(ctx context.Context) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	b.cleaned = true
	return nil
}

func TestInterruptCleansUpAndStillReports(t *testing.T) {
	opts, _, _ := options(t, nil)
	be := &blockingBackend{started: make(chan struct{})}
	host := &fakeHost{}
	opts.Backend, opts.Host = be, host
	opts.CI = &vcs.Context{Host: "FakeHub", Event: vcs.EventPush, Branch: "main", DefaultBranch: "main", SHA: "abc"}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-be.started; cancel() }()
	res, err := Run(ctx, opts)
	if err == nil || !strings.Contains(err.Error(), "interrupted") || res.ExitCode != 2 {
		t.Fatalf("err %v exit %d", err, res.ExitCode)
	}
	if !be.cleaned {
		t.Errorf("the backend's Cleanup was not called with a live context")
	}
	if _, err := os.Stat(filepath.Join(res.RunDir, "report.json")); err != nil {
		t.Errorf("no report after the interrupt: %v", err)
	}
	host.mu.Lock()
	defer host.mu.Unlock()
	final := map[string]vcs.State{}
	for _, st := range host.statuses {
		final[st.Name] = st.State
	}
	if final["ibgitops/lint"] != vcs.StateSuccess || final["ibgitops/base"] != vcs.StateFailure {
		t.Errorf("final statuses %v", final)
	}
}

// Progress lines and the live view carry recipe names, stages and
// messages from the repository and the builds: none may inject a workflow
// command or a control sequence of its own.
func TestProgressEscapesRepositoryText(t *testing.T) {
	ownCursor := regexp.MustCompile(`\x1b\[\d+A\r\x1b\[J`)
	for _, h := range escapetest.Hostile {
		var progress bytes.Buffer
		s := &State{Opts: Options{Progress: &progress}, CI: &vcs.Context{}}
		s.recipeProgress(h, h, h, false)
		s.note("could not post %s", h)
		escapetest.AssertClean(t, progress.String(), nil)

		var view bytes.Buffer
		l := newLive(&view, time.Now)
		l.update(h, h, h, false)
		l.line("12:00:00  " + escape.Term(h))
		l.update(h, h, h, true)
		escapetest.AssertClean(t, ownCursor.ReplaceAllString(view.String(), ""), nil)
	}
}

// The comment the host receives starts with the Context's identity: the
// config root's marker when the caller's Context has none, the Context's
// own when it has one (the hosts find the comment by it).
func TestCommentStartsWithTheContextsIdentity(t *testing.T) {
	for _, c := range []struct{ name, marker, want string }{
		{"from the root", "", report.StickyMarker("images")},
		{"the context's own", "<!-- ibgitops:report root=x id=1 -->", "<!-- ibgitops:report root=x id=1 -->"},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts, _, _ := options(t, nil)
			opts.Root = filepath.Join(opts.Root, "images")
			os.Mkdir(opts.Root, 0o755)
			host := &fakeHost{}
			ci := &vcs.Context{Host: "FakeHub", Event: vcs.EventPullRequest, Number: 7, SHA: "c1c1c1c1c1c1", CommentMarker: c.marker}
			opts.CI, opts.Host = ci, host
			if _, err := Run(context.Background(), opts); err != nil {
				t.Fatal(err)
			}
			if len(host.comments) != 1 || !strings.HasPrefix(host.comments[0], c.want+"\n") {
				t.Errorf("comments %q, want one starting with %q", host.comments, c.want)
			}
			if ci.CommentMarker != c.marker {
				t.Errorf("the caller's Context was changed: %q", ci.CommentMarker)
			}
		})
	}
}

// The sticky comment's identity is the config root relative to the
// repository's top level, so two set-ups in one repository keep one
// comment each.
func TestConfigRootIsRelativeToTheRepository(t *testing.T) {
	repo := t.TempDir()
	for _, d := range []string{".git", "images/nested", "other"} {
		if err := os.MkdirAll(filepath.Join(repo, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cases := map[string]string{repo: ".", filepath.Join(repo, "images"): "images", filepath.Join(repo, "images", "nested"): "images/nested", filepath.Join(repo, "other"): "other"}
	for root, want := range cases {
		if got := configRoot(root); got != want {
			t.Errorf("configRoot(%s) = %q, want %q", root, got, want)
		}
	}
	if report.StickyMarker(configRoot(filepath.Join(repo, "images"))) == report.StickyMarker(configRoot(filepath.Join(repo, "other"))) {
		t.Error("two set-ups share a marker")
	}
}
