package plan

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/internal/testutil"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/git"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/report/escape/escapetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const (
	webYAML = `kind: Component
name: web
version: 1.0.0
platform: Linux
document:
  schemaVersion: 1.0
  phases:
    - name: build
      steps:
        - name: Hello
          action: ExecuteBash
          inputs:
            commands:
              - echo hello
`
	toolsYAML = `# tools: document in its own file
kind: Component
name: tools
version: 1.0.0
platform: Linux
documentFile: docs/tools.yaml
`
	toolsDoc = `schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Install
        action: ExecuteBash
        inputs:
          commands:
            - echo curl
`
	baseYAML = `kind: ImageRecipe
name: base
version: 1.0.0
parentImage: ami-0123456789abcdef0
components:
  - name: web
  - name: tools
`
	appYAML = `kind: ImageRecipe
name: app
version: 2.3.0
parentImage: recipe:base
components:
  - name: web
    version: 1.0.0
`
	infraYAML = `kind: InfrastructureConfiguration
name: small
instanceProfileName: EC2InstanceProfileForImageBuilder
`
	pipeYAML = `kind: ImagePipeline
name: base-weekly
imageRecipe: base
infrastructureConfiguration: small
`
)

type fixture struct {
	t    *testing.T
	dir  string
	repo *testutil.Repo
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	return &fixture{t: t, dir: dir, repo: testutil.NewRepo(t, dir, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))}
}

