package cli

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/runner/workspace"
)

const rootFlagUsage = "folder holding ibgitops.yaml (default: the nearest one at or above the current folder, else the git top level)"

// findRoot fills in --root for every command that has one and was not
// given it: the folder is found the way git finds .git, so a command run
// from recipes/ or components/ works on the whole repository. It sets the
// value without marking the flag changed, so the action's INPUT_ROOT can
// still set it later.
func findRoot(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags().Lookup("root")
	if f == nil || f.Changed || f.Value.String() != "" {
		return nil
	}
	found, err := workspace.FindRoot(".")
	if err != nil {
		return withCode(exitCannot, err)
	}
	// Relative to the current folder, so messages and report paths stay short.
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, found); err == nil {
			found = rel
		}
	}
	return f.Value.Set(found)
}
