package e2e

// Fault injection on the local backend (podman): SIGKILL and SIGINT in the
// middle of a build, then a re-run. Skipped without podman and the base
// image, and with -short (each case builds twice: about a minute on the
// shared 2-core machine).

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const baseImage = "localhost/ibgitops-base:latest"

func needPodman(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the local fault tests build images (about a minute each)")
	}
	if os.Getenv("IBGITOPS_SKIP_ENGINE_TESTS") == "1" {
		t.Skip("IBGITOPS_SKIP_ENGINE_TESTS=1")
	}
	if _, err := exec.LookPath("podman"); err != nil {
		t.Skip("podman is not installed (scripts/setup-engine.sh installs it)")
	}
	if out, err := exec.Command("podman", "image", "exists", baseImage).CombinedOutput(); err != nil {
		t.Skipf("%s is missing (scripts/base-image.sh makes it): %v %s", baseImage, err, out)
	}
}

func podman(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("podman", args...).CombinedOutput()
	if err != nil {
		t.Logf("podman %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// localRepo is a one-recipe repository whose only component sleeps in its
// build phase, so there is time to interrupt it. The recipe name is unique
// per test: image tags are global to the engine.
func localRepo(t *testing.T) (dir, recipe string) {
	t.Helper()
	recipe = fmt.Sprintf("e2e-fault-%d", rand.IntN(1<<30))
	dir = t.TempDir()
	write(t, filepath.Join(dir, "ibgitops.yaml"), "backend: local\nlocal:\n  engine: podman\n  store: .ibgitops\n")
	os.MkdirAll(filepath.Join(dir, "components"), 0o755)
	os.MkdirAll(filepath.Join(dir, "recipes"), 0o755)
	write(t, filepath.Join(dir, "components", "slow.yaml"), `kind: Component
name: e2e-slow
version: 1.0.0
platform: Linux
document:
  schemaVersion: 1.0
  phases:
    - name: build
      steps:
        - name: Slow
          action: ExecuteBash
          inputs:
            commands:
              - for i in 1 2 3 4 5 6; do echo "step $i"; sleep 1; done
              - echo built > /etc/e2e-built
    - name: test
      steps:
        - name: Built
          action: ExecuteBash
          inputs:
            commands:
              - test -f /etc/e2e-built
`)
	write(t, filepath.Join(dir, "recipes", "r.yaml"), `kind: ImageRecipe
name: `+recipe+`
version: 1.0.0
parentImage: arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x
components:
  - name: e2e-slow
local:
  parentImage: `+baseImage+`
`)
	t.Cleanup(func() {
		for _, id := range strings.Fields(podman(t, "ps", "-aq", "--filter", "label=ibgitops.recipe="+recipe)) {
			podman(t, "rm", "-f", id)
		}
		for _, ref := range []string{"localhost/" + recipe + ":1.0.0"} {
			podman(t, "rmi", "-f", ref)
		}
		for _, id := range strings.Fields(podman(t, "images", "-q", "--filter", "label=ibgitops.recipe="+recipe)) {
			podman(t, "rmi", "-f", id)
		}
	})
	return dir, recipe
}

type storeRecord struct {
	Recipe, Version, Status, Image, ImageID string
	BuildNumber                             int
}

func storeRecords(t *testing.T, dir, recipe string) []storeRecord {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, ".ibgitops", "images", recipe, "*.json"))
	var out []storeRecord
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r storeRecord
		if err := json.Unmarshal(data, &r); err != nil {
			t.Errorf("store record %s does not parse (half-written?): %v", f, err)
			continue
		}
		out = append(out, r)
	}
	return out
}

// engineState is what the engine holds for the recipe: containers (any
// state) and images carrying its label, and whether its tag exists.
func engineState(t *testing.T, recipe string) (containers, images []string, tagged bool) {
	containers = strings.Fields(podman(t, "ps", "-aq", "--filter", "label=ibgitops.recipe="+recipe))
	images = strings.Fields(podman(t, "images", "-q", "--filter", "label=ibgitops.recipe="+recipe))
	tagged = exec.Command("podman", "image", "exists", "localhost/"+recipe+":1.0.0").Run() == nil
	return
}

