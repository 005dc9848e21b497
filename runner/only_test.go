package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

// TestOnlyLimitsTheFlowButNotTheReport: the action's `command: lint` and
// `command: plan` stop the flow early, yet honour fail-on and report to the
// host like a full run, on every event.
func TestOnlyLimitsTheFlowButNotTheReport(t *testing.T) {
	errs := []diag.Finding{{Rule: "e", Severity: diag.Error, File: "a.yaml", Line: 1, Message: "bad: fix it"}}
	events := map[string]*vcs.Context{
		"push":         {Host: "FakeHub", Event: vcs.EventPush, SHA: "c1", Branch: "main", DefaultBranch: "main"},
		"pull request": {Host: "FakeHub", Event: vcs.EventPullRequest, Number: 7, SHA: "c1", DefaultBranch: "main"},
	}
	for _, tc := range []struct {
		only     string
		findings []diag.Finding
		failOn   string
		exit     int
		planned  bool
	}{
		{"lint", nil, "error", 0, false},
		{"lint", errs, "error", 1, false},
		{"lint", errs, "never", 0, false},
		{"plan", nil, "error", 0, true},
		{"plan", errs, "error", 1, true},
	} {
		for evName, ci := range events {
			t.Run(tc.only+"/"+evName+"/"+tc.failOn, func(t *testing.T) {
				opts, be, _ := options(t, tc.findings)
				host := &fakeHost{}
				opts.CI, opts.Host, opts.Only, opts.FailOn = ci, host, tc.only, tc.failOn
				opts.TestComponents = true
				res, err := Run(context.Background(), opts)
				if err != nil {
					t.Fatal(err)
				}
				if res.ExitCode != tc.exit {
					t.Errorf("exit %d, want %d", res.ExitCode, tc.exit)
				}
				if len(be.requests) != 0 {
					t.Errorf("--only %s built %d recipes", tc.only, len(be.requests))
				}
				if got := res.Report.Plan != nil && len(res.Report.Plan.Changes) > 0; got != tc.planned {
					t.Errorf("planned = %v, want %v", got, tc.planned)
				}
				if !host.published || len(host.statuses) == 0 {
					t.Errorf("nothing reported to the host: published %v, statuses %v", host.published, host.statuses)
				}
				if ci.Event == vcs.EventPush && !strings.Contains(strings.Join(res.Report.Skipped, "\n"), "only lint") {
					t.Errorf("the report does not say why nothing was built: %v", res.Report.Skipped)
				}
			})
		}
	}
}

func TestOnlyRefusesUnknownValues(t *testing.T) {
	opts, _, _ := options(t, nil)
	opts.Only = "build"
	if _, err := Run(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "lint or plan") {
		t.Errorf("err = %v", err)
	}
}

func TestCallerSkippedReachTheReport(t *testing.T) {
	opts, _, _ := options(t, nil)
	opts.CI = &vcs.Context{Host: "FakeHub", Event: vcs.EventPullRequest, Number: 7}
	opts.Skipped = []string{"component tests: no container engine; use the composite action"}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(res.Report.Skipped, "\n"), "composite action") {
		t.Errorf("skipped: %v", res.Report.Skipped)
	}
}

// TestNotBuiltSaidOnce: a child of a failed parent is reported "not built"
// once, not "not built: not built: ...".
func TestNotBuiltSaidOnce(t *testing.T) {
	opts, be, out := options(t, nil)
	be.fail = map[string]bool{"base": true}
	if _, err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "web: not built: its parent recipe base") {
		t.Errorf("no not-built line for web:\n%s", out)
	}
	if strings.Contains(out.String(), "not built: not built") {
		t.Errorf("said twice:\n%s", out)
	}
}

// TestRunReportsStayOutOfGitAndOfPlainFolders: in a repository the run's
// reports go under .ibgitops/, which ignores itself (git status stays
// clean); in a folder that is no repository nothing is written into it.
func TestRunReportsStayOutOfGitAndOfPlainFolders(t *testing.T) {
	t.Run("repository", func(t *testing.T) {
		opts, _, _ := options(t, nil) // its root holds .git
		res, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(res.RunDir, filepath.Join(opts.Root, ".ibgitops", "runs")) {
			t.Errorf("run folder %s", res.RunDir)
		}
		if data, err := os.ReadFile(filepath.Join(opts.Root, ".ibgitops", ".gitignore")); err != nil || string(data) != "*\n" {
			t.Errorf(".ibgitops/.gitignore = %q, %v", data, err)
		}
	})
	t.Run("plain folder", func(t *testing.T) {
		opts, _, _ := options(t, nil)
		os.RemoveAll(filepath.Join(opts.Root, ".git"))
		res, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(res.RunDir) })
		if strings.HasPrefix(res.RunDir, opts.Root) {
			t.Errorf("wrote into the folder: %s", res.RunDir)
		}
		if _, err := os.Stat(filepath.Join(opts.Root, ".ibgitops")); err == nil {
			t.Errorf(".ibgitops/ created in a folder that is no repository")
		}
		if _, err := os.Stat(filepath.Join(res.RunDir, "report.json")); err != nil {
			t.Errorf("no report: %v", err)
		}
	})
}

// Component tests refused for want of an engine end with the CI host's
// own fix, read from the provider's Context: GitHub's Docker action
// names the composite action; hosts without one add nothing.
func TestTestComponentsRefusalNamesTheHostsFix(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no podman, no docker
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITLAB_CI": "true"}
	for _, name := range vcs.Names() {
		t.Run(name, func(t *testing.T) {
			p, err := vcs.Find(name, func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			ci, _ := p.Context(func(k string) string { return env[k] })
			ci.Event = vcs.EventPullRequest
			opts, _, _ := options(t, nil)
			opts.CI, opts.Host, opts.TestBackend, opts.TestComponents = ci, &fakeHost{}, nil, true
			_, err = Run(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), "--test-components needs the local backend") {
				t.Fatalf("err = %v, want the refusal", err)
			}
			if hint := ci.NoEngineHint; hint != "" && !strings.HasSuffix(err.Error(), "; "+hint) {
				t.Errorf("err = %v, want it to end with the host's fix %q", err, hint)
			} else if hint == "" && strings.Contains(err.Error(), "composite") {
				t.Errorf("err = %v names another host's fix", err)
			}
		})
	}
}
