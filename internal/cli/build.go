package cli

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/runner"
)

func newBuildCmd() *cobra.Command {
	var o runner.Options
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build, test and distribute what the plan says (or the named recipes) on a backend",
		Long: "build computes the plan against --base (as `ibgitops plan` does) and builds every planned recipe version,\n" +
			"or, with --only, the named recipes at the versions in their files. Independent recipes build in parallel;\n" +
			"a recipe whose parent is `recipe:<name>` builds after that parent. The local backend records every image\n" +
			"in its store (`ibgitops images` lists it) and skips an identical rebuild unless --force.\n" +
			"Exit codes: 0 built (or nothing to do), 1 a build failed, 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Getenv, o.Out, o.Progress = os.Getenv, cmd.OutOrStdout(), cmd.ErrOrStderr()
			o.Live = runner.IsTerminal(o.Progress)
			return outcome(runner.Build(cmd.Context(), o))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Root, "root", "", rootFlagUsage)
	f.StringVar(&o.BackendName, "backend", "", "local or aws (default: `backend` in ibgitops.yaml, else local)")
	f.StringSliceVar(&o.Recipes, "only", nil, "build these recipes (comma-separated or repeated) instead of the plan")
	f.StringVar(&o.Base, "base", "", "ref to plan against (default: the default branch)")
	f.IntVar(&o.Parallel, "parallel", runner.DefaultParallel, "recipes built at the same time")
	f.BoolVar(&o.KeepOnFailure, "keep-on-failure", false, "keep a failed build's container for inspection")
	f.BoolVar(&o.Force, "force", false, "rebuild even when an identical image is already built")
	f.BoolVar(&o.DryRun, "dry-run", false, "aws backend: print the Image Builder calls it would make, change nothing")
	f.StringVar(&o.AWSRegion, "aws-region", "", "AWS region for the aws backend (default: aws.region in ibgitops.yaml, then the AWS chain)")
	return cmd
}

// outcome turns a runner entry's result into the command's exit code.
func outcome(out *runner.Outcome, err error) error {
	if err != nil {
		return withCode(exitCannot, err)
	}
	if out.ExitCode != exitOK {
		return withCode(out.ExitCode, nil)
	}
	return nil
}
