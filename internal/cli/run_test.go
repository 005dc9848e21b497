package cli

// End-to-end tests of `ibgitops run` as a subprocess, with the environment
// each CI host sets, against httptest servers that speak the GitHub and
// GitLab API shapes and record every request.

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/internal/testutil"
	"github.com/ibgitops/ibgitops/runner/vcs/gitlabhost"
	"gopkg.in/yaml.v3"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestMain removes the binary the end-to-end tests build; the build itself
// happens once, on first use, so other tests of this package do not pay
// for it.
func TestMain(m *testing.M) {
	defer testutil.RemoveBinaries()
	m.Run()
}

func ibgitopsBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		// The subprocess tier: `make test` runs it, `make unit` does not.
		t.Skip("end-to-end through the binary: skipped with -short (make test runs it)")
	}
	bin, err := testutil.Binary(runtime.GOOS)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

const (
	fakeGitHubToken = "ghs_FAKEtokenDoNotLeak0123456789"
	fakeGitLabToken = "glpat-FAKEtokenDoNotLeak987654"
)

// fixtureRepo makes a git repository from testdata/example with two
// commits (base, then a feature that raises a component's version), with
// fixed dates so that commit ids, and so the golden comments, are stable.
// extra files are added to the head commit.
func fixtureRepo(t *testing.T, extra map[string]string) (dir, base, head string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: the end-to-end tests build their fixture repository with it")
	}
	dir = t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../testdata/example")); err != nil {
		t.Fatal(err)
	}
	base, head = testutil.ExampleHistory(t, dir, extra)
	return dir, base, head
}

// recorded is one API request the fake host saw.
type recorded struct {
	Method, Path, Query, Auth, Body string
}

type fakeAPI struct {
	mu       sync.Mutex
	requests []recorded
	srv      *httptest.Server
}

func (f *fakeAPI) record(r *http.Request) string {
	body, _ := io.ReadAll(r.Body)
	auth := r.Header.Get("Authorization")
	if auth == "" {
		auth = r.Header.Get("Private-Token")
	}
	f.mu.Lock()
	f.requests = append(f.requests, recorded{r.Method, r.URL.Path, r.URL.RawQuery, auth, string(body)})
	f.mu.Unlock()
	return string(body)
}

// serve starts the fake's server: every request is recorded, answered as
// JSON, and handled under the fake's lock.
func (f *fakeAPI) serve(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body string)) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body := f.record(r)
		w.Header().Set("Content-Type", "application/json")
		f.mu.Lock()
		defer f.mu.Unlock()
		handle(w, r, body)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
}

// pageOf is the page the request asks for (query "page", from 1) of n
// items, per to a page, and the bounds of its items.
func pageOf(r *http.Request, per, n int) (page, lo, hi int) {
	page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	return page, min((page-1)*per, n), min(page*per, n)
}

func (f *fakeAPI) reset() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.requests
	f.requests = nil
	return out
}

// snapshot copies the fake's comments under its lock: the handlers write
// them from the server's goroutines.
func snapshot(f *fakeAPI, get func() []*comment) []comment {
	f.mu.Lock()
	defer f.mu.Unlock()
	cs := get()
	out := make([]comment, len(cs))
	for i, c := range cs {
		out[i] = *c
	}
	return out
}

// comment is a pull-request comment or merge-request note in the fakes.
type comment struct {
	ID     int64
	Author string
	Body   string
}

