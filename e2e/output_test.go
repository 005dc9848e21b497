package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/internal/testutil"
	"github.com/ibgitops/ibgitops/runner/report/escape/escapetest"
)

// injection is the reported payload: a name with escaped newlines that
// would write workflow commands if printed raw.
const injection = "evil\n::error file=x.yaml,line=1::INJECTED\n::stop-commands::abc"

// hostileNamesRepo is the example history whose head adds a component
// named with the injection (it fails name-pattern, and is still printed
// by plan and run) and 12 broken files whose names hold newlines and
// control characters: more than GitHub annotates, so the overflow lines
// are printed too.
func hostileNamesRepo(t *testing.T) (dir, base string) {
	t.Helper()
	dir = copyTree(t, "testdata/example")
	extra := map[string]string{
		"components/evil.yaml": fmt.Sprintf("kind: Component\nname: %q\nversion: 1.0.0\nplatform: Linux\n"+
			"document:\n  schemaVersion: 1.0\n  phases:\n    - name: build\n      steps:\n        - name: %q\n          action: ExecuteBash\n          inputs:\n            commands: [\"true\"]\n",
			injection, "step\x1b[2J::warning::x"),
	}
	for i := range 12 {
		extra[fmt.Sprintf("components/bad-%02d\n::error::file-%d\x1b[31m.yaml", i, i)] = "kind: Component\nname: bad\n"
	}
	base, _ = testutil.ExampleHistory(t, dir, extra)
	testutil.Git(t, dir, "update-ref", "refs/remotes/origin/main", base)
	return dir, base
}

// TestHostileNamesDoNotInjectCommands: no line of any command's output
// starts a workflow command ibgitops did not mean, and no control
// character from the repository reaches the terminal (#12 item 2).
func TestHostileNamesDoNotInjectCommands(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a git history")
	}
	dir, base := hostileNamesRepo(t)
	for _, c := range []struct {
		name string
		args []string
		own  bool
	}{
		{"plan text", []string{"plan", "--root", dir, "--base", base}, false},
		{"plan markdown", []string{"plan", "--root", dir, "--base", base, "--format", "markdown"}, false},
		{"plan json", []string{"plan", "--root", dir, "--base", base, "--format", "json"}, false},
		{"lint text", []string{"lint", "--root", dir}, false},
		{"lint github", []string{"lint", "--root", dir, "--format", "github"}, true},
		{"lint junit", []string{"lint", "--root", dir, "--format", "junit"}, false},
		{"lint json", []string{"lint", "--root", dir, "--format", "json"}, false},
		{"bump", []string{"bump", "--root", dir, "--base", base}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, runOpts{dir: dir}, c.args...)
			assertSane(t, r)
			if !strings.Contains(r.output(), "evil") && !strings.Contains(r.output(), "bad-") {
				t.Errorf("the hostile names are not in the output at all: %s", r)
			}
			if c.own {
				escapetest.AssertClean(t, r.stdout, escapetest.Own)
			} else {
				escapetest.AssertClean(t, r.stdout, nil)
			}
			escapetest.AssertClean(t, r.stderr, nil)
		})
	}
	t.Run("run on a GitHub pull request", func(t *testing.T) {
		tmp := t.TempDir()
		event := filepath.Join(tmp, "event.json")
		head := testutil.Git(t, dir, "rev-parse", "HEAD")
		write(t, event, fmt.Sprintf(`{"number": 7, "pull_request": {"number": 7, "head": {"sha": %q, "ref": "feature"}, "base": {"sha": %q, "ref": "main"}}}`, head, base))
		summary := filepath.Join(tmp, "summary.md")
		env := map[string]string{
			"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
			"GITHUB_SHA": head, "GITHUB_REPOSITORY": "acme/images", "GITHUB_API_URL": "http://127.0.0.1:9",
			"GITHUB_REF": "refs/pull/7/merge", "GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "feature\n::error::branch",
			"GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": filepath.Join(tmp, "output.txt"),
		}
		r := run(t, runOpts{dir: dir, env: env}, "run", "--root", dir, "--report-dir", filepath.Join(tmp, "report"))
		assertSane(t, r)
		escapetest.AssertClean(t, r.stdout, escapetest.Own)
		escapetest.AssertClean(t, r.stderr, nil)
		if !strings.Contains(r.stdout, "evil") {
			t.Errorf("the plan table does not show the component: %s", r)
		}
		md, err := os.ReadFile(summary)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(md), "\n") {
			if strings.HasPrefix(line, "|") && strings.Contains(line, "evil") && !strings.HasSuffix(line, "|") {
				t.Errorf("a table row of the step summary is broken: %q", line)
			}
		}
	})
}
