package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/report/escape"
)

// lintGate refuses to build a repository with lint errors (the `build`
// command; `run` skips the build and reports the findings instead).
type lintGate struct{}

func (lintGate) String() string { return "checking for lint errors" }

func (lintGate) Run(_ context.Context, s *State) error {
	var lines []string
	for _, f := range s.Findings {
		if f.Severity == diag.Error {
			lines = append(lines, "  "+f.String())
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return fmt.Errorf("the repository has lint errors; fix them first (`ibgitops lint` shows them):\n%s", strings.Join(lines, "\n"))
}

// selectStep builds the recipes named by --only at the versions in their
// files, instead of the plan's builds.
type selectStep struct{}

func (selectStep) String() string { return "selecting the recipes to build" }

func (selectStep) Skip(s *State) (string, bool) { return "", len(s.Opts.Recipes) == 0 }

func (selectStep) Run(_ context.Context, s *State) error {
	if s.Repo == nil {
		return errors.New("the repository was not loaded")
	}
	s.Builds = nil
	for _, name := range s.Opts.Recipes {
		r, kind, ok := s.Repo.Recipe(name)
		if !ok {
			return fmt.Errorf("--only %s: no image or container recipe of that name under %s", name, s.Opts.Root)
		}
		s.Builds = append(s.Builds, recipes.Build{Kind: kind, Name: name, Version: r.Version, Pipelines: pipelinesOf(s.Repo, name)})
	}
	return nil
}

func pipelinesOf(repo *recipes.Repo, recipe string) []string {
	var out []string
	for name, p := range repo.Pipelines {
		if p.RecipeName() == recipe {
			out = append(out, name)
		}
	}
	return out
}

// buildSummary prints the `build` command's result: one line per recipe
// version and the failing steps with the tail of their log.
type buildSummary struct{}

func (buildSummary) String() string { return "summarising the builds" }

func (buildSummary) Skip(s *State) (string, bool) { return "", s.Opts.Out == nil }

func (buildSummary) Run(_ context.Context, s *State) error {
	if s.Err == nil && len(s.Builds) == 0 {
		if s.Reconcile != nil {
			fmt.Fprintln(s.Opts.Out, "nothing to build: every recipe version of the repository has an image of its content (name recipes with --only and --force to rebuild them)")
			return nil
		}
		fmt.Fprintln(s.Opts.Out, "nothing to build: the plan builds no recipe (name recipes with --only to build them anyway)")
		return nil
	}
	if len(s.Results) > 0 {
		writeBuildSummary(s.Opts.Out, s.Results)
	}
	return nil
}

// interruptSummary says what an interrupt cancelled and what stays, from
// the backends' own account of each build (which builds they stopped,
// what they removed or kept), never a blanket claim.
func interruptSummary(results []backend.Result) string {
	var parts []string
	for _, r := range results {
		if r.Status == backend.StatusCancelled {
			parts = append(parts, fmt.Sprintf("%s %s: %s", escape.Term(r.Recipe), escape.Term(r.Version), escape.Term(r.Message)))
		}
	}
	if len(parts) == 0 {
		return "no build was running; nothing was cancelled"
	}
	return strings.Join(parts, "; ")
}

// writeBuildSummary prints one line per result and the failing steps.
func writeBuildSummary(w io.Writer, results []backend.Result) {
	fmt.Fprintln(w)
	for _, r := range results {
		what := r.Image
		if len(r.Outputs) > 1 {
			what = strings.Join(r.Outputs, ", ")
		}
		if r.Status != backend.StatusSucceeded && r.Status != backend.StatusSkipped {
			what = r.Message
		}
		if what == "" {
			what = r.Message
		}
		fmt.Fprintf(w, "%-10s %s %s: %s\n", escape.Term(string(r.Status)), escape.Term(r.Recipe), escape.Term(r.Version), escape.Term(what))
		for _, warn := range r.Warnings {
			fmt.Fprintf(w, "           warning: %s\n", escape.Term(warn))
		}
		for _, st := range append(append([]backend.StepResult{}, r.Steps...), r.Tests...) {
			if st.Status != "failed" {
				continue
			}
			code := "" // 0 is "unknown": Image Builder reports no exit codes
			if st.ExitCode != 0 {
				code = fmt.Sprintf(" (exit %d)", st.ExitCode)
			}
			fmt.Fprintf(w, "           %s %s / %s%s: %s\n", escape.Term(st.Phase), escape.Term(st.Component), escape.Term(st.Step), code, escape.Term(st.Message))
			if st.LogTail != "" {
				fmt.Fprintf(w, "             | %s\n", strings.ReplaceAll(escape.TermLines(st.LogTail), "\n", "\n             | "))
			}
		}
		if r.LogURL != "" && r.Status == backend.StatusFailed {
			fmt.Fprintf(w, "           logs: %s\n", escape.Term(r.LogURL))
		}
	}
}
