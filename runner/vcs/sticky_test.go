package vcs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/vcs"
	_ "github.com/ibgitops/ibgitops/runner/vcs/github"
	_ "github.com/ibgitops/ibgitops/runner/vcs/githubhost"
	_ "github.com/ibgitops/ibgitops/runner/vcs/gitlab"
	_ "github.com/ibgitops/ibgitops/runner/vcs/gitlabhost"
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

// fakeThread is a comment thread of pages of two.
type fakeThread struct {
	comments []vcs.Comment
	listErr  error
	pages    []int
	writes   []string
}

func (f *fakeThread) Page(_ context.Context, page int) ([]vcs.Comment, int, error) {
	f.pages = append(f.pages, page)
	if f.listErr != nil {
		return nil, 0, f.listErr
	}
	lo, hi := min((page-1)*2, len(f.comments)), min(page*2, len(f.comments))
	next := page + 1
	if hi == len(f.comments) {
		next = 0
	}
	return f.comments[lo:hi], next, nil
}

func (f *fakeThread) Edit(_ context.Context, id int64, body string) error {
	f.writes = append(f.writes, fmt.Sprintf("edit %d: %s", id, body))
	return nil
}

func (f *fakeThread) Create(_ context.Context, body string) error {
	f.writes = append(f.writes, "create: "+body)
	return nil
}

// The one sticky-comment flow of every host: our comment is found on any
// page by its first line and author and edited; look-alikes are left
// alone and a new one is created; the body is cut to the host's limit.
func TestUpsertSticky(t *testing.T) {
	ours := report.StickyMarker("images")
	body := ours + "\n### ✅ passed"
	lookAlikes := []vcs.Comment{
		{ID: 1, Body: "PR text: " + ours, Ours: true},
		{ID: 2, Body: ours + "\nquoted by a person", Ours: false},
		{ID: 3, Body: report.StickyMarker(".") + "\nthe other root's", Ours: true},
	}
	cases := []struct {
		name     string
		comments []vcs.Comment
		limit    int
		listErr  error
		number   int // -1: none
		want     []string
		pages    []int
		err      string
	}{
		{name: "only look-alikes: created after reading every page", comments: lookAlikes, limit: 1000,
			want: []string{"create: " + body}, pages: []int{1, 2}},
		{name: "ours on the last page is edited", comments: append(lookAlikes, vcs.Comment{ID: 9, Body: ours + "\n### old", Ours: true}), limit: 1000,
			want: []string{"edit 9: " + body}, pages: []int{1, 2}},
		{name: "no comments", limit: 1000, want: []string{"create: " + body}, pages: []int{1}},
		{name: "cut to the limit, marker kept", limit: utf8.RuneCountInString(ours) + 3,
			want: []string{"create: " + ours + "\n#…"}, pages: []int{1}},
		{name: "listing fails: nothing written", listErr: errors.New("HTTP 500"), limit: 1000, err: "HTTP 500", pages: []int{1}},
		{name: "no pull request number: nothing read", number: -1, limit: 1000, err: "no pull or merge request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeThread{comments: c.comments, listErr: c.listErr}
			ci := &vcs.Context{CommentMarker: ours, Number: 7}
			if c.number < 0 {
				ci.Number = 0
			}
			err := vcs.UpsertSticky(context.Background(), ci, body, c.limit, f)
			if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
			if fmt.Sprint(f.writes) != fmt.Sprint(c.want) || fmt.Sprint(f.pages) != fmt.Sprint(c.pages) {
				t.Errorf("writes %q pages %v, want %q pages %v", f.writes, f.pages, c.want, c.pages)
			}
		})
	}
}

// What fetches a shallow checkout's history comes from the provider the
// environment selects, never from another host's variables.
func TestFetchAuthComesFromTheProvider(t *testing.T) {
	for _, tc := range []struct {
		env               map[string]string
		host, user, token string
	}{
		{map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_TOKEN": "gh"}, "GitHub", "x-access-token", "gh"},
		{map[string]string{"GITHUB_ACTIONS": "true", "INPUT_TOKEN": "in"}, "GitHub", "x-access-token", "in"},
		{map[string]string{"GITLAB_CI": "true", "CI_JOB_TOKEN": "gl", "GITHUB_TOKEN": "stray"}, "GitLab", "gitlab-ci-token", "gl"},
		{map[string]string{"GITHUB_TOKEN": "local"}, "", "", ""},
	} {
		getenv := func(k string) string { return tc.env[k] }
		p, err := vcs.Find("auto", getenv)
		if err != nil {
			t.Fatal(err)
		}
		ci, _ := p.Context(getenv)
		if ci.Host != tc.host || ci.FetchUser != tc.user || ci.FetchToken != tc.token {
			t.Errorf("%v: host %q, user %q, token %q; want %q, %q, %q", tc.env, ci.Host, ci.FetchUser, ci.FetchToken, tc.host, tc.user, tc.token)
		}
	}
}