// addComment answers the creation of a comment by author: the next id, 201.
func addComment(w http.ResponseWriter, cs *[]*comment, nextID *int64, author, text string) {
	*nextID++
	*cs = append(*cs, &comment{ID: *nextID, Author: author, Body: text})
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"id":%d}`, *nextID)
}

// editComment answers an edit (GitHub's PATCH, GitLab's PUT) of the
// comment with id: it takes the request body's text, or it is 404.
func editComment(w http.ResponseWriter, cs []*comment, id, body string) {
	n, _ := strconv.ParseInt(id, 10, 64)
	var in struct{ Body string }
	json.Unmarshal([]byte(body), &in)
	for _, c := range cs {
		if c.ID == n {
			c.Body = in.Body
			fmt.Fprintf(w, `{"id":%d}`, n)
			return
		}
	}
	w.WriteHeader(http.StatusNotFound)
}

// fakeGitHub serves statuses, issue comments (paginated, per_page capped at
// 100, Link headers) and /user (403, as for GITHUB_TOKEN).
type fakeGitHub struct {
	fakeAPI
	comments    []*comment
	nextID      int64
	rateLimited int // the next N status posts answer with a secondary rate limit
	down        bool
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	g := &fakeGitHub{nextID: 1000}
	// A busy pull request: 150 comments before ours, one of them by a user
	// who quoted the marker (it must not be hijacked).
	for i := 0; i < 150; i++ {
		body := fmt.Sprintf("comment %d", i)
		if i == 42 {
			body = "quoting the bot: <!-- ibgitops:report --> ### ✅ passed"
		}
		g.nextID++
		g.comments = append(g.comments, &comment{ID: g.nextID, Author: "someone", Body: body})
	}
	g.serve(t, func(w http.ResponseWriter, r *http.Request, body string) {
		if g.down {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"message":"Server Error"}`)
			return
		}
		path := r.URL.Path
		switch {
		case r.Method == "GET" && path == "/user":
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"Resource not accessible by integration"}`)
		case r.Method == "POST" && strings.HasPrefix(path, "/repos/acme/images/statuses/"):
			if g.rateLimited > 0 {
				g.rateLimited--
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, `{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
				return
			}
			var st struct{ State, Description, Context string }
			json.Unmarshal([]byte(body), &st)
			if utf8.RuneCountInString(st.Description) > 140 {
				w.WriteHeader(http.StatusUnprocessableEntity)
				io.WriteString(w, `{"message":"Validation Failed"}`)
				return
			}
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, body)
		case r.Method == "GET" && path == "/repos/acme/images/issues/7/comments":
			per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
			if per == 0 {
				per = 30
			}
			per = min(per, 100)
			page, lo, hi := pageOf(r, per, len(g.comments))
			if hi < len(g.comments) {
				w.Header().Set("Link", fmt.Sprintf(`<%s%s?per_page=%d&page=%d>; rel="next"`, g.srv.URL, path, per, page+1))
			}
			var out []map[string]any
			for _, c := range g.comments[lo:hi] {
				out = append(out, map[string]any{"id": c.ID, "body": c.Body, "user": map[string]any{"login": c.Author}})
			}
			json.NewEncoder(w).Encode(out)
		case r.Method == "POST" && path == "/repos/acme/images/issues/7/comments":
			var in struct{ Body string }
			json.Unmarshal([]byte(body), &in)
			if utf8.RuneCountInString(in.Body) > 65536 {
				w.WriteHeader(http.StatusUnprocessableEntity)
				return
			}
			addComment(w, &g.comments, &g.nextID, "github-actions[bot]", in.Body)
		case r.Method == "PATCH" && strings.HasPrefix(path, "/repos/acme/images/issues/comments/"):
			editComment(w, g.comments, strings.TrimPrefix(path, "/repos/acme/images/issues/comments/"), body)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Not Found"}`)
		}
	})
	return g
}

// result of one subprocess run.
type runResult struct {
	code           int
	stdout, stderr string
	dir            string // --report-dir
	files          map[string]string
}

func runIbgitops(t *testing.T, repo string, env map[string]string, args ...string) runResult {
	t.Helper()
	reportDir := filepath.Join(t.TempDir(), "report")
	cmd := exec.Command(ibgitopsBinary(t), append([]string{"run", "--root", repo, "--report-dir", reportDir}, args...)...)
	// Only what a CI host would set: nothing leaks in from the machine
	// running the tests (which may itself be a CI job).
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := runResult{stdout: stdout.String(), stderr: stderr.String(), dir: reportDir, files: map[string]string{}}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(reportDir)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(reportDir, e.Name()))
		res.files[e.Name()] = string(data)
	}
	return res
}

func githubEnv(t *testing.T, api string, base, head string, token string) (map[string]string, string, string) {
	t.Helper()
	dir := t.TempDir()
	event := map[string]any{
		"number": 7,
		"pull_request": map[string]any{
			"number": 7,
			"head":   map[string]any{"sha": head, "ref": "feature", "repo": map[string]any{"full_name": "acme/images"}},
			"base":   map[string]any{"sha": base, "ref": "main", "repo": map[string]any{"full_name": "acme/images"}},
		},
		"repository": map[string]any{"full_name": "acme/images", "default_branch": "main"},
	}
	data, _ := json.Marshal(event)
	eventPath := filepath.Join(dir, "event.json")
	os.WriteFile(eventPath, data, 0o644)
	summary, output := filepath.Join(dir, "summary.md"), filepath.Join(dir, "output.txt")
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": eventPath,
		"GITHUB_SHA": "feedfacefeedfacefeedfacefeedfacefeedface", "GITHUB_REF": "refs/pull/7/merge",
		"GITHUB_REPOSITORY": "acme/images", "GITHUB_API_URL": api, "GITHUB_SERVER_URL": "https://github.example",
		"GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "feature",
		"GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": output,
	}
	if token != "" {
		env["INPUT_TOKEN"] = token
	}
	return env, summary, output
}

// assertNoToken greps every output stream, report file, host file and
// request body for the token. The one exception is GitHub's own
// ::add-mask:: command, which must carry it.
func assertNoToken(t *testing.T, token string, res runResult, hostFiles []string, reqs []recorded) {
	t.Helper()
	check := func(where, text string) {
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "::add-mask::") {
				continue
			}
			if strings.Contains(line, token) {
				t.Errorf("the token appears in %s: %q", where, line)
			}
		}
	}
	check("stdout", res.stdout)
	check("stderr", res.stderr)
	for name, data := range res.files {
		check(name, data)
	}
	for _, f := range hostFiles {
		data, _ := os.ReadFile(f)
		check(f, string(data))
	}
	for _, r := range reqs {
		check(r.Method+" "+r.Path+" body", r.Body)
		check(r.Method+" "+r.Path+" query", r.Query)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", "run", name), []byte(got), *updateGolden)
}

