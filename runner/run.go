package runner

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/internal/version"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/git"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/ibgitops/ibgitops/runner/vcs"
	"github.com/ibgitops/ibgitops/runner/workspace"
)

// Run lints, plans, builds and reports as the CI event calls for (the
// `run` command), writes report.md and report.json into the run's folder
// and prints the summary. The error is set when the run could not finish
// (exit code 2); the Outcome is returned either way so that the reports
// say what happened.
func Run(ctx context.Context, opts Options) (*Outcome, error) {
	switch opts.Only {
	case "", "lint", "plan":
	default:
		return nil, fmt.Errorf("only %q: use lint or plan", opts.Only)
	}
	s, err := newState(opts, true)
	if err != nil {
		return nil, err
	}
	if s.Opts.TagOnly && s.CI.Event != vcs.EventTag {
		return nil, fmt.Errorf("command: release runs on tag pushes (%s is not one): run the workflow on tags matching release.tagPattern, or use command: run", s.CI.Describe())
	}
	if s.CI.Event == vcs.EventLocal && s.Opts.ReleaseTag == "" {
		ci := *s.CI
		ci.Branch, ci.DefaultBranch = localBranches(s.Opts.Root)
		s.CI = &ci
	}
	refused := s.refuseTestComponents(ctx)
	decide(s)
	limit(s)
	s.Skipped = append(s.Skipped, s.Opts.Skipped...)
	out, err := s.finish(ctx, runSteps(s), reportSteps(s))
	printSummary(s, out)
	if err == nil && refused != nil {
		// Lint and plan ran and reported; the step still fails with the fix.
		err = refused
	}
	return out, err
}

// refuseTestComponents opens the local backend for --test-components on a
// pull request up front: without an engine the component tests are
// refused (the report says why), but lint and plan still run and report,
// so the pull request gets its statuses and comment.
func (s *State) refuseTestComponents(ctx context.Context) error {
	if !s.Opts.TestComponents || s.CI.Event != vcs.EventPullRequest || s.Opts.Only != "" || s.Opts.TestBackend != nil {
		return nil
	}
	cfg, _, err := recipes.LoadConfig(os.DirFS(s.Opts.Root))
	if err != nil {
		return nil // the lint reports an unreadable ibgitops.yaml
	}
	be, err := backend.Open(ctx, backend.DefaultName, backend.Config{Repo: cfg})
	if err == nil {
		s.Opts.TestBackend = be
		return nil
	}
	refused := fmt.Errorf("--test-components needs the local backend: %w%s", err, testComponentsHint(s.CI))
	s.Opts.TestComponents = false
	s.Opts.Skipped = append(s.Opts.Skipped, "component tests: "+refused.Error())
	return refused
}

// testComponentsHint is the CI host's fix where the engine is missing by
// design (vcs.Context.NoEngineHint), after the error.
func testComponentsHint(ci *vcs.Context) string {
	if ci == nil || ci.NoEngineHint == "" {
		return ""
	}
	return "; " + ci.NoEngineHint
}

// limit applies Options.Only on top of what the event calls for.
func limit(s *State) {
	switch s.Opts.Only {
	case "lint":
		if s.PlanChanges || s.Build || s.Release {
			s.Skipped = append(s.Skipped, "plan and build: only lint was asked for")
		}
		s.PlanChanges, s.Build, s.Release, s.TestOnly = false, false, false, false
		s.ActionText = "lint"
	case "plan":
		if s.Build || s.Release {
			s.Skipped = append(s.Skipped, "build: only lint and plan were asked for")
		}
		s.PlanChanges, s.Build, s.Release, s.TestOnly = true, false, false, false
		s.ActionText = "lint + plan"
	}
}

// Release builds, tests and distributes the recipe version a release tag
// names (the `release` command): the tag is Options.ReleaseTag, else the
// tag of a CI tag pipeline.
func Release(ctx context.Context, opts Options) (*Outcome, error) {
	s, err := newState(opts, true)
	if err != nil {
		return nil, err
	}
	if s.Opts.ReleaseTag == "" && s.CI.Event == vcs.EventTag {
		s.Opts.ReleaseTag = s.CI.Tag
	}
	if s.Opts.ReleaseTag == "" {
		return nil, fmt.Errorf("--tag is required outside a tag pipeline: the release tag, e.g. --tag web-server/v1.4.3")
	}
	decide(s)
	out, err := s.finish(ctx, runSteps(s), reportSteps(s))
	printSummary(s, out)
	return out, err
}

