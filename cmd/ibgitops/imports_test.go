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
		"github.com/ibgitops/ibgitops/runner":               "every command that does work: build, run, release, lint, plan, bump, import, init, images, status, toe validate",
		"github.com/ibgitops/ibgitops/runner/vcs":           "--ci names and the CI's command inputs",
		"github.com/ibgitops/ibgitops/runner/toe":           "toe run",
		"github.com/ibgitops/ibgitops/runner/report":        "the --format names",
		"github.com/ibgitops/ibgitops/runner/report/escape": "terminal escaping of repository text",
		"github.com/ibgitops/ibgitops/runner/workspace":     "finding the root for every command",
		"github.com/ibgitops/ibgitops/recipes":              "schema",
		"github.com/ibgitops/ibgitops/internal/exitcodes":   "exit codes",
		"github.com/ibgitops/ibgitops/internal/version":     "version",
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
			if _, ok := allowed[path]; !ok {
				t.Errorf("%s imports %s: cmd/ibgitops wires runner entries only; move the logic behind a runner entry", fset.Position(imp.Pos()), path)
			}
		}
	}
}
