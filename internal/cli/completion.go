package cli

import (
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/workspace"
)

// flagValues are the fixed values of flags that several commands share.
var flagValues = map[string][]string{
	"backend": {"local", "aws"},
	"fail-on": {"error", "warning", "never"},
	"ci":      {"auto", "github", "gitlab", "none"},
}

// formatValues are the --format values per command path.
var formatValues = map[string][]string{
	"ibgitops lint":         report.FindingFormats,
	"ibgitops toe validate": report.FindingFormats,
	"ibgitops plan":         {"text", "markdown", "json"},
	"ibgitops status":       {"text", "json", "markdown"},
	"ibgitops images":       {"text", "json"},
}

// addCompletions registers value completion on every command of the tree:
// the fixed values above, schema kinds, and for `build --only` and
// `images --recipe` the recipe names of the repository.
func addCompletions(root *cobra.Command) {
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		for name, values := range flagValues {
			register(c, name, fixed(values))
		}
		if values, ok := formatValues[c.CommandPath()]; ok {
			register(c, "format", fixed(values))
		}
		switch c.CommandPath() {
		case "ibgitops run":
			register(c, "only", fixed([]string{"lint", "plan"}))
		case "ibgitops build":
			register(c, "only", recipeNames)
		case "ibgitops images":
			register(c, "recipe", recipeNames)
		case "ibgitops schema":
			c.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return recipes.KindNames(), cobra.ShellCompDirectiveNoFileComp
			}
		}
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(root)
}

type completeFunc func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective)

func register(c *cobra.Command, flag string, fn completeFunc) {
	if c.Flags().Lookup(flag) == nil {
		return
	}
	// Registering twice is an error cobra reports; each flag is visited once.
	_ = c.RegisterFlagCompletionFunc(flag, fn)
}

func fixed(values []string) completeFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// recipeNames completes the image and container recipes under the root
// (--root, or the folder found from the current one).
func recipeNames(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	root, _ := cmd.Flags().GetString("root")
	if root == "" {
		var err error
		if root, err = workspace.FindRoot("."); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
	}
	repo, _, err := recipes.Load(os.DirFS(root))
	if err != nil || repo == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for n := range repo.ImageRecipes {
		names = append(names, n)
	}
	for n := range repo.ContainerRecipes {
		names = append(names, n)
	}
	sort.Strings(names)
	// --only takes a comma-separated list: complete the last name.
	if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
		done := toComplete[:i+1]
		for j, n := range names {
			names[j] = done + n
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
