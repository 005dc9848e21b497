package cli

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/internal/ibfake"
)

// TestBuildBackendAWS runs `ibgitops build --backend aws` against the
// Image Builder fake through the standard AWS chain (AWS_ENDPOINT_URL).
func TestBuildBackendAWS(t *testing.T) {
	fake, err := ibfake.New(ibfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": srv.URL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDFAKE", "AWS_SECRET_ACCESS_KEY": "fakesecret",
		"AWS_PROFILE": "", "AWS_SESSION_TOKEN": "", "AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "IBGITOPS_AWS_POLL_INTERVAL": "1ms", "AWS_ENDPOINT_URL_IMAGEBUILDER": "", "AWS_ENDPOINT_URL_STS": "",
	} {
		t.Setenv(k, v)
	}
	root := filepath.Join("..", "..", "testdata", "example")
	code, out := executeOut(t, "build", "--backend", "aws", "--only", "app-server", "--root", root, "--dry-run")
	if code != exitOK || !strings.Contains(out, "dry run: would make") || !strings.Contains(out, "StartImagePipelineExecution pipeline=app-server-nightly") {
		t.Fatalf("dry run: exit %d\n%s", code, out)
	}
	for op := range fake.Calls() {
		if strings.HasPrefix(op, "Create") || strings.HasPrefix(op, "Update") || strings.HasPrefix(op, "Start") || strings.HasPrefix(op, "Tag") {
			t.Fatalf("dry run called %s", op)
		}
	}
	// app-server builds on recipe:base-linux, whose image was never built:
	// Image Builder would refuse the parent, so the build fails saying what
	// to run.
	code, out = executeOut(t, "build", "--backend", "aws", "--only", "app-server", "--root", root, "--dry-run=false")
	if code != exitFindings || !strings.Contains(out, "recipes/app-server.yaml:6: parentImage recipe:base-linux") || !strings.Contains(out, "ibgitops build --only base-linux,app-server") {
		t.Fatalf("build of the child alone: exit %d\n%s", code, out)
	}
	code, out = executeOut(t, "build", "--backend", "aws", "--only", "base-linux,app-server", "--root", root, "--dry-run=false")
	if code != exitOK || !strings.Contains(out, "succeeded  app-server") || !strings.Contains(out, "succeeded  base-linux") || !strings.Contains(out, "(eu-west-1)") {
		t.Fatalf("build: exit %d\n%s", code, out)
	}
	code, out = executeOut(t, "build", "--backend", "aws", "--only", "app-server", "--root", root)
	if code != exitOK || !strings.Contains(out, "skipped    app-server") {
		t.Fatalf("re-run: exit %d\n%s", code, out)
	}
	if n := fake.Calls()["StartImagePipelineExecution"]; n != 2 {
		t.Errorf("StartImagePipelineExecution called %d times, want 2 (base-linux, then app-server)", n)
	}
}