func TestRunGitHubPullRequest(t *testing.T) {
	repo, base, head := fixtureRepo(t, nil)
	gh := newFakeGitHub(t)
	env, summary, output := githubEnv(t, gh.srv.URL, base, head, fakeGitHubToken)

	first := runIbgitops(t, repo, env)
	reqs := gh.reset()
	if first.code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", first.code, first.stdout, first.stderr)
	}
	assertNoToken(t, fakeGitHubToken, first, []string{summary, output}, reqs)
	if !strings.Contains(first.stdout, "::add-mask::"+fakeGitHubToken) {
		t.Errorf("the token was not masked before use")
	}

	// Statuses: on the pull request's head commit, never the merge commit.
	var statuses []map[string]string
	pages := map[string]bool{}
	posts := 0
	for _, r := range reqs {
		if r.Auth != "Bearer "+fakeGitHubToken {
			t.Errorf("%s %s: Authorization %q", r.Method, r.Path, r.Auth)
		}
		switch {
		case strings.Contains(r.Path, "/statuses/"):
			if !strings.HasSuffix(r.Path, "/statuses/"+head) {
				t.Errorf("status posted to %s, want the head commit %s", r.Path, head)
			}
			var st map[string]string
			json.Unmarshal([]byte(r.Body), &st)
			statuses = append(statuses, st)
		case r.Method == "GET" && strings.HasSuffix(r.Path, "/comments"):
			pages[r.Query] = true
			if !strings.Contains(r.Query, "per_page=100") {
				t.Errorf("comments listed with %q: want per_page=100", r.Query)
			}
		case r.Method == "POST" && strings.HasSuffix(r.Path, "/comments"):
			posts++
		}
	}
	if len(statuses) != 2 || statuses[0]["state"] != "pending" || statuses[1]["state"] != "success" || statuses[1]["context"] != "ibgitops/lint" {
		t.Errorf("statuses: %v", statuses)
	}
	if statuses[1]["target_url"] != "https://github.example/acme/images/actions/runs/42" {
		t.Errorf("target_url %q", statuses[1]["target_url"])
	}
	if len(pages) != 2 {
		t.Errorf("comment pages read: %v (150 comments need 2 pages)", pages)
	}
	if posts != 1 {
		t.Fatalf("comments created: %d, want 1", posts)
	}
	comments := snapshot(&gh.fakeAPI, func() []*comment { return gh.comments })
	ours := comments[len(comments)-1]
	golden(t, "github-comment.md", ours.Body)
	if comments[42].Body != "quoting the bot: <!-- ibgitops:report --> ### ✅ passed" {
		t.Errorf("a user's comment quoting the marker was edited")
	}

	// Step summary and outputs.
	sum, _ := os.ReadFile(summary)
	if !strings.Contains(string(sum), "ibgitops passed") || len(sum) >= 1<<20 {
		t.Errorf("step summary (%d bytes): %.200s", len(sum), sum)
	}
	out, _ := os.ReadFile(output)
	for _, name := range []string{"changed", "plan", "images", "versions"} {
		if !regexp.MustCompile(`(?m)^` + name + `<<ghadelimiter_[0-9a-f]{32}$`).Match(out) {
			t.Errorf("output %s is not written as a heredoc with a random delimiter:\n%s", name, out)
		}
	}
	if strings.Contains(first.stdout, "::set-output") {
		t.Errorf("deprecated ::set-output used")
	}
	if !strings.Contains(string(out), "changed<<") || !strings.Contains(string(out), `"name":"smoke-tests"`) {
		t.Errorf("outputs:\n%s", out)
	}
	for _, f := range []string{"report.md", "report.json"} {
		if first.files[f] == "" {
			t.Errorf("missing %s in the report folder", f)
		}
	}

	// Second run: the same comment is edited in place, never a second one.
	second := runIbgitops(t, repo, env)
	reqs = gh.reset()
	if second.code != 0 {
		t.Fatalf("second run exit %d: %s", second.code, second.stderr)
	}
	var patched, created int
	for _, r := range reqs {
		switch {
		case r.Method == "PATCH" && r.Path == fmt.Sprintf("/repos/acme/images/issues/comments/%d", ours.ID):
			patched++
		case r.Method == "POST" && strings.HasSuffix(r.Path, "/comments"):
			created++
		}
	}
	if patched != 1 || created != 0 {
		t.Errorf("second run: %d edits of comment %d, %d new comments", patched, ours.ID, created)
	}
	assertNoToken(t, fakeGitHubToken, second, []string{summary, output}, reqs)
}

