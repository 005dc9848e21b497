// Package e2e proves the whole ibgitops binary from the outside: it builds
// cmd/ibgitops and cmd/ibgitops-full once (CGO_ENABLED=0, as released) and runs ibgitops as a
// subprocess on hostile inputs, with fake tokens, against the Image Builder
// fake and fake GitHub/GitLab APIs, killing it at random points.
//
// Slow parts are guarded: IBGITOPS_E2E_LONG=1 enables the long fault
// injection loops, and tests that need podman skip without it.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/internal/testutil"
)

// bin is the ibgitops binary built by TestMain; moduleRoot the repository.
var (
	bin        string
	moduleRoot string
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	moduleRoot = filepath.Dir(wd)
	dir, err := os.MkdirTemp("", "ibgitops-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "ibgitops")
	// ibgitops runs ibgitops-full, built beside it, for run, build, status...
	cmd := exec.Command("go", "build", "-trimpath", "-o", dir+string(filepath.Separator), "./cmd/ibgitops", "./cmd/ibgitops-full")
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building ibgitops: %v\n%s", err, out)
		return 2
	}
	return m.Run()
}

// maxRSSLimit is the memory bound every run must stay under.
const maxRSSLimit = 500 << 20

// result is one finished ibgitops process.
type result struct {
	args           []string
	code           int
	stdout, stderr string
	maxRSS         int64 // bytes
	wall           time.Duration
	timedOut       bool
}

func (r result) output() string { return r.stdout + r.stderr }

func (r result) String() string {
	return fmt.Sprintf("ibgitops %s: exit %d in %v, max RSS %d MB\n--- stdout ---\n%s\n--- stderr ---\n%s",
		strings.Join(shortArgs(r.args), " "), r.code, r.wall.Round(time.Millisecond), r.maxRSS>>20, clip(r.stdout), clip(r.stderr))
}

func shortArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = clipN(a, 80)
	}
	return out
}

func clip(s string) string { return clipN(s, 4000) }

func clipN(s string, n int) string {
	if len(s) > n {
		return s[:n] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}

// baseEnv is what a clean CI machine sets: nothing leaks in from the
// machine (or CI job) running the tests.
func baseEnv(t testing.TB) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + os.TempDir(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
}

type runOpts struct {
	dir     string
	env     map[string]string
	timeout time.Duration
	stdin   string
}

// run executes ibgitops with args and waits for it (killing it after the
// timeout, default 60 s).
func run(t testing.TB, o runOpts, args ...string) result {
	t.Helper()
	if o.timeout == 0 {
		o.timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = o.dir
	cmd.Env = baseEnv(t)
	for k, v := range o.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin = strings.NewReader(o.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	res := result{args: args, stdout: stdout.String(), stderr: stderr.String(), wall: time.Since(start), timedOut: ctx.Err() != nil}
	if cmd.ProcessState != nil {
		res.code = cmd.ProcessState.ExitCode()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			res.maxRSS = ru.Maxrss << 10 // kilobytes on Linux
		}
	} else if err != nil {
		t.Fatalf("starting ibgitops: %v", err)
	}
	return res
}

var panicRe = regexp.MustCompile(`(?m)^(panic: |goroutine \d+ \[|fatal error: |runtime: out of memory)`)

// assertSane checks what every run must satisfy: it ended by itself, with
// a documented exit code, no Go crash trace, within the memory bound.
func assertSane(t testing.TB, r result) {
	t.Helper()
	if r.timedOut {
		t.Errorf("did not finish in time (killed): %s", r)
	}
	if r.code != 0 && r.code != 1 && r.code != 2 {
		t.Errorf("undocumented exit code %d: %s", r.code, r)
	}
	if panicRe.MatchString(r.output()) {
		t.Errorf("Go crash trace in the output: %s", r)
	}
	if r.maxRSS > maxRSSLimit {
		t.Errorf("max RSS %d MB over the %d MB bound: %s", r.maxRSS>>20, maxRSSLimit>>20, r)
	}
}

// copyTree copies a folder of the module (testdata/example, ...) to a
// temporary folder.
func copyTree(t testing.TB, rel string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(moduleRoot, rel))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// gitRepo is a git repository made from testdata/example: a base commit,
// then a head commit that changes a component and raises its version.
type gitRepo struct {
	dir, base, head string
}

func newGitRepo(t testing.TB) gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: the fixture repositories are made with it")
	}
	dir := copyTree(t, "testdata/example")
	base, head := testutil.ExampleHistory(t, dir, nil)
	// As after a clone: origin/main is the base (the pull request target).
	testutil.Git(t, dir, "update-ref", "refs/remotes/origin/main", base)
	return gitRepo{dir: dir, base: base, head: head}
}

// long reports whether the slow variants run (IBGITOPS_E2E_LONG=1).
func long() bool { return os.Getenv("IBGITOPS_E2E_LONG") == "1" }
