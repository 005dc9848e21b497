package vcs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// ciVariable matches the names CI hosts give their environment variables
// (GitHub, GitLab, Bitbucket, Azure DevOps, Gitea/Drone, CircleCI, ...).
var ciVariable = regexp.MustCompile(`^(CI|(GITHUB|GITLAB|CI|RUNNER|INPUT|BITBUCKET|SYSTEM|BUILD|AGENT|GITEA|DRONE|CIRCLE|TRAVIS|BUILDKITE|JENKINS)_[A-Z0-9_-]+)$`)

// notCIContext are files that name CI variables for another reason than
// reading the CI context, with that reason.
var notCIContext = map[string]string{
	// Secret values the executor scrubs from what steps print: it never
	// reads them as context, and runs inside build containers where no
	// provider applies.
	"runner/toe/redact.go": "secret names to redact",
}

// Nothing outside runner/vcs knows a CI variable's name (issue 13): the
// providers read the environment into vcs.Context, everything else reads
// that. A new host is then one package under runner/vcs.
func TestNoCIVariableOutsideVCS(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	vcsDir := filepath.Join(root, "runner", "vcs")
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == vcsDir || strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if rel, _ := filepath.Rel(root, path); notCIContext[filepath.ToSlash(rel)] != "" {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if v, err := strconv.Unquote(lit.Value); err == nil && ciVariable.MatchString(v) {
				t.Errorf("%s: %q is a CI variable: read it in a runner/vcs provider into vcs.Context", fset.Position(lit.Pos()), v)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files: is the walk rooted at the module?", checked)
	}
}
