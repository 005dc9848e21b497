package recipes

import (
	"testing"
	"testing/fstest"
)

// Every distinct field pattern is compiled once per process and shared by
// the fields that spell it, and a form's pattern only when a value selects
// that form: compiling per field cost a sixth of a small plan's CPU.
func TestFieldPatternsCompileOnce(t *testing.T) {
	shared := []struct {
		name string
		a, b *Field
	}{
		{"component and recipe name", Schema(KindComponent).child("name"), Schema(KindImageRecipe).child("name")},
		{"recipe and pipeline name", Schema(KindImageRecipe).child("name"), Schema(KindPipeline).child("name")},
		{"image and container recipe version", Schema(KindImageRecipe).child("version"), Schema(KindContainerRecipe).child("version")},
	}
	for _, c := range shared {
		if c.a == nil || c.b == nil || c.a == c.b || c.a.Pattern != c.b.Pattern {
			t.Fatalf("%s: the test needs two fields with the same pattern", c.name)
		}
		c.a.accepts("x")
		c.b.accepts("x")
		if c.a.re == nil || c.a.re != c.b.re {
			t.Errorf("%s: compiled separately (%p, %p), want one shared *regexp.Regexp", c.name, c.a.re, c.b.re)
		}
	}

	// A recipe whose parent is an AMI id needs none of the other parentImage
	// forms, whose ARN pattern is among the costliest to compile. Earlier
	// tests compiled it already: start from an empty cache (no parallel
	// test runs while this sequential one does; fields compile again on
	// demand).
	imageARN := ibARNPattern("image")
	compiledPatterns.Clear()
	fsys := fstest.MapFS{
		"c.yaml": {Data: []byte("kind: Component\nname: hello\nversion: 1.0.0\nplatform: Linux\ndocument:\n  schemaVersion: 1.0\n  phases:\n    - name: build\n      steps:\n        - name: Hi\n          action: ExecuteBash\n          inputs:\n            commands: [echo hi]\n")},
		"r.yaml": {Data: []byte("kind: ImageRecipe\nname: web\nversion: 1.0.0\nparentImage: ami-0123456789abcdef0\ncomponents:\n  - name: hello\n")},
	}
	if _, findings, err := Load(fsys); err != nil || len(findings) > 0 {
		t.Fatalf("Load: %v %v", err, findings)
	}
	if _, done := compiledPatterns.Load(imageARN); done {
		t.Errorf("loading a recipe with parentImage ami-... compiled the image ARN form's pattern")
	}
	if _, done := compiledPatterns.Load(patAMI); !done {
		t.Errorf("the ami- form's pattern was not compiled: did the check run?")
	}
	if re := compiledPattern(imageARN); !re.MatchString("arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x") {
		t.Errorf("the image ARN pattern, compiled on demand, does not match an AWS-managed image ARN")
	}
}
