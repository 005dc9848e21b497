package github

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/runner/vcs"
)

func TestDetectContext(t *testing.T) {
	head := strings.Repeat("a", 40)
	base := strings.Repeat("b", 40)
	cases := []struct {
		name    string
		event   string
		payload string // "" = no file; "MISSING" = path to nothing
		ref     string
		want    vcs.Context
		note    string
	}{
		{"pull request uses the head commit, not the merge commit", "pull_request",
			`{"number":7,"pull_request":{"number":7,"head":{"sha":"` + head + `","repo":{"full_name":"fork/images"}},"base":{"sha":"` + base + `","repo":{"full_name":"acme/images"}}},"repository":{"default_branch":"main"}}`,
			"refs/pull/7/merge",
			vcs.Context{Event: vcs.EventPullRequest, SHA: head, Base: base, Number: 7, Fork: true, DefaultBranch: "main"}, ""},
		{"push to the default branch", "push",
			`{"ref":"refs/heads/main","before":"` + base + `","after":"` + head + `","repository":{"default_branch":"main"}}`,
			"refs/heads/main", vcs.Context{Event: vcs.EventPush, SHA: head, Base: base, Branch: "main", DefaultBranch: "main"}, ""},
		{"new branch: all-zero before leaves the base to the merge base", "push",
			`{"ref":"refs/heads/main","before":"` + zeroSHA + `","after":"` + head + `","repository":{"default_branch":"main"}}`,
			"refs/heads/main", vcs.Context{Event: vcs.EventPush, SHA: head, Branch: "main", DefaultBranch: "main"}, ""},
		{"push to another branch", "push",
			`{"before":"` + base + `","after":"` + head + `","repository":{"default_branch":"main"}}`,
			"refs/heads/feature", vcs.Context{Event: vcs.EventPushBranch, SHA: head, Base: base, Branch: "feature", DefaultBranch: "main"}, ""},
		{"tag", "push", `{"after":"` + head + `"}`, "refs/tags/web/v1.0.0",
			vcs.Context{Event: vcs.EventTag, SHA: head, Tag: "web/v1.0.0"}, ""},
		{"schedule", "schedule", `{}`, "refs/heads/main",
			vcs.Context{Event: vcs.EventOther, SHA: "f00d", Branch: "main"}, ""},
		{"missing payload on a pull request", "pull_request", "MISSING", "refs/pull/9/merge",
			vcs.Context{Event: vcs.EventPullRequest, SHA: "f00d", Number: 9}, "no head commit"},
		{"malformed payload", "pull_request", `{"pull_request":`, "refs/pull/9/merge",
			vcs.Context{Event: vcs.EventPullRequest, SHA: "f00d", Number: 9}, "could not read the GitHub context"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{
				"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": c.event, "GITHUB_SHA": "f00d", "GITHUB_REF": c.ref,
				"GITHUB_REPOSITORY": "acme/images", "GITHUB_RUN_ID": "42", "GITHUB_SERVER_URL": "https://ghe.example",
			}
			if c.payload != "" {
				p := filepath.Join(t.TempDir(), "event.json")
				if c.payload != "MISSING" {
					os.WriteFile(p, []byte(c.payload), 0o644)
				}
				env["GITHUB_EVENT_PATH"] = p
			}
			got, notes := DetectContext(func(k string) string { return env[k] })
			w := c.want
			w.Host, w.Name, w.Repository = "GitHub", c.event, "acme/images"
			w.Ref, w.RunURL = c.ref, "https://ghe.example/acme/images/actions/runs/42"
			w.FetchUser, w.HistoryFix = "x-access-token", "set `fetch-depth: 0` on the actions/checkout step (with: fetch-depth: 0)"
			if c.event == "pull_request" {
				got.Branch = ""
			}
			// The Docker action's own fix, whatever the event.
			if !strings.Contains(got.NoEngineHint, "composite action") {
				t.Errorf("NoEngineHint %q does not name the composite action", got.NoEngineHint)
			}
			got.NoEngineHint = ""
			if *got != w {
				t.Errorf("context\n got %+v\nwant %+v", *got, w)
			}
			joined := strings.Join(notes, "\n")
			if (c.note == "") != (joined == "") || !strings.Contains(joined, c.note) {
				t.Errorf("notes %q, want %q", notes, c.note)
			}
		})
	}
}
