package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/internal/version"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/backend/local"
	"github.com/ibgitops/ibgitops/runner/plan"
	"github.com/ibgitops/ibgitops/runner/reconcile"
	"github.com/ibgitops/ibgitops/runner/report/escape"
)

type buildOptions struct {
	root          string
	backend       string
	only          []string
	base          string
	parallel      int
	keepOnFailure bool
	force         bool
	dryRun        bool
	awsRegion     string
}

func newBuildCmd() *cobra.Command {
	var o buildOptions
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build, test and distribute what the plan says (or the named recipes) on a backend",
		Long: "build computes the plan against --base (as `ibgitops plan` does) and builds every planned recipe version,\n" +
			"or, with --only, the named recipes at the versions in their files. Independent recipes build in parallel;\n" +
			"a recipe whose parent is `recipe:<name>` builds after that parent. The local backend records every image\n" +
			"in its store (`ibgitops images` lists it) and skips an identical rebuild unless --force.\n" +
			"Exit codes: 0 built (or nothing to do), 1 a build failed, 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBuild(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.root, "root", "", rootFlagUsage)
	f.StringVar(&o.backend, "backend", "", "local or aws (default: `backend` in ibgitops.yaml, else local)")
	f.StringSliceVar(&o.only, "only", nil, "build these recipes (comma-separated or repeated) instead of the plan")
	f.StringVar(&o.base, "base", "", "ref to plan against (default: the default branch)")
	f.IntVar(&o.parallel, "parallel", 2, "recipes built at the same time")
	f.BoolVar(&o.keepOnFailure, "keep-on-failure", false, "keep a failed build's container for inspection")
	f.BoolVar(&o.force, "force", false, "rebuild even when an identical image is already built")
	f.BoolVar(&o.dryRun, "dry-run", false, "aws backend: print the Image Builder calls it would make, change nothing")
	f.StringVar(&o.awsRegion, "aws-region", "", "AWS region for the aws backend (default: aws.region in ibgitops.yaml, then the AWS chain)")
	return cmd
}

func runBuild(cmd *cobra.Command, o buildOptions) error {
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()
	absRoot, err := filepath.Abs(o.root)
	if err != nil {
		return withCode(exitCannot, err)
	}
	if st, err := os.Stat(absRoot); err != nil || !st.IsDir() {
		return withCode(exitCannot, fmt.Errorf("--root %s is not a folder: pass the folder holding ibgitops.yaml", o.root))
	}
	if o.parallel < 1 {
		return withCode(exitCannot, fmt.Errorf("--parallel %d: give at least 1", o.parallel))
	}
	repo, builds, commit, err := buildTargets(ctx, absRoot, o, stderr)
	if err != nil {
		return withCode(exitCannot, err)
	}
	name := o.backend
	if name == "" {
		name = repo.Config.Backend
	}
	if len(builds) == 0 && len(o.only) > 0 {
		fmt.Fprintln(cmd.OutOrStdout(), "nothing to build")
		return nil
	}
	be, err := buildBackend(name, repo.Config, o)
	if err != nil {
		return withCode(exitCannot, err)
	}
	prov := backend.Provenance{Commit: commit, Tool: version.String()}
	var rec *reconcile.Plan
	if _, ok := be.(backend.Observer); ok && len(o.only) == 0 {
		// What the backend lacks decides, not the diff: a failed build is
		// retried, a fresh account gets everything.
		if builds, rec, err = reconcileTargets(ctx, be, repo, absRoot, o, prov, stderr); err != nil {
			return withCode(exitCannot, err)
		}
	}
	if len(builds) == 0 {
		fmt.Fprintln(cmd.OutOrStdout(), "nothing to build: every recipe version of the repository has an image of its content (name recipes with --only and --force to rebuild them)")
		return nil
	}
	reqs := backend.Requests(repo, absRoot, builds, prov)
	for i := range reqs {
		reqs[i].Force, reqs[i].KeepOnFailure = o.force, o.keepOnFailure
		reqs[i].DryRun = o.dryRun
	}
	fmt.Fprintf(stderr, "building %d recipe version(s) on the %s backend, %d at a time\n", len(reqs), be.Name(), o.parallel)
	results, backendErr := backend.BuildAll(ctx, be, reqs, o.parallel, progressPrinter(stderr))
	if ctx.Err() != nil {
		if c, ok := be.(backend.Canceller); ok {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
			defer cancel()
			if err := c.Cleanup(cctx); err != nil {
				fmt.Fprintln(stderr, "ibgitops: cleanup:", escape.TermLines(err.Error()))
			}
		}
	}
	failed := printBuildSummary(cmd.OutOrStdout(), results)
	if rec != nil && len(rec.AfterBuilds) > 0 && !o.dryRun && ctx.Err() == nil {
		done, err := runner.ApplyUpdates(ctx, be, repo, absRoot, rec.AfterBuilds, prov)
		for _, line := range done {
			fmt.Fprintln(stderr, escape.Term(line))
		}
		if err != nil {
			return withCode(exitCannot, err)
		}
	}
	if ctx.Err() != nil {
		return withCode(exitFindings, fmt.Errorf("interrupted: %s", interruptSummary(results)))
	}
	if backendErr != nil {
		return withCode(exitCannot, fmt.Errorf("the %s backend could not run: %w", be.Name(), backendErr))
	}
	if failed > 0 {
		return withCode(exitFindings, nil)
	}
	return nil
}