// Build builds what the plan says, or the recipes named in Options.Recipes
// (the `build` command), and prints one line per result. A repository
// with lint errors is refused: nothing is built.
func Build(ctx context.Context, opts Options) (*Outcome, error) {
	s, err := newState(opts, false)
	if err != nil {
		return nil, err
	}
	s.Lint, s.Build = true, true
	s.PlanChanges = len(opts.Recipes) == 0
	s.ActionText = "build"
	return s.finish(ctx, []Step{
		work(lintStep{}),
		work(lintGate{}),
		work(planStep{}),
		work(selectStep{}),
		work(openBackend{}),
		work(reconcileStep{}),
		work(applyStep{}),
		work(buildStep{s: s}),
		work(applyStep{after: true}),
	}, []Step{
		reporting(buildSummary{}),
	})
}

// runSteps are the work of `run` and `release`; which of them apply is
// what decide set.
func runSteps(s *State) []Step {
	return []Step{
		reporting(prepareHost{}),
		work(releaseCommitStep{}),
		work(lintStep{}),
		work(planStep{fromEvent: true}),
		work(openCheckBackend{}),
		work(takenStep{}),
		work(releaseStep{}),
		work(openBackend{}),
		work(reconcileStep{}),
		work(applyStep{}),
		work(buildStep{s: s}),
		work(applyStep{after: true}),
	}
}

// reportSteps run after the work, whether it finished or not.
func reportSteps(s *State) []Step {
	hostName := "the CI host"
	if s.Opts.Host != nil {
		hostName = s.Opts.Host.Name()
	}
	return []Step{
		// Statuses and the comment first, so that the files written next
		// (report.md, report.json, the step summary) also carry any
		// problem reporting to the host had.
		reporting(hostReport{name: hostName}),
		reporting(writeReports{}),
	}
}

// newState checks the options, fills in the defaults and finds the CI
// context: the one place these are decided for every command. withHost
// opens the CI host to report to (run, release); build only reads the
// context, for provenance.
func newState(opts Options, withHost bool) (*State, error) {
	if opts.Load == nil {
		opts.Load = recipes.Load
	}
	if opts.Plan == nil {
		opts.Plan = computePlan
	}
	if opts.FailOn == "" {
		opts.FailOn = "error"
	}
	switch opts.FailOn {
	case "error", "warning", "never":
	default:
		return nil, fmt.Errorf("--fail-on %q: use error, warning or never", opts.FailOn)
	}
	if opts.Parallel == 0 {
		opts.Parallel = DefaultParallel
	}
	if opts.Parallel < 1 {
		return nil, fmt.Errorf("--parallel %d: give at least 1", opts.Parallel)
	}
	if opts.Tool == "" {
		opts.Tool = ToolName()
	}
	if err := checkRoot(&opts); err != nil {
		return nil, err
	}
	// Hosts attach findings to their diff by paths from the git top level.
	if prefix := workspace.Prefix(opts.Root); prefix != "" {
		opts.Load, opts.Plan = prefixedLoad(prefix, opts.Load), prefixedPlan(prefix, opts.Plan)
	}
	if opts.CI == nil && opts.Getenv != nil {
		ci, host, notes, err := vcs.Detect(opts.CIName, vcs.Env{Getenv: opts.Getenv, Stdout: opts.Out, ConfigRoot: configRoot(opts.Root)})
		if err != nil {
			return nil, err
		}
		opts.CI = ci
		if withHost {
			opts.Host = withNotes(host, notes)
		}
		if host == nil || !withHost {
			// Nothing else reports the notes: keep them in the terminal.
			for _, n := range notes {
				if opts.Progress != nil {
					fmt.Fprintln(opts.Progress, "ibgitops: note:", escape.TermLines(n))
				}
			}
		}
	}
	if opts.CI == nil {
		opts.CI = &vcs.Context{Event: vcs.EventLocal}
	}
	if opts.CI.CommentMarker == "" {
		// A context the caller built (tests, embedders): the comment's
		// identity is this root's all the same.
		ci := *opts.CI
		ci.CommentMarker = vcs.CommentMarker(configRoot(opts.Root))
		opts.CI = &ci
	}
	s := &State{Opts: opts, CI: opts.CI}
	s.Started = s.now()
	return s, nil
}

// prefixedLoad and prefixedPlan make the files of findings relative to the
// git top level (root's prefix), as the hosts' diffs name them.
func prefixedLoad(prefix string, load LoadFunc) LoadFunc {
	return func(fsys fs.FS) (*recipes.Repo, []diag.Finding, error) {
		repo, findings, err := load(fsys)
		workspace.PrefixFindings(prefix, findings)
		return repo, findings, err
	}
}

func prefixedPlan(prefix string, plan PlanFunc) PlanFunc {
	return func(ctx context.Context, req PlanRequest) (*PlanResult, error) {
		res, err := plan(ctx, req)
		if res != nil {
			workspace.PrefixFindings(prefix, res.Findings)
		}
		return res, err
	}
}

// DefaultParallel is how many independent recipes build at once when
// --parallel is not given, for every command.
const DefaultParallel = 4

