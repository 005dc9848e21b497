package cli

import (
	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/runner"
)

func newInitCmd() *cobra.Command {
	o := runner.InitOptions{Dir: "."}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter repository: ibgitops.yaml, one of each resource, and the CI workflow for your host",
		Long: "init writes ibgitops.yaml, a component, an image recipe, an infrastructure and a distribution configuration,\n" +
			"a pipeline (they lint clean and build locally) and the CI file for the host: .github/workflows/images.yml\n" +
			"for GitHub, .gitlab-ci.yml for GitLab, chosen from the origin remote's URL (--host to choose).\n" +
			"Existing files are kept (--force overwrites them). DIR defaults to the current folder.\n" +
			"Exit codes: 0 written (or kept), 2 could not write.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Dir = args[0]
			}
			o.Out = cmd.OutOrStdout()
			return exitWith(runner.Init(o))
		},
	}
	cmd.Flags().StringVar(&o.Host, "host", "auto", "CI file to write: auto (from the origin remote), github, gitlab or none")
	cmd.Flags().BoolVar(&o.Force, "force", false, "overwrite files that exist")
	register(cmd, "host", fixed(append([]string{"auto"}, runner.InitHosts...)))
	return cmd
}
