package gitlabhost

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

// The sticky note is the token user's note whose FIRST line is this
// set-up's marker (#12 item 7).
func TestStickyNoteIsNotHijacked(t *testing.T) {
	ours, other := report.StickyMarker("images"), report.StickyMarker(".")
	note := func(id, author int, body string) map[string]any {
		return map[string]any{"id": id, "body": body, "author": map[string]any{"id": author}, "system": false}
	}
	existing := []map[string]any{
		note(1, 7, "MR description: "+ours+"\nhijacked"),
		note(2, 7, "echo:\n"+ours),
		note(3, 8, ours+"\nquoted by a user"),
		note(4, 7, other+"\nthe other set-up"),
	}
	for _, c := range []struct {
		name  string
		notes []map[string]any
		want  string
	}{
		{"only look-alikes: a new note", existing, "POST /api/v4/projects/1/merge_requests/5/notes"},
		{"ours is edited", append(existing, note(6, 7, ours+"\n### old")), "PUT /api/v4/projects/1/merge_requests/5/notes/6"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var writes []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/user"):
					io.WriteString(w, `{"id": 7, "username": "project_1_bot"}`)
				case r.Method == http.MethodGet:
					json.NewEncoder(w).Encode(c.notes)
				default:
					writes = append(writes, r.Method+" "+r.URL.Path)
					w.WriteHeader(http.StatusCreated)
					io.WriteString(w, `{"id": 99}`)
				}
			}))
			defer srv.Close()
			env := map[string]string{"CI_API_V4_URL": srv.URL + "/api/v4", "IBGITOPS_GITLAB_TOKEN": "glpat-test", "CI_PROJECT_ID": "1"}
			ci := &vcs.Context{Host: "GitLab", Event: vcs.EventPullRequest, SHA: "abc", Number: 5, CommentMarker: ours}
			h, err := New(ci, Options{Getenv: func(k string) string { return env[k] }, HTTPClient: srv.Client()})
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
