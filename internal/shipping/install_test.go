package shipping

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRelease writes what the release workflow publishes for version
// (archives named as goreleaser names them and checksums.txt) into a
// folder, with stand-in binaries that print their version.
func fakeRelease(t *testing.T, version string, tamper bool) string {
	dir := filepath.Join(t.TempDir(), version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var sums strings.Builder
	for _, arch := range []string{"amd64", "arm64"} {
		name := fmt.Sprintf("ibgitops_%s_linux_%s.tar.gz", strings.TrimPrefix(version, "v"), arch)
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		for _, name := range []string{"ibgitops", "ibgitops-full"} {
			bin := []byte("#!/bin/sh\necho " + name + " " + version + "\n")
			tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(bin))})
			tw.Write(bin)
		}
		tw.Close()
		gz.Close()
		data := buf.Bytes()
		fmt.Fprintf(&sums, "%x  %s\n", sha256.Sum256(data), name)
		if tamper {
			data = append(data, 0)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(sums.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(dir)
}

// TestCompositeInstall runs composite/install.sh as the composite action
// does, against a release served from files: it installs the checksummed
// binary and refuses one whose checksum does not match.
func TestCompositeInstall(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "tar", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s", tool)
		}
	}
	script := filepath.Join(repoRoot(t), "composite/install.sh")
	for _, tc := range []struct {
		name   string
		tamper bool
	}{{"verified", false}, {"tampered", true}} {
		t.Run(tc.name, func(t *testing.T) {
			releases := fakeRelease(t, "v9.8.7", tc.tamper)
			tmp := t.TempDir()
			ghPath, ghEnv := filepath.Join(tmp, "path"), filepath.Join(tmp, "env")
			cmd := exec.Command("bash", script)
			cmd.Env = append(os.Environ(), "VERSION=v9.8.7", "RUNNER_OS=Linux", "RUNNER_ARCH=X64",
				"RUNNER_TEMP="+tmp, "GITHUB_PATH="+ghPath, "GITHUB_ENV="+ghEnv,
				"IBGITOPS_RELEASES_URL=file://"+releases)
			out, err := cmd.CombinedOutput()
			if tc.tamper {
				if err == nil {
					t.Fatalf("a tampered archive was installed:\n%s", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(string(out), "ibgitops v9.8.7") {
				t.Errorf("the installed binary did not run:\n%s", out)
			}
			path, _ := os.ReadFile(ghPath)
			env, _ := os.ReadFile(ghEnv)
			bin := filepath.Join(strings.TrimSpace(string(path)), "ibgitops")
			full := filepath.Join(strings.TrimSpace(string(path)), "ibgitops-full")
			for _, b := range []string{bin, full} {
				if _, err := os.Stat(b); err != nil {
					t.Errorf("GITHUB_PATH %q holds no %s: %v", path, filepath.Base(b), err)
				}
			}
			// The build containers run ibgitops-full (toe run).
			if strings.TrimSpace(string(env)) != "IBGITOPS_BINARY="+full {
				t.Errorf("GITHUB_ENV = %q, want IBGITOPS_BINARY=%s", env, full)
			}
		})
	}
}
