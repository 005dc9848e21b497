package runner

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/internal/testutil"
)

// Init picks the CI file from the origin remote (or --host), writes the
// starter and ends with the host's own next step; a second run keeps
// every file it finds.
func TestInit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	cases := []struct {
		name, host, origin string
		ciFile, next       string // "" ciFile: none is written
		code               int
		err                string
	}{
		{name: "auto, GitHub origin", host: "auto", origin: "git@github.com:acme/images.git",
			ciFile: ".github/workflows/images.yml", next: "edit role-to-assume in .github/workflows/images.yml"},
		{name: "auto, GitLab origin", host: "", origin: "https://gitlab.example.com/acme/images.git",
			ciFile: ".gitlab-ci.yml", next: "store IBGITOPS_GITLAB_TOKEN"},
		{name: "auto, no git", host: "auto", next: "no GitHub or GitLab origin found"},
		{name: "auto, other origin", host: "auto", origin: "https://example.com/acme/images.git", next: "no GitHub or GitLab origin found"},
		{name: "--host gitlab without git", host: "gitlab", ciFile: ".gitlab-ci.yml", next: "store IBGITOPS_GITLAB_TOKEN"},
		{name: "--host none", host: "none", origin: "git@github.com:acme/images.git", next: "no GitHub or GitLab origin found"},
		{name: "unknown host", host: "bitbucket", code: exitcodes.Cannot, err: `--host "bitbucket": use github, gitlab, none`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "repo")
			if c.origin != "" {
				os.MkdirAll(dir, 0o755)
				testutil.Git(t, dir, "init", "-q", "-b", "main")
				testutil.Git(t, dir, "remote", "add", "origin", c.origin)
			}
			var out bytes.Buffer
			code, err := Init(InitOptions{Dir: dir, Host: c.host, Out: &out})
			if code != c.code || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("Init = %d, %v; want %d, %q", code, err, c.code, c.err)
			}
			if err != nil {
				return
			}
			for _, f := range []string{".github/workflows/images.yml", ".gitlab-ci.yml"} {
				_, statErr := os.Stat(filepath.Join(dir, f))
				if (statErr == nil) != (f == c.ciFile) {
					t.Errorf("%s written = %v, want %v", f, statErr == nil, f == c.ciFile)
				}
			}
			if !strings.Contains(out.String(), "  wrote ibgitops.yaml\n") {
				t.Errorf("no 'wrote ibgitops.yaml' line:\n%s", out.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(strings.TrimSpace(last), c.next) {
				t.Errorf("last line %q, want the host's next step %q", last, c.next)
			}

			// Again: every file exists and is kept.
			out.Reset()
			if code, err := Init(InitOptions{Dir: dir, Host: c.host, Out: &out}); code != exitcodes.OK || err != nil {
				t.Fatalf("second Init = %d, %v", code, err)
			}
			if strings.Contains(out.String(), "wrote") || !strings.Contains(out.String(), "  kept  ibgitops.yaml (it exists; --force overwrites)\n") {
				t.Errorf("second run wrote over existing files:\n%s", out.String())
			}
		})
	}
}
