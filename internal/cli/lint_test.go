package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestLintExitCodes(t *testing.T) {
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "infra.yaml"), []byte("kind: InfrastructureConfiguration\nname: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "notes.yaml"), []byte("# nothing yet\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "lint.json")
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"clean example", []string{"lint", "--root", "../../testdata/example", "--output", out}, exitOK},
		{"findings", []string{"lint", "--root", bad, "--format", "json", "--output", out}, exitFindings},
		{"missing root", []string{"lint", "--root", filepath.Join(bad, "nope")}, exitCannot},
		{"no resources", []string{"lint", "--root", empty}, exitFindings},
		{"no resources, allowed", []string{"lint", "--root", empty, "--allow-empty"}, exitOK},
		{"bad format", []string{"lint", "--root", bad, "--format", "yaml"}, exitCannot},
		{"unwritable output", []string{"lint", "--root", "../../testdata/example", "--output", filepath.Join(bad, "no", "dir", "x")}, exitCannot},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, _, _ := cli(t, c.args...); got != c.code {
				t.Fatalf("exit code %d, want %d", got, c.code)
			}
		})
	}
	// The json report of the "findings" run.
	cli(t, "lint", "--root", bad, "--format", "json", "--output", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Findings []struct{ Rule, File string }
		Summary  struct{ Files, Errors, Warnings int }
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if v.Summary.Files != 1 || v.Summary.Errors != 2 || len(v.Findings) != 2 || v.Findings[0].File != "infra.yaml" {
		t.Fatalf("report: %+v", v)
	}
}
