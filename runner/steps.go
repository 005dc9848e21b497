package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/plan"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/vcs"
	"github.com/ibgitops/ibgitops/runner/workspace"
)

// prepareHost masks secrets and checks what the host lets us do, then
// marks lint pending.
type prepareHost struct{}

func (prepareHost) String() string { return "connecting to the CI host" }

func (prepareHost) Skip(s *State) (string, bool) { return "", s.Opts.Host == nil }

func (prepareHost) Run(ctx context.Context, s *State) error {
	for _, n := range s.Opts.Host.Prepare(ctx) {
		s.note("%s", n)
	}
	s.setStatus(ctx, "lint", vcs.StatePending, "linting "+orDefault(vcs.ClampDescription(s.CI.Describe()), "the repository"))
	return nil
}

type lintStep struct{}

func (lintStep) String() string { return "loading and linting the repository" }

func (lintStep) Run(ctx context.Context, s *State) error {
	src := s.Opts.Source
	if src == nil {
		src = os.DirFS(s.Opts.Root)
	}
	repo, findings, err := s.Opts.Load(src)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Opts.Root, err)
	}
	s.Repo = repo
	s.addFindings(findings)
	s.Linted = true
	e, w := diag.Count(s.Findings)
	s.progressf("  %s", diag.Summary(e, w))
	return nil
}

// addFindings merges findings, dropping exact duplicates (the planner may
// report what the loader already did).
func (s *State) addFindings(fs []diag.Finding) {
	seen := map[diag.Finding]bool{}
	for _, f := range s.Findings {
		seen[f] = true
	}
	for _, f := range fs {
		if !seen[f] {
			seen[f] = true
			s.Findings = append(s.Findings, f)
		}
	}
	if s.Findings == nil {
		s.Findings = []diag.Finding{}
	}
	diag.Sort(s.Findings)
}

// planStep plans head against base. fromEvent (run, release) takes the
// base from the CI event when --base is not given; `build` plans against
// the default branch.
type planStep struct{ fromEvent bool }

func (planStep) String() string { return "planning changes" }

func (planStep) Skip(s *State) (string, bool) {
	if !s.PlanChanges {
		return "", true
	}
	return "", false
}

func (p planStep) Run(ctx context.Context, s *State) error {
	if s.Opts.Plan == nil {
		return errors.New("no planner wired (internal error)")
	}
	base := s.Opts.Base
	if base == "" && p.fromEvent {
		base = s.CI.Base
	}
	head := s.Opts.Head
	if head == "" && s.CI.Event != vcs.EventLocal {
		head = s.CI.SHA
	}
	req := PlanRequest{Root: s.Opts.Root, Base: base, Head: head, BaseBranch: s.CI.BaseBranch,
		HistoryFix: s.CI.HistoryFix, TokenUser: s.CI.FetchUser, Token: s.CI.FetchToken}
	res, err := s.Opts.Plan(ctx, req)
	if err != nil {
		return err
	}
	s.Plan = &res.Plan
	s.dirty = res.WorkTree
	s.addFindings(res.Findings)
	for _, w := range res.Warnings {
		s.note("plan: %s", w)
	}
	s.Builds = append([]recipes.Build(nil), res.Plan.Builds...)
	s.progressf("  %s, %s to build", diag.Counted(len(res.Plan.Changes), "change"), diag.Counted(len(res.Plan.Builds), "recipe"))
	return nil
}

// buildStep builds what the plan (or the release) names on the backend,
// parents before children, independent recipes in parallel.
type buildStep struct{ s *State }

func (b buildStep) String() string {
	if b.s == nil || len(b.s.Builds) == 0 {
		return "building recipes"
	}
	names := make([]string, 0, len(b.s.Builds))
	for _, x := range b.s.Builds {
		names = append(names, x.Name+" "+x.Version)
	}
	verb := "building "
	if b.s.TestOnly {
		verb = "testing the changed components of "
	}
	return verb + strings.Join(names, ", ")
}

