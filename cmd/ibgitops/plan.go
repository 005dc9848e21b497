package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/ibgitops/ibgitops/runner/plan"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/spf13/cobra"
)

type planOptions struct {
	root, base, head, format string
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
			return printPlan(cmd.OutOrStdout(), cmd.ErrOrStderr(), opts.format, res)
		},
	}
	cmd.Flags().StringVar(&opts.root, "root", "", rootFlagUsage)
	cmd.Flags().StringVar(&opts.base, "base", "", "ref to compare with (default: origin/HEAD, main or master); the merge base is used")
	cmd.Flags().StringVar(&opts.head, "head", "", "commit to plan (default: HEAD, or the work tree when it has uncommitted changes)")
	cmd.Flags().StringVar(&opts.format, "format", "text", "output format: text, markdown, json")
	cmd.Flags().BoolVar(&opts.noFetch, "no-fetch", false, "never fetch missing history from origin (shallow clones); fail with the fix instead")
	return cmd
}

func planFromFlags(cmd *cobra.Command, root, base, head string, noFetch bool) (*plan.Result, error) {
	res, err := plan.Compute(cmd.Context(), plan.Options{Root: root, Base: base, Head: head, NoFetch: noFetch})
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
		err = plan.WriteMarkdown(&buf, res)
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
