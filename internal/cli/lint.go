package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/runner"
	"github.com/ibgitops/ibgitops/runner/report"
)

func newLintCmd() *cobra.Command {
	var o runner.LintOptions
	cmd := &cobra.Command{
		Use:   "lint [DIR]",
		Short: "Check every resource of the repository against Image Builder's and AWSTOE's rules",
		Long: "lint loads every resource under the root (DIR, --root, or the folder found from the current one) and reports\n" +
			"each problem with its rule, file:line:col (relative to the git top level) and how to fix it.\n" +
			"Exit codes: 0 no errors (warnings allowed), 1 error findings, 2 could not run.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if cmd.Flags().Changed("root") && args[0] != o.Root {
					return withCode(exitCannot, fmt.Errorf("give the folder once: lint %s or lint --root %s", args[0], o.Root))
				}
				o.Root = args[0] // `lint DIR` is `lint --root DIR`
			}
			o.Out, o.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return exitWith(runner.Lint(cmd.Context(), o))
		},
	}
	cmd.Flags().StringVar(&o.Root, "root", "", rootFlagUsage)
	cmd.Flags().StringVar(&o.Format, "format", "text", "output format: "+strings.Join(report.FindingFormats, ", "))
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "write the report to this file instead of stdout")
	cmd.Flags().StringVar(&o.Base, "base", "", "also compare with this ref (its merge base with HEAD): a changed component or recipe must raise its version")
	cmd.Flags().BoolVar(&o.AllowEmpty, "allow-empty", false, "accept a repository with no resource at all (otherwise: no-resources, exit 1)")
	return cmd
}

// exitWith turns an entry's (exit code, error) into the command's result:
// an error could not run.
func exitWith(code int, err error) error {
	if err != nil {
		return withCode(exitCannot, err)
	}
	if code != exitOK {
		return withCode(code, nil)
	}
	return nil
}
