package toe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRebootResume runs a document with a Reboot step and a step exiting
// 194 three times with the same state directory, as a machine that
// reboots would: each run exits 194 and the next resumes where AWSTOE does.
func TestRebootResume(t *testing.T) {
	dir := t.TempDir()
	state := t.TempDir()
	logs := t.TempDir()
	logDirs[dir] = logs
	opts := Options{
		Documents:      []DocumentSpec{{Path: "testdata/cases/reboot.yaml"}},
		ExecutionID:    "exec-reboot",
		StateDirectory: state,
		LogDirectory:   logs,
	}
	var out strings.Builder
	wantExit := []int{RebootExitCode, RebootExitCode, 0}
	for i, want := range wantExit {
		s, _ := runCase(t, dir, opts)
		if got := ExitCode(s); got != want {
			t.Fatalf("run %d: exit %d, want %d (%+v)", i+1, got, want, s)
		}
		_, err := os.Stat(filepath.Join(state, stateFileName))
		if saved := err == nil; saved != (want == RebootExitCode) {
			t.Fatalf("run %d: state file present=%v after exit %d", i+1, saved, want)
		}
		if i == len(wantExit)-1 {
			out.WriteString(caseOutput(t, dir, s))
		}
	}
	trail, err := os.ReadFile(filepath.Join(dir, "trail"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(trail), "before\nafter\nrerun\n"; got != want {
		t.Errorf("steps ran %q, want %q (each step once, the 194 step twice)", got, want)
	}
	golden(t, "reboot.txt", out.String())
}

// TestStateOfOtherDocumentsRefused: a state directory left by another run
// is not silently resumed.
func TestStateOfOtherDocumentsRefused(t *testing.T) {
	dir, state := t.TempDir(), t.TempDir()
	opts := Options{Documents: []DocumentSpec{{Path: "testdata/cases/reboot.yaml"}}, StateDirectory: state, LogDirectory: t.TempDir(),
		Parameters: []Param{{Name: "Dir", Value: dir}}, Environ: testEnviron()}
	s, err := Run(t.Context(), opts)
	if err != nil || ExitCode(s) != RebootExitCode {
		t.Fatalf("first run: %v %+v", err, s)
	}
	opts.Documents = []DocumentSpec{{Path: "testdata/cases/phases.yaml"}}
	_, err = Run(t.Context(), opts)
	if err == nil || !strings.Contains(err.Error(), "delete") {
		t.Fatalf("want a refusal naming the state file to delete, got %v", err)
	}
}
