package cli

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/runner"
)

func newReleaseCmd() *cobra.Command {
	var o runner.Options
	cmd := &cobra.Command{
		Use:   "release --tag TAG",
		Short: "Build, test and distribute the recipe version a release tag names",
		Long: "release reads the recipe name and version from the tag with release.tagPattern in ibgitops.yaml\n" +
			"(default {name}/v{version}, e.g. web-server/v1.4.3), refuses when the recipe's file at the tag's commit\n" +
			"carries another version, then builds, tests and distributes that version and reports like run.\n" +
			"The tag's commit must be checked out. `ibgitops run` does the same on a tag event.\n" +
			"Exit codes: 0 released, 1 a failed build (or lint findings per --fail-on), 2 could not run (unknown tag, version mismatch).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := wireRun(cmd, &o); err != nil {
				return err
			}
			return outcome(runner.Release(cmd.Context(), o))
		},
	}
	addRunFlags(cmd, &o)
	cmd.Flags().StringVar(&o.ReleaseTag, "tag", "", "the release tag, e.g. web-server/v1.4.3 (default: the tag of a GitHub or GitLab tag pipeline)")
	return cmd
}

// wireRun applies the CI's command inputs and connects the process's
// environment and terminal to the options of run and release.
func wireRun(cmd *cobra.Command, o *runner.Options) error {
	// The inputs set flags bound to o: apply them before o is read.
	if err := applyActionInputs(cmd, os.Getenv); err != nil {
		return withCode(exitCannot, err)
	}
	o.Getenv, o.Out, o.Progress = os.Getenv, cmd.OutOrStdout(), cmd.ErrOrStderr()
	o.Color, o.Live = runner.IsTerminal(o.Out), runner.IsTerminal(o.Progress)
	return nil
}