func TestRunGitHubLimitsAndAnnotations(t *testing.T) {
	// 13 components with an invalid version: 13 errors, of which GitHub
	// shows 10 as annotations; the comment says how many more.
	extra := map[string]string{}
	for i := 0; i < 13; i++ {
		extra[fmt.Sprintf("components/bad-%02d.yaml", i)] = fmt.Sprintf("kind: Component\nname: bad-%02d\nversion: one\nplatform: Linux\ndocument:\n  schemaVersion: 1.0\n  phases:\n    - name: build\n      steps:\n        - name: S\n          action: ExecuteBash\n          inputs:\n            commands: [\"true\"]\n", i)
	}
	repo, base, head := fixtureRepo(t, extra)
	gh := newFakeGitHub(t)
	gh.rateLimited = 1
	env, summary, output := githubEnv(t, gh.srv.URL, base, head, fakeGitHubToken)
	start := time.Now()
	res := runIbgitops(t, repo, env)
	reqs := gh.reset()
	if res.code != 1 {
		t.Fatalf("exit code %d, want 1 (lint errors)\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if n := strings.Count(res.stdout, "::error "); n != 10 {
		t.Errorf("%d error annotations, want 10 (GitHub drops the rest)", n)
	}
	if !regexp.MustCompile(`::error file=components/bad-00\.yaml,line=\d+,col=\d+,title=ibgitops version-format::`).MatchString(res.stdout) {
		t.Errorf("annotation without file and line:\n%s", res.stdout)
	}
	comments := snapshot(&gh.fakeAPI, func() []*comment { return gh.comments })
	body := comments[len(comments)-1].Body
	sum, _ := os.ReadFile(summary)
	for where, text := range map[string]string{"comment": body, "step summary": string(sum)} {
		if !strings.Contains(text, "10 errors and 0 warnings are annotated") || !strings.Contains(text, "3 more are listed here only") {
			t.Errorf("the %s does not say how many findings are not annotated:\n%s", where, text)
		}
	}
	// The first status post hit a secondary rate limit with Retry-After: 1.
	statusPosts := 0
	for _, r := range reqs {
		if strings.Contains(r.Path, "/statuses/") {
			statusPosts++
		}
	}
	if statusPosts != 3 || time.Since(start) < time.Second {
		t.Errorf("status posts %d (want 3: one retried after Retry-After), took %s", statusPosts, time.Since(start))
	}
	for _, r := range reqs {
		if strings.Contains(r.Path, "/statuses/") {
			var st map[string]string
			json.Unmarshal([]byte(r.Body), &st)
			if st["state"] == "failure" && !strings.Contains(st["description"], "13 errors") {
				t.Errorf("lint status description %q", st["description"])
			}
		}
	}
	assertNoToken(t, fakeGitHubToken, res, []string{summary, output}, reqs)
}

func TestRunGitHubForkWithoutToken(t *testing.T) {
	repo, base, head := fixtureRepo(t, nil)
	gh := newFakeGitHub(t)
	env, summary, _ := githubEnv(t, gh.srv.URL, base, head, "")
	res := runIbgitops(t, repo, env)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if reqs := gh.reset(); len(reqs) != 0 {
		t.Errorf("without a token, no API call should be made: %v", reqs)
	}
	sum, _ := os.ReadFile(summary)
	if !strings.Contains(string(sum), "ibgitops passed") || !strings.Contains(string(sum), "no GitHub token") {
		t.Errorf("step summary:\n%s", sum)
	}
}

func TestRunGitHubAPIDownKeepsOutcome(t *testing.T) {
	repo, base, head := fixtureRepo(t, nil)
	gh := newFakeGitHub(t)
	gh.down = true
	env, summary, output := githubEnv(t, gh.srv.URL, base, head, fakeGitHubToken)
	res := runIbgitops(t, repo, env)
	if res.code != 0 {
		t.Fatalf("a reporting failure changed the exit code to %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout+res.stderr, "HTTP 500") {
		t.Errorf("the failure is not reported:\n%s\n%s", res.stdout, res.stderr)
	}
	sum, _ := os.ReadFile(summary)
	for where, text := range map[string]string{"report.md": res.files["report.md"], "step summary": string(sum)} {
		if !strings.Contains(text, "reporting to GitHub: list pull-request comments: HTTP 500 from GitHub") {
			t.Errorf("%s does not carry the reporting failure:\n%s", where, text)
		}
	}
	assertNoToken(t, fakeGitHubToken, res, []string{summary, output}, gh.reset())
}

// fakeGitLab serves /user, merge-request notes (X-Next-Page pagination)
// and commit statuses (refusing a repeated transition with 400).
type fakeGitLab struct {
	fakeAPI
	notes  []*comment
	nextID int64
	seen   map[string]string // status name -> last state
}

func newFakeGitLab(t *testing.T) *fakeGitLab {
	g := &fakeGitLab{nextID: 500, seen: map[string]string{}}
	for i := 0; i < 120; i++ {
		g.nextID++
		body := fmt.Sprintf("note %d", i)
		author := "alice"
		if i == 7 {
			body = "<!-- ibgitops:report --> copied"
		}
		g.notes = append(g.notes, &comment{ID: g.nextID, Author: author, Body: body})
	}
	g.serve(t, func(w http.ResponseWriter, r *http.Request, body string) {
		path := r.URL.Path
		notesPath := "/api/v4/projects/123/merge_requests/5/notes"
		switch {
		case r.Method == "GET" && path == "/api/v4/user":
			io.WriteString(w, `{"id":99,"username":"project_123_bot"}`)
		case r.Method == "POST" && strings.HasPrefix(path, "/api/v4/projects/123/statuses/"):
			var st map[string]any
			json.Unmarshal([]byte(body), &st)
			name, _ := st["name"].(string)
			state, _ := st["state"].(string)
			if g.seen[name] == state {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, `{"message":"Cannot transition status via :%s from :%s"}`, state, state)
				return
			}
			g.seen[name] = state
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"id":1}`)
		case r.Method == "GET" && path == notesPath:
			per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
			per = min(max(per, 20), 100)
			page, lo, hi := pageOf(r, per, len(g.notes))
			if hi < len(g.notes) {
				w.Header().Set("X-Next-Page", strconv.Itoa(page+1))
			}
			var out []map[string]any
			for _, n := range g.notes[lo:hi] {
				id := 1
				if n.Author == "project_123_bot" {
					id = 99
				}
				out = append(out, map[string]any{"id": n.ID, "body": n.Body, "author": map[string]any{"id": id, "username": n.Author}})
			}
			json.NewEncoder(w).Encode(out)
		case r.Method == "POST" && path == notesPath:
			var in struct{ Body string }
			json.Unmarshal([]byte(body), &in)
			addComment(w, &g.notes, &g.nextID, "project_123_bot", in.Body)
		case r.Method == "PUT" && strings.HasPrefix(path, notesPath+"/"):
			editComment(w, g.notes, strings.TrimPrefix(path, notesPath+"/"), body)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"404 Not Found"}`)
		}
	})
	return g
}

