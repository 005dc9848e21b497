package recipes

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/ibgitops/ibgitops/recipes/diag"
)

// TestFindingPositions: findings that the second layer reports point at
// the key or value they are about, taken from the raw structs.
func TestFindingPositions(t *testing.T) {
	standIn := &fstest.MapFile{Data: []byte("schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Update\n        action: ExecuteBash\n        inputs:\n          commands:\n            - echo update\n")}
	for _, c := range []struct {
		name  string
		files fstest.MapFS
		rule  string
		want  diag.Pos
	}{
		{"a stand-in pattern that path.Match refuses: its key", fstest.MapFS{
			"ibgitops.yaml":        {Data: []byte("local:\n  components:\n    \"arn:aws:imagebuilder:*:aws:component/[update\": standins/update.yaml\n")},
			"standins/update.yaml": standIn,
		}, RuleValuePattern, diag.Pos{Line: 3, Column: 5}},
		{"a stand-in document that is missing: its value", fstest.MapFS{
			"ibgitops.yaml": {Data: []byte("local:\n  components:\n    \"arn:*\": standins/none.yaml\n")},
		}, RuleFileRef, diag.Pos{Line: 3, Column: 14}},
		{"a missing infrastructure of a pipeline: its value", fstest.MapFS{
			"p.yaml": {Data: []byte("kind: ImagePipeline\nname: pipe\nimageRecipe: none-such\ninfrastructureConfiguration:  lost\n")},
		}, RuleRefMissing, diag.Pos{Line: 4, Column: 31}},
		// A list item that is no mapping must not shift the positions of
		// the items after it.
		{"a missing component after a bad item: its entry", fstest.MapFS{
			"r.yaml": {Data: []byte(shiftedRecipe)}, "c.yaml": baseComponent(t),
		}, RuleRefMissing, diag.Pos{Line: 7, Column: 5}},
		{"an undeclared parameter after a bad item: its key", fstest.MapFS{
			"r.yaml": {Data: []byte(shiftedRecipe)}, "c.yaml": baseComponent(t),
		}, RuleParamUndeclared, diag.Pos{Line: 10, Column: 7}},
		{"a fixed AMI name after a bad item: the name", fstest.MapFS{
			"d.yaml": {Data: []byte("kind: DistributionConfiguration\nname: shifted-dist\ndistributions:\n  - us-east-1\n  - region: eu-west-1\n    amiDistributionConfiguration:\n      name: fixed-name\n")},
		}, RuleAMIName, diag.Pos{Line: 7, Column: 13}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, findings, err := Load(c.files)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range findings {
				if f.Rule == c.rule && f.Line == c.want.Line && f.Column == c.want.Column {
					return
				}
			}
			t.Errorf("no %s finding at %d:%d in %v", c.rule, c.want.Line, c.want.Column, findings)
		})
	}
}

const shiftedRecipe = `kind: ImageRecipe
name: shifted
version: 1.0.0
parentImage: ami-0123456789abcdef0
components:
  - base-comp
  - name: no-such-comp
  - name: base-comp
    parameters:
      Unknown: value
`

// baseComponent is the lint cases' component base-comp (parameters
// Required and Optional).
func baseComponent(t *testing.T) *fstest.MapFile {
	data, err := os.ReadFile(filepath.Join(lintCases, "_base", "comp.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return &fstest.MapFile{Data: data}
}
