package shipping

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func repoRoot(t *testing.T) string {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

var (
	argRe  = regexp.MustCompile(`(?m)^ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(\S+)`)
	fromRe = regexp.MustCompile(`(?m)^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?`)
	// A pinned reference: registry host (with a dot), path, tag, digest.
	pinnedRe = regexp.MustCompile(`^[a-z0-9.-]+\.[a-z]+(?::[0-9]+)?/[a-z0-9._/-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$`)
)

// baseImages returns every image the Dockerfile's stages start FROM, with
// ARG defaults filled in and stage names left out.
func baseImages(dockerfile string) []string {
	args := map[string]string{}
	for _, m := range argRe.FindAllStringSubmatch(dockerfile, -1) {
		args[m[1]] = m[2]
	}
	stages := map[string]bool{}
	var images []string
	for _, m := range fromRe.FindAllStringSubmatch(dockerfile, -1) {
		ref := os.Expand(m[1], func(k string) string { return args[k] })
		if ref != "scratch" && !stages[strings.ToLower(ref)] {
			images = append(images, ref)
		}
		if m[2] != "" {
			stages[strings.ToLower(m[2])] = true // later stages may start FROM it
		}
	}
	return images
}

// TestDockerfileBaseImagesArePinned: podman refuses short names, and a tag
// alone moves; every base image is fully qualified and pinned by digest.
func TestDockerfileBaseImagesArePinned(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	images := baseImages(string(data))
	if len(images) < 2 {
		t.Fatalf("found base images %v; expected the Go and busybox images", images)
	}
	for _, ref := range images {
		if !pinnedRe.MatchString(ref) {
			t.Errorf("Dockerfile: base image %q is not fully qualified and pinned by digest (registry/path:tag@sha256:...)", ref)
		}
	}
}

func TestBaseImagesDetectsShortNames(t *testing.T) {
	for _, tc := range []struct {
		dockerfile string
		bad        string
	}{
		{"FROM golang:1.26 AS build\nFROM scratch\n", "golang:1.26"},
		{"ARG B=busybox:1.37-musl\nFROM ${B} AS shell\n", "busybox:1.37-musl"},
		{"FROM docker.io/library/golang:1.26.8 AS build\n", "docker.io/library/golang:1.26.8"},
	} {
		images := baseImages(tc.dockerfile)
		if len(images) != 1 || images[0] != tc.bad || pinnedRe.MatchString(images[0]) {
			t.Errorf("%q: images %v; want %q refused", tc.dockerfile, images, tc.bad)
		}
	}
	if got := baseImages("FROM scratch AS a\nFROM a AS b\nARG X=b\nFROM ${X}\n"); len(got) != 0 {
		t.Errorf("stages and scratch are not images: %v", got)
	}
}

// TestDockerfileGoMatchesGoMod: the Go image sets GOTOOLCHAIN=local, so it
// must be go.mod's version.
func TestDockerfileGoMatchesGoMod(t *testing.T) {
	root := repoRoot(t)
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	data, _ := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if !strings.Contains(string(data), "/golang:"+string(m[1])+"@sha256:") {
		t.Errorf("Dockerfile's Go image is not golang:%s (go.mod's go directive)", m[1])
	}
}

// TestPinsNameOneVersion: action.yml, the composite action, the GitLab
// template and the docs pin one release, and the release check refuses a
// stray pin (the release workflow runs the same script against the tag).
func TestPinsNameOneVersion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	root := repoRoot(t)
	script := filepath.Join(root, "scripts/release-version.sh")
	if out, err := exec.Command(script, "check").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// A copy with one stale pin must fail, naming the file.
	dir := t.TempDir()
	for _, rel := range []string{"action.yml", "composite/action.yml", ".gitlab-ci-template.yml", "docs/github.md"} {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		if rel == "docs/github.md" {
			data = regexp.MustCompile(`ibgitops/ibgitops@v[0-9.]+`).ReplaceAll(data, []byte("ibgitops/ibgitops@v0.0.0"))
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(script, "check")
	cmd.Env = append(os.Environ(), "IBGITOPS_ROOT="+dir)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "docs/github.md") {
		t.Errorf("a stale pin in docs/github.md passed the check (err %v):\n%s", err, out)
	}
}

// TestActionUsesPublishedImage: the Docker action runs the image the
// release publishes for its version, not a Dockerfile compiled in the job.
func TestActionUsesPublishedImage(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^\s+image: docker://ghcr\.io/ibgitops/ibgitops:v[0-9]+\.[0-9]+\.[0-9]+$`).Match(data) {
		t.Errorf("action.yml does not run docker://ghcr.io/ibgitops/ibgitops:vX.Y.Z")
	}
}

// TestPreCommitHooksRunOnEveryCommit: lint reads the whole repository and a
// documentFile or Dockerfile template may have any name, so a filter on
// file names would skip commits that break lint (a template-only change).
func TestPreCommitHooksRunOnEveryCommit(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hooks []map[string]any
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) == 0 {
		t.Fatal("no hooks")
	}
	for _, h := range hooks {
		if h["always_run"] != true || h["pass_filenames"] != false || h["files"] != nil {
			t.Errorf("hook %v: want always_run: true, pass_filenames: false and no files filter", h["id"])
		}
		if entry, _ := h["entry"].(string); entry != "ibgitops lint" {
			t.Errorf("hook %v: entry %q (root discovery finds ibgitops.yaml; args: [--root, DIR] overrides)", h["id"], entry)
		}
	}
}
