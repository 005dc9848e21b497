package vcs_test

import (
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/vcs"
	_ "github.com/ibgitops/ibgitops/runner/vcs/github"
	_ "github.com/ibgitops/ibgitops/runner/vcs/gitlab"
	_ "github.com/ibgitops/ibgitops/runner/vcs/none"
)

// Whatever the provider, the Context Detect returns carries the sticky
// comment's identity of the config root it was given: the hosts read it
// there, nothing recomputes it (#13).
func TestDetectSetsTheCommentIdentity(t *testing.T) {
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITLAB_CI": "true", "CI_PROJECT_ID": "1"}
	getenv := func(k string) string { return env[k] }
	for _, name := range vcs.Names() {
		t.Run(name, func(t *testing.T) {
			markers := map[string]string{}
			for _, root := range []string{"", ".", "images", "other/nested"} {
				ci, _, _, err := vcs.Detect(name, vcs.Env{Getenv: getenv, ConfigRoot: root})
				if err != nil {
					t.Fatal(err)
				}
				markers[root] = ci.CommentMarker
			}
			if markers[""] != report.StickyMarker(".") || markers["."] != markers[""] {
				t.Errorf("top-level marker %q, want %q", markers["."], report.StickyMarker("."))
			}
			if markers["images"] != report.StickyMarker("images") || markers["images"] == markers["."] || markers["images"] == markers["other/nested"] {
				t.Errorf("two roots share a marker or a root's is not its own: %q", markers)
			}
		})
	}
}

// A host posts only a body that starts with the context's marker: any
// other could not be found again, and each run would add a comment.
func TestStickyBody(t *testing.T) {
	ours := report.StickyMarker("images")
	cases := []struct {
		name, marker, body string
		err                string
	}{
		{"ours", ours, ours + "\n### ✅ passed", ""},
		{"no identity in the context", "", ours + "\n### ✅ passed", "no comment identity"},
		{"no marker in the body", ours, "### ✅ passed", "does not start with its marker"},
		{"the marker quoted later", ours, "### ✅ passed\n" + ours, "does not start with its marker"},
		{"the other root's marker", ours, report.StickyMarker(".") + "\n### ✅ passed", "does not start with its marker"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := vcs.StickyBody(&vcs.Context{CommentMarker: c.marker}, c.body)
			if c.err == "" {
				if err != nil || got != ours {
					t.Errorf("StickyBody = %q, %v; want %q", got, err, ours)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("err = %v, want %q", err, c.err)
			}
		})
	}
}
