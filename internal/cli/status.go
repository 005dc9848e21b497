package cli

import (
	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/runner"
)

func newStatusCmd() *cobra.Command {
	var o runner.StatusOptions
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Compare the repository (desired) with what the backend holds (actual), per resource",
		Long: "status reads what the backend holds for every resource of the repository at the work tree and says, per\n" +
			"resource: in sync; missing (never built or created, or its last build failed: when and in which run);\n" +
			"drifted (a pipeline, infrastructure or distribution configuration whose live fields differ from the file:\n" +
			"each field, live and file value); version taken (the version exists with other content); not in git\n" +
			"(carries ibgitops' tags but no file defines it: listed, never deleted). It only reads.\n" +
			"Formats: text (default), json, markdown.\n" +
			"Exit codes: 0 everything in sync, 1 something differs, 2 could not run (or a resource could not be read).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Out, o.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return exitWith(runner.Status(cmd.Context(), o))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Root, "root", "", rootFlagUsage)
	f.StringVar(&o.BackendName, "backend", "", "local or aws (default: `backend` in ibgitops.yaml, else local)")
	f.StringVar(&o.AWSRegion, "aws-region", "", "AWS region for the aws backend (default: aws.region in ibgitops.yaml, then the AWS chain)")
	f.StringVar(&o.Format, "format", "text", "output format: text, json, markdown")
	return cmd
}