func (buildStep) Skip(s *State) (string, bool) {
	switch {
	case !s.Build:
		return "", true
	case s.Linted && hasErrors(s.Findings):
		return "lint found errors: fix them first (see the findings)", true
	case len(s.Builds) == 0:
		return "the plan builds nothing", true
	}
	return "", false
}

func hasErrors(fs []diag.Finding) bool {
	e, _ := diag.Count(fs)
	return e > 0
}

func (b buildStep) Run(ctx context.Context, s *State) error {
	if s.Repo == nil {
		return errors.New("the repository was not loaded")
	}
	be := s.Backend
	if be == nil {
		var err error
		if be, err = s.backend(ctx); err != nil {
			return err
		}
	}
	prov := s.provenance()
	if s.Opts.Live && s.Opts.Progress != nil {
		s.live = newLive(s.Opts.Progress, s.now)
		s.live.start()
	}
	s.Results = buildAll(ctx, s, be, prov)
	if s.live != nil {
		s.live.finish()
		s.live = nil
	}
	if ctx.Err() != nil {
		// Interrupted: undo what this run started, under a fresh bounded
		// context (the run's own is already cancelled).
		if c, ok := be.(backend.Canceller); ok {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
			if err := c.Cleanup(cctx); err != nil {
				s.note("cleaning up after the interrupt: %v", err)
			}
			cancel()
		}
	}
	sctx := ctx
	if ctx.Err() != nil {
		// Interrupted: the final statuses still go out, under a fresh,
		// bounded context.
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
	}
	for _, r := range s.Results {
		st := vcs.StateSuccess
		if r.Status != backend.StatusSucceeded && r.Status != backend.StatusSkipped {
			st = vcs.StateFailure
		}
		s.setStatus(sctx, r.Recipe, st, report.BuildDescription(r))
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %s", interruptSummary(s.Results))
	}
	// The backend could not do its job (no engine, no credentials): the
	// run could not run, which is not the same as a build that failed.
	return s.backendErr
}

// openBackend opens the backend the build (and the comparison with what
// it holds) runs on, once the event calls for a build and the lint
// passed: a pull request needs no engine or credentials.
type openBackend struct{}

func (openBackend) String() string { return "opening the build backend" }

func (openBackend) Skip(s *State) (string, bool) {
	switch {
	case !s.Build, s.Linted && hasErrors(s.Findings):
		return "", true
	case s.TestOnly && len(s.Builds) == 0:
		return "", true
	}
	return "", false
}

func (openBackend) Run(ctx context.Context, s *State) error {
	be, err := s.backend(ctx)
	if err != nil {
		return err
	}
	s.Backend = be
	return nil
}

// opened is the backend openBackend opened, or the one the options
// carry (tests that run single steps).
func (s *State) opened() backend.Backend {
	if s.Backend != nil {
		return s.Backend
	}
	return s.Opts.Backend
}

// openCheckBackend opens the aws backend, read-only, on a pull request
// when it is the configured one: head's versions that Image Builder
// already holds with other content are reported before merge. Without
// credentials the pull request is planned as before (a note says so).
type openCheckBackend struct{}

func (openCheckBackend) String() string { return "opening the backend to read" }

func (openCheckBackend) Skip(s *State) (string, bool) {
	if s.CI.Event != vcs.EventPullRequest || s.Opts.CheckBackend != nil || s.Repo == nil {
		return "", true
	}
	return "", s.backendName() != "aws"
}

func (openCheckBackend) Run(ctx context.Context, s *State) error {
	be, err := backend.Open(ctx, s.backendName(), backend.Config{Repo: s.Repo.Config, Region: s.Opts.AWSRegion})
	if err != nil {
		s.note("not checking head's versions against Image Builder: %v", err)
		return nil
	}
	s.Opts.CheckBackend = be
	return nil
}

