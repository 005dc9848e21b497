package cli

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ibgitops/ibgitops/internal/refdoc"
	"github.com/ibgitops/ibgitops/internal/testutil"
)

var updateReference = flag.Bool("update-reference", false, "rewrite docs/reference/commands.md")

// TestReference fails when docs/reference/commands.md no longer matches
// the command tree: a new command or flag must reach the docs in the same
// change (make docs, or -update-reference, rewrites it).
func TestReference(t *testing.T) {
	got := refdoc.Commands(newRootCmd())
	testutil.Golden(t, filepath.Join("../../docs/reference", "commands.md"), []byte(got), *updateReference || *updateGolden)
	// The generator itself must not drop a command or a flag.
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c != c.Root() {
			return
		}
		if !strings.Contains(got, "\n## "+c.CommandPath()+"\n") {
			t.Errorf("commands.md lacks %s", c.CommandPath())
		}
		c.NonInheritedFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name != "help" && !f.Hidden && !strings.Contains(got, "`--"+f.Name+"`") {
				t.Errorf("commands.md lacks %s --%s", c.CommandPath(), f.Name)
			}
		})
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(newRootCmd())
}
