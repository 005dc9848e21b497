package githubhost

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

const token = "ghs_hostTestTokenNeverShown42"

func TestRefusedTokenIsReportedOnceWithTheFix(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"message":"Resource not accessible by integration"}`)
	}))
	defer srv.Close()
	env := map[string]string{"GITHUB_API_URL": srv.URL, "GITHUB_TOKEN": token}
	ci := &vcs.Context{Host: "GitHub", Event: vcs.EventPullRequest, SHA: "abc", Number: 3, Repository: "acme/images", Fork: true}
	var stdout bytes.Buffer
	h, err := New(ci, Options{Getenv: func(k string) string { return env[k] }, Stdout: &stdout})
	if err != nil {
		t.Fatal(err)
	}
	notes := h.Prepare(context.Background())
	if !strings.Contains(stdout.String(), "::add-mask::"+token) {
		t.Errorf("token not masked: %q", stdout.String())
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "fork") {
		t.Errorf("notes %q", notes)
	}
	err1 := h.SetStatus(context.Background(), vcs.Status{Name: "ibgitops/lint", State: vcs.StatePending})
	err2 := h.SetStatus(context.Background(), vcs.Status{Name: "ibgitops/lint", State: vcs.StateSuccess})
	err3 := h.UpsertComment(context.Background(), "body")
	if err1 == nil || !strings.Contains(err1.Error(), "HTTP 403") || !strings.Contains(err1.Error(), "permissions") {
		t.Errorf("first refusal: %v", err1)
	}
	if err2 == nil || !strings.Contains(err2.Error(), "earlier refusal") || err3 == nil {
		t.Errorf("later calls: %v / %v", err2, err3)
	}
	if calls.Load() != 1 {
		t.Errorf("%d API calls after a refusal, want 1", calls.Load())
	}
	for _, e := range []error{err1, err2, err3} {
		if e != nil && strings.Contains(e.Error(), token) {
			t.Errorf("token in error %v", e)
		}
	}
}

func TestStatusDescriptionIsClamped(t *testing.T) {
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	env := map[string]string{"GITHUB_API_URL": srv.URL + "/api/v3", "INPUT_TOKEN": token}
	ci := &vcs.Context{Host: "GitHub", SHA: "abc", Repository: "acme/images"}
	h, err := New(ci, Options{Getenv: func(k string) string { return env[k] }, Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.SetStatus(context.Background(), vcs.Status{Name: "ibgitops/x", State: vcs.StateFailure, Description: strings.Repeat("long words ", 40)}); err != nil {
		t.Fatal(err)
	}
	var st struct{ Description string }
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(st.Description); n != 140 || !strings.HasSuffix(st.Description, "…") {
		t.Errorf("description of %d characters: %q", n, st.Description)
	}
}

func TestStepSummaryStaysUnderOneMiB(t *testing.T) {
	r := &report.Report{Tool: "ibgitops test", Event: "push to main", FailOn: "error", Failed: true}
	tail := strings.Repeat("ü log line that goes on and on and on\n", 40000) // ~1.6 MB of multi-byte text
	r.Builds = []backend.Result{{Recipe: "web", Version: "1.0.0", Status: backend.StatusFailed,
		Steps: []backend.StepResult{{Phase: "build", Step: "Install", Status: "failed", LogTail: tail}}}}
	for i := 0; i < 20000; i++ {
		r.Findings = append(r.Findings, diag.Finding{Rule: "r", Severity: diag.Warning, File: "f.yaml", Line: i, Message: strings.Repeat("é", 80)})
	}
	md, err := stepSummary(r, "https://github.example/run/1", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(md) > SummaryLimit {
		t.Errorf("step summary is %d bytes; GitHub drops summaries over %d", len(md), SummaryLimit)
	}
	if !strings.Contains(md, "ibgitops failed") || !strings.Contains(md, "| web |") {
		t.Errorf("summary lost its head:\n%.300s", md)
	}
}

// The sticky comment is the bot's comment whose FIRST line is this
// set-up's marker: another workflow posting pull-request text as the same
// bot, a user quoting the marker, and the comment of a second ibgitops
// set-up (another root) in the same repository are left alone (#12 item 7).
func TestStickyCommentIsNotHijacked(t *testing.T) {
	ours, other := report.StickyMarker("images"), report.StickyMarker(".")
	existing := []map[string]any{
		{"id": 1, "user": map[string]any{"login": "github-actions[bot]"}, "body": "PR title: " + ours + "\nhijacked"},
		{"id": 2, "user": map[string]any{"login": "github-actions[bot]"}, "body": "echo:\n" + ours},
		{"id": 3, "user": map[string]any{"login": "someone"}, "body": ours + "\nquoted by a user"},
		{"id": 4, "user": map[string]any{"login": "github-actions[bot]"}, "body": other + "\nthe other set-up"},
		{"id": 5, "user": map[string]any{"login": "github-actions[bot]"}, "body": "<!-- ibgitops:report -->\nno identity"},
	}
	for _, c := range []struct {
		name     string
		comments []map[string]any
		want     string // the request that writes the comment
	}{
		{"only look-alikes: a new comment", existing, "POST /repos/acme/images/issues/7/comments"},
		{"ours is edited", append(existing, map[string]any{"id": 6, "user": map[string]any{"login": "github-actions[bot]"}, "body": ours + "\n### old"}), "PATCH /repos/acme/images/issues/comments/6"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var writes []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/comments"):
					json.NewEncoder(w).Encode(c.comments)
				case r.Method == http.MethodGet:
					w.WriteHeader(http.StatusForbidden) // GET /user with GITHUB_TOKEN
					io.WriteString(w, `{"message":"Resource not accessible by integration"}`)
				default:
					writes = append(writes, r.Method+" "+r.URL.Path)
					w.WriteHeader(http.StatusCreated)
					io.WriteString(w, `{"id": 99}`)
				}
			}))
			defer srv.Close()
			env := map[string]string{"GITHUB_API_URL": srv.URL, "GITHUB_TOKEN": token}
			ci := &vcs.Context{Host: "GitHub", Event: vcs.EventPullRequest, SHA: "abc", Number: 7, Repository: "acme/images", CommentMarker: ours}
			h, err := New(ci, Options{Getenv: func(k string) string { return env[k] }, Stdout: io.Discard})
			if err != nil {
				t.Fatal(err)
			}
			if err := h.UpsertComment(context.Background(), ours+"\n### ✅ new"); err != nil {
				t.Fatal(err)
			}
			if len(writes) != 1 || writes[0] != c.want {
				t.Errorf("writes %v, want [%s]", writes, c.want)
			}
		})
	}
}

func TestHeredocDelimiterIsRandomAndAbsent(t *testing.T) {
	a, err := heredoc("plan", `{"x":"ghadelimiter_"}`)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := heredoc("plan", "v")
	lines := strings.Split(a, "\n")
	if len(lines) != 3 || lines[0] != "plan<<"+lines[2] || strings.Contains(lines[1], lines[2]) {
		t.Errorf("heredoc %q", a)
	}
	if strings.Split(b, "\n")[2] == lines[2] {
		t.Errorf("delimiter is not random")
	}
}

func TestProtectTurnsPanicsIntoErrors(t *testing.T) {
	if err := protect(func() { panic("GITHUB_STEP_SUMMARY unset") }); err == nil || !strings.Contains(err.Error(), "unset") {
		t.Errorf("err %v", err)
	}
}