func gitlabEnv(api, base, head string) map[string]string {
	return map[string]string{
		"GITLAB_CI": "true", "CI_API_V4_URL": api + "/api/v4", "CI_SERVER_URL": "https://gitlab.example",
		"CI_PROJECT_ID": "123", "CI_PROJECT_PATH": "acme/images", "CI_PIPELINE_SOURCE": "merge_request_event",
		"CI_PIPELINE_ID": "777", "CI_JOB_URL": "https://gitlab.example/acme/images/-/jobs/9",
		"CI_MERGE_REQUEST_IID": "5", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_COMMIT_SHA": head,
		"CI_DEFAULT_BRANCH": "main", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
		"CI_JOB_TOKEN": "job-token-not-used",
	}
}

func TestRunGitLabMergeRequest(t *testing.T) {
	repo, base, head := fixtureRepo(t, nil)
	gl := newFakeGitLab(t)
	env := gitlabEnv(gl.srv.URL, base, head)
	env["IBGITOPS_GITLAB_TOKEN"] = fakeGitLabToken

	first := runIbgitops(t, repo, env)
	reqs := gl.reset()
	if first.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", first.code, first.stdout, first.stderr)
	}
	var states []string
	pages := 0
	for _, r := range reqs {
		if r.Auth != fakeGitLabToken {
			t.Errorf("%s %s: PRIVATE-TOKEN %q", r.Method, r.Path, r.Auth)
		}
		if strings.Contains(r.Path, "/statuses/") {
			if !strings.HasSuffix(r.Path, "/statuses/"+head) {
				t.Errorf("status on %s", r.Path)
			}
			var st map[string]any
			json.Unmarshal([]byte(r.Body), &st)
			if st["pipeline_id"] != float64(777) || st["name"] != "ibgitops/lint" {
				t.Errorf("status %v: want pipeline_id 777 and name ibgitops/lint", st)
			}
			states = append(states, fmt.Sprint(st["state"]))
		}
		if r.Method == "GET" && strings.HasSuffix(r.Path, "/notes") {
			pages++
		}
	}
	if strings.Join(states, ",") != "running,success" {
		t.Errorf("status states %v", states)
	}
	if pages != 2 {
		t.Errorf("note pages read: %d, want 2 (120 notes)", pages)
	}
	notes := snapshot(&gl.fakeAPI, func() []*comment { return gl.notes })
	ours := notes[len(notes)-1]
	if ours.Author != "project_123_bot" {
		t.Fatalf("no note was created")
	}
	golden(t, "gitlab-note.md", ours.Body)
	if notes[7].Body != "<!-- ibgitops:report --> copied" {
		t.Errorf("another user's note with the marker was edited")
	}
	for _, f := range []string{"gl-code-quality-report.json", "junit.xml", "junit-builds.xml", "ibgitops.env", "report.md", "report.json"} {
		if _, ok := first.files[f]; !ok {
			t.Errorf("artifact %s missing from %v", f, first.files)
		}
	}
	env2 := first.files["ibgitops.env"]
	if !strings.Contains(env2, "IBGITOPS_CHANGED=true\n") || strings.Contains(env2, "\n\n") || len(env2) > 5<<10 {
		t.Errorf("dotenv:\n%s", env2)
	}
	assertNoToken(t, fakeGitLabToken, first, nil, reqs)

	second := runIbgitops(t, repo, env)
	reqs = gl.reset()
	if second.code != 0 {
		t.Fatalf("second run: exit %d: %s", second.code, second.stderr)
	}
	var puts, posts int
	for _, r := range reqs {
		if r.Method == "PUT" && strings.HasSuffix(r.Path, fmt.Sprintf("/notes/%d", ours.ID)) {
			puts++
		}
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/notes") {
			posts++
		}
	}
	if puts != 1 || posts != 0 {
		t.Errorf("second run: %d edits, %d new notes", puts, posts)
	}
	// The repeated "success" was refused with 400 "Cannot transition":
	// not a failure, not a note.
	if strings.Contains(second.files["report.md"], "Cannot transition") {
		t.Errorf("a refused repeated transition was reported as a failure")
	}
	assertNoToken(t, fakeGitLabToken, second, nil, reqs)
}

