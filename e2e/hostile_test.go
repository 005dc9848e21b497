package e2e

// The bad-input corpus (testdata/hostile/): every input must end with a
// clear message that names the file or ref, a documented exit code, no Go
// crash trace and bounded memory. Each lint/config/toe file says what it
// expects on its first line: `# want: <exit code> [rule]`.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/runner/report/escape"
)

var (
	wantRe = regexp.MustCompile(`^# want: (\d)(?: ([a-z-]+))?`)
	runRe  = regexp.MustCompile(`(?m)^# run: (\d)`)
)

type want struct {
	code int
	rule string
}

// parseWant reads the `# want:` header (UTF-16 files too).
func parseWant(t *testing.T, data []byte) want {
	t.Helper()
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
		u := make([]uint16, 0, len(data)/2)
		for i := 2; i+1 < len(data); i += 2 {
			u = append(u, uint16(data[i])|uint16(data[i+1])<<8)
		}
		data = []byte(string(utf16.Decode(u)))
	}
	m := wantRe.FindSubmatch(data)
	if m == nil {
		t.Fatalf("no `# want: <code> [rule]` header")
	}
	code, _ := strconv.Atoi(string(m[1]))
	return want{code, string(m[2])}
}

func corpus(t *testing.T, sub string) map[string][]byte {
	t.Helper()
	dir := filepath.Join(moduleRoot, "testdata", "hostile", sub)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

func checkLint(t *testing.T, r result, w want, file string) {
	t.Helper()
	assertSane(t, r)
	if r.code != w.code {
		t.Errorf("exit %d, want %d: %s", r.code, w.code, r)
	}
	checkNamed(t, r, w, file)
}

// checkNamed checks that a failure names file and, when w names a rule,
// that a finding of it is there.
func checkNamed(t *testing.T, r result, w want, file string) {
	t.Helper()
	if w.code != 0 && !strings.Contains(r.output(), file) {
		t.Errorf("the message does not name %s: %s", file, r)
	}
	if w.rule != "" && !strings.Contains(r.output(), "["+w.rule+"]") {
		t.Errorf("no [%s] finding: %s", w.rule, r)
	}
}

// TestHostileLint drops each testdata/hostile/lint file into a copy of the
// example repository and lints it.
func TestHostileLint(t *testing.T) {
	t.Parallel()
	for name, data := range corpus(t, "lint") {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			knownBug(t)
			w := parseWant(t, data)
			repo := copyTree(t, "testdata/example")
			if err := os.WriteFile(filepath.Join(repo, "components", name), data, 0o644); err != nil {
				t.Fatal(err)
			}
			r := run(t, runOpts{}, "lint", "--root", repo)
			checkLint(t, r, w, "components/"+name)
		})
	}
}

