package cli

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/backend/local"
)

var updateImages = flag.Bool("update-images", false, "rewrite testdata/images golden files")

func TestImagesListsTheStore(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "ibgitops.yaml"), []byte("local:\n  store: build-store\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := local.OpenStore(filepath.Join(root, "build-store"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i, r := range []*local.Record{
		{Recipe: "web", Version: "1.0.0", Status: backend.StatusSucceeded, Image: "localhost/web:1.0.0", Commit: "0123456789abcdef", ContentHash: "aaaaaaaaaaaaaaaaaaaa"},
		{Recipe: "base", Version: "2.1.0", Status: backend.StatusFailed, ContentHash: "bbbbbbbbbbbbbbbbbbbb"},
	} {
		r.Started = start.Add(time.Duration(i) * time.Hour)
		r.Finished = r.Started.Add(42 * time.Second)
		if err := store.Allocate(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ name, format, recipe string }{
		{"text", "text", ""},
		{"json-base", "json", "base"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, _ := cli(t, "images", "--root", root, "--format", c.format, "--recipe", c.recipe)
			if code != exitOK {
				t.Fatalf("exit %d", code)
			}
			golden := filepath.Join("testdata", "images", c.name+".golden")
			if *updateImages {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -run TestImages -update-images)", err)
			}
			if out != string(want) {
				t.Errorf("images %s:\n%s\nwant:\n%s", c.format, out, want)
			}
		})
	}
	if code, _, _ := cli(t, "images", "--root", root, "--format", "yaml", "--recipe", ""); code != exitCannot {
		t.Errorf("bad format: exit %d, want %d", code, exitCannot)
	}
}

func TestBuildCannotRun(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"unknown recipe", []string{"build", "--root", "../../testdata/demo", "--only", "nope", "--parallel", "2"}},
		{"bad parallel", []string{"build", "--root", "../../testdata/demo", "--only", "demo-base", "--parallel", "-1"}},
		{"missing root", []string{"build", "--root", "../../testdata/no-such-dir", "--only", "demo-base", "--parallel", "2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if code, _, _ := cli(t, c.args...); code != exitCannot {
				t.Errorf("exit %d, want %d", code, exitCannot)
			}
		})
	}
}