func TestRunGitLabJobTokenOnly(t *testing.T) {
	repo, base, head := fixtureRepo(t, nil)
	gl := newFakeGitLab(t)
	res := runIbgitops(t, repo, gitlabEnv(gl.srv.URL, base, head))
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if reqs := gl.reset(); len(reqs) != 0 {
		t.Errorf("CI_JOB_TOKEN cannot post: no request expected, got %v", reqs)
	}
	if !strings.Contains(res.files["report.md"], "only CI\\_JOB\\_TOKEN is available") || !strings.Contains(res.files["report.md"], "IBGITOPS\\_GITLAB\\_TOKEN") {
		t.Errorf("the report does not say how to fix the token:\n%s", res.files["report.md"])
	}
	if _, ok := res.files["gl-code-quality-report.json"]; !ok {
		t.Errorf("artifacts are written without a token too")
	}
}

const fakeAWSSecret = "fakeAWSsecretDoNotLeak/0123456789abcdefgh"

// awsEnv points the aws backend at the Image Builder wire fake.
func awsEnv(t *testing.T, faults ibfake.Faults) map[string]string {
	t.Helper()
	fake, err := ibfake.New(ibfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fake.SetFaults(faults)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return map[string]string{
		"AWS_ENDPOINT_URL": srv.URL, "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": fakeAWSSecret,
		"AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "IBGITOPS_AWS_POLL_INTERVAL": "1ms", // the fake moves on by polls, not time
	}
}

func pushEnv(t *testing.T, api, base, head, ref string) (map[string]string, string, string) {
	env, summary, output := githubEnv(t, api, base, head, fakeGitHubToken)
	event := map[string]any{
		"ref": ref, "before": base, "after": head,
		"repository": map[string]any{"full_name": "acme/images", "default_branch": "main"},
	}
	data, _ := json.Marshal(event)
	os.WriteFile(env["GITHUB_EVENT_PATH"], data, 0o644)
	env["GITHUB_EVENT_NAME"], env["GITHUB_REF"], env["GITHUB_SHA"] = "push", ref, head
	delete(env, "GITHUB_BASE_REF")
	delete(env, "GITHUB_HEAD_REF")
	return env, summary, output
}

func TestRunGitHubPushBuildsOnAWS(t *testing.T) {
	cases := []struct {
		name   string
		faults ibfake.Faults
		code   int
		state  string
	}{
		{"builds", ibfake.Faults{}, 0, "success"},
		{"a test fails", ibfake.Faults{FailStep: "RunTestComponents", FailReason: "smoke test: <b>@admins</b> banner missing"}, 1, "failure"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			repo, base, head := fixtureRepo(t, nil)
			gh := newFakeGitHub(t)
			env, summary, output := pushEnv(t, gh.srv.URL, base, head, "refs/heads/main")
			for k, v := range awsEnv(t, c.faults) {
				env[k] = v
			}
			res := runIbgitops(t, repo, env, "--backend", "aws")
			reqs := gh.reset()
			if res.code != c.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", res.code, c.code, res.stdout, res.stderr)
			}
			last := map[string]map[string]string{}
			var order []string
			for _, r := range reqs {
				if !strings.Contains(r.Path, "/statuses/") {
					continue
				}
				if !strings.HasSuffix(r.Path, "/statuses/"+head) {
					t.Errorf("status on %s, want the pushed commit", r.Path)
				}
				var st map[string]string
				json.Unmarshal([]byte(r.Body), &st)
				// A child whose parent failed never starts: it has no pending.
				neverStarted := c.state == "failure" && st["context"] == "ibgitops/app-server"
				if _, seen := last[st["context"]]; !seen && st["state"] != "pending" && !neverStarted {
					t.Errorf("%s: first state %s, want pending", st["context"], st["state"])
				}
				last[st["context"]] = st
				order = append(order, st["context"]+"="+st["state"])
			}
			for _, name := range []string{"ibgitops/lint", "ibgitops/base-linux", "ibgitops/app-server"} {
				st, ok := last[name]
				if !ok {
					t.Errorf("no status %s (got %v)", name, order)
					continue
				}
				want := c.state
				if name == "ibgitops/lint" {
					want = "success"
				}
				if name == "ibgitops/app-server" && c.state == "failure" {
					want = "failure" // not built: its parent failed
				}
				if st["state"] != want || utf8.RuneCountInString(st["description"]) > 140 {
					t.Errorf("%s: %v, want %s", name, st, want)
				}
			}
			out, _ := os.ReadFile(output)
			if c.state == "success" && !strings.Contains(string(out), `"recipe":"base-linux"`) {
				t.Errorf("images output lacks the built image:\n%s", out)
			}
			sum, _ := os.ReadFile(summary)
			if testing.Verbose() {
				t.Logf("step summary:\n%s", sum)
			}
			if c.state == "failure" {
				if !strings.Contains(string(sum), "#### Builds") || strings.Contains(string(sum), "<b>@admins") {
					t.Errorf("summary does not show the failure safely:\n%s", sum)
				}
			}
			assertNoToken(t, fakeGitHubToken, res, []string{summary, output}, reqs)
			assertNoToken(t, fakeAWSSecret, res, []string{summary, output}, reqs)
		})
	}
}

