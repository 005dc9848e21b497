package recipes

import (
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/ibgitops/ibgitops/recipes/diag"
)

func TestAMINameIsPerBuild(t *testing.T) {
	cases := map[string]bool{
		"golden-{{ imagebuilder:buildDate }}":     true,
		"{{imagebuilder:buildDate}}-golden":       true,
		"golden {{  imagebuilder:buildVersion }}": true,
		"golden":                                false,
		"golden-{{ imagebuilder:parentImage }}": false, // not per build
		"golden-buildDate":                      false,
		"golden-{{ buildDate }}":                false,
	}
	for name, want := range cases {
		if got := AMINameIsPerBuild(name); got != want {
			t.Errorf("AMINameIsPerBuild(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestAMINameSeverity: the ami-name case's fixed name is an error where a
// scheduled pipeline uses the distribution (it fails on its own every
// week), a warning where only manual builds do; a disabled schedule does
// not count.
func TestAMINameSeverity(t *testing.T) {
	m := fstest.MapFS{}
	readTree(t, m, filepath.Join(lintCases, "_base"), "_base")
	readTree(t, m, filepath.Join(lintCases, "ami-name"), "")
	_, findings, err := Load(m)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]diag.Severity{}
	for _, f := range findings {
		if f.Rule == RuleAMIName {
			got[f.File] = f.Severity
		}
	}
	want := map[string]diag.Severity{"dist-scheduled.yaml": diag.Error, "dist-manual.yaml": diag.Warning}
	if len(got) != len(want) || got["dist-scheduled.yaml"] != want["dist-scheduled.yaml"] || got["dist-manual.yaml"] != want["dist-manual.yaml"] {
		t.Errorf("ami-name findings by file: %v, want %v", got, want)
	}

	// The same scheduled pipeline, disabled: only a warning.
	m["pipeline-scheduled.yaml"] = &fstest.MapFile{Data: append(append([]byte{}, m["pipeline-scheduled.yaml"].Data...), []byte("status: DISABLED\n")...)}
	_, findings, err = Load(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if f.Rule == RuleAMIName && f.Severity != diag.Warning {
			t.Errorf("with the schedule disabled: %s", f)
		}
	}
}
