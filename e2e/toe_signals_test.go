package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestToeRunStopsOnSignal sends SIGTERM and SIGINT to `ibgitops toe run`
// while a step is inside a long loop (each iteration leaving a setsid
// child) or inside one long command: the process exits (issue #12 wants
// 2 s; the assertion allows more for a loaded machine and the measured time
// is logged), fails, and no child it started is left running.
func TestToeRunStopsOnSignal(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("setsid is not installed")
	}
	steps := map[string]string{
		"loop": `        loop: {for: {start: -2147483648, end: 2147483647, updateBy: 1}}
        inputs:
          commands: ["setsid sleep 40 > /dev/null 2>&1 & echo $! >> {{ Dir }}/pids; sleep 0.05"]`,
		"long command": `        inputs:
          commands: ["setsid sleep 40 & echo $! >> {{ Dir }}/pids; sleep 0.1; echo $$ >> {{ Dir }}/pids; echo >> {{ Dir }}/pids; sleep 60"]`,
	}
	for name, step := range steps {
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
			t.Run(name+"/"+sig.String(), func(t *testing.T) {
				dir := t.TempDir()
				doc := filepath.Join(dir, "doc.yaml")
				write(t, doc, "name: sig\nschemaVersion: 1.0\nparameters:\n  - Dir:\n      type: string\nphases:\n  - name: build\n    steps:\n      - name: Long\n        action: ExecuteBash\n"+step+"\n")
				cmd := exec.Command(bin, "toe", "run", "-d", doc, "-l", dir, "--parameters", "Dir="+dir)
				cmd.Env = baseEnv(t)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				pids := filepath.Join(dir, "pids")
				for i := 0; ; i++ {
					if b, _ := os.ReadFile(pids); strings.Count(string(b), "\n") >= 3 {
						break
					}
					if i > 3000 {
						syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
						t.Fatalf("the step never started: %s", out.String())
					}
					time.Sleep(10 * time.Millisecond)
				}
				sent := time.Now()
				cmd.Process.Signal(sig)
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
					t.Fatalf("toe run still running 20 s after %s: %s", sig, out.String())
				}
				took := time.Since(sent)
				t.Logf("exited %v after %s", took.Round(time.Millisecond), sig)
				if code := cmd.ProcessState.ExitCode(); code != 1 {
					t.Errorf("exit %d after %s, want 1 (a failed run): %s", code, sig, out.String())
				}
				b, _ := os.ReadFile(pids)
				for _, f := range strings.Fields(string(b)) {
					pid, _ := strconv.Atoi(f)
					if pid > 0 && syscall.Kill(pid, 0) == nil && !zombie(pid) {
						syscall.Kill(pid, syscall.SIGKILL)
						t.Errorf("process %d a step started outlived toe run", pid)
					}
				}
			})
		}
	}
}

func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && strings.Contains(string(b[bytes.LastIndexByte(b, ')'):]), ") Z")
}