func TestRunGitHubOtherEvents(t *testing.T) {
	repo, base, head := fixtureRepo(t, nil)
	gh := newFakeGitHub(t)
	cases := []struct {
		name, ref string
		code      int
		want      string
	}{
		{"push to another branch", "refs/heads/feature", 0, "feature is not the default branch main"},
		{"tag with another version", "refs/tags/base-linux/v9.9.9", 2, "tag base-linux/v9.9.9 names version 9.9.9, but recipes/base-linux.yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, _, _ := pushEnv(t, gh.srv.URL, base, head, c.ref)
			res := runIbgitops(t, repo, env)
			gh.reset()
			if res.code != c.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", res.code, c.code, res.stdout, res.stderr)
			}
			if !strings.Contains(res.stdout+res.stderr, c.want) {
				t.Errorf("output lacks %q:\n%s\n%s", c.want, res.stdout, res.stderr)
			}
		})
	}
}

func TestReleaseCommand(t *testing.T) {
	repo, base, _ := fixtureRepo(t, nil)
	tag := func(name, commit string) {
		cmd := exec.Command("git", "tag", name, commit)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git tag: %v\n%s", err, out)
		}
	}
	tag("base-linux/v1.4.0", "HEAD")
	tag("base-linux/v1.5.0", "HEAD")
	tag("app-server/v3.1.0", base) // not checked out
	cases := []struct {
		tag  string
		code int
		want string
	}{
		{"base-linux/v1.4.0", 0, "release base-linux/v1.4.0"},
		{"base-linux/v1.5.0", 2, "tag base-linux/v1.5.0 names version 1.5.0, but recipes/base-linux.yaml:"},
		{"app-server/v3.1.0", 2, "check out the tag first (git checkout app-server/v3.1.0)"},
		{"nope/v1.0.0", 2, "release tag nope/v1.0.0: unknown ref"},
		{"not-a-release", 2, `does not match release.tagPattern "{name}/v{version}"`},
		{"", 2, "--tag is required outside a tag pipeline"},
	}
	for _, c := range cases {
		t.Run("tag "+c.tag, func(t *testing.T) {
			env := awsEnv(t, ibfake.Faults{})
			reportDir := filepath.Join(t.TempDir(), "report")
			args := []string{"release", "--root", repo, "--backend", "aws", "--report-dir", reportDir}
			if c.tag != "" {
				args = append(args, "--tag", c.tag)
			}
			cmd := exec.Command(ibgitopsBinary(t), args...)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != c.code || !strings.Contains(string(out), c.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s", code, c.code, c.want, out)
			}
			if c.code == 0 {
				data, _ := os.ReadFile(filepath.Join(reportDir, "report.json"))
				var rep struct {
					Builds []struct{ Recipe, Version, Status string }
				}
				json.Unmarshal(data, &rep)
				if len(rep.Builds) != 1 || rep.Builds[0].Recipe != "base-linux" || rep.Builds[0].Version != "1.4.0" || rep.Builds[0].Status != "succeeded" {
					t.Errorf("release built %+v", rep.Builds)
				}
			}
		})
	}
}

