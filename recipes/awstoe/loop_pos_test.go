package awstoe

import (
	"fmt"
	"strings"
	"testing"
)

// TestForLoopFindingsPointAtTheLoop: whatever order the bounds are
// written in, block or flow style, a finding on a for loop is at its
// `for:` key. Before, it was at the mapping's first key, e.g. the line of
// `updateBy: 0` when that came first.
func TestForLoopFindingsPointAtTheLoop(t *testing.T) {
	faults := map[string]map[string]string{
		"updateBy 0":   {"start": "1", "end": "5", "updateBy": "0"},
		"never ends":   {"start": "5", "end": "1", "updateBy": "1"},
		"missing end":  {"start": "1", "updateBy": "1"},
		"not a number": {"start": "1", "end": "x", "updateBy": "1"},
	}
	orders := [][]string{
		{"start", "end", "updateBy"}, {"updateBy", "start", "end"}, {"end", "updateBy", "start"},
	}
	for name, bounds := range faults {
		for _, order := range orders {
			for _, flow := range []bool{false, true} {
				var kv []string
				for _, k := range order {
					if v, ok := bounds[k]; ok {
						kv = append(kv, k+": "+v)
					}
				}
				loop := "          for:\n            " + strings.Join(kv, "\n            ") + "\n"
				if flow {
					loop = "          for: {" + strings.Join(kv, ", ") + "}\n"
				}
				doc := "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: S\n        action: ExecuteBash\n        loop:\n" + loop + "        inputs:\n          commands: ['echo {{ loop.value }}']\n"
				d, findings := Parse([]byte(doc), "d.yaml")
				if d != nil {
					findings = append(findings, d.Validate(ValidateOptions{Platform: PlatformLinux})...)
				}
				label := fmt.Sprintf("%s, %v, flow %t", name, order, flow)
				n := 0
				for _, f := range findings {
					if f.Rule != RuleLoop && f.Rule != RuleType {
						continue
					}
					n++
					if f.Rule == RuleLoop && (f.Line != 8 || f.Column != 11) {
						t.Errorf("%s: %s at %d:%d, want 8:11 (the for: key)", label, f.Message, f.Line, f.Column)
					}
				}
				if n == 0 {
					t.Errorf("%s: no finding: %v", label, findings)
				}
			}
		}
	}
}
