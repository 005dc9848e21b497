package runner

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/internal/starter"
	"github.com/ibgitops/ibgitops/runner/git"
)

// InitHosts are the values of init's --host besides "auto".
var InitHosts = starter.Hosts

// InitOptions configure the `init` command.
type InitOptions struct {
	Dir string
	// Host is the CI file to write: github, gitlab, none; "" or "auto"
	// reads it from the origin remote of Dir.
	Host  string
	Force bool // overwrite files that exist
	Out   io.Writer
}

// Init writes the starter repository and the CI file of the host into Dir
// and says what to do next. It returns the exit code; an error means it
// could not write.
func Init(o InitOptions) (int, error) {
	host := o.Host
	if host == "" || host == "auto" {
		host = "none"
		if repo, err := git.Open(o.Dir); err == nil {
			host = starter.HostOf(repo.RemoteURL("origin"))
			repo.Close()
		}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return exitcodes.Cannot, err
	}
	written, err := starter.Write(o.Dir, host, o.Force)
	if err != nil {
		return exitcodes.Cannot, fmt.Errorf("init %s: %w", o.Dir, err)
	}
	for _, f := range written {
		if f.Written {
			fmt.Fprintf(o.Out, "  wrote %s\n", f.Path)
		} else {
			fmt.Fprintf(o.Out, "  kept  %s (it exists; --force overwrites)\n", f.Path)
		}
	}
	next := []string{"ibgitops lint", "ibgitops plan", "git add -A && git commit -m \"feat: image pipeline\"", starter.NextStep(host)}
	fmt.Fprintf(o.Out, "next:\n  %s\n", strings.Join(next, "\n  "))
	return exitcodes.OK, nil
}