// TestHostileLintGenerated covers inputs too big or too special to commit:
// huge files, a FIFO, symlinks out of the repository, a folder named like
// a resource file.
func TestHostileLintGenerated(t *testing.T) {
	t.Parallel()
	comp := "kind: Component\nname: %s\nversion: 1.0.0\nplatform: Linux\n"
	doc := "document:\n  schemaVersion: 1.0\n  phases:\n    - name: build\n      steps:\n        - name: S\n          action: ExecuteBash\n          inputs:\n            commands: [echo hi]\n"
	cases := []struct {
		name  string
		setup func(t *testing.T, repo string)
		want  want
		file  string
	}{
		{"huge-document-8MiB", func(t *testing.T, repo string) {
			var b strings.Builder
			b.WriteString(strings.Replace(comp, "%s", "huge", 1) + "description: |\n")
			for b.Len() < 8<<20 {
				b.WriteString("  " + strings.Repeat("lorem ipsum ", 10) + "\n")
			}
			write(t, filepath.Join(repo, "components", "huge.yaml"), b.String())
		}, want{1, "file-too-large"}, "components/huge.yaml"},
		{"one-line-1MiB", func(t *testing.T, repo string) {
			write(t, filepath.Join(repo, "components", "oneline.yaml"), strings.Replace(comp, "%s", "oneline", 1)+"description: "+strings.Repeat("x", 1<<20)+"\n")
		}, want{1, "file-too-large"}, "components/oneline.yaml"},
		{"just-under-limit-50k-keys", func(t *testing.T, repo string) {
			var b strings.Builder
			b.WriteString(strings.Replace(comp, "%s", "manykeys", 1) + doc + "tags:\n")
			for i := 0; b.Len() < 1000*1000; i++ {
				b.WriteString("  k" + strconv.Itoa(i) + ": v\n")
			}
			write(t, filepath.Join(repo, "components", "manykeys.yaml"), b.String())
		}, want{1, "length"}, "components/manykeys.yaml"},
		{"documentFile-symlink-out-of-repo", func(t *testing.T, repo string) {
			if err := os.Symlink("/etc/passwd", filepath.Join(repo, "components", "passwd-link.yaml")); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(repo, "components", "linked.yaml"), strings.Replace(comp, "%s", "linked", 1)+"documentFile: passwd-link.yaml\n")
		}, want{1, "file-ref"}, "components/linked.yaml"},
		{"resource-symlink-to-dev-zero", func(t *testing.T, repo string) {
			if err := os.Symlink("/dev/zero", filepath.Join(repo, "components", "zero.yaml")); err != nil {
				t.Fatal(err)
			}
		}, want{1, ""}, "components/zero.yaml"},
		{"resource-fifo", func(t *testing.T, repo string) {
			if err := syscall.Mkfifo(filepath.Join(repo, "components", "fifo.yaml"), 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
		}, want{1, ""}, "components/fifo.yaml"},
		{"folder-named-yaml", func(t *testing.T, repo string) {
			if err := os.MkdirAll(filepath.Join(repo, "components", "dir.yaml"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, want{0, ""}, ""},
		{"symlink-loop", func(t *testing.T, repo string) {
			if err := os.Symlink("loop-b.yaml", filepath.Join(repo, "components", "loop-a.yaml")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("loop-a.yaml", filepath.Join(repo, "components", "loop-b.yaml")); err != nil {
				t.Fatal(err)
			}
		}, want{1, ""}, "components/loop-a.yaml"},
		{"10000-files", func(t *testing.T, repo string) {
			dir := filepath.Join(repo, "components", "many")
			os.MkdirAll(dir, 0o755)
			for i := range 10000 {
				write(t, filepath.Join(dir, "c"+strconv.Itoa(i)+".yaml"), strings.Replace(comp, "%s", "many-"+strconv.Itoa(i), 1)+"document: [\n")
			}
		}, want{1, "yaml-syntax"}, "components/many/c9999.yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			knownBug(t)
			repo := copyTree(t, "testdata/example")
			tc.setup(t, repo)
			// A blocked read (FIFO) must not hold CI for a minute.
			r := run(t, runOpts{timeout: 20 * time.Second}, "lint", "--root", repo)
			checkLint(t, r, tc.want, tc.file)
		})
	}
}

func write(t testing.TB, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHostileConfig replaces ibgitops.yaml with each testdata/hostile/config file.
func TestHostileConfig(t *testing.T) {
	t.Parallel()
	for name, data := range corpus(t, "config") {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			knownBug(t)
			w := parseWant(t, data)
			repo := copyTree(t, "testdata/example")
			write(t, filepath.Join(repo, "ibgitops.yaml"), string(data))
			r := run(t, runOpts{}, "lint", "--root", repo)
			assertSane(t, r)
			if r.code != w.code && !(w.code == 1 && r.code == 2) {
				t.Errorf("exit %d, want %d: %s", r.code, w.code, r)
			}
			checkNamed(t, r, w, "ibgitops.yaml")
		})
	}
}

// TestHostileToe validates, then runs, each testdata/hostile/toe document:
// an invalid document must never run.
func TestHostileToe(t *testing.T) {
	t.Parallel()
	for name, data := range corpus(t, "toe") {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			knownBug(t)
			w := parseWant(t, data)
			dir := t.TempDir()
			write(t, filepath.Join(dir, name), string(data))
			r := run(t, runOpts{dir: dir}, "toe", "validate", "--documents", name)
			checkLint(t, r, w, name)
			runWant := w.code
			if m := runRe.FindSubmatch(data); m != nil {
				runWant, _ = strconv.Atoi(string(m[1]))
			}
			logs := filepath.Join(dir, "logs")
			r = run(t, runOpts{dir: dir}, "toe", "run", "--documents", name, "--log-directory", logs)
			assertSane(t, r)
			if r.code != runWant {
				t.Errorf("toe run: exit %d, want %d: %s", r.code, runWant, r)
			}
			if !strings.Contains(r.output(), name) {
				t.Errorf("the message does not name %s: %s", name, r)
			}
		})
	}
}