// backendName is --backend, else ibgitops.yaml's, else the default.
func (s *State) backendName() string {
	if s.Opts.BackendName != "" {
		return s.Opts.BackendName
	}
	if s.Repo != nil && s.Repo.Config.Backend != "" {
		return s.Repo.Config.Backend
	}
	return backend.DefaultName
}

// backend is the backend this run builds on: the one the options carry
// (tests), else backend.Open of --backend or ibgitops.yaml's, opened only
// now that the event calls for a build, so that a pull request needs no
// engine or credentials. Component tests on a pull request always run on
// the local backend.
func (s *State) backend(ctx context.Context) (backend.Backend, error) {
	be, name := s.Opts.Backend, s.Opts.BackendName
	if s.TestOnly {
		be, name = s.Opts.TestBackend, "local"
	}
	if be != nil {
		return be, nil
	}
	be, err := backend.Open(ctx, name, backend.Config{Repo: s.Repo.Config, Region: s.Opts.AWSRegion})
	if err != nil && s.TestOnly {
		return nil, fmt.Errorf("--test-components needs the local backend: %w", err)
	}
	return be, err
}

// commit is the commit this run is about: the CI event's, the plan's
// head, else the checked-out commit.
func (s *State) commit() string {
	if s.CI.SHA != "" {
		return s.CI.SHA
	}
	if s.Plan != nil && s.Plan.Head != "" {
		return s.Plan.Head
	}
	s.readGit()
	return s.gitCommit
}

// provenance is what every output records, the same whichever command
// made it: the repository (the CI's name for it, else origin's path), the
// commit, the run's link and the tool.
func (s *State) provenance() backend.Provenance {
	repo := s.CI.Repository
	if repo == "" {
		s.readGit()
		repo = s.gitRepository
	}
	commit := s.commit()
	if s.dirty && s.CI.SHA == "" {
		// Built from uncommitted files: the commit alone would lie.
		commit = plan.DirtyLabel(commit)
	}
	return backend.Provenance{Repository: repo, Commit: commit, RunURL: s.CI.RunURL, Tool: s.Opts.Tool}
}

// readGit reads HEAD and origin once, for runs the CI says nothing about.
func (s *State) readGit() {
	s.gitOnce.Do(func() { s.gitCommit, s.gitRepository = gitProvenance(s.Opts.Root) })
}

// buildAll builds every planned recipe with backend.Schedule (parents
// first, at most Parallel at a time), reporting statuses and progress.
func buildAll(ctx context.Context, s *State, be backend.Backend, prov backend.Provenance) []backend.Result {
	reqs := backend.Requests(s.Repo, s.Opts.Root, s.Builds, prov)
	results := backend.Schedule(ctx, reqs, s.Opts.Parallel, func(ctx context.Context, _ int, req backend.Request) backend.Result {
		return buildOne(ctx, s, be, req)
	})
	for _, r := range results {
		if strings.HasPrefix(r.Message, "not built: ") {
			s.recipeProgress(r.Recipe, "not built", strings.TrimPrefix(r.Message, "not built: "), true)
		}
	}
	return results
}

