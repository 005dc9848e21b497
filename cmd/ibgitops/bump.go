package main

import (
	"fmt"

	"github.com/ibgitops/ibgitops/runner"
	"github.com/ibgitops/ibgitops/runner/plan"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/spf13/cobra"
)

func newBumpCmd() *cobra.Command {
	var root, base, head string
	var write, noFetch bool
	cmd := &cobra.Command{
		Use:   "bump",
		Short: "Print the planned version changes; with --write, write them into the files",
		Long: "bump computes the plan (see `ibgitops plan`) and lists each version scalar it changes: versioned resources\n" +
			"whose content changed without a raised version, recipes that get a new version through propagation, and\n" +
			"exact component version pins in recipes. --write rewrites only those scalars; comments, key order, quoting\n" +
			"and blank lines stay byte-identical. Exit codes: 0 done (or nothing to bump), 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := runner.ComputePlan(cmd.Context(), runner.PlanOptions{Root: root, Base: base, Head: head, NoFetch: noFetch})
			if err != nil {
				return withCode(exitCannot, err)
			}
			out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
			for _, w := range res.Warnings {
				fmt.Fprintln(errOut, "ibgitops bump: warning:", escape.TermLines(w))
			}
			edits, err := plan.Bumps(res)
			if err != nil {
				return withCode(exitCannot, err)
			}
			if len(edits) == 0 {
				fmt.Fprintln(out, "nothing to bump: every changed resource already has its planned version")
				return nil
			}
			for _, e := range edits {
				fmt.Fprintln(out, escape.Term(e.String()))
			}
			if !write {
				fmt.Fprintf(out, "%d version(s) to change; run with --write to write them\n", len(edits))
				return nil
			}
			if head != "" && !res.WorkTree {
				// The edits target head's content; the files on disk are checked
				// against it before anything is written.
				fmt.Fprintf(errOut, "ibgitops bump: writing into the work tree the versions planned for %s\n", escape.Term(head))
			}
			written, err := plan.WriteBumps(res, edits)
			if err != nil {
				return withCode(exitCannot, err)
			}
			for _, w := range written {
				if w.Target != w.Path {
					fmt.Fprintln(out, "wrote", escape.Term(w.String()))
				}
			}
			fmt.Fprintf(out, "wrote %d file(s); review and commit them\n", len(written))
			return nil
		},
	}
	cmd.Flags().StringVar(&root, "root", "", rootFlagUsage)
	cmd.Flags().StringVar(&base, "base", "", "ref to compare with (default: origin/HEAD, main or master); the merge base is used")
	cmd.Flags().StringVar(&head, "head", "", "commit to plan (default: HEAD, or the work tree when it has uncommitted changes)")
	cmd.Flags().BoolVar(&write, "write", false, "write the new versions into the files")
	cmd.Flags().BoolVar(&noFetch, "no-fetch", false, "never fetch missing history from origin (shallow clones)")
	return cmd
}
