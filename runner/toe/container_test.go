package toe

import (
	"github.com/ibgitops/ibgitops/internal/testutil"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// baseImage is the busybox + bash image the local backend builds on
// (scripts/base-image.sh makes it).
const baseImage = "localhost/ibgitops-base:latest"

// TestMain removes the static binary TestStaticBinaryInBaseImage builds.
func TestMain(m *testing.M) {
	defer testutil.RemoveBinaries()
	m.Run()
}

// TestStaticBinaryInBaseImage builds the static binary and runs the file
// and loop cases inside the busybox + bash base image, as the local backend
// does: ExecuteBash must need nothing beyond bash and busybox.
func TestStaticBinaryInBaseImage(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the container test")
	}
	podman, err := exec.LookPath("podman")
	if err != nil {
		t.Skip("no podman: the container test runs where an engine is installed (CI)")
	}
	if err := exec.Command(podman, "image", "exists", baseImage).Run(); err != nil {
		t.Skipf("no %s image: run scripts/base-image.sh first", baseImage)
	}
	dir := t.TempDir()
	bin, err := testutil.FullBinary("linux")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ibgitops"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"files.yaml", "loops.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata/cases", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	script := `mkdir -p /work && /t/ibgitops toe run -d /t/files.yaml,/t/loops.yaml --parameters Dir=/work,Uid=0,Gid=0 -l /tmp/logs 2>/dev/null; echo "exit=$?"`
	out, err := exec.Command(podman, "run", "--rm", "-v", dir+":/t:Z", baseImage, "sh", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("podman run: %v\n%s", err, out)
	}
	got := string(out)
	// loops.yaml has one failing step by design (IterationFails); files.yaml
	// must pass completely, including its stat/od checks through busybox.
	for _, want := range []string{`"failedStepCount": 1`, `"ignoredFailedStepCount": 3`, "Document /t/loops.yaml failed!", "exit=1"} {
		if !strings.Contains(got, want) {
			t.Errorf("container run output lacks %q:\n%s", want, got)
		}
	}
}
