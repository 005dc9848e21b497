package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ibgitops/ibgitops/internal/version"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/backend/local"
	"github.com/ibgitops/ibgitops/runner/git"
	"github.com/ibgitops/ibgitops/runner/plan"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/ibgitops/ibgitops/runner/vcs"
	"github.com/ibgitops/ibgitops/runner/vcs/github"
	"github.com/ibgitops/ibgitops/runner/vcs/gitlab"
	"github.com/ibgitops/ibgitops/runner/workspace"
	"github.com/spf13/cobra"
)

type runOptions struct {
	root           string
	backend        string
	base, head     string
	testComponents bool
	failOn         string
	reportDir      string
	parallel       int
	force          bool
	keepOnFailure  bool
	awsRegion      string
	ci             string
	only           string // lint | plan: stop there (the action's command input)
	tagOnly        bool   // the action's command: release; refused outside a tag event
	build          bool
}

func newRunCmd() *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Do what the CI event calls for: lint + plan on pull requests, build on the default branch, release on tags; then report",
		Long: "run is the one command a CI step calls. It reads the CI context (GitHub Actions, GitLab CI, or none) and:\n" +
			"  pull/merge request   lint + plan (+ --test-components: the changed recipes built and tested locally, not distributed)\n" +
			"  push to the default branch, or no CI   lint + plan + build, test, distribute\n" +
			"  tag                  release the recipe version the tag names\n" +
			"  anything else        lint + plan, and says what was skipped and why\n" +
			"Then it reports: a terminal summary, report.md and report.json in the run's folder, and on a CI host commit\n" +
			"statuses, one sticky comment, the step summary / report artifacts and step outputs.\n" +
			"--only lint or --only plan stops after that step whatever the event, and reports the same way.\n" +
			"Exit codes: 0 passed, 1 findings (per --fail-on) or a failed build, 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The inputs set flags bound to o: apply them before o is read.
			if err := applyActionInputs(cmd, os.Getenv); err != nil {
				return withCode(exitCannot, err)
			}
			if err := applyActionCommand(cmd, os.Getenv, &o); err != nil {
				return withCode(exitCannot, err)
			}
			return runRun(cmd, o, "")
		},
	}
	addRunFlags(cmd, &o)
	cmd.Flags().BoolVar(&o.testComponents, "test-components", false, "on pull/merge requests, build and test the changed recipes on the local backend (nothing is distributed)")
	cmd.Flags().StringVar(&o.only, "only", "", "stop after lint or plan, whatever the event calls for: lint or plan")
	cmd.Flags().BoolVar(&o.build, "build", false, "outside CI: build and distribute even on a branch other than the default branch (otherwise it lints and plans only)")
	return cmd
}

// applyActionCommand reads the action's `command` input: run does what the
// event calls for, lint and plan stop there, release runs on tag events
// only. All of them go through run, so every command reports the same way.
func applyActionCommand(cmd *cobra.Command, getenv func(string) string, o *runOptions) error {
	if !github.Detected(getenv) || cmd.Flags().Changed("only") {
		return nil
	}
	switch c := strings.TrimSpace(getenv("INPUT_COMMAND")); c {
	case "", "run":
	case "lint", "plan":
		o.only = c
	case "release":
		o.tagOnly = true
	default:
		return fmt.Errorf("action input command: %q: use run, lint, plan or release (the composite action also runs any other ibgitops command)", c)
	}
	return nil
}

func addRunFlags(cmd *cobra.Command, o *runOptions) {
	f := cmd.Flags()
	f.StringVar(&o.root, "root", "", rootFlagUsage)
	f.StringVar(&o.backend, "backend", "", "build backend: local or aws (default: backend in ibgitops.yaml, else local)")
	f.StringVar(&o.base, "base", "", "base ref to plan against (default: from the CI event, else the merge base with the default branch)")
	f.StringVar(&o.head, "head", "", "head ref (default: the checked-out commit)")
	f.StringVar(&o.failOn, "fail-on", "error", "lint findings that fail the run: error, warning or never")
	f.StringVar(&o.reportDir, "report-dir", "", "folder for report.md, report.json and host artifacts (default: <root>/.ibgitops/runs/<time>-<commit>)")
	f.IntVar(&o.parallel, "parallel", 4, "independent recipes built at once")
	f.BoolVar(&o.force, "force", false, "rebuild even when an identical image exists")
	f.BoolVar(&o.keepOnFailure, "keep-on-failure", false, "keep the build container of a failed local build for inspection")
	f.StringVar(&o.awsRegion, "aws-region", "", "AWS region for the aws backend (default: aws.region in ibgitops.yaml, then the AWS SDK's chain)")
	f.StringVar(&o.ci, "ci", "auto", "CI host: auto (from the environment), github, gitlab or none")
}

