package shipping

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// compositeAction is the part of composite/action.yml the runner reads.
type compositeAction struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID               string            `yaml:"id"`
			Name             string            `yaml:"name"`
			If               string            `yaml:"if"`
			Uses             string            `yaml:"uses"`
			With             map[string]string `yaml:"with"`
			Shell            string            `yaml:"shell"`
			Run              string            `yaml:"run"`
			Env              map[string]string `yaml:"env"`
			WorkingDirectory string            `yaml:"working-directory"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// runner emulates the GitHub runner executing a composite action: each
// shell step runs as `bash --noprofile --norc -eo pipefail FILE` with the
// step's env, a fresh GITHUB_OUTPUT, and the GITHUB_ENV and GITHUB_PATH
// lines of the steps before it applied, as the runner applies them.
type runner struct {
	t          *testing.T
	actionPath string
	workspace  string
	temp       string
	inputs     map[string]string
	base       []string          // the job's environment
	env        map[string]string // GITHUB_ENV so far
	path       []string          // GITHUB_PATH so far, newest first
	outputs    map[string]map[string]string
	summary    string
}

var exprRe = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// eval resolves the expressions this action uses; any other expression
// fails the test, so a new one in action.yml is noticed here.
func (r *runner) eval(s string) string {
	return exprRe.ReplaceAllStringFunc(s, func(m string) string {
		e := exprRe.FindStringSubmatch(m)[1]
		switch {
		case strings.HasPrefix(e, "inputs."):
			v, ok := r.inputs[strings.TrimPrefix(e, "inputs.")]
			if !ok {
				r.t.Fatalf("composite/action.yml: %s names no input", m)
			}
			return v
		case e == "github.action_path":
			return r.actionPath
		case e == "github.token":
			return "" // no host to post to: ibgitops reports to the log and files
		case strings.HasPrefix(e, "steps."):
			parts := strings.SplitN(e, ".", 4) // steps.ID.outputs.NAME
			if len(parts) != 4 || parts[2] != "outputs" {
				r.t.Fatalf("composite/action.yml: unsupported expression %s", m)
			}
			return r.outputs[parts[1]][parts[3]]
		}
		r.t.Fatalf("composite/action.yml: the runner emulation does not know %s", m)
		return ""
	})
}

var condRe = regexp.MustCompile(`^inputs\.([a-z-]+) (==|!=) '([^']*)'$`)

func (r *runner) cond(s string) bool {
	if s == "" {
		return true
	}
	m := condRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		r.t.Fatalf("composite/action.yml: the runner emulation does not know the condition %q", s)
	}
	return (r.inputs[m[1]] == m[3]) == (m[2] == "==")
}

// readFileCommand parses a GITHUB_OUTPUT or GITHUB_ENV file: name=value
// lines and name<<DELIMITER heredocs.
func readFileCommand(t *testing.T, file string) map[string]string {
	out := map[string]string{}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var body []string
			for sc.Scan() && sc.Text() != delim {
				body = append(body, sc.Text())
			}
			out[name] = strings.Join(body, "\n")
			continue
		}
		if name, value, ok := strings.Cut(line, "="); ok {
			out[name] = value
		} else if line != "" {
			t.Errorf("%s: line %q is neither name=value nor name<<DELIMITER", filepath.Base(file), line)
		}
	}
	return out
}

