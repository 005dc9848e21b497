package runner

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

// gitRoot makes opts.Root a git repository with one commit and an origin
// remote whose URL carries a token, as a CI checkout's may.
func gitRoot(t *testing.T, opts *Options) (commit string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	run := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = opts.Root
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(opts.Root, "ibgitops.yaml"), []byte("backend: local\n"), 0o644)
	run("add", ".")
	run("commit", "-qm", "init")
	run("remote", "add", "origin", "https://x-access-token:ghs_SECRET@github.com/acme/images.git")
	return run("rev-parse", "HEAD")
}

// Every output carries the same provenance whichever command made it
// (issue 17 item 11): build with --only, build from the plan and run all
// tag the commit, the repository and "ibgitops <version>".
func TestProvenanceIsTheSameForEveryCommand(t *testing.T) {
	type entry func(context.Context, Options) (*Outcome, error)
	opts, _, _ := options(t, nil)
	commit := gitRoot(t, &opts)
	want := backend.Provenance{Repository: "acme/images", Commit: commit, Tool: ToolName()}
	cases := []struct {
		name  string
		entry entry
		edit  func(*Options)
		// The plan's head is the commit when a plan ran.
		planHead string
	}{
		{"build --only", Build, func(o *Options) { o.Recipes = []string{"api"} }, ""},
		{"build", Build, func(*Options) {}, commit},
		{"run", Run, func(*Options) {}, commit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := opts
			o.Tool = "" // the runner's own spelling, not a test's
			be := &fakeBackend{}
			o.Backend, o.TestBackend = be, be
			o.Plan = func(context.Context, PlanRequest) (*PlanResult, error) {
				p := fakePlan()
				p.Head = commit
				return &PlanResult{Plan: p}, nil
			}
			c.edit(&o)
			if _, err := c.entry(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			if len(be.requests) == 0 {
				t.Fatal("nothing was built")
			}
			for _, req := range be.requests {
				if req.Provenance != want {
					t.Errorf("%s: provenance %+v, want %+v", req.Recipe, req.Provenance, want)
				}
			}
		})
	}
}

// In CI, the host's names win over what the checkout says.
func TestProvenanceFromCI(t *testing.T) {
	opts, be, _ := options(t, nil)
	opts.CI = &vcs.Context{Host: "FakeHub", Event: vcs.EventPush, Branch: "main", DefaultBranch: "main", SHA: "abc123", Repository: "acme/images", RunURL: "https://ci.example/run/1"}
	opts.Recipes = []string{"api"}
	opts.Tool = ""
	if _, err := Build(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	want := backend.Provenance{Repository: "acme/images", Commit: "abc123", RunURL: "https://ci.example/run/1", Tool: ToolName()}
	if len(be.requests) != 1 || be.requests[0].Provenance != want {
		t.Errorf("requests %+v, want provenance %+v", be.requests, want)
	}
}

func TestRepositoryPathDropsCredentials(t *testing.T) {
	for remote, want := range map[string]string{
		"https://x-access-token:ghs_SECRET@github.com/acme/images.git": "acme/images",
		"https://gitlab.example.com/group/sub/project":                 "group/sub/project",
		"git@github.com:acme/images.git":                               "acme/images",
		"ssh://git@gitlab.example.com:2222/group/project.git":          "group/project",
		"/srv/git/images.git":                                          "",
		"../images":                                                    "",
	} {
		if got := repositoryPath(remote); got != want {
			t.Errorf("repositoryPath(%q) = %q, want %q", remote, got, want)
		}
	}
}

// errBackend fails every build because the context ended, as an engine
// killed by the interrupt does.
type errBackend struct{ cancel context.CancelFunc }

func (errBackend) Name() string { return "err" }
func (b errBackend) Build(ctx context.Context, req backend.Request, _ func(backend.Event)) (*backend.Result, error) {
	b.cancel()
	<-ctx.Done()
	return nil, errors.New("podman: signal: interrupt")
}

// An interrupted build is cancelled, not failed, and not "the backend
// could not run", whichever command started it: build and run used to
// disagree (cancelled vs failed).
func TestInterruptedBuildIsCancelled(t *testing.T) {
	for name, entry := range map[string]func(context.Context, Options) (*Outcome, error){"build": Build, "run": Run} {
		t.Run(name, func(t *testing.T) {
			opts, _, _ := options(t, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opts.Backend = errBackend{cancel: cancel}
			opts.Recipes = []string{"api"}
			out, err := entry(ctx, opts)
			if err == nil || !strings.Contains(err.Error(), "interrupted") {
				t.Fatalf("err %v, want interrupted", err)
			}
			if out.ExitCode != exitcodes.Cannot {
				t.Errorf("exit %d, want %d", out.ExitCode, exitcodes.Cannot)
			}
			for _, b := range out.Report.Builds {
				if b.Status != backend.StatusCancelled {
					t.Errorf("%s: %s (%s), want cancelled", b.Recipe, b.Status, b.Message)
				}
			}
			if strings.Contains(err.Error(), "could not run") {
				t.Errorf("an interrupt reads as a backend failure: %v", err)
			}
		})
	}
}

// One set of checks for every entry: bad --fail-on, bad --parallel, a
// root that is no folder.
func TestEntriesCheckOptionsTheSameWay(t *testing.T) {
	entries := map[string]func(context.Context, Options) (*Outcome, error){"build": Build, "run": Run, "release": Release}
	for _, c := range []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"fail-on", func(o *Options) { o.FailOn = "sometimes" }, `--fail-on "sometimes"`},
		{"parallel", func(o *Options) { o.Parallel = -1 }, "--parallel -1"},
		{"root", func(o *Options) { o.Root = filepath.Join(o.Root, "nope") }, "is not a readable folder"},
	} {
		for name, entry := range entries {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				opts, be, _ := options(t, nil)
				opts.ReleaseTag = "web/v2.0.1"
				c.edit(&opts)
				if _, err := entry(context.Background(), opts); err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("err %v, want %q", err, c.want)
				}
				if len(be.requests) != 0 {
					t.Errorf("built despite bad options")
				}
			})
		}
	}
}

