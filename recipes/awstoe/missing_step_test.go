package awstoe

import (
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/diag"
)

// TestMissingStepIsAnError: a chaining reference to a step the phase does
// not have (no close name to suggest) is an error by default, because the
// run would fail at that step after earlier steps changed the machine,
// and a warning only with AllowMissingSteps; references in inputs, in if,
// in a loop, and to inputs or outputs alike.
func TestMissingStepIsAnError(t *testing.T) {
	for _, use := range []string{
		"inputs:\n          commands: ['echo {{ build.GeneratedLater.outputs.stdout }}']",
		"inputs:\n          commands: ['echo {{ build.GeneratedLater.inputs[0].path }}']",
		"if:\n          stringEquals: x\n          value: '{{ build.GeneratedLater.outputs.stdout }}'\n        inputs:\n          commands: [echo]",
		"loop:\n          forEach: ['{{ build.GeneratedLater.outputs.stdout }}']\n        inputs:\n          commands: ['echo {{ loop.value }}']",
	} {
		doc := "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: First\n        action: ExecuteBash\n        inputs:\n          commands: [echo]\n      - name: Uses\n        action: ExecuteBash\n        " + use + "\n"
		d, fs := Parse([]byte(doc), "d.yaml")
		if d == nil || len(fs) > 0 {
			t.Fatalf("parse: %v", fs)
		}
		for _, allow := range []bool{false, true} {
			want := diag.Error
			if allow {
				want = diag.Warning
			}
			var got []diag.Finding
			for _, f := range d.Validate(ValidateOptions{Platform: PlatformLinux, AllowMissingSteps: allow}) {
				if f.Rule == RuleUnknownReference && strings.Contains(f.Message, "GeneratedLater") {
					got = append(got, f)
				}
			}
			if len(got) != 1 || got[0].Severity != want {
				t.Errorf("%q, allow %t: %v, want one %s", use, allow, got, want)
			}
		}
	}
}