// runRun wires the real loader, planner, backends and host into the flow.
func runRun(cmd *cobra.Command, o runOptions, releaseTag string) error {
	ctx := cmd.Context()
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	root, err := filepath.Abs(o.root)
	if err != nil {
		return withCode(exitCannot, err)
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return withCode(exitCannot, fmt.Errorf("--root %s is not a readable folder: give the repository's root folder", o.root))
	}
	switch o.failOn {
	case "error", "warning", "never":
	default:
		return withCode(exitCannot, fmt.Errorf("--fail-on %q: use error, warning or never", o.failOn))
	}
	cfg, _, err := recipes.LoadConfig(os.DirFS(root))
	if err != nil {
		return withCode(exitCannot, fmt.Errorf("read %s: %w", filepath.Join(root, "ibgitops.yaml"), err))
	}

	ci, host, notes, err := detectCI(o.ci, os.Getenv, stdout)
	if err != nil {
		return withCode(exitCannot, err)
	}
	if o.tagOnly && ci.Event != vcs.EventTag && releaseTag == "" {
		return withCode(exitCannot, fmt.Errorf("command: release runs on tag pushes (%s is not one): run the workflow on tags matching release.tagPattern, or use command: run", ci.Describe()))
	}
	if ci.Event == vcs.EventLocal && releaseTag == "" {
		ci.Branch, ci.DefaultBranch = localBranches(root)
	}
	var source fs.FS
	if releaseTag != "" {
		pattern := cfg.Release.TagPattern
		if pattern == "" {
			pattern = recipes.DefaultConfig().Release.TagPattern
		}
		if _, _, err := runner.ParseTag(pattern, releaseTag); err != nil {
			return withCode(exitCannot, err)
		}
		commit, tree, err := releaseCommit(root, releaseTag)
		if err != nil {
			return withCode(exitCannot, err)
		}
		ci.SHA, source = commit, tree
	}

	// Hosts attach findings to their diff by paths from the top level.
	prefix := workspace.Prefix(root)
	opts := runner.Options{
		Root: root, Base: o.base, Head: o.head,
		Load:           prefixedLoad(prefix, recipes.Load),
		Source:         source,
		Plan:           prefixedPlan(prefix, computePlan),
		Only:           o.only,
		TestComponents: o.testComponents, BuildAnyBranch: o.build,
		Parallel: o.parallel, Force: o.force, KeepOnFailure: o.keepOnFailure,
		FailOn: o.failOn, ReportDir: o.reportDir,
		CI: ci, Host: host, ReleaseTag: releaseTag,
		Tool:     "ibgitops " + version.String(),
		Progress: stderr, Out: stdout, Color: isTerminal(stdout), Live: isTerminal(stderr),
	}
	if host == nil {
		// Keep the notes of the context detection in the terminal.
		for _, n := range notes {
			fmt.Fprintln(stderr, "ibgitops: note:", escape.TermLines(n))
		}
	}
	backendName := o.backend
	if backendName == "" {
		backendName = cfg.Backend
	}
	if backendName == "" {
		backendName = "local"
	}
	if needsBuild(ci, releaseTag) && (ci.Event != vcs.EventLocal || releaseTag != "" || runner.LocalBuildAllowed(ci, o.build)) {
		be, cleanup, err := newBackend(backendName, cfg, o)
		if err != nil {
			return withCode(exitCannot, err)
		}
		defer cleanup()
		opts.Backend = be
	}
	if ci.Event == vcs.EventPullRequest && backendName == "aws" {
		// Read-only, where credentials allow: head's versions that Image
		// Builder already holds with other content are reported before
		// merge. Without credentials the pull request is planned as before.
		if be, cleanup, err := newBackend(backendName, cfg, o); err != nil {
			fmt.Fprintln(stderr, "ibgitops: note: not checking head's versions against Image Builder:", escape.TermLines(err.Error()))
		} else {
			defer cleanup()
			opts.CheckBackend = be
		}
	}
	// Without an engine the component tests are refused, but only after
	// lint and plan have run and reported, so the pull request still gets
	// its statuses and comment; the step then fails with the fix.
	var refused error
	if o.testComponents && ci.Event == vcs.EventPullRequest && o.only == "" {
		be, cleanup, err := newBackend("local", cfg, o)
		if err != nil {
			refused = fmt.Errorf("--test-components needs the local backend: %w%s", err, testComponentsHint(ci))
			opts.TestComponents = false
			opts.Skipped = append(opts.Skipped, "component tests: "+refused.Error())
		} else {
			defer cleanup()
			opts.TestBackend = be
		}
	}
	out, err := runner.Run(ctx, opts)
	if err != nil {
		return withCode(exitCannot, err)
	}
	if refused != nil {
		return withCode(exitCannot, refused)
	}
	if out.ExitCode != 0 {
		return withCode(out.ExitCode, nil)
	}
	return nil
}

// testComponentsHint names the fix where the engine is missing by design:
// the Docker action's image has none, the composite action uses the runner's.
func testComponentsHint(ci *vcs.Context) string {
	if ci == nil || ci.Host != "GitHub" {
		return ""
	}
	return "; the Docker action's image has no container engine: use the composite action ibgitops/ibgitops/composite (same inputs), which runs on the runner with its docker, or drop test-components"
}