// run executes the action's steps and returns its outputs and the exit
// code of the first failing step (0 when all pass).
func (r *runner) run(a compositeAction) (map[string]string, int, string) {
	var log strings.Builder
	for i, st := range a.Runs.Steps {
		if !r.cond(st.If) {
			continue
		}
		if st.Uses != "" {
			// setup-go: the test's own Go stands in for the one it installs;
			// check that what it would read exists.
			if !strings.HasPrefix(st.Uses, "actions/setup-go@") {
				r.t.Fatalf("step %d uses %s, which the emulation does not know", i, st.Uses)
			}
			for _, k := range []string{"go-version-file", "cache-dependency-path"} {
				if p := r.eval(st.With[k]); p != "" {
					if _, err := os.Stat(p); err != nil {
						r.t.Errorf("step %d (%s): %s: %v", i, st.Uses, k, err)
					}
				}
			}
			continue
		}
		if st.Shell != "bash" {
			r.t.Fatalf("step %d: shell %q: the emulation runs bash steps", i, st.Shell)
		}
		dir := filepath.Join(r.temp, "step")
		os.MkdirAll(dir, 0o755)
		script := filepath.Join(dir, "script.sh")
		output := filepath.Join(dir, "output")
		envFile := filepath.Join(dir, "env")
		pathFile := filepath.Join(dir, "path")
		for _, f := range []string{output, envFile, pathFile} {
			os.WriteFile(f, nil, 0o644)
		}
		os.WriteFile(script, []byte(r.eval(st.Run)), 0o644)
		summary := filepath.Join(dir, "summary")
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = r.workspace
		if st.WorkingDirectory != "" {
			cmd.Dir = r.eval(st.WorkingDirectory)
		}
		env := append([]string{}, r.base...)
		for k, v := range r.env {
			env = append(env, k+"="+v)
		}
		env = append(env, "PATH="+strings.Join(append(append([]string{}, r.path...), os.Getenv("PATH")), string(os.PathListSeparator)),
			"GITHUB_ACTION_PATH="+r.actionPath, "GITHUB_OUTPUT="+output, "GITHUB_ENV="+envFile,
			"GITHUB_PATH="+pathFile, "GITHUB_STEP_SUMMARY="+summary)
		for k, v := range st.Env {
			env = append(env, k+"="+r.eval(v))
		}
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		log.WriteString("== " + r.eval(st.Name) + "\n" + string(out))
		if st.ID != "" {
			r.outputs[st.ID] = readFileCommand(r.t, output)
		}
		for k, v := range readFileCommand(r.t, envFile) {
			r.env[k] = v
		}
		if data, _ := os.ReadFile(pathFile); len(data) > 0 {
			for _, p := range strings.Fields(string(data)) {
				r.path = append([]string{p}, r.path...)
			}
		}
		if data, _ := os.ReadFile(summary); len(data) > 0 {
			r.summary += string(data)
		}
		if err != nil {
			code := 1
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			return nil, code, log.String()
		}
	}
	outs := map[string]string{}
	for name, o := range a.Outputs {
		outs[name] = r.eval(o.Value)
	}
	return outs, 0, log.String()
}

// TestCompositeFromSource runs composite/action.yml with from-source: true
// the way the runner runs it, on a pull request against a copy of
// testdata/example: setup-go's place taken by this Go, the build step, then
// `ibgitops` from GITHUB_PATH with the INPUT_* variables the action passes.
// It checks what a workflow sees: exit code, outputs, the step summary and
// IBGITOPS_BINARY.
func TestCompositeFromSource(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ibgitops twice from source")
	}
	if runtime.GOOS != "linux" {
		t.Skip("emulates a Linux runner")
	}
	root, _ := filepath.Abs("../..")
	data, err := os.ReadFile(filepath.Join(root, "composite/action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a compositeAction
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("composite/action.yml: runs.using %q", a.Runs.Using)
	}
	ws, event, sha := pullRequestWorkspace(t, root)
	// `uses: ./composite` runs the action from the checkout; `uses:
	// ibgitops/ibgitops/composite@REF` from a download of REF's tree, which
	// has no .git.
	downloaded := downloadedAction(t, root)
	for _, tc := range []struct {
		name, command, actionRoot, wantChanged string
	}{
		{"run", "run", root, "true"},
		{"plan", "plan", root, "true"},
		{"lint", "lint", root, "false"},
		{"downloaded-run", "run", downloaded, "true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			temp := t.TempDir()
			inputs := map[string]string{}
			for name, in := range a.Inputs {
				inputs[name] = in.Default
			}
			inputs["from-source"], inputs["command"] = "true", tc.command
			r := &runner{t: t, actionPath: filepath.Join(tc.actionRoot, "composite"), workspace: ws, temp: temp,
				inputs: inputs, env: map[string]string{}, outputs: map[string]map[string]string{}}
			r.inputs["token"] = r.eval(inputs["token"])
			r.base = append(hostEnv(), "CI=true", "GITHUB_ACTIONS=true", "RUNNER_OS=Linux", "RUNNER_ARCH=X64",
				"RUNNER_TEMP="+temp, "GITHUB_WORKSPACE="+ws, "GITHUB_EVENT_NAME=pull_request",
				"GITHUB_EVENT_PATH="+event, "GITHUB_REPOSITORY=acme/images", "GITHUB_SHA="+sha,
				"GITHUB_REF=refs/pull/7/merge", "GITHUB_BASE_REF=main", "GITHUB_HEAD_REF=feature",
				"GITHUB_SERVER_URL=http://127.0.0.1:9", "GITHUB_API_URL=http://127.0.0.1:9", "GITHUB_RUN_ID=1",
				"GITHUB_TOKEN=")
			outs, code, log := r.run(a)
			if code != 0 {
				t.Fatalf("composite action (command: %s) exited %d:\n%s", tc.command, code, log)
			}
			if outs["failed"] != "false" {
				t.Errorf("output failed = %q, want false\n%s", outs["failed"], log)
			}
			if outs["changed"] != tc.wantChanged {
				t.Errorf("output changed = %q, want %q", outs["changed"], tc.wantChanged)
			}
			if strings.TrimSpace(r.summary) == "" {
				t.Errorf("empty step summary\n%s", log)
			}
			bin := r.env["IBGITOPS_BINARY"]
			if fi, err := os.Stat(bin); err != nil || fi.Mode()&0o111 == 0 {
				t.Errorf("IBGITOPS_BINARY %q is not an executable (%v)", bin, err)
			}
			if !strings.Contains(log, "passed") {
				t.Errorf("the log does not say the run passed:\n%s", log)
			}
		})
	}
}

