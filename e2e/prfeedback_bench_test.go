package e2e

// The pull-request feedback loop (issue #15: "`run` as a pull request:
// lint + plan + comment body, 2,000 recipes, fake host, under 5 s"),
// measured through the built binary as a CI job runs it, against the fake
// GitHub API the secrets test uses. Each iteration also times `git diff
// --name-status` of the same two commits and `ibgitops lint` and `plan`
// on their own, so the ratio and the split hold on a noisy machine.

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/internal/benchrepo"
)

// prShape is the repository: 2,000 recipes of three components
// each (every component used), a pipeline per four recipes, and a history
// in which every commit changes a different resource.
var prShape = benchrepo.Shape{Components: 6000, Recipes: 2000, Pipelines: 500, Commits: 100}

// prCommits is how many commits the pull request holds.
const prCommits = 5

// timed is one finished subprocess: wall and CPU (user + system).
type timed struct{ wall, cpu time.Duration }

func (t *timed) add(o timed) { t.wall += o.wall; t.cpu += o.cpu }

// timeCmd runs cmd to the end and fails the benchmark unless it exits 0
// or with one of the codes in ok.
func timeCmd(b *testing.B, cmd *exec.Cmd, ok ...int) timed {
	b.Helper()
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	if ee, isExit := err.(*exec.ExitError); err != nil && !(isExit && slices.Contains(ok, ee.ExitCode())) {
		b.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, clip(out.String()))
	}
	var cpu time.Duration
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return timed{wall, cpu}
}

// BenchmarkPRFeedback times `ibgitops run` on a pull_request event: lint,
// plan, the commit status and the pull request comment posted to the fake
// host. Metrics are per iteration, in milliseconds.
func BenchmarkPRFeedback(b *testing.B) {
	repo, err := benchrepo.Cached(prShape)
	if err != nil {
		b.Fatal(err)
	}
	rev := func(r string) string {
		out, err := exec.Command("git", "-C", repo, "rev-parse", r).Output()
		if err != nil {
			b.Fatalf("git rev-parse %s: %v", r, err)
		}
		return strings.TrimSpace(string(out))
	}
	base, head := rev(fmt.Sprintf("HEAD~%d", prCommits)), rev("HEAD")
	rec := &recorder{}
	host := fakeHost(rec)
	defer host.Close()

	work := b.TempDir()
	event, _ := json.Marshal(map[string]any{"number": 7,
		"repository": map[string]any{"full_name": "acme/images", "default_branch": "main"},
		"pull_request": map[string]any{"number": 7,
			"head": map[string]any{"sha": head, "ref": "feature", "repo": map[string]any{"full_name": "acme/images"}},
			"base": map[string]any{"sha": base, "ref": "main", "repo": map[string]any{"full_name": "acme/images"}}}})
	write(b, filepath.Join(work, "event.json"), string(event))
	env := append(baseEnv(b),
		"GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH="+filepath.Join(work, "event.json"),
		"GITHUB_SHA="+head, "GITHUB_REF=refs/pull/7/merge", "GITHUB_BASE_REF=main", "GITHUB_HEAD_REF=feature",
		"GITHUB_REPOSITORY=acme/images", "GITHUB_API_URL="+host.URL, "GITHUB_SERVER_URL=https://github.example",
		"GITHUB_RUN_ID=42", "GITHUB_RUN_ATTEMPT=1", "INPUT_TOKEN=ghs_benchmarkTokenNotSecret0123456789",
		"GITHUB_STEP_SUMMARY="+filepath.Join(work, "summary.md"), "GITHUB_OUTPUT="+filepath.Join(work, "output.txt"))
	cmd := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(name, args...)
		c.Dir, c.Env = repo, env
		return c
	}

	var runT, lintT, planT, gitT timed
	b.ResetTimer()
	for i := range b.N {
		gitT.add(timeCmd(b, cmd("git", "diff", "--name-status", base, head)))
		before := len(rec.all())
		// Exit 1: the generated commits change resources without raising
		// their versions, so lint reports them, as on a real pull request
		// that forgot to (the comment says what to set).
		runT.add(timeCmd(b, cmd(bin, "run", "--root", repo, "--report-dir", filepath.Join(work, fmt.Sprintf("report-%d", i))), 1))
		// The run must have reached the host: a status and the comment.
		var comment bool
		for _, r := range rec.all()[before:] {
			comment = comment || strings.HasPrefix(r, "POST /repos/acme/images/issues/7/comments")
		}
		if !comment {
			b.Fatalf("run posted no pull request comment; requests: %q", rec.all()[before:])
		}
		lintT.add(timeCmd(b, cmd(bin, "lint", "--root", repo), 1))
		planT.add(timeCmd(b, cmd(bin, "plan", "--root", repo, "--base", base, "--head", head, "--format", "markdown", "--no-fetch")))
	}
	b.StopTimer()
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
	b.ReportMetric(float64(prShape.Recipes), "recipes")
	b.ReportMetric(float64(prShape.Files()), "files")
	b.ReportMetric(prCommits, "pr-commits")
	b.ReportMetric(ms(runT.wall), "run-ms")
	b.ReportMetric(ms(runT.cpu), "run-cpu-ms")
	b.ReportMetric(ms(lintT.wall), "lint-ms")
	b.ReportMetric(ms(lintT.cpu), "lint-cpu-ms")
	b.ReportMetric(ms(planT.wall), "plan-ms")
	b.ReportMetric(ms(planT.cpu), "plan-cpu-ms")
	b.ReportMetric(ms(gitT.wall), "git-diff-ms")
	b.ReportMetric(float64(runT.wall)/float64(max(gitT.wall, 1)), "ratio")
}