// The shipped action and GitLab template must stay wired to the flags and
// file names the code uses.
func TestShippingFilesMatchTheCode(t *testing.T) {
	runCmd, _, err := newRootCmd().Find([]string{"run"})
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"../../action.yml", "../../composite/action.yml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var action struct {
			Inputs  map[string]any
			Outputs map[string]any
		}
		if err := yaml.Unmarshal(data, &action); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for name := range action.Inputs {
			switch name {
			case "command", "token", "args", "version", "from-source": // read by the actions themselves
				continue
			}
			if !slices.Contains(actionInputs, name) || runCmd.Flags().Lookup(name) == nil {
				t.Errorf("%s: input %q is not read by `ibgitops run` (actionInputs and a flag of that name)", file, name)
			}
		}
		for _, out := range []string{"changed", "plan", "images", "versions", "failed"} {
			if _, ok := action.Outputs[out]; !ok {
				t.Errorf("%s: output %q missing", file, out)
			}
		}
	}
	tmpl, err := os.ReadFile("../../.gitlab-ci-template.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{gitlabhost.CodeQuality, gitlabhost.JUnit, gitlabhost.JUnitBuilds, gitlabhost.Dotenv} {
		if !strings.Contains(string(tmpl), "$IBGITOPS_REPORT_DIR/"+f) {
			t.Errorf(".gitlab-ci-template.yml does not wire %s", f)
		}
	}
}

func TestRunGitHubVersionNotRaised(t *testing.T) {
	data, err := os.ReadFile("../../testdata/example/components/linux-hardening.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(data), "description: ", "description: Changed without a version bump. ", 1)
	repo, base, head := fixtureRepo(t, map[string]string{"components/linux-hardening.yaml": changed})
	gh := newFakeGitHub(t)
	env, summary, output := githubEnv(t, gh.srv.URL, base, head, fakeGitHubToken)
	res := runIbgitops(t, repo, env)
	reqs := gh.reset()
	if res.code != 1 {
		t.Fatalf("exit %d, want 1 (content changed, version not raised)\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "::error") || !strings.Contains(res.stdout, "file=components/linux-hardening.yaml") {
		t.Errorf("no annotation on the component:\n%s", res.stdout)
	}
	var lint map[string]string
	for _, r := range reqs {
		if strings.Contains(r.Path, "/statuses/") {
			json.Unmarshal([]byte(r.Body), &lint)
		}
	}
	if lint["context"] != "ibgitops/lint" || lint["state"] != "failure" {
		t.Errorf("last status %v", lint)
	}
	assertNoToken(t, fakeGitHubToken, res, []string{summary, output}, reqs)
}

// TestRunGitHubTestComponents builds and tests the changed recipes of a
// pull request on the local backend, with a container engine, and checks
// that nothing is distributed. It needs podman or docker and the base
// image scripts/base-image.sh prepares.
func TestRunGitHubTestComponents(t *testing.T) {
	engine := ""
	for _, e := range []string{"podman", "docker"} {
		if p, err := exec.LookPath(e); err == nil {
			if exec.Command(p, "image", "inspect", "localhost/ibgitops-base:latest").Run() == nil {
				engine = p
				break
			}
		}
	}
	if engine == "" {
		t.Skip("no container engine with localhost/ibgitops-base:latest: run scripts/setup-engine.sh and scripts/base-image.sh to include this test")
	}
	repo, base, head := fixtureRepo(t, nil)
	gh := newFakeGitHub(t)
	env, summary, output := githubEnv(t, gh.srv.URL, base, head, fakeGitHubToken)
	env["INPUT_TEST-COMPONENTS"] = "true" // as the action passes it
	for _, k := range []string{"XDG_RUNTIME_DIR", "CONTAINERS_CONF", "DOCKER_HOST"} {
		if v := os.Getenv(k); v != "" {
			env[k] = v
		}
	}
	res := runIbgitops(t, repo, env)
	reqs := gh.reset()
	if res.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	final := map[string]string{}
	for _, r := range reqs {
		if strings.Contains(r.Path, "/statuses/") {
			var st map[string]string
			json.Unmarshal([]byte(r.Body), &st)
			final[st["context"]] = st["state"]
		}
	}
	for _, name := range []string{"ibgitops/lint", "ibgitops/base-linux", "ibgitops/app-server"} {
		if final[name] != "success" {
			t.Errorf("%s: %q (statuses %v)", name, final[name], final)
		}
	}
	body := snapshot(&gh.fakeAPI, func() []*comment { return gh.comments })
	if last := body[len(body)-1].Body; !strings.Contains(last, "#### Builds") || !strings.Contains(last, "component tests") {
		t.Errorf("comment lacks the test results:\n%s", last)
	}
	// Component tests distribute nothing: no OCI archive, no image outputs.
	if archives, _ := filepath.Glob(filepath.Join(repo, ".ibgitops", "archives", "*")); len(archives) != 0 {
		t.Errorf("component tests exported %v", archives)
	}
	assertNoToken(t, fakeGitHubToken, res, []string{summary, output}, reqs)
}
