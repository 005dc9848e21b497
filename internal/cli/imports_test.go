package cli

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// internal/cli is flags and wiring only (issue 13): it imports runner and
// the runner packages whose entries it wires, recipes (schema), the exit
// codes and version, and cobra; never a flow's parts (backends, CI hosts,
// git, diag, awstoe), so no decision can be made here a second time.
func TestCmdImportsOnlyEntries(t *testing.T) {
	allowed := map[string]string{
		"github.com/spf13/cobra":                            "flags",
		"github.com/ibgitops/ibgitops/runner":               "every command that does work: build, run, release, lint, plan, bump, import, init, images, status, toe validate",
		"github.com/ibgitops/ibgitops/runner/vcs":           "--ci names and the CI's command inputs",
		"github.com/ibgitops/ibgitops/runner/toe/toedoc":    "toe's flags (the executor is Full.ToeRun, ibgitops-full's)",
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
				t.Errorf("%s imports %s: internal/cli wires runner entries only; move the logic behind a runner entry", fset.Position(imp.Pos()), path)
			}
		}
	}
}

// heavy are the packages the ibgitops binary must not link (issue #15):
// their init work (AWS endpoint regexps and schemas, the API clients)
// would run at every start of a pre-commit hook. ibgitops-full links them.
var heavy = []string{
	"github.com/aws/aws-sdk-go-v2/",
	"github.com/google/go-github/",
	"gitlab.com/gitlab-org/api/client-go",
	"github.com/ibgitops/ibgitops/runner/full",
	"github.com/ibgitops/ibgitops/runner/toe",
	"github.com/ibgitops/ibgitops/runner/backend/aws",
	"github.com/ibgitops/ibgitops/runner/vcs/githubhost",
	"github.com/ibgitops/ibgitops/runner/vcs/gitlabhost",
}

// TestBinariesLinkWhatTheyRun: ibgitops links none of heavy (runner/toe
// itself included, toedoc allowed); ibgitops-full links runner/full.
func TestBinariesLinkWhatTheyRun(t *testing.T) {
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	for _, d := range deps("github.com/ibgitops/ibgitops/cmd/ibgitops") {
		for _, h := range heavy {
			if d == h || (strings.HasSuffix(h, "/") && strings.HasPrefix(d, h)) || (!strings.HasSuffix(h, "/") && strings.HasPrefix(d, h+"/") && !strings.HasPrefix(d, h+"/toedoc")) {
				t.Errorf("cmd/ibgitops links %s: only ibgitops-full may (register it in runner/full, run its command there)", d)
			}
		}
	}
	if !slices.Contains(deps("github.com/ibgitops/ibgitops/cmd/ibgitops-full"), "github.com/ibgitops/ibgitops/runner/full") {
		t.Error("cmd/ibgitops-full does not link runner/full: its backends and hosts are not registered")
	}
}
