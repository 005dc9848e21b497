package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cmd/ibgitops is flags and wiring only (issue 13): it imports runner and
// the runner packages whose entries it wires, recipes (schema), the exit
// codes and version, and cobra; never a flow's parts (backends, CI hosts,
// git, diag, awstoe), so no decision can be made here a second time.
func TestCmdImportsOnlyEntries(t *testing.T) {
	allowed := map[string]string{
		"github.com/spf13/cobra":                            "flags",
		"github.com/ibgitops/ibgitops/runner":               "build, run, release, lint, toe validate",
		"github.com/ibgitops/ibgitops/runner/vcs":           "--ci names and the CI's command inputs",
		"github.com/ibgitops/ibgitops/runner/plan":          "plan and bump",
		"github.com/ibgitops/ibgitops/runner/toe":           "toe run",
		"github.com/ibgitops/ibgitops/runner/report":        "the --format names",
		"github.com/ibgitops/ibgitops/runner/report/escape": "terminal escaping of repository text",
		"github.com/ibgitops/ibgitops/runner/workspace":     "finding the root for every command",
		"github.com/ibgitops/ibgitops/runner/backend/local": "images (the local store)",
		"github.com/ibgitops/ibgitops/recipes":              "schema and images' ibgitops.yaml",
		"github.com/ibgitops/ibgitops/internal/exitcodes":   "exit codes",
		"github.com/ibgitops/ibgitops/internal/version":     "version",
	}
	// Commands that landed while the orchestrator moved and still do their
	// own work; each is to move behind a runner entry (issue 13). The list
	// only shrinks: a new file cannot be added to it silently.
	pending := map[string]map[string]bool{
		"import.go": {"github.com/ibgitops/ibgitops/recipes/diag": true, "github.com/ibgitops/ibgitops/runner/backend": true, "github.com/ibgitops/ibgitops/runner/importer": true},
		"init.go":   {"github.com/ibgitops/ibgitops/internal/starter": true, "github.com/ibgitops/ibgitops/runner/git": true},
		"plan.go":   {"github.com/ibgitops/ibgitops/runner/backend": true, "github.com/ibgitops/ibgitops/runner/reconcile": true},
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") {
				continue // standard library
			}
			if _, ok := allowed[path]; !ok && !pending[f][path] {
				t.Errorf("%s imports %s: cmd/ibgitops wires runner entries only; move the logic behind a runner entry", fset.Position(imp.Pos()), path)
			}
		}
	}
}
