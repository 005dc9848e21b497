package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/internal/testutil"
	"github.com/ibgitops/ibgitops/internal/version"
)

// exampleDir is absolute: tests below change the current folder.
var exampleDir, _ = filepath.Abs("../../testdata/example")

// exampleRepoIn copies testdata/example to dir/sub (sub "" = dir) inside a
// git repository at dir with one commit.
func exampleRepoIn(t *testing.T, sub string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, sub), os.DirFS(exampleDir)); err != nil {
		t.Fatal(err)
	}
	testutil.Git(t, dir, "init", "-q", "-b", "main")
	testutil.Git(t, dir, "add", ".")
	testutil.Git(t, dir, "commit", "-q", "-m", "feat: images")
	return dir
}

// TestRootIsFoundFromSubfolders: run from any folder of the repository,
// every command works on the folder holding ibgitops.yaml, as git finds
// .git, so lint gives no false ref-missing and plan the same plan.
func TestRootIsFoundFromSubfolders(t *testing.T) {
	if testing.Short() {
		t.Skip("builds git repositories")
	}
	for _, layout := range []string{"", "images"} { // ibgitops.yaml at the top, or in a folder of its own
		dir := exampleRepoIn(t, layout)
		t.Chdir(filepath.Join(dir, layout))
		_, topPlan, _ := cli(t, "plan", "--base", "HEAD", "--format", "json")
		for _, sub := range []string{"recipes", "components/documents", "pipelines"} {
			t.Run(filepath.Join(layout, sub), func(t *testing.T) {
				t.Chdir(filepath.Join(dir, layout, sub))
				code, out, errOut := cli(t, "lint")
				if code != 0 {
					t.Errorf("lint from %s: exit %d\n%s%s", sub, code, out, errOut)
				}
				if _, plan, _ := cli(t, "plan", "--base", "HEAD", "--format", "json"); plan != topPlan {
					t.Errorf("plan from %s differs from the root's:\n%s\n---\n%s", sub, plan, topPlan)
				}
			})
		}
	}
}

// TestPathsAreRelativeToTheTopLevel: with ibgitops.yaml in images/, the
// files hosts see start with images/, so annotations attach to the diff.
func TestPathsAreRelativeToTheTopLevel(t *testing.T) {
	dir := exampleRepoIn(t, "images")
	f := filepath.Join(dir, "images/components/linux-hardening.yaml")
	data, _ := os.ReadFile(f)
	os.WriteFile(f, []byte(strings.Replace(string(data), "version: 1.2.0", "version: 1.2", 1)), 0o644)
	for _, tc := range []struct{ format, want string }{
		{"github", "file=images/components/linux-hardening.yaml,"},
		{"gitlab", `"path": "images/components/linux-hardening.yaml"`},
		{"sarif", `"uri": "images/components/linux-hardening.yaml"`},
		{"junit", `images/components/linux-hardening.yaml`},
		{"text", "images/components/linux-hardening.yaml:5:"},
	} {
		code, out, _ := cli(t, "lint", "--root", filepath.Join(dir, "images"), "--format", tc.format)
		if code != 1 || !strings.Contains(out, tc.want) {
			t.Errorf("--format %s: exit %d, output lacks %q:\n%s", tc.format, code, tc.want, out)
		}
	}
}

func TestLintTakesTheFolderAsArgument(t *testing.T) {
	root := "../../testdata/example"
	code, byArg, _ := cli(t, "lint", root)
	_, byFlag, _ := cli(t, "lint", "--root", root)
	if code != 0 || byArg != byFlag {
		t.Errorf("lint DIR: exit %d, output differs from lint --root DIR:\n%s\n---\n%s", code, byArg, byFlag)
	}
	if code, _, errOut := cli(t, "lint", root, "--root", "../../testdata/demo"); code != 2 || !strings.Contains(errOut, "once") {
		t.Errorf("two folders: exit %d, %s", code, errOut)
	}
	if code, _, _ := cli(t, "lint", "a", "b"); code != 2 {
		t.Errorf("two arguments: exit %d, want 2", code)
	}
}

func TestVersionFlag(t *testing.T) {
	_, flag, _ := cli(t, "--version")
	_, cmd, _ := cli(t, "version")
	if flag != cmd || flag != "ibgitops "+version.String()+"\n" {
		t.Errorf("--version %q, version %q", flag, cmd)
	}
}

