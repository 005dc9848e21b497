package cli

import (
	"fmt"

	"github.com/ibgitops/ibgitops/internal/version"
	"github.com/spf13/cobra"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the ibgitops version",
		Long:  "version prints the version stamped from the release tag (ibgitops --version prints the same).\nExit codes: 0.",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "ibgitops", version.String())
		},
	}
}
