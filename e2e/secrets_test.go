package e2e

// Secrets: every command runs with recognisable fake tokens and AWS keys in
// its environment; none of them may appear in stdout, stderr, any file the
// command writes, or any request URL or body the fakes receive (the
// Authorization / PRIVATE-TOKEN / X-Amz-Security-Token headers carry them
// by design and are not recorded).

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/internal/ibfake"
)

const (
	fakeGitHubToken = "ghs_E2EgithubTokenDoNotLeak0123456789"
	fakeInputToken  = "ghp_E2EinputTokenDoNotLeak9876543210"
	fakeGitLabToken = "glpat-E2EgitlabTokenDoNotLeak42"
	fakeIBGLToken   = "glpat-E2EibgitopsGitlabTokenDoNotLeak7"
	fakeJobToken    = "E2EciJobTokenDoNotLeak55"
)

var secrets = []string{fakeGitHubToken, fakeInputToken, fakeGitLabToken, fakeIBGLToken, fakeJobToken,
	fakeAWSKeyID, fakeAWSSecret, fakeAWSSession}

// secretEnv is every token a CI job could hold.
func secretEnv() map[string]string {
	return map[string]string{
		"GITHUB_TOKEN": fakeGitHubToken, "INPUT_TOKEN": fakeInputToken, "GITLAB_TOKEN": fakeGitLabToken,
		"IBGITOPS_GITLAB_TOKEN": fakeIBGLToken, "CI_JOB_TOKEN": fakeJobToken,
		"AWS_ACCESS_KEY_ID": fakeAWSKeyID, "AWS_SECRET_ACCESS_KEY": fakeAWSSecret, "AWS_SESSION_TOKEN": fakeAWSSession,
		"AWS_REGION": "us-east-1",
	}
}

// recorder keeps the URL and body of every request a fake receives.
type recorder struct {
	mu   sync.Mutex
	reqs []string
}

func (rc *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, r.Method+" "+r.URL.String()+"\n"+string(body))
		rc.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (rc *recorder) all() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.reqs...)
}