// ToolName is the tool's provenance spelling, "ibgitops <version>",
// written on every output whichever command made it.
func ToolName() string { return "ibgitops " + version.String() }

// finish runs the flow and turns its end into the Outcome.
func (s *State) finish(ctx context.Context, work, always []Step) (*Outcome, error) {
	err := Flow(ctx, s, work, always)
	if s.Report == nil {
		// writeReports did not run or could not even assemble the report.
		s.Report = assemble(s)
	}
	out := &Outcome{Report: s.Report, RunDir: s.RunDir, Files: s.Files}
	switch {
	case err != nil:
		out.ExitCode = exitcodes.Cannot
	case s.Report.Failed:
		out.ExitCode = exitcodes.Findings
	}
	return out, err
}

// decide sets what the CI event calls for.
func decide(s *State) {
	ci, o := s.CI, s.Opts
	s.Lint, s.PlanChanges = true, true
	switch {
	case o.ReleaseTag != "":
		s.Release, s.Build, s.PlanChanges = true, true, false
		s.ActionText = "release " + o.ReleaseTag
		return
	case ci.Event == vcs.EventTag:
		s.Release, s.Build, s.PlanChanges = true, true, false
		s.Opts.ReleaseTag = ci.Tag
		s.ActionText = "release " + ci.Tag
		return
	case ci.Event == vcs.EventLocal && !LocalBuildAllowed(ci, o.BuildAnyBranch):
		s.ActionText = "lint + plan"
		s.Skipped = append(s.Skipped, fmt.Sprintf("build: outside CI, %s is not the default branch %s: linted and planned only, as a pull request would be (pass --build to build and distribute from it anyway)",
			orDefault(ci.Branch, "a detached HEAD"), ci.DefaultBranch))
	case ci.Event == vcs.EventLocal, ci.Event == vcs.EventPush:
		s.Build = true
		s.ActionText = "lint + plan + build"
	case ci.Event == vcs.EventPullRequest:
		s.ActionText = "lint + plan"
		if o.TestComponents {
			s.Build, s.TestOnly = true, true
			s.ActionText = "lint + plan + component tests"
		} else {
			s.Skipped = append(s.Skipped, "build: "+ci.Describe()+" is linted and planned; recipes are built after merge to "+orDefault(ci.DefaultBranch, "the default branch")+" (pass --test-components to run the changed components' phases locally)")
		}
	case ci.Event == vcs.EventPushBranch:
		s.ActionText = "lint + plan"
		s.Skipped = append(s.Skipped, fmt.Sprintf("build: %s is not the default branch %s; builds run on pushes to %s and on release tags", ci.Branch, orDefault(ci.DefaultBranch, "(unknown)"), orDefault(ci.DefaultBranch, "the default branch")))
	default:
		s.ActionText = "lint + plan"
		s.Skipped = append(s.Skipped, fmt.Sprintf("build: the %q event builds nothing; builds run on pushes to the default branch and on release tags", ci.Name))
	}
}

// LocalBuildAllowed says whether a terminal run builds: on the default
// branch, or anywhere with --build. Unmerged work would otherwise create
// immutable versions and update shared pipelines. When the branches are
// unknown (no git), it builds, as before.
func LocalBuildAllowed(ci *vcs.Context, buildAnyBranch bool) bool {
	if buildAnyBranch || ci.DefaultBranch == "" {
		return true
	}
	return ci.Branch == strings.TrimPrefix(ci.DefaultBranch, "origin/")
}

// localBranches is the checked-out branch and the default branch of the
// git repository holding root ("" when there is none).
func localBranches(root string) (branch, defaultBranch string) {
	repo, err := git.Open(root)
	if err != nil {
		return "", ""
	}
	defer repo.Close()
	def, err := repo.DefaultBranch()
	if err != nil {
		return repo.CurrentBranch(), ""
	}
	return repo.CurrentBranch(), def
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func printSummary(s *State, out *Outcome) {
	if s.Opts.Out == nil || out.Report == nil {
		return
	}
	w := s.Opts.Out
	fmt.Fprintln(w)
	if err := writeText(w, out.Report, s.Opts.Color); err != nil {
		return
	}
	if out.RunDir != "" {
		fmt.Fprintf(w, "\nreports: %s\n", escape.Term(strings.Join(relFiles(s.Opts.Root, out.Files), ", ")))
	}
}

// withNotes adds the context detection's notes to what the host's Prepare
// reports.
func withNotes(h vcs.Host, notes []string) vcs.Host {
	if h == nil || len(notes) == 0 {
		return h
	}
	return notedHost{Host: h, notes: notes}
}

type notedHost struct {
	vcs.Host
	notes []string
}

func (n notedHost) Prepare(ctx context.Context) []string {
	return append(append([]string{}, n.notes...), n.Host.Prepare(ctx)...)
}
