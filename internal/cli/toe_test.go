package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// toeCLI runs `ibgitops args...` in-process and returns exit code and stdout.
func toeCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	code, out, errOut := cli(t, args...)
	t.Logf("stderr:\n%s", errOut)
	return code, out
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const toeGood = `name: good
schemaVersion: 1.0
parameters:
  - Word:
      type: string
      default: hi
phases:
  - name: build
    steps:
      - name: Echo
        action: ExecuteBash
        inputs:
          commands: ["echo {{ Word }}"]
  - name: test
    steps:
      - name: Fails
        action: ExecuteBash
        inputs:
          commands: ["exit 3"]
`

const toeReboot = `name: reboot
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Reboot
        action: Reboot
      - name: After
        action: ExecuteBash
        inputs:
          commands: ["echo after"]
`

const toeBad = `name: bad
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Bad Name
        action: NoSuchAction
`

func TestToeValidate(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", toeGood)
	bad := writeFile(t, dir, "bad.yaml", toeBad)
	if code, out := toeCLI(t, "toe", "validate", "--documents", good); code != 0 || out != "1 file checked: 0 errors, 0 warnings\n" {
		t.Errorf("valid document: exit %d, output %q", code, out)
	}
	code, out := toeCLI(t, "toe", "validate", "-d", good+","+bad)
	if code != 1 {
		t.Errorf("invalid document: exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if last := lines[len(lines)-1]; last != "2 files checked: 2 errors, 0 warnings" {
		t.Errorf("summary line %q", last)
	}
	for _, line := range lines[:len(lines)-1] {
		if !strings.HasPrefix(line, bad+":") || !strings.Contains(line, ": error: ") || !strings.HasSuffix(line, "]") {
			t.Errorf("finding not in lint's text format file:line:col: severity: message [rule]: %q", line)
		}
	}
	if code, out := toeCLI(t, "toe", "validate", "-d", bad, "--format", "sarif"); code != 1 || !strings.Contains(out, `"ruleId": "toe-unknown-action"`) {
		t.Errorf("sarif: exit %d\n%s", code, out)
	}
	if code, _ := toeCLI(t, "toe", "validate", "-d", filepath.Join(dir, "missing.yaml")); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
}

func TestToeRun(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", toeGood)
	logs := filepath.Join(dir, "logs")

	code, out := toeCLI(t, "toe", "run", "-d", good, "-p", "build", "--parameters", "Word=hello", "-i", "cli-1", "-l", logs)
	var summary map[string]any
	if err := json.Unmarshal([]byte(out), &summary); err != nil {
		t.Fatalf("stdout is not the summary JSON: %v\n%s", err, out)
	}
	keys := []string{"executionId", "status", "failedStepCount", "executedStepCount", "ignoredFailedStepCount", "failureMessage", "logUrl"}
	for _, k := range keys {
		if _, ok := summary[k]; !ok {
			t.Errorf("summary lacks %q: %s", k, out)
		}
	}
	if len(summary) != len(keys) {
		t.Errorf("summary has extra keys: %s", out)
	}
	if code != 0 || summary["status"] != "success" || summary["executionId"] != "cli-1" {
		t.Errorf("exit %d, summary %s", code, out)
	}
	if _, err := os.Stat(filepath.Join(summary["logUrl"].(string), "detailedoutput.json")); err != nil {
		t.Errorf("log folder: %v", err)
	}

	// All phases: the test phase fails.
	if code, out := toeCLI(t, "toe", "run", "-d", good, "-l", logs); code != 1 || !strings.Contains(out, `"status": "failed"`) {
		t.Errorf("failing step: exit %d, %s", code, out)
	}

	// --config with per-document parameters.
	cfg := writeFile(t, dir, "run.json", `{"documents":[{"path":"`+good+`","parameters":[{"name":"Word","value":"cfg"}]}],"phases":"build","logDirectory":"`+logs+`","executionId":"from-config"}`)
	if code, out := toeCLI(t, "toe", "run", "-c", cfg); code != 0 || !strings.Contains(out, `"executionId": "from-config"`) {
		t.Errorf("--config: exit %d, %s", code, out)
	}

	// Reboot: 194, then the same command resumes and succeeds.
	reboot := writeFile(t, dir, "reboot.yaml", toeReboot)
	state := filepath.Join(dir, "state")
	if code, _ := toeCLI(t, "toe", "run", "-d", reboot, "-l", logs, "-s", state); code != 194 {
		t.Errorf("Reboot step: exit %d, want 194", code)
	}
	if code, out := toeCLI(t, "toe", "run", "-d", reboot, "-l", logs, "-s", state); code != 0 || !strings.Contains(out, `"executedStepCount": 2`) {
		t.Errorf("resume: exit %d, %s", code, out)
	}

	// Invalid documents: nothing runs, exit 1; bad flags: exit 2.
	bad := writeFile(t, dir, "bad.yaml", toeBad)
	if code, _ := toeCLI(t, "toe", "run", "-d", bad, "-l", logs); code != 1 {
		t.Errorf("invalid document: exit %d, want 1", code)
	}
	if code, _ := toeCLI(t, "toe", "run", "-d", good, "--parameters", "Word=", "-l", logs); code != 2 {
		t.Errorf("empty parameter value: exit %d, want 2", code)
	}
}

// TestToeValidatePlatformAndMissingSteps: --platform validates a document
// for another OS (default: this machine), and a reference to a step the
// document lacks is an error unless --allow-missing-steps (#17 items 4, 5).
func TestToeValidatePlatformAndMissingSteps(t *testing.T) {
	dir := t.TempDir()
	win := writeFile(t, dir, "win.yaml", "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: P\n        action: ExecutePowerShell\n        inputs:\n          commands: [Write-Host hi]\n")
	missing := writeFile(t, dir, "missing.yaml", "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Uses\n        action: ExecuteBash\n        inputs:\n          commands: ['echo {{ build.GeneratedLater.outputs.stdout }}']\n")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-d", win}, 1, "toe-platform"},
		{[]string{"-d", win, "--platform", "Windows"}, 0, ""},
		{[]string{"-d", win, "--platform", "windows"}, 0, ""},
		{[]string{"-d", win, "--platform", "macOS"}, 1, "toe-platform"},
		{[]string{"-d", win, "--platform", "Solaris"}, 2, ""},
		{[]string{"-d", missing}, 1, "--allow-missing-steps"},
		{[]string{"-d", missing, "--allow-missing-steps"}, 0, "warning"},
	} {
		code, out := toeCLI(t, append([]string{"toe", "validate"}, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("toe validate %v: exit %d, want %d with %q:\n%s", tc.args, code, tc.code, tc.want, out)
		}
	}
}
