package toe

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/recipes/awstoe"
)

func testEnv(t *testing.T, environ []string) (*env, *bytes.Buffer) {
	t.Helper()
	var console bytes.Buffer
	return &env{
		console: &console, log: slog.New(slog.NewTextHandler(io.Discard, nil)), scratch: t.TempDir(),
		environ: environ, sleep: sleepCtx, backoff: time.Millisecond,
	}, &console
}

// fakeTools puts scripts named names on a PATH of their own; each appends
// its name and arguments to the returned log file.
func fakeTools(t *testing.T, names ...string) (string, string) {
	t.Helper()
	bin := t.TempDir()
	logFile := filepath.Join(t.TempDir(), "calls")
	for _, n := range names {
		script := fmt.Sprintf("#!/bin/sh\necho \"%s $*\" >> %s\n", n, logFile)
		if err := os.WriteFile(filepath.Join(bin, n), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return bin, logFile
}

func TestUpdateOSDetectsPackageManager(t *testing.T) {
	cases := []struct {
		tools   []string
		inputs  map[string]any
		want    string
		wantErr string
	}{
		{tools: []string{"apt-get", "apt-mark"}, inputs: map[string]any{},
			want: "apt-get update\napt-get upgrade -y\n"},
		{tools: []string{"apt-get", "apt-mark"}, inputs: map[string]any{"include": []any{"curl", "git"}, "exclude": []any{"linux-image"}},
			want: "apt-get update\napt-mark hold linux-image\napt-get install -y --only-upgrade curl git\napt-mark unhold linux-image\n"},
		{tools: []string{"dnf", "yum"}, inputs: map[string]any{"exclude": []any{"kernel*"}},
			want: "dnf update -y --exclude=kernel*\n"},
		{tools: []string{"yum"}, inputs: map[string]any{"include": []any{"openssl"}},
			want: "yum update -y openssl\n"},
		{tools: []string{"zypper"}, inputs: map[string]any{"exclude": []any{"kernel-default"}},
			want: "zypper --non-interactive addlock kernel-default\nzypper --non-interactive update\nzypper --non-interactive removelock kernel-default\n"},
		{tools: []string{"apk"}, inputs: map[string]any{"include": []any{"musl"}},
			want: "apk update\napk upgrade musl\n"},
		{tools: []string{"apk"}, inputs: map[string]any{"exclude": []any{"musl"}}, wantErr: "list the packages to update in include"},
		{tools: nil, inputs: map[string]any{}, wantErr: "found no package manager"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.tools, "+")+fmt.Sprint(len(tc.inputs)), func(t *testing.T) {
			bin, logFile := fakeTools(t, tc.tools...)
			e, _ := testEnv(t, []string{"PATH=" + bin})
			_, err := updateOS(context.Background(), e, tc.inputs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(logFile)
			if string(got) != tc.want {
				t.Errorf("commands run:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestWindowsOnlyModulesRefuse(t *testing.T) {
	e, _ := testEnv(t, nil)
	for _, name := range []string{"ExecutePowerShell", "InstallMSI", "UninstallMSI", "SetRegistry"} {
		_, err := modules[name].run(context.Background(), e, map[string]any{})
		if err == nil || !strings.Contains(err.Error(), "runs only on Windows") {
			t.Errorf("%s: error %v, want a refusal saying it runs only on Windows", name, err)
		}
	}
	// The document-level check happens before anything runs.
	doc := filepath.Join(t.TempDir(), "win.yaml")
	os.WriteFile(doc, []byte("name: win\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: PS\n        action: ExecutePowerShell\n        inputs:\n          commands: [\"Write-Host hi\"]\n"), 0o644)
	_, err := Run(context.Background(), Options{Documents: []DocumentSpec{{Path: doc}}, LogDirectory: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "nothing ran") {
		t.Fatalf("want a validation error before running, got %v", err)
	}
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

func waitDead(t *testing.T, pidFile string) {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the step did not record its child: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("background child %d of the step is still running: the process group was not killed", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func writeDoc(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "doc.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const sleeperDoc = `name: sleeper
schemaVersion: 1.0
parameters:
  - Dir:
      type: string
phases:
  - name: build
    steps:
      - name: Sleeps
        action: ExecuteBash
        timeoutSeconds: %d
        inputs:
          commands:
            - sleep 60 &
            - echo $! > {{ Dir }}/child.pid.tmp
            - mv {{ Dir }}/child.pid.tmp {{ Dir }}/child.pid
            - wait
`

func TestTimeoutKillsProcessGroup(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	s, _ := runCase(t, dir, Options{Documents: []DocumentSpec{{Path: writeDoc(t, fmt.Sprintf(sleeperDoc, 1))}}})
	if s.Status != StatusFailed || time.Since(start) > 10*time.Second {
		t.Fatalf("want a failed run within seconds, got %+v after %s", s, time.Since(start))
	}
	waitDead(t, filepath.Join(dir, "child.pid"))
}

func TestInterruptKillsProcessGroup(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for i := 0; i < 200; i++ {
			if b, err := os.ReadFile(filepath.Join(dir, "child.pid")); err == nil && strings.HasSuffix(string(b), "\n") {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	s, err := Run(ctx, Options{
		Documents: []DocumentSpec{{Path: writeDoc(t, fmt.Sprintf(sleeperDoc, -1))}}, LogDirectory: t.TempDir(),
		Parameters: []Param{{Name: "Dir", Value: dir}}, Environ: testEnviron(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != StatusFailed || !strings.Contains(s.FailureMessage, "failed") {
		t.Errorf("an interrupted run must fail, got %+v", s)
	}
	waitDead(t, filepath.Join(dir, "child.pid"))
}

func TestParseParameters(t *testing.T) {
	got, err := ParseParameters("a=1,b=x=y")
	if err != nil || len(got) != 2 || got[1] != (Param{"b", "x=y"}) {
		t.Fatalf("got %v %v", got, err)
	}
	for _, bad := range []string{"a=", "=1", "novalue"} {
		if _, err := ParseParameters(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "run.json")
	os.WriteFile(p, []byte(`{"documents":[{"path":"d.yaml","parameters":[{"name":"P","value":"v"}]}],"phases":"build,test","executionId":"cfg","parameters":[{"name":"G","value":"g"}],"logDirectory":"/logs"}`), 0o644)
	opts := Options{ExecutionID: "flag"}
	if err := LoadConfig(p, &opts); err != nil {
		t.Fatal(err)
	}
	if opts.ExecutionID != "flag" || opts.LogDirectory != "/logs" || len(opts.Phases) != 2 || opts.Documents[0].Parameters[0].Value != "v" || opts.Parameters[0].Name != "G" {
		t.Errorf("flags must win and the config fill the rest: %+v", opts)
	}
	both := Options{Documents: []DocumentSpec{{Path: "x.yaml"}}}
	if err := LoadConfig(p, &both); err == nil || !strings.Contains(err.Error(), "use one") {
		t.Errorf("documents in both places: want an error, got %v", err)
	}
}

func TestEncodings(t *testing.T) {
	for _, name := range []string{"utf8", "UTF-16", "utf16-BE", "utf-32-LE", "utf32be"} {
		enc, err := parseEncoding(name)
		if err != nil {
			t.Fatal(err)
		}
		text := "héllo wörld 🌍"
		data := append(enc.bom(), enc.encode(text)...)
		got, err := detectEncoding(data).decode(data)
		if err != nil || got != text {
			t.Errorf("%s: round trip gave %q, %v", name, got, err)
		}
	}
	if _, err := parseEncoding("latin1"); err == nil {
		t.Error("latin1: want an error listing the accepted encodings")
	}
}

func TestExecuteBashWithoutBash(t *testing.T) {
	e, _ := testEnv(t, []string{"PATH=" + t.TempDir()})
	_, err := executeBash(context.Background(), e, map[string]any{"commands": []any{"true"}})
	if err == nil || !strings.Contains(err.Error(), "needs bash on PATH") {
		t.Fatalf("want an error saying bash is missing, got %v", err)
	}
}

func TestExecuteBashExit194AsksForRerun(t *testing.T) {
	e, _ := testEnv(t, testEnviron())
	_, err := executeBash(context.Background(), e, map[string]any{"commands": []any{"exit 194"}})
	rb, ok := err.(*errRebootRequested)
	if !ok || !rb.rerunStep {
		t.Fatalf("want a reboot request that reruns the step, got %v", err)
	}
}

// A Component file of the repository runs its inline document.
func TestComponentFileRunsInlineDocument(t *testing.T) {
	p := writeDoc(t, `kind: Component
name: inline
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
            commands: ["echo inline"]
`)
	s, err := Run(context.Background(), Options{Documents: []DocumentSpec{{Path: p}}, LogDirectory: t.TempDir(), Environ: testEnviron()})
	if err != nil || s.Status != StatusSuccess || s.ExecutedStepCount != 1 {
		t.Fatalf("%v %+v", err, s)
	}
}

// Every action the validator knows has a module here (Assert and
// ExecuteDocument are run by the executor itself), and nothing more.
func TestEveryActionHasAModule(t *testing.T) {
	known := map[string]bool{"Assert": true, "ExecuteDocument": true}
	for _, name := range ModuleNames() {
		known[name] = true
	}
	for _, name := range awstoe.ActionNames() {
		if !known[name] {
			t.Errorf("action %s validates but has no module", name)
		}
		delete(known, name)
	}
	for name := range known {
		t.Errorf("module %s is not an AWSTOE action", name)
	}
}