func TestBuildRefusesLintErrors(t *testing.T) {
	opts, be, out := options(t, []diag.Finding{{Rule: "e", Severity: diag.Error, File: "a.yaml", Line: 1, Message: "bad"}})
	res, err := Build(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "lint errors") || res.ExitCode != exitcodes.Cannot {
		t.Fatalf("err %v exit %d", err, res.ExitCode)
	}
	if len(be.requests) != 0 {
		t.Errorf("built a repository with lint errors")
	}
	if strings.Contains(out.String(), "nothing to build") {
		t.Errorf("a refused build says there was nothing to build:\n%s", out)
	}
}

func TestBuildNothingToBuild(t *testing.T) {
	opts, be, out := options(t, nil)
	opts.Plan = func(context.Context, PlanRequest) (*PlanResult, error) { return &PlanResult{}, nil }
	res, err := Build(context.Background(), opts)
	if err != nil || res.ExitCode != exitcodes.OK {
		t.Fatalf("err %v exit %d", err, res.ExitCode)
	}
	if len(be.requests) != 0 || !strings.Contains(out.String(), "nothing to build") {
		t.Errorf("requests %v, output:\n%s", be.requests, out)
	}
}

func TestReleaseNeedsATag(t *testing.T) {
	opts, _, _ := options(t, nil)
	if _, err := Release(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "--tag is required") {
		t.Errorf("err %v", err)
	}
	// A tag pipeline names it.
	opts.CI = &vcs.Context{Event: vcs.EventTag, Tag: "web/v2.0.1"}
	opts.Source = fstest.MapFS{}
	out, err := Release(context.Background(), opts)
	if err != nil || out.Report.Action != "release web/v2.0.1" {
		t.Errorf("err %v, action %q", err, out.Report.Action)
	}
}

// The plan step fetches a shallow checkout's history with what the CI
// context carries (its provider read it), whatever the process environment
// holds.
func TestPlanFetchesWithTheContextsCredentials(t *testing.T) {
	opts, _, _ := options(t, nil)
	var got PlanRequest
	opts.Plan = func(_ context.Context, req PlanRequest) (*PlanResult, error) {
		got = req
		return &PlanResult{Plan: fakePlan()}, nil
	}
	opts.CI = &vcs.Context{Host: "GitHub", Event: vcs.EventPullRequest, Number: 3, SHA: "c1c1", Base: "b0b0",
		BaseBranch: "main", FetchUser: "x-access-token", FetchToken: "ghs_TOKEN", HistoryFix: "set fetch-depth: 0"}
	opts.Host = &fakeHost{}
	if _, err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	want := PlanRequest{Root: got.Root, Base: "b0b0", Head: "c1c1", HistoryFix: "set fetch-depth: 0", TokenUser: "x-access-token", Token: "ghs_TOKEN", BaseBranch: "main"}
	if got != want {
		t.Errorf("plan request %+v, want %+v", got, want)
	}
}