// reconcileTargets compares the repository with the backend, prints what
// that calls for, updates the mutable resources that differ in place and
// returns the recipe versions to build.
func reconcileTargets(ctx context.Context, be backend.Backend, repo *recipes.Repo, root string, o buildOptions, prov backend.Provenance, stderr io.Writer) ([]recipes.Build, *reconcile.Plan, error) {
	st, err := runner.ObserveStatus(ctx, be, repo, root)
	if err != nil {
		return nil, nil, err
	}
	p := reconcile.PlanFrom(repo, st)
	fmt.Fprintf(stderr, "%s backend: %s (%d reads)\n", be.Name(), st.Summary(), st.Reads)
	if err := reconcile.WritePlanText(stderr, p); err != nil {
		return nil, nil, err
	}
	if len(p.Updates) > 0 && !o.dryRun {
		done, err := runner.ApplyUpdates(ctx, be, repo, root, p.Updates, prov)
		for _, line := range done {
			fmt.Fprintln(stderr, escape.Term(line))
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return p.Builds, p, nil
}

// buildTargets loads the repository and decides what to build: the named
// recipes, or the plan's builds.
func buildTargets(ctx context.Context, root string, o buildOptions, stderr io.Writer) (*recipes.Repo, []recipes.Build, string, error) {
	if len(o.only) > 0 {
		repo, findings, err := recipes.Load(os.DirFS(root))
		if err != nil {
			return nil, nil, "", err
		}
		if err := lintErrors(findings); err != nil {
			return nil, nil, "", err
		}
		var builds []recipes.Build
		for _, name := range o.only {
			r, kind, ok := repo.Recipe(name)
			if !ok {
				return nil, nil, "", fmt.Errorf("--only %s: no image or container recipe of that name under %s", name, root)
			}
			builds = append(builds, recipes.Build{Kind: kind, Name: name, Version: r.Version, Pipelines: pipelinesOf(repo, name)})
		}
		return repo, builds, "", nil
	}
	res, err := plan.Compute(ctx, withFetchAuth(plan.Options{Root: root, Base: o.base}))
	if err != nil {
		return nil, nil, "", err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(stderr, "warning:", escape.TermLines(w))
	}
	if err := lintErrors(res.HeadFindings); err != nil {
		return nil, nil, "", err
	}
	commit := res.HeadCommit
	if res.WorkTree {
		commit = plan.DirtyLabel(commit)
	}
	return res.Head, res.Plan.Builds, commit, nil
}

// lintErrors refuses to build a repository with lint errors.
func lintErrors(findings []diag.Finding) error {
	diag.Sort(findings)
	var lines []string
	for _, f := range findings {
		if f.Severity == diag.Error {
			lines = append(lines, "  "+f.String())
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return fmt.Errorf("the repository has lint errors; fix them first (`ibgitops lint` shows them):\n%s", strings.Join(lines, "\n"))
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

// buildBackend creates the backend named by --backend or ibgitops.yaml.
func buildBackend(name string, cfg recipes.Config, o buildOptions) (backend.Backend, error) {
	switch name {
	case "", "local":
		return local.New(local.Options{Engine: cfg.Local.Engine})
	case "aws":
		return newAWSImageBuilder(o.awsRegion, cfg)
	}
	return nil, fmt.Errorf("--backend %q: use local or aws", name)
}

// progressPrinter prints one line per event; timestamped when the output
// is not a terminal (CI logs).
func progressPrinter(w io.Writer) func(backend.Event) {
	stamp := !writerIsTerminal(w)
	return func(e backend.Event) {
		prefix := ""
		if stamp {
			t := e.Time
			if t.IsZero() {
				t = time.Now()
			}
			prefix = t.UTC().Format("15:04:05 ")
		}
		fmt.Fprintf(w, "%s%-24s %-10s %s\n", prefix, escape.Term(e.Recipe), escape.Term(e.Stage), escape.Term(e.Message))
	}
}

func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
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

// printBuildSummary prints one line per result and the failing steps; it
// returns how many failed or were cancelled.
func printBuildSummary(w io.Writer, results []backend.Result) int {
	failed := 0
	fmt.Fprintln(w)
	for _, r := range results {
		what := r.Image
		if len(r.Outputs) > 1 {
			what = strings.Join(r.Outputs, ", ")
		}
		if r.Status != backend.StatusSucceeded && r.Status != backend.StatusSkipped {
			failed++
			what = r.Message
		}
		if what == "" {
			what = r.Message
		}
		fmt.Fprintf(w, "%-10s %s %s: %s\n", escape.Term(string(r.Status)), escape.Term(r.Recipe), escape.Term(r.Version), escape.Term(what))
		for _, warn := range r.Warnings {
			fmt.Fprintf(w, "           warning: %s\n", escape.Term(warn))
		}
		for _, s := range append(append([]backend.StepResult{}, r.Steps...), r.Tests...) {
			if s.Status != "failed" {
				continue
			}
			code := "" // 0 is "unknown": Image Builder reports no exit codes
			if s.ExitCode != 0 {
				code = fmt.Sprintf(" (exit %d)", s.ExitCode)
			}
			fmt.Fprintf(w, "           %s %s / %s%s: %s\n", escape.Term(s.Phase), escape.Term(s.Component), escape.Term(s.Step), code, escape.Term(s.Message))
			if s.LogTail != "" {
				fmt.Fprintf(w, "             | %s\n", strings.ReplaceAll(escape.TermLines(s.LogTail), "\n", "\n             | "))
			}
		}
		if r.LogURL != "" && r.Status == backend.StatusFailed {
			fmt.Fprintf(w, "           logs: %s\n", escape.Term(r.LogURL))
		}
	}
	return failed
}