// write writes files without committing ("" deletes).
func (f *fixture) write(files map[string]string) {
	f.t.Helper()
	for name, content := range files {
		p := filepath.Join(f.dir, name)
		if content == "" {
			os.Remove(p)
			continue
		}
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *fixture) commit(msg string, files map[string]string) git.Hash {
	f.t.Helper()
	f.write(files)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	return f.repo.Commit(msg, names...)
}

func (f *fixture) checkoutNew(branch string) {
	f.t.Helper()
	f.repo.Checkout(branch, true)
}

func (f *fixture) checkout(branch string) {
	f.t.Helper()
	f.repo.Checkout(branch, false)
}

// standard builds the monorepo used by most cases: resources under
// images/, other files around them; a feature branch changes the tools
// document with a feat commit.
func standard(t *testing.T) *fixture {
	f := newFixture(t)
	f.commit("chore: initial", map[string]string{
		"README.md":                         "# monorepo\n",
		"images/ibgitops.yaml":              "versioning:\n  bump: conventional\n",
		"images/components/web.yaml":        webYAML,
		"images/components/tools.yaml":      toolsYAML,
		"images/components/docs/tools.yaml": toolsDoc,
		"images/recipes/base.yaml":          baseYAML,
		"images/recipes/app.yaml":           appYAML,
		"images/infrastructure/small.yaml":  infraYAML,
		"images/pipelines/base-weekly.yaml": pipeYAML,
	})
	f.checkoutNew("feature")
	f.commit("feat(tools): install jq", map[string]string{
		"images/components/docs/tools.yaml": strings.Replace(toolsDoc, "echo curl", "echo curl jq", 1),
	})
	f.commit("docs: readme", map[string]string{"README.md": "# monorepo\n\nimages live in images/\n"})
	return f
}

// compute computes the plan twice, loading only what the change can
// touch and loading everything, and fails unless both agree.
func compute(t *testing.T, opts Options) *Result {
	t.Helper()
	res, all := computeBoth(t, opts)
	// A partial load reports references to resources it did not load.
	for _, fnd := range all.HeadFindings {
		if fnd.Severity == "error" {
			t.Fatalf("fixture has a lint error: %s", fnd)
		}
	}
	return res
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", name), got, *update)
}

func TestComputeFeatureBranch(t *testing.T) {
	f := standard(t)
	res := compute(t, Options{Root: filepath.Join(f.dir, "images"), Base: "main"})
	if res.Prefix != "images" || res.WorkTree {
		t.Errorf("Prefix = %q, WorkTree = %v", res.Prefix, res.WorkTree)
	}
	var lines []string
	for _, c := range res.Plan.Changes {
		lines = append(lines, string(c.Kind)+" "+c.Name+" "+c.Change+" "+c.FromVersion+"->"+c.ToVersion+" "+c.Bump)
	}
	want := []string{
		"Component tools modified 1.0.0->1.1.0 minor",
		"ImageRecipe base affected 1.0.0->1.0.1 patch",
		"ImageRecipe app affected 2.3.0->2.3.1 patch",
		"ImagePipeline base-weekly affected -> none",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Plan.Builds) != 2 || res.Plan.Builds[0].Name != "base" || res.Plan.Builds[0].Pipelines[0] != "base-weekly" {
		t.Errorf("builds = %+v", res.Plan.Builds)
	}
	if !strings.Contains(res.Plan.Changes[0].Reason, `"feat(tools): install jq"`) {
		t.Errorf("reason = %q", res.Plan.Changes[0].Reason)
	}

	var text, md, js bytes.Buffer
	if err := report.WriteText(&text, res.Report("ibgitops test"), false); err != nil {
		t.Fatal(err)
	}
	comment, err := report.Markdown(res.Report("ibgitops test"), report.MarkdownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	md.WriteString(comment)
	if err := report.WritePlanJSON(&js, res.Report("ibgitops test")); err != nil {
		t.Fatal(err)
	}
	golden(t, "feature.txt", text.Bytes())
	golden(t, "feature.md", md.Bytes())
	golden(t, "feature.json", js.Bytes())
}

func TestComputeDefaultBaseAndNoChange(t *testing.T) {
	for _, v := range []string{"GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "CI_DEFAULT_BRANCH"} {
		t.Setenv(v, "") // the default must come from the repository here, even when tests run in CI
	}
	f := standard(t)
	// Default base: main (no origin here); head = HEAD of feature.
	res := compute(t, Options{Root: filepath.Join(f.dir, "images")})
	if res.BaseRef != "main" || len(res.Plan.Changes) != 4 {
		t.Errorf("BaseRef = %q, %d changes", res.BaseRef, len(res.Plan.Changes))
	}
	// Planning main against itself: nothing.
	res = compute(t, Options{Root: filepath.Join(f.dir, "images"), Base: "main", Head: "main"})
	var text bytes.Buffer
	report.WriteText(&text, res.Report("ibgitops test"), false)
	if len(res.Plan.Changes) != 0 || !strings.Contains(text.String(), "no resource changed") {
		t.Errorf("main..main: %s", text.String())
	}
	md, err := report.Markdown(res.Report("ibgitops test"), report.MarkdownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "nochange.md", []byte(md))
}

func TestComputeWorkTree(t *testing.T) {
	f := standard(t)
	f.write(map[string]string{"images/recipes/app.yaml": strings.Replace(appYAML, "version: 2.3.0", "version: 2.4.0", 1) + "description: edited\n"})
	res := compute(t, Options{Root: filepath.Join(f.dir, "images"), Base: "main"})
	if !res.WorkTree || len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "uncommitted") {
		t.Fatalf("WorkTree = %v, warnings %v", res.WorkTree, res.Warnings)
	}
	found := false
	for _, c := range res.Plan.Changes {
		if c.Name == "app" {
			found = true
			if c.ToVersion != "2.4.0" || c.Change != recipes.ChangeModified {
				t.Errorf("app change = %+v (author raised 2.4.0 in the work tree)", c)
			}
		}
	}
	if !found {
		t.Error("work-tree change to app not planned")
	}
	// --head HEAD plans the commit and ignores the work tree.
	res = compute(t, Options{Root: filepath.Join(f.dir, "images"), Base: "main", Head: "HEAD"})
	if res.WorkTree {
		t.Error("--head HEAD must not plan the work tree")
	}
}

func TestComputeBadInput(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	t.Setenv("GITLAB_CI", "")
	f := standard(t)
	root := filepath.Join(f.dir, "images")

	_, err := Compute(context.Background(), Options{Root: root, Base: "nope"})
	if err == nil || !strings.Contains(err.Error(), `unknown ref "nope"`) {
		t.Errorf("unknown base: %v", err)
	}
	_, err = Compute(context.Background(), Options{Root: root, Base: "main", Head: "nope2"})
	if err == nil || !strings.Contains(err.Error(), `head: unknown ref "nope2"`) {
		t.Errorf("unknown head: %v", err)
	}
	_, err = Compute(context.Background(), Options{Root: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "not inside a git repository") {
		t.Errorf("not a repo: %v", err)
	}
	empty := newFixture(t)
	_, err = Compute(context.Background(), Options{Root: empty.dir})
	if !errors.Is(err, git.ErrNoCommits) {
		t.Errorf("empty repository: %v", err)
	}

	// A head that does not parse: refuse, naming the file and the ref.
	f.commit("fix: broken", map[string]string{"images/recipes/app.yaml": "kind: ImageRecipe\nname: [unclosed\n"})
	_, err = Compute(context.Background(), Options{Root: root, Base: "main"})
	if err == nil || !strings.Contains(err.Error(), "recipes/app.yaml does not load at head HEAD") {
		t.Errorf("broken head: %v", err)
	}
	// lint --base plans around it (it reports the file itself).
	res, err := Compute(context.Background(), Options{Root: root, Base: "main", KeepGoing: true})
	if err != nil || !strings.Contains(strings.Join(res.Warnings, "\n"), "recipes/app.yaml does not load at head HEAD") {
		t.Errorf("broken head with KeepGoing: %v, %v", err, res)
	}
	// The same file broken on base: a warning, the resource is new.
	f.commit("fix: repaired", map[string]string{"images/recipes/app.yaml": appYAML})
	res, err = Compute(context.Background(), Options{Root: root, Base: "HEAD~1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) == 0 || !strings.Contains(strings.Join(res.Warnings, "\n"), "recipes/app.yaml does not load at base HEAD~1") {
		t.Errorf("broken base warnings: %v", res.Warnings)
	}

	// A base that is not an ancestor: compared from the merge base.
	f.checkout("main")
	f.commit("fix: main moves on", map[string]string{"README.md": "main moved\n"})
	f.checkout("feature")
	res, err = Compute(context.Background(), Options{Root: root, Base: "main", Head: "HEAD~3"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "is not an ancestor") {
		t.Errorf("diverged base warnings: %v", res.Warnings)
	}
	if len(res.Plan.Changes) != 4 {
		t.Errorf("diverged base: %d changes, want 4", len(res.Plan.Changes))
	}
}

func TestComputeShallowClone(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed: needed only to make a shallow clone")
	}
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITLAB_CI", "")
	f := standard(t)
	clone := filepath.Join(t.TempDir(), "clone")
	cmd := exec.Command("git", "clone", "-q", "--depth", "1", "--branch", "feature", "file://"+f.dir, clone)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	root := filepath.Join(clone, "images")
	_, err := Compute(context.Background(), Options{Root: root, Base: "origin/main", NoFetch: true, HistoryFix: "set `fetch-depth: 0` on the actions/checkout step"})
	if err == nil || !strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Fatalf("shallow, no fetch: %v", err)
	}
	res, err := Compute(context.Background(), Options{Root: root, Base: "origin/main"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Fetched || len(res.Plan.Changes) != 4 {
		t.Errorf("after fetch: fetched=%v, %d changes", res.Fetched, len(res.Plan.Changes))
	}
}

// TestComputeShallowHeadAndBase: a depth-1 clone of the default branch
// (what actions/checkout's default fetch-depth: 1 gives) lacks both the
// pull request's head commit and the history down to the merge base.
// Plan fetches both through the remote; without fetching, the error names
// the host's exact fix.
func TestComputeShallowHeadAndBase(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed: needed only to make a shallow clone")
	}
	f := standard(t)
	head := strings.TrimSpace(testutil.Git(t, f.dir, "rev-parse", "feature"))
	for _, tc := range []struct{ host, hostFix, fix string }{
		{"GitHub", "set `fetch-depth: 0` on the actions/checkout step", "fetch-depth: 0"},
		{"GitLab", "set `GIT_DEPTH: 0` in the job's variables", "GIT_DEPTH: 0"},
		{"", "", "git fetch --unshallow"},
	} {
		t.Run(tc.host, func(t *testing.T) {
			clone := filepath.Join(t.TempDir(), "clone")
			cmd := exec.Command("git", "clone", "-q", "--depth", "1", "--branch", "main", "file://"+f.dir, clone)
			cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			root := filepath.Join(clone, "images")
			_, err := Compute(context.Background(), Options{Root: root, Base: "origin/main", Head: head, NoFetch: true, HistoryFix: tc.hostFix})
			if err == nil || !strings.Contains(err.Error(), tc.fix) {
				t.Fatalf("shallow, head missing, no fetch: %v; want the fix %q", err, tc.fix)
			}
			res, err := Compute(context.Background(), Options{Root: root, Base: "origin/main", Head: head, HistoryFix: tc.hostFix})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Fetched || res.HeadCommit != head || len(res.Plan.Changes) != 4 {
				t.Errorf("after fetch: fetched=%v head=%s, %d changes", res.Fetched, res.HeadCommit, len(res.Plan.Changes))
			}
		})
	}
}

func TestDefaultBaseFromCI(t *testing.T) {
	f := standard(t)
	r, err := git.Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// The CI's branch comes from vcs.Context (the providers' tests read
	// it from each host's variables), never from the environment here.
	t.Setenv("GITHUB_BASE_REF", "release")
	if b, err := defaultBase(r, ""); err != nil || b != "main" {
		t.Errorf("local default base = %q, %v", b, err)
	}
	if b, _ := defaultBase(r, "trunk"); b != "origin/trunk" {
		t.Errorf("CI base branch = %q", b)
	}
}

// A resource name with an escaped newline (it fails name-pattern, but the
// plan is printed all the same) must not write workflow commands.
func TestWriteTextEscapesRepositoryText(t *testing.T) {
	for _, h := range escapetest.Hostile {
		res := &Result{BaseRef: h, HeadRef: h, BaseCommit: h, HeadCommit: h, Warnings: []string{h}}
		res.Plan.Changes = []recipes.Change{{Kind: recipes.KindComponent, Name: h, File: h, Change: h, FromVersion: h, ToVersion: h, Bump: h, Reason: h}}
		res.Plan.Builds = []recipes.Build{{Kind: recipes.KindImageRecipe, Name: h, Version: h, Pipelines: []string{h}}}
		var text, js bytes.Buffer
		if err := report.WriteText(&text, res.Report("ibgitops test"), false); err != nil {
			t.Fatal(err)
		}
		escapetest.AssertClean(t, text.String(), nil)
		if err := report.WritePlanJSON(&js, res.Report("ibgitops test")); err != nil {
			t.Fatal(err)
		}
		escapetest.AssertClean(t, js.String(), nil)
	}
}