// TestEveryHelpStatesExitCodes walks the whole tree, so a new command
// without them fails here.
func TestEveryHelpStatesExitCodes(t *testing.T) {
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		if c.IsAvailableCommand() || c == c.Root() {
			if !strings.Contains(c.Long, "Exit codes") {
				t.Errorf("%s --help states no exit codes", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			if sub.Name() != "help" && sub.Name() != "completion" {
				visit(sub)
			}
		}
	}
	visit(newRootCmd())
}

func TestCompletionOfValues(t *testing.T) {
	t.Chdir("../../testdata/example")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"run", "--backend", ""}, []string{"local", "aws"}},
		{[]string{"build", "--backend", ""}, []string{"local", "aws"}},
		{[]string{"lint", "--format", ""}, []string{"github", "gitlab", "sarif", "junit"}},
		{[]string{"plan", "--format", ""}, []string{"markdown", "json"}},
		{[]string{"run", "--fail-on", ""}, []string{"warning", "never"}},
		{[]string{"run", "--only", ""}, []string{"lint", "plan"}},
		{[]string{"schema", ""}, []string{"ImageRecipe", "Config"}},
		{[]string{"build", "--only", ""}, []string{"app-server", "base-linux", "app-container"}},
		{[]string{"build", "--only", "base-linux,"}, []string{"base-linux,app-server"}},
		{[]string{"images", "--recipe", ""}, []string{"app-server"}},
	} {
		_, out, _ := cli(t, append([]string{"__complete"}, tc.args...)...)
		for _, w := range tc.want {
			if !strings.Contains(out, w+"\n") {
				t.Errorf("%v: completion lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
}

// TestActionCommands: every command the action offers (its `command`
// input) reports where the user looks: step outputs, the summary and
// fail-on; component tests without an engine are refused only after lint
// and plan reported, with the fix.
func TestActionCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	data, err := os.ReadFile("../../testdata/example/components/linux-hardening.yaml")
	if err != nil {
		t.Fatal(err)
	}
	warn := strings.Replace(string(data), "version: 1.2.0", "version: 1.2.0\ndescription: a second description", 1) // duplicate-key: an error
	for _, tc := range []struct {
		name, command, failOn string
		extra                 map[string]string
		env                   map[string]string
		code                  int
		outputs, notOutputs   []string
		stderr                string
	}{
		{name: "lint clean", command: "lint", failOn: "error", code: 0,
			outputs: []string{"failed=false", "changed=false"}},
		{name: "lint finds", command: "lint", failOn: "error", extra: map[string]string{"components/linux-hardening.yaml": warn}, code: 1,
			outputs: []string{"failed=true"}},
		{name: "lint fail-on never", command: "lint", failOn: "never", extra: map[string]string{"components/linux-hardening.yaml": warn}, code: 0,
			outputs: []string{"failed=false"}},
		{name: "plan", command: "plan", failOn: "error", code: 0,
			outputs: []string{"failed=false", "changed=true", "versions="}},
		{name: "release outside a tag", command: "release", failOn: "error", code: 2, stderr: "tag pushes"},
		{name: "unknown command", command: "deploy", failOn: "error", code: 2, stderr: "use run, lint, plan or release"},
		{name: "test-components without an engine", command: "run", failOn: "error", code: 2,
			env:     map[string]string{"INPUT_TEST-COMPONENTS": "true", "PATH": t.TempDir()},
			outputs: []string{"changed=true"}, stderr: "composite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo, base, head := fixtureRepo(t, tc.extra)
			env, summary, output := githubEnv(t, "http://127.0.0.1:9", base, head, "")
			env["INPUT_COMMAND"], env["INPUT_FAIL-ON"] = tc.command, tc.failOn
			for k, v := range tc.env {
				env[k] = v
			}
			res := runIbgitops(t, repo, env)
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", res.code, tc.code, res.stdout, res.stderr)
			}
			if tc.stderr != "" && !strings.Contains(res.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, res.stderr)
			}
			if len(tc.outputs) == 0 {
				return
			}
			data, _ := os.ReadFile(output)
			outputs := parseGitHubOutput(string(data))
			for _, o := range tc.outputs {
				name, value, _ := strings.Cut(o, "=")
				if got, ok := outputs[name]; !ok || value != "" && got != value {
					t.Errorf("output %s = %q (set: %v), want %q", name, got, ok, value)
				}
			}
			for _, o := range tc.notOutputs {
				if _, ok := outputs[strings.TrimSuffix(o, "=")]; ok {
					t.Errorf("output %s is set:\n%s", o, data)
				}
			}
			if sum, _ := os.ReadFile(summary); len(sum) == 0 {
				t.Errorf("empty step summary")
			}
		})
	}
}

// parseGitHubOutput reads a GITHUB_OUTPUT file as the runner does: name=value
// lines and name<<DELIMITER blocks.
func parseGitHubOutput(text string) map[string]string {
	out := map[string]string{}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var value []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				value = append(value, lines[i])
			}
			out[name] = strings.Join(value, "\n")
		} else if name, value, ok := strings.Cut(lines[i], "="); ok {
			out[name] = value
		}
	}
	return out
}

// TestRunPathsAreRelativeToTheTopLevel: run with ibgitops.yaml in images/
// annotates images/components/..., the path GitHub's diff uses.
func TestRunPathsAreRelativeToTheTopLevel(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	dir := exampleRepoIn(t, "images")
	base := testutil.Git(t, dir, "rev-parse", "HEAD")
	f := filepath.Join(dir, "images/components/linux-hardening.yaml")
	data, _ := os.ReadFile(f)
	os.WriteFile(f, []byte(strings.Replace(string(data), "version: 1.2.0", "version: 1.2", 1)), 0o644)
	testutil.Git(t, dir, "commit", "-q", "-am", "fix: broken version")
	head := testutil.Git(t, dir, "rev-parse", "HEAD")
	env, _, _ := githubEnv(t, "http://127.0.0.1:9", base, head, "")
	res := runIbgitops(t, filepath.Join(dir, "images"), env)
	if res.code != 1 || !strings.Contains(res.stdout, "file=images/components/linux-hardening.yaml,") {
		t.Errorf("exit %d; no annotation on images/components/linux-hardening.yaml:\n%s\n%s", res.code, res.stdout, res.stderr)
	}
}