func buildOne(ctx context.Context, s *State, be backend.Backend, req backend.Request) backend.Result {
	b := recipes.Build{Kind: req.Kind, Name: req.Recipe, Version: req.Version}
	verb := "building"
	if s.TestOnly {
		verb = "testing"
	}
	s.setStatus(ctx, b.Name, vcs.StatePending, fmt.Sprintf("%s %s on %s", verb, b.Version, be.Name()))
	s.recipeProgress(b.Name, "started", fmt.Sprintf("%s %s on %s", verb, b.Version, be.Name()), false)
	req.Force, req.KeepOnFailure, req.DryRun = s.Opts.Force, s.Opts.KeepOnFailure, s.Opts.DryRun
	if s.TestOnly {
		// Component tests on a pull request build and test but must not
		// distribute: the backend reaches distributions through the
		// pipelines, so hand it the repository without them.
		testRepo := *s.Repo
		testRepo.Pipelines = map[string]*recipes.Pipeline{}
		req.Repo, req.Pipelines = &testRepo, nil
	}
	started := s.now()
	res, err := be.Build(ctx, req, func(e backend.Event) {
		s.recipeProgress(orDefault(e.Recipe, b.Name), e.Stage, e.Message, false)
	})
	if err != nil && ctx.Err() != nil {
		// Interrupted: the build did not fail, it was stopped.
		s.recipeProgress(b.Name, string(backend.StatusCancelled), err.Error(), true)
		return backend.Result{Recipe: b.Name, Kind: b.Kind, Version: b.Version, Status: backend.StatusCancelled,
			Message: "interrupted: " + err.Error(), Started: started, Finished: s.now()}
	}
	if err != nil {
		s.recipeProgress(b.Name, "error", "could not build: "+err.Error(), true)
		s.mu.Lock()
		if s.backendErr == nil {
			s.backendErr = fmt.Errorf("%s backend: %w", be.Name(), err)
		}
		s.mu.Unlock()
		return backend.Result{Recipe: b.Name, Kind: b.Kind, Version: b.Version, Status: backend.StatusFailed,
			Message: "the backend could not run: " + err.Error(), Started: started, Finished: s.now()}
	}
	if res == nil {
		return backend.Result{Recipe: b.Name, Kind: b.Kind, Version: b.Version, Status: backend.StatusFailed, Message: "the backend returned no result", Started: started, Finished: s.now()}
	}
	s.recipeProgress(b.Name, string(res.Status), res.Message, true)
	return *res
}

// writeReports assembles the report and writes report.md, report.json and
// the host's files into the run's folder.
type writeReports struct{}

// runsFolder is where run reports go without --report-dir: .ibgitops/runs
// in the repository, ignored by git the way the image store ignores itself
// (git status stays clean after a local run); outside a git repository,
// a folder under the system's temp folder, so that ibgitops writes nothing
// into a folder it was only asked to read.
func runsFolder(root string) (string, error) {
	if workspace.TopLevel(root) == "" {
		return filepath.Join(os.TempDir(), "ibgitops-runs"), nil
	}
	store := filepath.Join(root, ".ibgitops")
	if err := os.MkdirAll(store, 0o755); err != nil {
		return "", fmt.Errorf("create the report folder: %w (pass --report-dir to write elsewhere)", err)
	}
	ignore := filepath.Join(store, ".gitignore")
	if _, err := os.Lstat(ignore); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(ignore, []byte("*\n"), 0o644); err != nil {
			return "", fmt.Errorf("write %s: %w", ignore, err)
		}
	}
	return filepath.Join(store, "runs"), nil
}

func (writeReports) String() string { return "writing reports" }

func (writeReports) Run(ctx context.Context, s *State) error {
	s.Report = assemble(s)
	dir := s.Opts.ReportDir
	if dir == "" {
		sha := report.ShortSHA(s.commit())
		if sha == "" {
			sha = "worktree"
		}
		base, err := runsFolder(s.Opts.Root)
		if err != nil {
			return err
		}
		dir = filepath.Join(base, s.Started.UTC().Format("20060102T150405Z")+"-"+sha)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create the report folder: %w (pass --report-dir to write elsewhere)", err)
	}
	s.RunDir = dir
	md, err := report.Markdown(s.Report, report.MarkdownOptions{LogURL: s.CI.RunURL})
	if err != nil {
		return err
	}
	if err := s.writeFile(filepath.Join(dir, "report.md"), []byte(md)); err != nil {
		return err
	}
	var js bytes.Buffer
	if err := report.WriteJSON(&js, s.Report); err != nil {
		return err
	}
	if err := s.writeFile(filepath.Join(dir, "report.json"), js.Bytes()); err != nil {
		return err
	}
	if s.Opts.Host != nil {
		if err := s.Opts.Host.Publish(ctx, s.Report, dir); err != nil {
			return err
		}
		s.refreshFiles()
	}
	return nil
}

