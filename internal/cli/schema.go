package cli

import (
	"fmt"
	"strings"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/spf13/cobra"
)

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema [KIND]",
		Short: "Print the JSON Schema of a resource kind (all kinds when KIND is omitted)",
		Long: "schema prints a JSON Schema generated from the tables lint uses, so editors complete and check the YAML.\n" +
			"KIND is one of " + strings.Join(recipes.KindNames(), ", ") + " (Config is ibgitops.yaml).\n" +
			"Save the output and point the first line of a resource file at it, relative to that file\n" +
			"(from recipes/: # yaml-language-server: $schema=../schema/ImageRecipe.json), or map it by folder\n" +
			"with the editor's yaml.schemas setting (docs/editors.md).\n" +
			"Exit codes: 0 printed, 2 unknown KIND.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := ""
			if len(args) == 1 {
				kind = args[0]
			}
			out, err := recipes.JSONSchema(kind)
			if err != nil {
				return withCode(exitCannot, err)
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), string(out))
			return err
		},
	}
}
