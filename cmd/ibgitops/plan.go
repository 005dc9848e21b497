package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/ibgitops/ibgitops/internal/version"
	"github.com/ibgitops/ibgitops/runner"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/plan"
	"github.com/ibgitops/ibgitops/runner/reconcile"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/spf13/cobra"
)

type planOptions struct {
	root, base, head, format string
	backend, awsRegion       string
	noFetch                  bool
}

func newPlanCmd() *cobra.Command {
	var opts planOptions
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show which resources a change touches, their new versions and what it builds",
		Long: "plan compares head with the merge base of --base (default: the default branch) and prints each changed or\n" +
			"affected resource, its version bump and the recipe versions to build. Without --head it plans HEAD, or the\n" +
			"work tree when it has uncommitted changes under --root (a warning says so).\n" +
			"Formats: text (default), markdown (the pull-request comment body), json.\n" +
			"Exit codes: 0 planned, 2 could not plan (bad ref, missing history, a file that does not load).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := planFromFlags(cmd, opts.root, opts.base, opts.head, opts.noFetch)
			if err != nil {
				return err
			}
			if err := printPlan(cmd.OutOrStdout(), cmd.ErrOrStderr(), opts.format, res); err != nil {
				return err
			}
			if opts.backend != "" {
				return printReconcile(cmd, opts, res)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.root, "root", "", rootFlagUsage)
	cmd.Flags().StringVar(&opts.base, "base", "", "ref to compare with (default: origin/HEAD, main or master); the merge base is used")
	cmd.Flags().StringVar(&opts.head, "head", "", "commit to plan (default: HEAD, or the work tree when it has uncommitted changes)")
	cmd.Flags().StringVar(&opts.format, "format", "text", "output format: text, markdown, json")
	cmd.Flags().BoolVar(&opts.noFetch, "no-fetch", false, "never fetch missing history from origin (shallow clones); fail with the fix instead")
	cmd.Flags().StringVar(&opts.backend, "backend", "", "also compare head with what this backend holds (local or aws) and print what a build on the default branch would do (text and markdown)")
	cmd.Flags().StringVar(&opts.awsRegion, "aws-region", "", "AWS region for --backend aws (default: aws.region in ibgitops.yaml, then the AWS chain)")
	return cmd
}

// printReconcile reads the backend (read-only) and prints what a build on
// the default branch would do: builds (retries named), updates in place,
// images a distribution change does not reach.
func printReconcile(cmd *cobra.Command, opts planOptions, res *plan.Result) error {
	if opts.format == "json" {
		return withCode(exitCannot, fmt.Errorf("--backend prints the reconcile plan with --format text or markdown; `ibgitops status --format json` gives the comparison as JSON"))
	}
	be, err := backend.Open(cmd.Context(), opts.backend, backend.Config{Repo: res.Head.Config, Region: opts.awsRegion})
	if err != nil {
		return withCode(exitCannot, err)
	}
	st, err := runner.ObserveStatus(cmd.Context(), be, res.Head, res.Root)
	if err != nil {
		return withCode(exitCannot, err)
	}
	var buf bytes.Buffer
	if opts.format == "text" {
		fmt.Fprintf(&buf, "\non the default branch, against the %s backend (%s):\n", be.Name(), st.Summary())
		_ = reconcile.WritePlanText(&buf, reconcile.PlanFrom(res.Head, st))
	} else {
		fmt.Fprintf(&buf, "\n#### On the default branch, against the %s backend\n\n%s\n\n```\n", be.Name(), st.Summary())
		_ = reconcile.WritePlanText(&buf, reconcile.PlanFrom(res.Head, st))
		buf.WriteString("```\n")
	}
	_, err = cmd.OutOrStdout().Write(buf.Bytes())
	return err
}

func planFromFlags(cmd *cobra.Command, root, base, head string, noFetch bool) (*plan.Result, error) {
	res, err := plan.Compute(cmd.Context(), withFetchAuth(plan.Options{Root: root, Base: base, Head: head, NoFetch: noFetch}))
	if err != nil {
		return nil, withCode(exitCannot, fmt.Errorf("plan: %w", err))
	}
	for _, f := range res.Collisions {
		res.Warnings = append(res.Warnings, f.String())
	}
	return res, nil
}

func printPlan(out, errOut io.Writer, format string, res *plan.Result) error {
	var buf bytes.Buffer
	var err error
	switch format {
	case "text":
		err = plan.WriteText(&buf, res)
	case "markdown", "md":
		var md string
		md, err = report.Markdown(res.Report("ibgitops "+version.String()), report.MarkdownOptions{})
		buf.WriteString(md)
	case "json":
		err = plan.WriteJSON(&buf, res)
	default:
		return withCode(exitCannot, fmt.Errorf("--format %q: use text, markdown or json", format))
	}
	if err != nil {
		return withCode(exitCannot, err)
	}
	if format != "text" {
		for _, w := range res.Warnings {
			fmt.Fprintln(errOut, "ibgitops plan: warning:", escape.TermLines(w))
		}
	}
	if _, err := out.Write(buf.Bytes()); err != nil {
		return withCode(exitCannot, err)
	}
	return nil
}
