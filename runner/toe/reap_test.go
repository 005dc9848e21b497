//go:build linux

package toe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBackgroundChildrenEndWithTheRun: whatever way a step leaves a
// process behind (its own group, a new session, a double fork, a cleared
// environment), it does not outlive the run, and no zombie is left.
// Before, `setsid sleep 40 &` kept running after `toe run` returned.
func TestBackgroundChildrenEndWithTheRun(t *testing.T) {
	if _, ok := lookPathIn(testEnviron(), "setsid"); !ok {
		t.Skip("setsid is not installed")
	}
	for name, cmd := range map[string]string{
		"background job":                  "sleep 40 > /dev/null 2>&1 & echo $! > {{ Dir }}/pid",
		"setsid":                          "setsid sleep 40 > /dev/null 2>&1 & echo $! > {{ Dir }}/pid",
		"setsid, double fork":             "setsid bash -c 'sleep 40 > /dev/null 2>&1 & echo $! > {{ Dir }}/pid' &",
		"setsid, environment cleared":     "setsid env -i /bin/sh -c 'sleep 40 > /dev/null 2>&1 & echo $! > {{ Dir }}/pid' & sleep 0.2",
		"nohup, holding stdout":           "nohup sleep 40 & echo $! > {{ Dir }}/pid",
		"setsid -f, environment cleared":  "setsid -f env -i /bin/sh -c 'echo $$ > {{ Dir }}/pid; exec sleep 40' > /dev/null 2>&1",
		"subshell that exits immediately": "( ( exec -c sleep 40 > /dev/null 2>&1 & echo $! > {{ Dir }}/pid ) & )",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			doc := fmt.Sprintf("name: bg\nschemaVersion: 1.0\nparameters:\n  - Dir:\n      type: string\nphases:\n  - name: build\n    steps:\n      - name: Leaves\n        action: ExecuteBash\n        inputs:\n          commands: [%q]\n      - name: Waits\n        action: ExecuteBash\n        inputs:\n          commands: [\"for i in $(seq 300); do test -s {{ Dir }}/pid && exit 0; sleep 0.1; done; exit 1\"]\n", cmd)
			s, _ := runCase(t, dir, Options{Documents: []DocumentSpec{{Path: writeDoc(t, doc)}}})
			if s.Status != StatusSuccess {
				t.Fatalf("run: %+v", s)
			}
			pid := readPid(t, filepath.Join(dir, "pid"))
			if alive(pid) {
				syscallKill(pid)
				t.Fatalf("process %d the step left is still running after the run", pid)
			}
			if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && strings.Contains(string(st), ") Z ") {
				t.Errorf("process %d is a zombie after the run: it was not reaped", pid)
			}
		})
	}
}

// TestInterruptStopsLoopAndChildren cancels a run inside a loop whose
// iterations each start a session-escaping child: Run returns within
// seconds and the children are gone.
func TestInterruptStopsLoopAndChildren(t *testing.T) {
	if _, ok := lookPathIn(testEnviron(), "setsid"); !ok {
		t.Skip("setsid is not installed")
	}
	dir := t.TempDir()
	doc := "name: loop\nschemaVersion: 1.0\nparameters:\n  - Dir:\n      type: string\nphases:\n  - name: build\n    steps:\n      - name: Loop\n        action: ExecuteBash\n        loop: {for: {start: 1, end: 1000000, updateBy: 1}}\n        inputs:\n          commands: [\"setsid sleep 40 > /dev/null 2>&1 & echo $! >> {{ Dir }}/pids; sleep 0.05\"]\n"
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for i := 0; i < 500; i++ {
			if b, _ := os.ReadFile(filepath.Join(dir, "pids")); strings.Count(string(b), "\n") >= 3 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	done := make(chan *Summary, 1)
	go func() {
		s, err := Run(ctx, Options{Documents: []DocumentSpec{{Path: writeDoc(t, doc)}}, LogDirectory: t.TempDir(), Parameters: []Param{{Name: "Dir", Value: dir}}, Environ: testEnviron()})
		if err != nil {
			t.Error(err)
		}
		done <- s
	}()
	select {
	case s := <-done:
		if s == nil || s.Status != StatusFailed {
			t.Errorf("an interrupted run must fail: %+v", s)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not stop after the interrupt")
	}
	b, _ := os.ReadFile(filepath.Join(dir, "pids"))
	for _, line := range strings.Fields(string(b)) {
		pid, _ := strconv.Atoi(line)
		if alive(pid) {
			syscallKill(pid)
			t.Errorf("child %d of an interrupted loop is still running", pid)
		}
	}
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the step did not record its child: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file %q: %v", b, err)
	}
	return pid
}

func syscallKill(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}