func TestLocalInterruptAndRerun(t *testing.T) {
	t.Parallel()
	needPodman(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			dir, recipe := localRepo(t)
			args := []string{"build", "--root", dir, "--only", recipe}
			p := startIbg(t, runOpts{dir: dir}, args...)
			// Interrupt once the build container is running the slow step,
			// at a random moment of its 6 seconds.
			deadline := time.Now().Add(3 * time.Minute)
			for !strings.Contains(p.stderr.String(), "e2e-slow") && time.Now().Before(deadline) && p.running() {
				time.Sleep(100 * time.Millisecond)
			}
			time.Sleep(time.Duration(500+rand.IntN(3000)) * time.Millisecond)
			p.cmd.Process.Signal(sig)
			first := p.wait(t, 3*time.Minute)
			t.Logf("interrupted run (%v): exit %d\n%s", sig, first.code, clip(first.stderr))
			if first.timedOut {
				t.Fatalf("the interrupted run did not end: %s", first)
			}
			if sig == syscall.SIGINT {
				assertSane(t, first)
				if first.code == 0 {
					t.Errorf("an interrupted build exited 0: %s", first)
				}
			}
			// Give the engine a moment: podman children of a SIGKILLed
			// parent finish on their own.
			time.Sleep(2 * time.Second)
			containers, images, tagged := engineState(t, recipe)
			recs := storeRecords(t, dir, recipe)
			t.Logf("after the interrupt: %d containers, %d labelled images, tagged=%v, %d store records", len(containers), len(images), tagged, len(recs))
			for _, r := range recs {
				if r.Status == "succeeded" {
					t.Errorf("a succeeded record after an interrupted build: %+v", r)
				}
			}
			if tagged {
				t.Errorf("localhost/%s:1.0.0 is tagged after an interrupted build (half-tagged image)", recipe)
			}
			if sig == syscall.SIGINT && len(containers) != 0 {
				t.Errorf("orphaned containers after SIGINT: %v (podman ps -a --filter label=ibgitops.recipe=%s)", containers, recipe)
			}
			if sig == syscall.SIGKILL && len(containers) != 0 {
				t.Logf("after SIGKILL, %d container(s) of the killed run remain until a re-run or Cleanup removes them", len(containers))
			}

			again := run(t, runOpts{dir: dir, timeout: 4 * time.Minute}, args...)
			assertSane(t, again)
			if again.code != 0 {
				t.Fatalf("re-run: %s", again)
			}
			containers, _, tagged = engineState(t, recipe)
			if !tagged {
				t.Errorf("re-run succeeded but localhost/%s:1.0.0 is not tagged", recipe)
			}
			if len(containers) != 0 {
				t.Errorf("orphaned containers after the re-run: %v (podman ps -a --filter label=ibgitops.recipe=%s): the killed run's containers are never removed", containers, recipe)
			}
			succeeded := 0
			final := storeRecords(t, dir, recipe)
			t.Logf("store after the re-run: %+v", final)
			for _, r := range final {
				switch r.Status {
				case "succeeded", "failed", "cancelled", "skipped", "abandoned":
					// abandoned: the re-run found the killed run's record
				default:
					t.Errorf("store record left in state %q by the interrupted run (the store says it is still building): %+v", r.Status, r)
				}
				if r.Status == "succeeded" {
					succeeded++
					if id := podman(t, "image", "inspect", "--format", "{{.Id}}", "localhost/"+recipe+":1.0.0"); !strings.HasPrefix(id, strings.TrimPrefix(r.ImageID, "sha256:")) && !strings.HasPrefix(r.ImageID, id) {
						t.Errorf("store record image id %s, tag points at %s", r.ImageID, id)
					}
				}
			}
			if succeeded != 1 {
				t.Errorf("%d succeeded store records for %s 1.0.0, want 1", succeeded, recipe)
			}
		})
	}
}

// TestLocalTwoRunsAtOnce starts two builds of the same recipe version on
// one repository and engine: one image version must result, and the run
// that did not build it must say why.
func TestLocalTwoRunsAtOnce(t *testing.T) {
	t.Parallel()
	needPodman(t)
	dir, recipe := localRepo(t)
	args := []string{"build", "--root", dir, "--only", recipe}
	a := startIbg(t, runOpts{dir: dir}, args...)
	b := startIbg(t, runOpts{dir: dir}, args...)
	ra, rb := a.wait(t, 4*time.Minute), b.wait(t, 4*time.Minute)
	for _, r := range []result{ra, rb} {
		assertSane(t, r)
		t.Logf("exit %d\n%s%s", r.code, clip(r.stdout), clip(r.stderr))
	}
	succeeded := 0
	for _, r := range storeRecords(t, dir, recipe) {
		if r.Status == "succeeded" {
			succeeded++
		}
	}
	if succeeded != 1 {
		t.Errorf("%d succeeded builds of %s 1.0.0 from two concurrent runs, want 1 (the second should wait for or reuse the first): the tag was overwritten", succeeded, recipe)
	}
	if both := ra.output() + rb.output(); !strings.Contains(both, "waiting") && !strings.Contains(both, "another") {
		t.Errorf("neither run says it waited for the other:\n%s\n%s", ra, rb)
	}
	if ra.code != 0 && rb.code != 0 {
		t.Errorf("both runs failed:\n%s\n%s", ra, rb)
	}
	containers, _, _ := engineState(t, recipe)
	if len(containers) != 0 {
		t.Errorf("orphaned containers after two concurrent runs: %v", containers)
	}
}

// TestNoSecretsInLocalBuild builds on podman with every fake token in the
// environment, from a component that dumps its environment into the image
// and its log: neither the image, the store, the logs nor the output may
// hold a token (the build containers must not inherit the host's
// environment).
func TestNoSecretsInLocalBuild(t *testing.T) {
	t.Parallel()
	needPodman(t)
	dir, recipe := localRepo(t)
	write(t, filepath.Join(dir, "components", "slow.yaml"), `kind: Component
name: e2e-slow
version: 1.0.0
platform: Linux
document:
  schemaVersion: 1.0
  phases:
    - name: build
      steps:
        - name: DumpEnv
          action: ExecuteBash
          inputs:
            commands:
              - env | tee /etc/e2e-env
    - name: test
      steps:
        - name: Env
          action: ExecuteBash
          inputs:
            commands:
              - env
`)
	r := run(t, runOpts{dir: dir, env: secretEnv(), timeout: 4 * time.Minute}, "build", "--root", dir, "--only", recipe)
	assertSane(t, r)
	if r.code != 0 {
		t.Fatalf("build: %s", r)
	}
	for _, l := range append(leaks("stdout", r.stdout), leaks("stderr", r.stderr)...) {
		t.Errorf("secret leaked: %s", l)
	}
	for _, l := range filesLeaks(t, dir) {
		t.Errorf("secret leaked into the store or logs: %s", l)
	}
	out, err := exec.Command("podman", "run", "--rm", "localhost/"+recipe+":1.0.0", "cat", "/etc/e2e-env").CombinedOutput()
	if err != nil {
		t.Fatalf("reading the environment the build saw: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PATH=") {
		t.Fatalf("the build's environment dump is empty: %s", out)
	}
	for _, l := range leaks("the image's /etc/e2e-env", string(out)) {
		t.Errorf("secret baked into the image: %s", l)
	}
}
