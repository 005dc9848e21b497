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
	"runner/toe/toedoc/secrets.go": "secret names to redact",
}

// hostName matches the names providers put in vcs.Context.Host.
var hostName = regexp.MustCompile(`^(GitHub|GitLab|Bitbucket|Azure DevOps|Gitea|Forgejo)$`)

// hostSwitches are the files that still decide on a host's name outside
// runner/vcs, with where the decision is to go. The list only shrinks.
var hostSwitches = map[string]string{}

// Nothing outside runner/vcs branches on a host's name (issue 13): what
// differs per host (wording, limits, fixes) comes from the provider
// through vcs.Context or vcs.Host, so a new host changes no other package.
func TestNoHostNameDecisionOutsideVCS(t *testing.T) {
	walkGo(t, func(rel string, fset *token.FileSet, f *ast.File) {
		if hostSwitches[rel] != "" {
			return
		}
		isHost := func(e ast.Expr) bool {
			lit, ok := e.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return false
			}
			v, err := strconv.Unquote(lit.Value)
			return err == nil && hostName.MatchString(v)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && (isHost(n.X) || isHost(n.Y)) {
					t.Errorf("%s: compares with a host's name: let the provider say what differs (a vcs.Context field)", fset.Position(n.Pos()))
				}
			case *ast.CaseClause:
				for _, e := range n.List {
					if isHost(e) {
						t.Errorf("%s: a case on a host's name: let the provider say what differs (a vcs.Context field)", fset.Position(e.Pos()))
					}
				}
			}
			return true
		})
	})
}

// Nothing outside runner/vcs knows a CI variable's name (issue 13): the
// providers read the environment into vcs.Context, everything else reads
// that. A new host is then one package under runner/vcs.
func TestNoCIVariableOutsideVCS(t *testing.T) {
	walkGo(t, func(rel string, fset *token.FileSet, f *ast.File) {
		if notCIContext[rel] != "" {
			return
		}
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
	})
}

// walkGo parses every non-test Go file of the module outside runner/vcs
// and testdata and hands it to check with its slash path from the module
// root.
func walkGo(t *testing.T, check func(rel string, fset *token.FileSet, f *ast.File)) {
	t.Helper()
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
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		checked++
		rel, _ := filepath.Rel(root, path)
		check(filepath.ToSlash(rel), fset, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files: is the walk rooted at the module?", checked)
	}
}
