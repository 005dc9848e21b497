package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

// Run lints, plans, builds and reports as the CI event calls for, writes
// report.md and report.json into the run's folder and prints the summary.
// The error is set when the run could not finish (exit code 2); the
// Outcome is returned either way so that the reports say what happened.
func Run(ctx context.Context, opts Options) (*Outcome, error) {
	if opts.Load == nil {
		return nil, errors.New("runner: no repository loader wired (internal error)")
	}
	if opts.FailOn == "" {
		opts.FailOn = "error"
	}
	switch opts.FailOn {
	case "error", "warning", "never":
	default:
		return nil, fmt.Errorf("--fail-on %q: use error, warning or never", opts.FailOn)
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	ci := opts.CI
	if ci == nil {
		ci = &vcs.Context{Event: vcs.EventLocal}
	}
	switch opts.Only {
	case "", "lint", "plan":
	default:
		return nil, fmt.Errorf("only %q: use lint or plan", opts.Only)
	}
	s := &State{Opts: opts, CI: ci}
	s.Started = s.now()
	decide(s)
	limit(s)
	s.Skipped = append(s.Skipped, opts.Skipped...)

	hostName := "the CI host"
	if opts.Host != nil {
		hostName = opts.Host.Name()
	}
	steps := []Step{
		reporting(prepareHost{}),
		work(lintStep{}),
		work(planStep{}),
		work(takenStep{}),
		work(reconcileStep{}),
		work(applyStep{}),
		work(releaseStep{}),
		work(buildStep{s: s}),
		work(applyStep{after: true}),
		// Statuses and the comment first, so that the files written next
		// (report.md, report.json, the step summary) also carry any
		// problem reporting to the host had.
		reporting(hostReport{name: hostName}),
		reporting(writeReports{}),
	}
	err := Flow(ctx, s, steps)
	if s.Report == nil {
		// writeReports could not even assemble the report.
		s.Report = assemble(s)
	}
	out := &Outcome{Report: s.Report, RunDir: s.RunDir, Files: s.Files}
	switch {
	case err != nil:
		out.ExitCode = exitcodes.Cannot
	case s.Report.Failed:
		out.ExitCode = exitcodes.Findings
	}
	printSummary(s, out)
	return out, err
}

// decide sets what the event calls for.
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
