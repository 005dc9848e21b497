package local

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeCLIs puts executables named like engines on a PATH of their own; each
// prints out and exits with code.
func fakeCLIs(t *testing.T, clis map[string][2]string) {
	dir := t.TempDir()
	for name, spec := range clis {
		script := "#!/bin/sh\necho '" + spec[0] + "'\nexit " + spec[1] + "\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
}

func TestDetectEngine(t *testing.T) {
	const down = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
	for _, tc := range []struct {
		name    string
		clis    map[string][2]string
		engine  string
		want    string // engine picked, or "" for no engine
		message []string
	}{
		{"docker with its daemon", map[string][2]string{"docker": {"27.3.1", "0"}}, "auto", "docker", nil},
		{"docker daemon stopped", map[string][2]string{"docker": {down, "1"}}, "auto", "",
			[]string{"daemon is not running", "Cannot connect to the Docker daemon", "systemctl start docker", "local.engine: podman"}},
		{"docker named, daemon stopped", map[string][2]string{"docker": {down, "1"}}, "docker", "", []string{"daemon is not running"}},
		{"podman first, docker untouched", map[string][2]string{"podman": {"", "0"}, "docker": {down, "1"}}, "auto", "podman", nil},
		{"nothing installed", map[string][2]string{}, "auto", "", []string{"looked for podman, docker", "apt-get install"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fakeCLIs(t, tc.clis)
			cli, err := DetectEngine(tc.engine)
			if tc.want != "" {
				if err != nil || cli.Name() != tc.want {
					t.Fatalf("got %v, %v; want %s", cli, err, tc.want)
				}
				return
			}
			if !errors.Is(err, ErrNoEngine) {
				t.Fatalf("err = %v; want ErrNoEngine (exit 2 in the commands)", err)
			}
			for _, m := range tc.message {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("message lacks %q: %v", m, err)
				}
			}
		})
	}
}
