package shipping

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// yamlBlockRe finds the yaml code blocks of a markdown page.
var yamlBlockRe = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// docWorkflows returns every GitHub workflow (or workflow fragment, wrapped
// into a whole one) that the README and docs/github.md show, keyed by a
// name saying where it came from. References to this repository's actions
// become local (`./`, `./composite`) so that actionlint checks their
// inputs against action.yml and composite/action.yml.
func docWorkflows(t *testing.T, root string) map[string]string {
	out := map[string]string{}
	for _, page := range []string{"README.md", "docs/github.md"} {
		data, err := os.ReadFile(filepath.Join(root, page))
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range yamlBlockRe.FindAllStringSubmatch(string(data), -1) {
			block := m[1]
			if !strings.Contains(block, "uses:") && !strings.Contains(block, "runs-on:") {
				continue // GitLab, pre-commit and other YAML
			}
			indent := len(block) - len(strings.TrimLeft(block, " "))
			switch indent {
			case 0:
			case 2: // jobs
				block = "name: doc\non: push\njobs:\n" + block
			case 4: // steps of a job
				block = "name: doc\non: push\njobs:\n  doc:\n    runs-on: ubuntu-latest\n" + block
			default:
				t.Fatalf("%s block %d: unexpected indentation %d", page, i, indent)
			}
			out[fmt.Sprintf("%s-%d.yml", strings.NewReplacer("/", "-", ".md", "").Replace(page), i)] = localActions(block)
		}
	}
	// The workflow `ibgitops init` writes.
	starter, err := os.ReadFile(filepath.Join(root, "internal/starter/files/github/.github/workflows/images.yml"))
	if err != nil {
		t.Fatal(err)
	}
	out["init-images.yml"] = localActions(string(starter))
	return out
}

var ourActionRe = regexp.MustCompile(`ibgitops/ibgitops(/composite)?@v[0-9.]+`)

func localActions(workflow string) string {
	return ourActionRe.ReplaceAllStringFunc(workflow, func(s string) string {
		if strings.Contains(s, "/composite@") {
			return "./composite"
		}
		return "./"
	})
}

func findActionlint(t *testing.T) string {
	if p, err := exec.LookPath("actionlint"); err == nil {
		return p
	}
	if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "actionlint")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("actionlint is not installed: go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 (make actionlint does)")
	return ""
}

// actionlintRepo writes a repository holding this repository's actions and
// workflows plus the given ones and returns actionlint's verdict on it.
func actionlintRepo(t *testing.T, bin, root string, workflows map[string]string) (string, error) {
	dir := t.TempDir()
	copyFile := func(rel string) {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("action.yml")
	copyFile("composite/action.yml")
	own, _ := filepath.Glob(filepath.Join(root, ".github/workflows/*.yml"))
	for _, w := range own {
		rel, _ := filepath.Rel(root, w)
		copyFile(rel)
	}
	for name, text := range workflows {
		p := filepath.Join(dir, ".github/workflows", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-no-color")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestWorkflowsPassActionlint runs actionlint (with shellcheck when
// installed) over the repository's own workflows and every workflow the
// docs show, with this repository's actions resolved locally.
func TestWorkflowsPassActionlint(t *testing.T) {
	bin := findActionlint(t)
	root, _ := filepath.Abs("../..")
	workflows := docWorkflows(t, root)
	if len(workflows) < 2 {
		t.Fatalf("found %d workflows in the docs; the extraction is broken", len(workflows))
	}
	if out, err := actionlintRepo(t, bin, root, workflows); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}

// TestActionlintReadsOurAction plants a mistake actionlint can only see by
// reading action.yml, so a passing run above means it checked our inputs.
func TestActionlintReadsOurAction(t *testing.T) {
	bin := findActionlint(t)
	root, _ := filepath.Abs("../..")
	bad := "name: bad\non: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n        with:\n          no-such-input: x\n"
	out, err := actionlintRepo(t, bin, root, map[string]string{"bad.yml": bad})
	if err == nil || !strings.Contains(out, "no-such-input") {
		t.Errorf("actionlint did not catch an unknown input of action.yml (err %v):\n%s", err, out)
	}
}

// TestActionlintCompositeFromSource checks a workflow that tests a branch
// with the composite action's from-source input, and that actionlint reads
// composite/action.yml (a misspelt input fails).
func TestActionlintCompositeFromSource(t *testing.T) {
	bin := findActionlint(t)
	root, _ := filepath.Abs("../..")
	const workflow = "name: from-source\non: pull_request\npermissions:\n  contents: read\n  statuses: write\n  pull-requests: write\n" +
		"jobs:\n  j:\n    runs-on: macos-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n" +
		"      - id: ib\n        uses: ./composite\n        with:\n          INPUT: true\n          command: plan\n          fail-on: warning\n" +
		"      - run: echo \"changed=${{ steps.ib.outputs.changed }} failed=${{ steps.ib.outputs.failed }}\"\n"
	for _, tc := range []struct {
		input string
		ok    bool
	}{{"from-source", true}, {"from_source", false}} {
		out, err := actionlintRepo(t, bin, root, map[string]string{"src.yml": strings.Replace(workflow, "INPUT", tc.input, 1)})
		if tc.ok && err != nil {
			t.Errorf("actionlint on a from-source workflow: %v\n%s", err, out)
		}
		if !tc.ok && (err == nil || !strings.Contains(out, tc.input)) {
			t.Errorf("actionlint did not catch the input %q unknown to composite/action.yml (err %v):\n%s", tc.input, err, out)
		}
	}
}