func lines(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(moduleRoot, "testdata", "hostile", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// mentions reports whether out names s (a long or odd value may be cut
// or quoted: its first 24 printable characters are enough).
func mentions(out, s string) bool {
	if strings.Contains(out, s) || strings.Contains(out, strconv.Quote(s)) {
		return true
	}
	p := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	p = strings.TrimSpace(p)
	if len(p) > 24 {
		p = p[:24]
	}
	q := strconv.Quote(s)
	q = q[1:min(len(q)-1, 25)]
	// Terminal output shows control characters as escapes (runner/report/escape).
	e := escape.Term(s)
	e = e[:min(len(e), 24)]
	return p != "" && (strings.Contains(out, p) || strings.Contains(out, q) || strings.Contains(out, e))
}

// TestHostileReleaseTags runs `ibgitops release --tag` on tags that do not
// parse or name nothing.
func TestHostileReleaseTags(t *testing.T) {
	t.Parallel()
	repo := newGitRepo(t)
	for i, tag := range lines(t, "tags.txt") {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			knownBug(t)
			r := run(t, runOpts{dir: repo.dir}, "release", "--root", repo.dir, "--ci", "none", "--report-dir", t.TempDir(), "--tag="+tag)
			assertSane(t, r)
			if r.code != 2 {
				t.Errorf("tag %q: exit %d, want 2: %s", clipN(tag, 60), r.code, r)
			}
			if !mentions(r.output(), tag) {
				t.Errorf("tag %q: the message does not name the tag: %s", clipN(tag, 60), r)
			}
		})
	}
}

// TestHostilePlanRefs runs `ibgitops plan` with refs that do not resolve
// to a commit, as --base and as --head.
func TestHostilePlanRefs(t *testing.T) {
	t.Parallel()
	repo := newGitRepo(t)
	for i, ref := range lines(t, "refs.txt") {
		for _, flag := range []string{"--base", "--head"} {
			t.Run(strconv.Itoa(i)+flag, func(t *testing.T) {
				t.Parallel()
				knownBug(t)
				r := run(t, runOpts{dir: repo.dir}, "plan", "--root", repo.dir, "--no-fetch", flag+"="+ref)
				assertSane(t, r)
				if r.code != 2 {
					t.Errorf("%s %q: exit %d, want 2: %s", flag, clipN(ref, 60), r.code, r)
				}
				if !mentions(r.output(), ref) {
					t.Errorf("%s %q: the message does not name the ref: %s", flag, clipN(ref, 60), r)
				}
			})
		}
	}
}

// eventWant is what `ibgitops run` must do with each hostile GitHub event
// payload: the exit code and what the message must name. A payload that
// does not parse is not fatal by design (runner/vcs): the run falls back to
// the GITHUB_* variables and says so in a note. A payload naming a commit
// the clone does not have stops the run naming that commit. GITHUB_REF
// wins over the payload's ref (the runner sets it; the payload is the
// event's), so a payload lying about its ref changes nothing.
var eventWant = map[string]struct {
	code    int
	mention string
}{
	"pull_request--not-json.json":             {0, "event payload"},
	"pull_request--empty.json":                {0, "event payload"},
	"pull_request--array.json":                {0, "event payload"},
	"pull_request--null.json":                 {0, "payload"},
	"pull_request--invalid-utf8.json":         {0, "payload"},
	"pull_request--head-sha-unknown.json":     {2, "deadbeefdeadbeef"},
	"pull_request--head-sha-traversal.json":   {2, "../../etc/passwd"},
	"pull_request--head-sha-option.json":      {2, "--upload-pack"},
	"pull_request--base-sha-garbage.json":     {2, "not a sha"},
	"pull_request--number-string.json":        {0, ""},
	"pull_request--missing-pull-request.json": {0, "payload has no head commit"},
	"pull_request--types-wrong.json":          {0, "payload"},
	"pull_request--deep-nesting.json":         {0, "event payload"},
	"push--ref-lies-tag.json":                 {0, "push to main"},
	"push--after-unknown.json":                {2, "cafebabecafebabe"},
	"push--before-garbage.json":               {2, "HEAD~1000"},
	"push--before-zeros.json":                 {0, ""},
	"push--ref-traversal.json":                {0, "push to main"},
}