// prefixedLoad and prefixedPlan make the files of findings relative to the
// git top level (root's prefix), as the hosts' diffs name them.
func prefixedLoad(prefix string, load runner.LoadFunc) runner.LoadFunc {
	return func(fsys fs.FS) (*recipes.Repo, []diag.Finding, error) {
		repo, findings, err := load(fsys)
		workspace.PrefixFindings(prefix, findings)
		return repo, findings, err
	}
}

func prefixedPlan(prefix string, plan runner.PlanFunc) runner.PlanFunc {
	return func(ctx context.Context, req runner.PlanRequest) (*runner.PlanResult, error) {
		res, err := plan(ctx, req)
		if res != nil {
			workspace.PrefixFindings(prefix, res.Findings)
		}
		return res, err
	}
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

// needsBuild says whether the event builds on the configured backend, so
// that a pull request does not need an engine or AWS credentials.
func needsBuild(ci *vcs.Context, releaseTag string) bool {
	if releaseTag != "" {
		return true
	}
	switch ci.Event {
	case vcs.EventLocal, vcs.EventPush, vcs.EventTag:
		return true
	}
	return false
}

// detectCI finds the CI host from the environment (or --ci) and builds its
// reporter.
func detectCI(which string, getenv func(string) string, stdout io.Writer) (*vcs.Context, vcs.Host, []string, error) {
	if which == "auto" {
		switch {
		case github.Detected(getenv):
			which = "github"
		case gitlab.Detected(getenv):
			which = "gitlab"
		default:
			which = "none"
		}
	}
	switch which {
	case "none":
		return &vcs.Context{Event: vcs.EventLocal}, nil, nil, nil
	case "github":
		ci, notes := github.DetectContext(getenv)
		h, err := github.New(ci, github.Options{Getenv: getenv, Stdout: stdout})
		if err != nil {
			return nil, nil, nil, err
		}
		return ci, withNotes(h, notes), notes, nil
	case "gitlab":
		ci, notes := gitlab.DetectContext(getenv)
		h, err := gitlab.New(ci, gitlab.Options{Getenv: getenv})
		if err != nil {
			return nil, nil, nil, err
		}
		return ci, withNotes(h, notes), notes, nil
	}
	return nil, nil, nil, fmt.Errorf("--ci %q: use auto, github, gitlab or none", which)
}

// withNotes adds the context detection's notes to what the host's Prepare
// reports.
func withNotes(h vcs.Host, notes []string) vcs.Host {
	if len(notes) == 0 {
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

// newBackend builds the named backend.
func newBackend(name string, cfg recipes.Config, o runOptions) (backend.Backend, func(), error) {
	switch name {
	case "local":
		b, err := local.New(local.Options{Engine: cfg.Local.Engine})
		if err != nil {
			return nil, nil, err
		}
		return b, func() {}, nil
	case "aws":
		return newAWSBackend(cfg, o)
	}
	return nil, nil, fmt.Errorf("--backend %q: use local or aws", name)
}

// computePlan adapts runner/plan to the flow.
func computePlan(ctx context.Context, req runner.PlanRequest) (*runner.PlanResult, error) {
	res, err := plan.Compute(ctx, withFetchAuth(plan.Options{Root: req.Root, Base: req.Base, Head: req.Head}))
	if err != nil {
		return nil, err
	}
	// The lint step already reported the head's own findings; the plan adds
	// the rules that compare base and head.
	var findings []diag.Finding
	if res.Base != nil && res.Head != nil {
		findings = recipes.LintAgainstBase(res.Base, res.Head, res.Plan)
	}
	// Versions the target branch took since the merge base (version-taken).
	findings = append(findings, res.Collisions...)
	return &runner.PlanResult{Plan: res.Plan, Base: res.Base, Head: res.Head, Findings: findings, Warnings: res.Warnings}, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("NO_COLOR") == "" && !strings.EqualFold(os.Getenv("TERM"), "dumb")
}

// actionInputs are the action.yml inputs that map to flags of the same
// name; action.yml passes no argument but the command.
var actionInputs = []string{"root", "backend", "aws-region", "test-components", "fail-on"}

// applyActionInputs reads the GitHub Action's INPUT_* variables for the
// flags the command line did not set. Hyphens stay: the runner names the
// `test-components` input INPUT_TEST-COMPONENTS.
func applyActionInputs(cmd *cobra.Command, getenv func(string) string) error {
	if !github.Detected(getenv) {
		return nil
	}
	for _, name := range actionInputs {
		f := cmd.Flags().Lookup(name)
		if f == nil || f.Changed {
			continue
		}
		v := strings.TrimSpace(getenv("INPUT_" + strings.ToUpper(name)))
		if v == "" {
			continue
		}
		if err := cmd.Flags().Set(name, v); err != nil {
			return fmt.Errorf("action input %s: %q: %w", name, v, err)
		}
	}
	return nil
}

// newAWSBackend builds the EC2 Image Builder backend.
func newAWSBackend(cfg recipes.Config, o runOptions) (backend.Backend, func(), error) {
	b, err := newAWSImageBuilder(o.awsRegion, cfg)
	if err != nil {
		return nil, nil, err
	}
	return b, func() {}, nil
}
