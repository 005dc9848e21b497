package cli

import (
	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/runner"
)

func newBumpCmd() *cobra.Command {
	var o runner.PlanOptions
	var write bool
	cmd := &cobra.Command{
		Use:   "bump",
		Short: "Print the planned version changes; with --write, write them into the files",
		Long: "bump computes the plan (see `ibgitops plan`) and lists each version scalar it changes: versioned resources\n" +
			"whose content changed without a raised version, recipes that get a new version through propagation, and\n" +
			"exact component version pins in recipes. --write rewrites only those scalars; comments, key order, quoting\n" +
			"and blank lines stay byte-identical. Exit codes: 0 done (or nothing to bump), 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Out, o.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return exitWith(runner.Bump(cmd.Context(), o, write))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Root, "root", "", rootFlagUsage)
	f.StringVar(&o.Base, "base", "", "ref to compare with (default: origin/HEAD, main or master); the merge base is used")
	f.StringVar(&o.Head, "head", "", "commit to plan (default: HEAD, or the work tree when it has uncommitted changes)")
	f.BoolVar(&write, "write", false, "write the new versions into the files")
	f.BoolVar(&o.NoFetch, "no-fetch", false, "never fetch missing history from origin (shallow clones)")
	return cmd
}
