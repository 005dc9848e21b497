package awstoe_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/ibgitops/ibgitops/recipes/diag"
)

type noHost struct{}

func (noHost) BinaryExists(string) bool                { return false }
func (noHost) FileExists(string) bool                  { return false }
func (noHost) FolderExists(string) bool                { return false }
func (noHost) FileHash(string, string) (string, error) { return "", nil }

// FuzzParse: no input may panic Parse, Validate, condition evaluation or
// expansion, and every finding must carry a rule and a file.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"testdata/cases/*.yaml", "testdata/valid/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("schemaVersion: 1.0\nphases: [{name: build, steps: [{name: a, action: Assert, inputs: {numberEquals: 1, value: '{{ x }}'}}]}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, fs := awstoe.Parse(data, "f.yaml")
		fs = append(fs, d.Validate(awstoe.ValidateOptions{Platform: awstoe.InferPlatform(d)})...)
		for _, x := range fs {
			if x.Rule == "" || x.File != "f.yaml" || (x.Severity != diag.Error && x.Severity != diag.Warning) {
				t.Fatalf("malformed finding %+v", x)
			}
		}
		if d == nil {
			return
		}
		r := awstoe.LookupFunc(func(ref string) (string, bool) { return strings.ToUpper(ref), !strings.HasPrefix(ref, "x") })
		for _, ph := range d.Phases {
			for _, s := range ph.Steps {
				for _, c := range []*awstoe.Condition{s.If, s.Assertion} {
					if c != nil {
						_, _ = awstoe.EvalCondition(c, r, noHost{})
					}
				}
				if s.Loop != nil && s.Loop.ForEach != nil {
					_, _ = s.Loop.ForEach.Items(func(x string) (string, error) { return awstoe.Expand(x, r) })
				}
				if s.Loop != nil && s.Loop.For != nil && s.Loop.For.Count() < 0 {
					t.Fatalf("negative iteration count for %+v", s.Loop.For)
				}
			}
		}
		for _, ref := range awstoe.FindRefs(string(data)) {
			if ref.Start < 0 || ref.End > len(data) || ref.Start >= ref.End || !strings.HasPrefix(string(data[ref.Start:ref.End]), "{{") {
				t.Fatalf("bad ref offsets %+v", ref)
			}
		}
	})
}

func TestBadInputBounds(t *testing.T) {
	t.Run("huge", func(t *testing.T) {
		data := []byte("schemaVersion: 1.0\ndescription: '" + strings.Repeat("x", awstoe.MaxDocumentBytes) + "'\n")
		d, fs := awstoe.Parse(data, "huge.yaml")
		if d != nil || len(fs) != 1 || fs[0].Rule != awstoe.RuleTooLarge {
			t.Fatalf("want one %s finding, got %v", awstoe.RuleTooLarge, fs)
		}
	})
	t.Run("deep", func(t *testing.T) {
		data := "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: a, action: ExecuteBash, inputs: {commands: [" +
			strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "]}}]}]\n"
		d, fs := awstoe.Parse([]byte(data), "deep.yaml")
		fs = append(fs, d.Validate(awstoe.ValidateOptions{})...)
		if len(fs) == 0 {
			t.Fatal("a nested list as a command must be reported")
		}
	})
	t.Run("empty", func(t *testing.T) {
		for _, in := range []string{"", "---\n", "# only a comment\n", "~\n"} {
			_, fs := awstoe.Parse([]byte(in), "e.yaml")
			if len(fs) == 0 || fs[0].Line == 0 {
				t.Errorf("%q: want a finding with a line, got %v", in, fs)
			}
		}
	})
	t.Run("trailing empty document", func(t *testing.T) {
		data := "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: A\n        action: Reboot\n---\n"
		d, fs := awstoe.Parse([]byte(data), "t.yaml")
		fs = append(fs, d.Validate(awstoe.ValidateOptions{})...)
		if len(fs) != 0 {
			t.Errorf("want no findings, got %v", fs)
		}
	})
}

// TestParseNode: an inline document keeps the positions of the
// component file it sits in.
func TestParseNode(t *testing.T) {
	src := "kind: Component\nname: x\ndocument:\n  schemaVersion: 1.0\n  phases:\n    - name: build\n      steps:\n        - name: Bad Name\n          action: Reboot\n"
	var root yamlNode
	if err := root.unmarshal(src); err != nil {
		t.Fatal(err)
	}
	doc := root.mappingValue("document")
	d, fs := awstoe.ParseNode(doc, "components/x.yaml")
	fs = append(fs, d.Validate(awstoe.ValidateOptions{Platform: awstoe.PlatformLinux})...)
	if len(fs) != 1 || fs[0].Rule != awstoe.RuleStepName || fs[0].Line != 8 || fs[0].Column != 17 || fs[0].File != "components/x.yaml" {
		t.Fatalf("want one toe-step-name at components/x.yaml:8:17, got %v", fs)
	}
	if d.Phases[0].Steps[0].EffectiveTimeoutSeconds() != 7200 || d.Phases[0].Steps[0].EffectiveOnFailure() != "Abort" || d.Phases[0].Steps[0].EffectiveMaxAttempts() != 1 {
		t.Error("step defaults are not AWSTOE's (7200, Abort, 1)")
	}
}

func TestInputsValue(t *testing.T) {
	src := "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: P\n        action: CreateFolder\n        inputs:\n          - path: /x\n            permissions: 0755\n            overwrite: false\n      - name: Q\n        action: Reboot\n        inputs:\n          delaySeconds: 5\n"
	d, fs := awstoe.Parse([]byte(src), "p.yaml")
	if len(fs) != 0 {
		t.Fatal(fs)
	}
	item := d.Phases[0].Steps[0].InputsValue.([]any)[0].(map[string]any)
	if item["permissions"] != "0755" || item["overwrite"] != false || item["path"] != "/x" {
		t.Errorf("inputs decoded as %#v", item)
	}
	if got := d.Phases[0].Steps[1].InputsValue.(map[string]any)["delaySeconds"]; got != 5 {
		t.Errorf("delaySeconds decoded as %#v", got)
	}
}
