package toe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

func init() {
	register("ExecuteBash", module{platforms: unixLike, run: executeBash})
	register("ExecuteBinary", module{run: executeBinary})
	register("Reboot", module{run: reboot})
}

var scriptSeq atomic.Int64

// executeBash writes the commands to a script file and runs it with the
// bash found on PATH; the script's exit code is the step's result and 194
// asks for a reboot after which the step runs again.
func executeBash(ctx context.Context, e *env, in any) (output, error) {
	m, err := single(in)
	if err != nil {
		return nil, err
	}
	commands, err := optStringList(m, "commands")
	if err != nil {
		return nil, err
	}
	if len(commands) == 0 {
		return nil, fmt.Errorf("input \"commands\" is required: list the shell commands to run")
	}
	bash, ok := lookPathIn(e.environ, "bash")
	if !ok {
		return nil, fmt.Errorf("ExecuteBash needs bash on PATH and there is none: install bash (a busybox-only image needs bash added)")
	}
	script := filepath.Join(e.scratch, fmt.Sprintf("input-%d.sh", scriptSeq.Add(1)))
	if err := os.WriteFile(script, []byte(strings.Join(commands, "\n")+"\n"), 0o700); err != nil {
		return nil, fmt.Errorf("write the step's script: %w", err)
	}
	defer os.Remove(script)
	stdout, err := runProcess(ctx, e, "", e.environ, []string{bash, script})
	return output{{"stdout": stdout}}, err
}

// executeBinary runs path with arguments (no shell). Exit 194 asks for a
// reboot after which the step runs again.
func executeBinary(ctx context.Context, e *env, in any) (output, error) {
	m, err := single(in)
	if err != nil {
		return nil, err
	}
	path, err := reqString(m, "path")
	if err != nil {
		return nil, err
	}
	args, err := optStringList(m, "arguments")
	if err != nil {
		return nil, err
	}
	stdout, err := runProcess(ctx, e, "", e.environ, append([]string{path}, args...))
	return output{{"stdout": stdout}}, err
}

// reboot asks the caller to reboot: the executor saves its state and exits
// with 194; a re-run with the same state directory continues with the next
// step. delaySeconds waits before asking.
func reboot(ctx context.Context, e *env, in any) (output, error) {
	m, err := single(in)
	if err != nil {
		return nil, err
	}
	delay, err := optInt(m, "delaySeconds", 0)
	if err != nil {
		return nil, err
	}
	if delay > 0 {
		if err := e.sleep(ctx, time.Duration(delay)*time.Second); err != nil {
			return nil, err
		}
	}
	return nil, &errRebootRequested{}
}
