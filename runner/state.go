package runner

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"time"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/reconcile"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

// LoadFunc loads and lints a repository: recipes.Load.
type LoadFunc func(fsys fs.FS) (*recipes.Repo, []diag.Finding, error)

// PlanRequest asks for the plan between two commits.
type PlanRequest struct {
	Root string
	Base string // "" = the merge base with the default branch
	Head string // "" = HEAD
	// Token and TokenUser let the planner fetch the history a shallow CI
	// checkout lacks (vcs.Context's FetchUser, FetchToken); HistoryFix is
	// the host's setting its errors name (vcs.Context.HistoryFix).
	HistoryFix, Token, TokenUser string
	// BaseBranch is the CI's branch to compare with (vcs.Context).
	BaseBranch string
}

// PlanResult is what the planner hands back (runner/plan.Compute).
type PlanResult struct {
	Plan       recipes.Plan
	Base, Head *recipes.Repo
	// Findings the plan adds to the lint: rules that compare base and
	// head (version not raised, version lowered).
	Findings []diag.Finding
	// Warnings did not stop the plan; they go into the report's notes.
	Warnings []string
	// WorkTree: head is the work tree with uncommitted changes; outputs
	// record the commit as <sha>-dirty.
	WorkTree bool
}

// PlanFunc computes the plan: runner/plan.Compute behind a small adapter.
type PlanFunc func(ctx context.Context, req PlanRequest) (*PlanResult, error)

// Options configure one run. The cmd package wires the real loader,
// planner and backends in; tests wire fakes.
type Options struct {
	Root string // repository root (where ibgitops.yaml lives)
	Base string // --base; "" = from the CI event or the default branch
	Head string // --head; "" = the checked-out commit

	Load LoadFunc
	// Source is what Load reads; nil means the work tree at Root. A
	// release reads the tag's commit.
	Source fs.FS
	Plan   PlanFunc
	// Backend builds on push and release; TestBackend runs the changed
	// components' phases on pull requests with TestComponents.
	// nil means backend.Open(BackendName) when the event calls for a
	// build (tests pass fakes).
	Backend     backend.Backend
	TestBackend backend.Backend
	// CheckBackend, on a pull request, is only read: head's versions
	// that it already holds with other content are version-taken
	// findings. Nil: openCheckBackend opens the aws backend when it is
	// the configured one and there are credentials to read it.
	CheckBackend   backend.Backend
	BackendName    string // --backend; "" = ibgitops.yaml's, else local
	AWSRegion      string // --aws-region
	TestComponents bool
	Parallel       int // independent recipes built at once (0 = DefaultParallel)
	Force          bool
	// BuildAnyBranch (--build) lets a terminal run build on a branch other
	// than the default branch.
	BuildAnyBranch bool
	KeepOnFailure  bool
	DryRun         bool     // aws backend: print the calls, change nothing
	Recipes        []string // build --only: these recipes instead of the plan's

	FailOn    string // error | warning | never
	ReportDir string // "" = <root>/.ibgitops/runs/<time>-<sha>

	// Only stops the flow after "lint" or "plan" whatever the event calls
	// for (the action's `command` input); "" does what the event calls for.
	// The report goes to the same places either way.
	Only string
	// TagOnly refuses a run outside a tag event (the action's command:
	// release).
	TagOnly bool
	// Skipped lists what the caller refused before the run, each with why
	// and the fix; the report shows them with the steps the run skipped.
	Skipped []string

	// CI is the CI context and Host reports back to it. When CI is nil
	// and Getenv is set, vcs.Detect finds both from the environment
	// (CIName: --ci, "auto" by default); when both are nil, the run is a
	// local one with no host.
	CI     *vcs.Context
	Host   vcs.Host
	CIName string
	Getenv func(string) string

	// ReleaseTag, when set, releases the recipe version that tag names
	// (the `release` command, and `run` on a tag event).
	ReleaseTag string

	Tool     string    // "" = ToolName(): "ibgitops v1.2.3"
	Progress io.Writer // timestamped progress lines (stderr)
	// Live redraws one line per building recipe in place on Progress
	// (set it when Progress is a terminal).
	Live  bool
	Out   io.Writer // the summary at the end (stdout)
	Color bool      // colour the summary (a terminal)
	Now   func() time.Time
}

// Outcome is what a run ended with.
type Outcome struct {
	Report *report.Report
	// RunDir holds report.md, report.json and the host's artifacts.
	RunDir string
	Files  []string
	// ExitCode is one of internal/exitcodes: OK, Findings (findings or a
	// failed build) or Cannot (could not run).
	ExitCode int
}

// State is what the steps hand each other.
type State struct {
	Opts Options
	CI   *vcs.Context

	// Action is what the event calls for.
	Lint, PlanChanges, Build, TestOnly, Release bool
	ActionText                                  string

	Repo     *recipes.Repo
	Findings []diag.Finding
	Linted   bool
	Plan     *recipes.Plan
	Builds   []recipes.Build // what to build (the plan's, or the release's)
	// Status and Reconcile are the comparison with the backend and what
	// it calls for (builds on the default branch, updates in place).
	Status    *reconcile.Status
	Reconcile *reconcile.Plan
	Results   []backend.Result
	// Backend is the opened backend (openBackend).
	Backend backend.Backend

	Started time.Time
	Report  *report.Report
	RunDir  string
	Files   []string
	Skipped []string
	Notes   []string
	Err     error

	dirty                    bool // the plan's head is the work tree
	backendErr               error
	gitOnce                  sync.Once
	gitCommit, gitRepository string
	live                     *live
	sections                 int
	mu                       sync.Mutex
}

func (s *State) now() time.Time {
	if s.Opts.Now != nil {
		return s.Opts.Now()
	}
	return time.Now()
}

func (s *State) progressf(format string, args ...any) {
	if s.Opts.Progress == nil {
		return
	}
	// The format is ibgitops' own; the arguments (names, paths, messages
	// from the repository and the builds) go through the terminal escaping.
	line := fmt.Sprintf("%s  %s", s.now().Format("15:04:05"), fmt.Sprintf(format, escape.Args(args)...))
	if s.live != nil {
		s.live.line(line)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintln(s.Opts.Progress, line)
}

// recipeProgress shows where a recipe's build is: a line of the live view
// on a terminal, a timestamped line otherwise.
func (s *State) recipeProgress(recipe, stage, msg string, done bool) {
	if s.live != nil {
		s.live.update(recipe, stage, msg, done)
		return
	}
	if msg == "" {
		s.progressf("  %s: %s", recipe, stage)
		return
	}
	s.progressf("  %s: %s: %s", recipe, stage, msg)
}

func (s *State) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.mu.Lock()
	for _, n := range s.Notes {
		if n == msg {
			s.mu.Unlock()
			return
		}
	}
	s.Notes = append(s.Notes, msg)
	s.mu.Unlock()
	s.progressf("note: %s", msg)
}

// setStatus posts a commit status when a host is there; a failure is a note.
func (s *State) setStatus(ctx context.Context, what string, state vcs.State, desc string) {
	if s.Opts.Host == nil || (s.Repo != nil && s.Repo.Config.Report.Statuses == "off") {
		return
	}
	err := s.Opts.Host.SetStatus(ctx, vcs.Status{
		Name: vcs.StatusName(what), State: state,
		Description: vcs.ClampDescription(desc), TargetURL: s.CI.RunURL,
	})
	if err != nil {
		s.note("%s: %v", s.Opts.Host.Name(), err)
	}
}
