package cli

import (
	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/runner"
)

func newImagesCmd() *cobra.Command {
	var o runner.ImagesOptions
	cmd := &cobra.Command{
		Use:   "images",
		Short: "List the images the local backend built (its store, .ibgitops/ by default)",
		Long: "images lists the records of the local backend's store: recipe, version, build number, status and image.\n" +
			"Exit codes: 0 listed (also when the store is empty), 2 could not run (unreadable store or ibgitops.yaml, bad flags).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Out = cmd.OutOrStdout()
			return exitWith(runner.Images(o))
		},
	}
	cmd.Flags().StringVar(&o.Root, "root", "", rootFlagUsage)
	cmd.Flags().StringVar(&o.Format, "format", "text", "text or json (the store records)")
	cmd.Flags().StringVar(&o.Recipe, "recipe", "", "only this recipe's images")
	return cmd
}