// TestHostileGitHubEvents runs `ibgitops run` under GITHUB_ACTIONS=true
// with event payloads that are malformed or lie about refs. The API is a
// closed port: nothing may be posted for a payload that cannot be trusted.
func TestHostileGitHubEvents(t *testing.T) {
	t.Parallel()
	repo := newGitRepo(t)
	files := corpus(t, "events")
	if len(files) != len(eventWant) {
		t.Errorf("%d event files, %d expectations: keep eventWant in step with testdata/hostile/events", len(files), len(eventWant))
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			knownBug(t)
			w, ok := eventWant[name]
			if !ok {
				t.Fatalf("no expectation for %s in eventWant", name)
			}
			dir := t.TempDir()
			data = bytes.ReplaceAll(data, []byte("{{BASE}}"), []byte(repo.base))
			data = bytes.ReplaceAll(data, []byte("{{HEAD}}"), []byte(repo.head))
			eventPath := filepath.Join(dir, "event.json")
			write(t, eventPath, string(data))
			eventName, _, _ := strings.Cut(name, "--")
			env := map[string]string{
				"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": eventName, "GITHUB_EVENT_PATH": eventPath,
				"GITHUB_SHA": repo.head, "GITHUB_REPOSITORY": "acme/images", "GITHUB_API_URL": "http://127.0.0.1:9",
				"GITHUB_SERVER_URL": "https://github.example", "GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "1",
				"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"), "GITHUB_OUTPUT": filepath.Join(dir, "output.txt"),
			}
			if eventName == "pull_request" {
				env["GITHUB_REF"], env["GITHUB_BASE_REF"], env["GITHUB_HEAD_REF"] = "refs/pull/7/merge", "main", "feature"
			} else {
				env["GITHUB_REF"] = "refs/heads/main"
			}
			// Anything that builds does it on the Image Builder fake.
			_, _, aws := ibFake(t, ibfake.Options{}, ibfake.Faults{})
			for k, v := range aws {
				env[k] = v
			}
			r := run(t, runOpts{dir: repo.dir, env: env}, "run", "--root", repo.dir, "--backend", "aws", "--report-dir", filepath.Join(dir, "report"))
			assertSane(t, r)
			if r.code != w.code {
				t.Errorf("exit %d, want %d: %s", r.code, w.code, r)
			}
			if w.mention != "" && !strings.Contains(r.output(), w.mention) {
				t.Errorf("the message does not name %q: %s", w.mention, r)
			}
			if w.code == 0 {
				var rep map[string]any
				data, err := os.ReadFile(filepath.Join(dir, "report", "report.json"))
				if err != nil || json.Unmarshal(data, &rep) != nil {
					t.Errorf("no readable report.json after exit 0: %v", err)
				}
			}
		})
	}
}

// TestHostileCorpusSize keeps the corpus at its promised size.
func TestHostileCorpusSize(t *testing.T) {
	n := 0
	for _, sub := range []string{"lint", "config", "toe", "events"} {
		n += len(corpus(t, sub))
	}
	n += len(lines(t, "tags.txt")) + len(lines(t, "refs.txt"))
	if n < 50 {
		t.Errorf("%d hostile inputs, want at least 50", n)
	}
	t.Logf("%d hostile inputs in testdata/hostile (plus generated ones)", n)
}

// TestHostileGitLabEnv runs `ibgitops run` under GITLAB_CI=true with CI
// variables that lie or are malformed. The API is a closed port.
func TestHostileGitLabEnv(t *testing.T) {
	t.Parallel()
	repo := newGitRepo(t)
	cases := []struct {
		name    string
		env     map[string]string
		code    int
		mention string
	}{
		{"diff base sha unknown", map[string]string{"CI_MERGE_REQUEST_DIFF_BASE_SHA": "cafebabecafebabecafebabecafebabecafebabe"}, 2, "cafebabecafebabe"},
		{"diff base sha garbage", map[string]string{"CI_MERGE_REQUEST_DIFF_BASE_SHA": "../../etc/passwd"}, 2, "../../etc/passwd"},
		{"commit sha unknown", map[string]string{"CI_COMMIT_SHA": "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef"}, 2, "deadbeefdeadbeef"},
		{"merge request iid not a number", map[string]string{"CI_MERGE_REQUEST_IID": "five; rm -rf /"}, 0, "CI_MERGE_REQUEST_IID"},
		{"api url garbage", map[string]string{"CI_API_V4_URL": "ht!tp://%zz"}, 0, ""},
		{"target branch unknown", map[string]string{"CI_MERGE_REQUEST_DIFF_BASE_SHA": "", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "no-such-branch"}, 2, "no-such-branch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			knownBug(t)
			env := map[string]string{
				"GITLAB_CI": "true", "CI_API_V4_URL": "http://127.0.0.1:9/api/v4", "CI_SERVER_URL": "https://gitlab.example",
				"CI_PROJECT_ID": "123", "CI_PROJECT_PATH": "acme/images", "CI_PIPELINE_SOURCE": "merge_request_event",
				"CI_PIPELINE_ID": "777", "CI_JOB_URL": "https://gitlab.example/acme/images/-/jobs/9",
				"CI_MERGE_REQUEST_IID": "5", "CI_MERGE_REQUEST_DIFF_BASE_SHA": repo.base, "CI_COMMIT_SHA": repo.head,
				"CI_DEFAULT_BRANCH": "main", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "IBGITOPS_GITLAB_TOKEN": "glpat-hostile",
			}
			for k, v := range tc.env {
				env[k] = v
			}
			r := run(t, runOpts{dir: repo.dir, env: env}, "run", "--root", repo.dir, "--report-dir", filepath.Join(t.TempDir(), "report"))
			assertSane(t, r)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d: %s", r.code, tc.code, r)
			}
			if tc.mention != "" && !strings.Contains(r.output(), tc.mention) {
				t.Errorf("the message does not name %q: %s", tc.mention, r)
			}
		})
	}
}