// pullRequestWorkspace makes the checkout of a pull request that raises a
// component's version, and its event file; it returns them and the head.
func pullRequestWorkspace(t *testing.T, root string) (ws, event, head string) {
	dir := t.TempDir()
	ws = filepath.Join(dir, "workspace")
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", ws, "-c", "user.email=t@ibgitops.invalid", "-c", "user.name=test"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("cp", "-R", filepath.Join(root, "testdata/example")+"/.", ws).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "feat: images")
	base := git("rev-parse", "HEAD")
	git("checkout", "-q", "-b", "feature")
	comp := filepath.Join(ws, "components/linux-hardening.yaml")
	text, err := os.ReadFile(comp)
	if err != nil {
		t.Fatal(err)
	}
	s := regexp.MustCompile(`(?m)^description: .*$`).ReplaceAllString(string(text), "description: changed by the composite test")
	s = regexp.MustCompile(`(?m)^version: 1\.2\.0$`).ReplaceAllString(s, "version: 1.2.1")
	if s == string(text) {
		t.Fatal("components/linux-hardening.yaml: nothing to change; update the test")
	}
	os.WriteFile(comp, []byte(s), 0o644)
	git("commit", "-q", "-am", "fix: hardening")
	head = git("rev-parse", "HEAD")
	event = filepath.Join(dir, "event.json")
	os.WriteFile(event, []byte(`{"action":"synchronize","number":7,"pull_request":{"number":7,"head":{"sha":"`+head+`","ref":"feature"},"base":{"sha":"`+base+`","ref":"main"}},"repository":{"full_name":"acme/images","default_branch":"main"}}`), 0o644)
	return ws, event, head
}

// hostEnv is this process's environment without the CI host's own
// variables, so that the test sees only the runner it emulates.
func hostEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "CI", name == "GITLAB_CI", strings.HasPrefix(name, "CI_"), strings.HasPrefix(name, "GITHUB_"),
			strings.HasPrefix(name, "INPUT_"), strings.HasPrefix(name, "RUNNER_"), strings.HasPrefix(name, "IBGITOPS_"):
			continue
		}
		out = append(out, kv)
	}
	return out
}

// downloadedAction copies the files git tracks (and new ones not ignored),
// without .git, as the runner's download of an action's ref holds them.
func downloadedAction(t *testing.T, root string) string {
	dir := t.TempDir()
	files, err := exec.Command("git", "-C", root, "ls-files", "-z", "-co", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("git ls-files: %v (not a git checkout)", err)
	}
	for _, rel := range strings.Split(strings.TrimRight(string(files), "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			continue // deleted in the work tree
		}
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