// fakeHost answers GitHub and GitLab API calls with plausible empty
// successes: enough for run to post statuses and comments.
func fakeHost(rc *recorder) *httptest.Server {
	return httptest.NewServer(rc.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/api/v4/user" || r.URL.Path == "/user":
			io.WriteString(w, `{"id":99,"username":"bot","login":"bot"}`)
		case r.Method == http.MethodGet:
			io.WriteString(w, `[]`)
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"id":1}`)
		default:
			io.WriteString(w, `{"id":1}`)
		}
	})))
}

// leaks lists where any secret appears in text, skipping GitHub's
// ::add-mask:: command (which must carry the token).
func leaks(where, text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "::add-mask::") {
			continue
		}
		for _, s := range secrets {
			if strings.Contains(line, s) {
				out = append(out, where+": "+clipN(line, 300))
			}
		}
	}
	return out
}

// filesLeaks greps every regular file under the folders (not .git).
func filesLeaks(t *testing.T, dirs ...string) []string {
	var out []string
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && d.Name() == ".git" {
				return filepath.SkipDir
			}
			if d.Type().IsRegular() {
				data, _ := os.ReadFile(path)
				out = append(out, leaks(path, string(data))...)
			}
			return nil
		})
	}
	return out
}

func TestNoSecretLeaks(t *testing.T) {
	t.Parallel()
	repo := newGitRepo(t)
	rec := &recorder{}
	fake, err := ibfake.New(ibfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	aws := httptest.NewServer(rec.wrap(fake))
	defer aws.Close()
	host := fakeHost(rec)
	defer host.Close()

	work := t.TempDir() // every output folder and host file lives here
	toeDoc := filepath.Join(work, "doc.yaml")
	write(t, toeDoc, "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Hello\n        action: ExecuteBash\n        inputs:\n          commands: [echo hello]\n      - name: Fails\n        action: ExecuteBash\n        onFailure: Continue\n        inputs:\n          commands: ['exit 3']\n")

	ghEnv := func(event string, payload map[string]any) map[string]string {
		data, _ := json.Marshal(payload)
		dir, err := os.MkdirTemp(work, "gh-")
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "event.json"), string(data))
		env := map[string]string{
			"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": filepath.Join(dir, "event.json"),
			"GITHUB_SHA": repo.head, "GITHUB_REPOSITORY": "acme/images", "GITHUB_API_URL": host.URL,
			"GITHUB_SERVER_URL": "https://github.example", "GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "1",
			"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"), "GITHUB_OUTPUT": filepath.Join(dir, "output.txt"),
			"GITHUB_ENV": filepath.Join(dir, "env.txt"), "INPUT_FAIL-ON": "error",
		}
		if event == "pull_request" {
			env["GITHUB_REF"], env["GITHUB_BASE_REF"], env["GITHUB_HEAD_REF"] = "refs/pull/7/merge", "main", "feature"
		} else {
			env["GITHUB_REF"] = "refs/heads/main"
		}
		return env
	}
	repoName := map[string]any{"full_name": "acme/images", "default_branch": "main"}
	pr := ghEnv("pull_request", map[string]any{"number": 7, "repository": repoName, "pull_request": map[string]any{"number": 7,
		"head": map[string]any{"sha": repo.head, "ref": "feature", "repo": map[string]any{"full_name": "acme/images"}},
		"base": map[string]any{"sha": repo.base, "ref": "main", "repo": map[string]any{"full_name": "acme/images"}}}})
	push := ghEnv("push", map[string]any{"ref": "refs/heads/main", "before": repo.base, "after": repo.head, "repository": repoName})
	gitlab := map[string]string{
		"GITLAB_CI": "true", "CI_API_V4_URL": host.URL + "/api/v4", "CI_SERVER_URL": "https://gitlab.example",
		"CI_PROJECT_ID": "123", "CI_PROJECT_PATH": "acme/images", "CI_PIPELINE_SOURCE": "merge_request_event",
		"CI_PIPELINE_ID": "777", "CI_JOB_URL": "https://gitlab.example/acme/images/-/jobs/9",
		"CI_MERGE_REQUEST_IID": "5", "CI_MERGE_REQUEST_DIFF_BASE_SHA": repo.base, "CI_COMMIT_SHA": repo.head,
		"CI_DEFAULT_BRANCH": "main", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
	}
	withAWS := func(env map[string]string) map[string]string {
		out := map[string]string{"AWS_ENDPOINT_URL": aws.URL, "IBGITOPS_AWS_POLL_INTERVAL": fakePollInterval}
		for k, v := range env {
			out[k] = v
		}
		return out
	}
	out := func(name string) string { return filepath.Join(work, name) }

	commands := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"lint text", nil, []string{"lint", "--root", repo.dir}},
		{"lint github", nil, []string{"lint", "--root", repo.dir, "--format", "github"}},
		{"lint sarif file", nil, []string{"lint", "--root", repo.dir, "--format", "sarif", "--output", out("lint.sarif")}},
		{"lint --base", nil, []string{"lint", "--root", repo.dir, "--base", "main~1"}},
		{"plan json", nil, []string{"plan", "--root", repo.dir, "--base", repo.base, "--format", "json"}},
		{"plan markdown", nil, []string{"plan", "--root", repo.dir, "--base", repo.base, "--format", "markdown"}},
		{"bump", nil, []string{"bump", "--root", repo.dir, "--base", repo.base}},
		{"toe validate", nil, []string{"toe", "validate", "--documents", toeDoc}},
		{"toe run", nil, []string{"toe", "run", "--documents", toeDoc, "--log-directory", out("toe"), "--trace"}},
		{"build aws", withAWS(nil), []string{"build", "--root", repo.dir, "--backend", "aws", "--only", "base-linux"}},
		{"build aws dry run", withAWS(nil), []string{"build", "--root", repo.dir, "--backend", "aws", "--dry-run", "--only", "app-server"}},
		{"run github pull request", withAWS(pr), []string{"run", "--root", repo.dir, "--report-dir", out("report-pr")}},
		{"run github push on aws", withAWS(push), []string{"run", "--root", repo.dir, "--backend", "aws", "--report-dir", out("report-push")}},
		{"run gitlab merge request", withAWS(gitlab), []string{"run", "--root", repo.dir, "--report-dir", out("report-gl")}},
		{"run no CI", withAWS(nil), []string{"run", "--root", repo.dir, "--ci", "none", "--backend", "aws", "--report-dir", out("report-none")}},
		{"release unknown tag", withAWS(push), []string{"release", "--root", repo.dir, "--backend", "aws", "--tag", "app-server/v9.9.9", "--report-dir", out("report-rel")}},
		{"build aws no endpoint", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, []string{"build", "--root", repo.dir, "--backend", "aws", "--only", "base-linux"}},
	}
	for _, c := range commands {
		env := secretEnv()
		for k, v := range c.env {
			env[k] = v
		}
		r := run(t, runOpts{dir: repo.dir, env: env, timeout: 90 * time.Second}, c.args...)
		assertSane(t, r)
		t.Logf("%s: exit %d", c.name, r.code)
		for _, l := range append(leaks(c.name+" stdout", r.stdout), leaks(c.name+" stderr", r.stderr)...) {
			t.Errorf("secret leaked: %s", l)
		}
	}
	for _, l := range filesLeaks(t, work, repo.dir) {
		t.Errorf("secret leaked into a file: %s", l)
	}
	reqs := rec.all()
	if len(reqs) < 20 {
		t.Errorf("only %d requests reached the fakes: the commands did not talk to them", len(reqs))
	}
	for _, r := range reqs {
		for _, l := range leaks("request", r) {
			t.Errorf("secret leaked into a request URL or body: %s", l)
		}
	}
	var statuses, comments, imagebuilder int
	for _, r := range reqs {
		switch {
		case strings.Contains(r, "/statuses/"):
			statuses++
		case strings.Contains(r, "/comments") || strings.Contains(r, "/notes"):
			comments++
		case strings.Contains(r, "Component") || strings.Contains(r, "Image"):
			imagebuilder++
		}
	}
	if statuses == 0 || comments == 0 || imagebuilder == 0 {
		t.Errorf("the fakes saw %d status, %d comment and %d Image Builder requests: every kind must be exercised", statuses, comments, imagebuilder)
	}
	t.Logf("%d requests to the fakes checked (%d statuses, %d comments/notes, %d Image Builder)", len(reqs), statuses, comments, imagebuilder)

	// Control: the detector does see a token a command prints (here on
	// purpose, by the user's own document, from a variable toe does not
	// know as secret), so a clean result means something.
	leaky := filepath.Join(work, "leaky.yaml")
	write(t, leaky, "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Echo\n        action: ExecuteBash\n        inputs:\n          commands: ['echo $PLAIN_VALUE']\n")
	env := secretEnv()
	delete(env, "GITHUB_TOKEN") // toe redacts values, whatever variable holds them
	env["PLAIN_VALUE"] = fakeGitHubToken
	r := run(t, runOpts{dir: work, env: env}, "toe", "run", "--documents", leaky, "--log-directory", t.TempDir())
	if len(leaks("control", r.output())) == 0 {
		t.Errorf("control: a document echoing a token was not detected: %s", r)
	}
	// The same echo of a known secret variable is redacted (#12 item 9).
	write(t, leaky, "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Echo\n        action: ExecuteBash\n        inputs:\n          commands: ['echo $GITHUB_TOKEN $CI_JOB_TOKEN']\n")
	r = run(t, runOpts{dir: work, env: secretEnv()}, "toe", "run", "--documents", leaky, "--log-directory", t.TempDir())
	if found := leaks("toe run echoing secrets", r.output()); len(found) > 0 {
		t.Errorf("toe run printed a secret a step echoed: %v", found)
	}
}
