package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"
)

// FullBinary is the binary that links the AWS SDK, the GitHub/GitLab API
// clients and the AWSTOE executor (cmd/ibgitops-full). ibgitops runs it
// for the commands that need them; it is installed beside ibgitops.
const FullBinary = "ibgitops-full"

// needsFullAnnotation marks a command that runs in ibgitops-full; its
// value says what it needs from there (for the error when it is missing).
const needsFullAnnotation = "ibgitops-full"

// needsFullFlagAnnotation names a flag that, when given, makes its command
// run in ibgitops-full (plan --backend reads a backend).
const needsFullFlagAnnotation = "ibgitops-full-flag"

// needsFull reports whether cmd, with the flags given, runs in
// ibgitops-full.
func needsFull(cmd *cobra.Command) bool {
	if cmd.Annotations[needsFullAnnotation] != "" {
		return true
	}
	flag := cmd.Annotations[needsFullFlagAnnotation]
	return flag != "" && cmd.Flags().Changed(flag)
}

// markFull marks cmd as running in ibgitops-full because it needs what.
func markFull(cmd *cobra.Command, what string) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[needsFullAnnotation] = what
	return cmd
}

// delegate runs the process's command line in ibgitops-full, which takes
// over the process (its output, exit code and signals are the command's).
// It returns only when it could not start it.
func delegate(cmd *cobra.Command) error {
	path, err := findFull()
	if err != nil {
		what := cmd.Annotations[needsFullAnnotation]
		if what == "" {
			what = "the --" + cmd.Annotations[needsFullFlagAnnotation] + " flag's backends"
		}
		return withCode(exitCannot, fmt.Errorf("`%s` runs in %s (it needs %s), which is not installed: %v; "+
			"install it beside ibgitops from the same release archive, or with `go install github.com/ibgitops/ibgitops/cmd/ibgitops-full@<version>`",
			cmd.CommandPath(), FullBinary, what, err))
	}
	return withCode(exitCannot, runFull(path, os.Args[1:]))
}

// findFull finds ibgitops-full: in the folder of the running ibgitops
// (symbolic links resolved), else on PATH.
func findFull() (string, error) {
	name := FullBinary
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	var dir string
	if exe, err := os.Executable(); err == nil {
		if p, err := filepath.EvalSymlinks(exe); err == nil {
			exe = p
		}
		dir = filepath.Dir(exe)
		candidate := filepath.Join(dir, name)
		if st, err := os.Stat(candidate); err == nil && st.Mode().IsRegular() {
			return candidate, nil
		}
	}
	path, err := exec.LookPath(FullBinary)
	if err == nil {
		return path, nil
	}
	if errors.Is(err, exec.ErrDot) {
		return "", fmt.Errorf("%s is in the current folder, which is not trusted on PATH", FullBinary)
	}
	return "", fmt.Errorf("neither in %s nor on PATH", dir)
}
