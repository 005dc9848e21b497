package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/plan"
	"github.com/ibgitops/ibgitops/runner/reconcile"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

// PlanOptions configure the `plan` command (and the plan `bump` edits).
type PlanOptions struct {
	Root, Base, Head string
	NoFetch          bool   // never fetch missing history
	Format           string // text, markdown, json
	// BackendName, when set, also compares head with what that backend
	// holds and prints what a build on the default branch would do.
	BackendName, AWSRegion string
	// Getenv reads the CI's environment (nil: os.Getenv): the token that
	// fetches a shallow clone's history and the branch to compare with.
	Getenv   func(string) string
	Out, Err io.Writer
}

// ComputePlan plans head against base the way the commands do: in CI it
// fetches what a shallow checkout lacks with the host's token and
// compares with the CI's target branch. Versions the target branch took
// since the merge base are warnings.
func ComputePlan(ctx context.Context, o PlanOptions) (*plan.Result, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	// --backend compares every resource at head with the backend, so head
	// loads whole, not only what the change touches.
	opts := plan.Options{Root: o.Root, Base: o.Base, Head: o.Head, NoFetch: o.NoFetch, LoadAll: o.BackendName != ""}
	if p, err := vcs.Find("auto", getenv); err == nil {
		ci, _ := p.Context(getenv)
		opts.HistoryFix, opts.TokenUser, opts.Token, opts.BaseBranch = ci.HistoryFix, ci.FetchUser, ci.FetchToken, ci.BaseBranch
	}
	res, err := plan.Compute(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	for _, f := range res.Collisions {
		res.Warnings = append(res.Warnings, f.String())
	}
	return res, nil
}

// Plan prints the plan in Format and, with BackendName, what a build on
// the default branch would do against that backend (`ibgitops plan`). It
// returns the exit code; an error means it could not plan.
func Plan(ctx context.Context, o PlanOptions) (int, error) {
	res, err := ComputePlan(ctx, o)
	if err != nil {
		return exitcodes.Cannot, err
	}
	if err := printPlan(o, res); err != nil {
		return exitcodes.Cannot, err
	}
	if o.BackendName != "" {
		if err := printReconcile(ctx, o, res); err != nil {
			return exitcodes.Cannot, err
		}
	}
	return exitcodes.OK, nil
}

// printPlan prints the plan with the report printers: text (coloured on
// a terminal), markdown (the pull-request comment body) or the plan's
// JSON. Outside text, the warnings go to Err as well, since the output is
// usually piped.
func printPlan(o PlanOptions, res *plan.Result) error {
	r := res.Report(ToolName())
	var buf bytes.Buffer
	var err error
	switch o.Format {
	case "text":
		err = report.WriteText(&buf, r, IsTerminal(o.Out))
	case "markdown", "md":
		var md string
		md, err = report.Markdown(r, report.MarkdownOptions{})
		buf.WriteString(md)
	case "json":
		err = report.WritePlanJSON(&buf, r)
	default:
		return fmt.Errorf("--format %q: use text, markdown or json", o.Format)
	}
	if err != nil {
		return err
	}
	if o.Format != "text" {
		for _, w := range res.Warnings {
			fmt.Fprintln(o.Err, "ibgitops plan: warning:", escape.TermLines(w))
		}
	}
	_, err = o.Out.Write(buf.Bytes())
	return err
}

// printReconcile reads the backend (read-only) and prints what a build on
// the default branch would do: builds (retries named), updates in place,
// images a distribution change does not reach.
func printReconcile(ctx context.Context, o PlanOptions, res *plan.Result) error {
	if o.Format == "json" {
		return fmt.Errorf("--backend prints the reconcile plan with --format text or markdown; `ibgitops status --format json` gives the comparison as JSON")
	}
	be, err := backend.Open(ctx, o.BackendName, backend.Config{Repo: res.Head.Config, Region: o.AWSRegion})
	if err != nil {
		return err
	}
	st, err := ObserveStatus(ctx, be, res.Head, res.Root)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if o.Format == "text" {
		fmt.Fprintf(&buf, "\non the default branch, against the %s backend (%s):\n", be.Name(), st.Summary())
		_ = reconcile.WritePlanText(&buf, reconcile.PlanFrom(res.Head, st))
	} else {
		fmt.Fprintf(&buf, "\n#### On the default branch, against the %s backend\n\n%s\n\n```\n", be.Name(), st.Summary())
		_ = reconcile.WritePlanText(&buf, reconcile.PlanFrom(res.Head, st))
		buf.WriteString("```\n")
	}
	_, err = o.Out.Write(buf.Bytes())
	return err
}