func (s *State) writeFile(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	s.Files = append(s.Files, path)
	return nil
}

// refreshFiles lists the run folder (the host adds its artifacts).
func (s *State) refreshFiles() {
	entries, err := os.ReadDir(s.RunDir)
	if err != nil {
		return
	}
	s.Files = s.Files[:0]
	for _, e := range entries {
		if !e.IsDir() {
			s.Files = append(s.Files, filepath.Join(s.RunDir, e.Name()))
		}
	}
	sort.Strings(s.Files)
}

// hostReport posts the final lint status and the sticky comment.
type hostReport struct{ name string }

func (h hostReport) String() string { return "reporting to " + h.name }

func (hostReport) Skip(s *State) (string, bool) { return "", s.Opts.Host == nil }

func (hostReport) Run(ctx context.Context, s *State) error {
	r := assemble(s)
	if s.Linted || s.Err != nil {
		st := vcs.StateSuccess
		if r.LintState() == "failure" || !s.Linted {
			st = vcs.StateFailure
		}
		desc := r.LintDescription()
		if !s.Linted {
			desc = "could not lint: " + r.Error
		}
		s.setStatus(ctx, "lint", st, desc)
	}
	if s.CI.Event != vcs.EventPullRequest {
		return nil
	}
	if s.Repo != nil && s.Repo.Config.Report.Comment == "off" {
		s.progressf("  no comment: report.comment is off in ibgitops.yaml")
		return nil
	}
	body, err := report.Markdown(r, report.MarkdownOptions{
		Limit: s.Opts.Host.CommentLimit(), HostName: s.Opts.Host.Name(), Marker: s.CI.CommentMarker,
		LogURL: s.CI.RunURL, Annotated: annotatedLine(s),
	})
	if err != nil {
		return err
	}
	return s.Opts.Host.UpsertComment(ctx, body)
}

// configRoot is the config root relative to the repository's top level
// ("." for the top, or outside a repository): the identity of this
// ibgitops set-up's sticky comment, so two set-ups in one repository keep
// a comment each.
func configRoot(root string) string {
	if p := workspace.Prefix(root); p != "" {
		return p
	}
	return "."
}

func annotatedLine(s *State) string {
	if a, ok := s.Opts.Host.(vcs.Annotator); ok {
		return a.AnnotationNote(s.Findings)
	}
	return ""
}

// assemble builds the report from the state.
func assemble(s *State) *report.Report {
	r := &report.Report{
		Tool: s.Opts.Tool, Host: s.CI.Host, Event: s.CI.Describe(), Action: s.ActionText,
		Repository: s.CI.Repository, Commit: s.commit(), RunURL: s.CI.RunURL,
		Started: s.Started, Finished: s.now(),
		Plan: s.Plan, Builds: s.Results, Skipped: s.Skipped, Notes: s.Notes, FailOn: s.Opts.FailOn,
	}
	if s.Linted {
		r.Linted, r.Findings = true, s.Findings
		if s.Repo != nil {
			r.Files = s.Repo.Files
		}
	}
	if s.Plan != nil {
		r.Base = s.Plan.Base
	}
	if s.Err != nil {
		r.Error = s.Err.Error()
	}
	_, failed := r.BuildCounts()
	r.Failed = s.Err != nil || r.LintFails() || failed > 0
	return r
}

func writeText(w io.Writer, r *report.Report, color bool) error { return report.WriteText(w, r, color) }

func relFiles(root string, files []string) []string {
	out := make([]string, 0, len(files))
	for _, f := range files {
		if rel, err := filepath.Rel(root, f); err == nil && !strings.HasPrefix(rel, "..") {
			f = rel
		}
		out = append(out, f)
	}
	return out
}
