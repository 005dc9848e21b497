package cli

import (
	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/runner"
)

func newPlanCmd() *cobra.Command {
	var o runner.PlanOptions
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show which resources a change touches, their new versions and what it builds",
		Long: "plan compares head with the merge base of --base (default: the default branch) and prints each changed or\n" +
			"affected resource, its version bump and the recipe versions to build. Without --head it plans HEAD, or the\n" +
			"work tree when it has uncommitted changes under --root (a warning says so).\n" +
			"Formats: text (default), markdown (the pull-request comment body), json.\n" +
			"Exit codes: 0 planned, 2 could not plan (bad ref, missing history, a file that does not load).",
		Args: cobra.NoArgs,
		// --backend reads a backend: that plan runs in ibgitops-full.
		Annotations: map[string]string{needsFullFlagAnnotation: "backend"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Out, o.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return exitWith(runner.Plan(cmd.Context(), o))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Root, "root", "", rootFlagUsage)
	f.StringVar(&o.Base, "base", "", "ref to compare with (default: origin/HEAD, main or master); the merge base is used")
	f.StringVar(&o.Head, "head", "", "commit to plan (default: HEAD, or the work tree when it has uncommitted changes)")
	f.StringVar(&o.Format, "format", "text", "output format: text, markdown, json")
	f.BoolVar(&o.NoFetch, "no-fetch", false, "never fetch missing history from origin (shallow clones); fail with the fix instead")
	f.StringVar(&o.BackendName, "backend", "", "also compare head with what this backend holds (local or aws) and print what a build on the default branch would do (text and markdown)")
	f.StringVar(&o.AWSRegion, "aws-region", "", "AWS region for --backend aws (default: aws.region in ibgitops.yaml, then the AWS chain)")
	return cmd
}
