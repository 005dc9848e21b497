package awstoe_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/awstoe"
)

func TestFindRefs(t *testing.T) {
	tests := []struct {
		in   string
		want []awstoe.Ref
	}{
		{"no refs", nil},
		{"{{A}}", []awstoe.Ref{{Start: 0, End: 5, Expr: "A"}}},
		{"x {{  build.S.outputs.stdout }} y {{loop.value}}", []awstoe.Ref{
			{Start: 2, End: 31, Expr: "build.S.outputs.stdout"}, {Start: 34, End: 48, Expr: "loop.value"}}},
		{"open {{ never closed", nil},
		{"{{ }}", []awstoe.Ref{{Start: 0, End: 5, Expr: ""}}},
		{"{{ a }}{{ b }}", []awstoe.Ref{{Start: 0, End: 7, Expr: "a"}, {Start: 7, End: 14, Expr: "b"}}},
	}
	for _, tt := range tests {
		if got := awstoe.FindRefs(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("FindRefs(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestExpand(t *testing.T) {
	r := awstoe.MapResolver{"Name": "world", "build.S.outputs.stdout": "42", "Empty": ""}
	tests := []struct {
		in, want string
		missing  []string
	}{
		{"hello {{ Name }}!", "hello world!", nil},
		{"{{Name}}{{ build.S.outputs.stdout }}", "world42", nil},
		{"[{{ Empty }}]", "[]", nil},
		{"{{ loop.value }} and {{ Name }}", "{{ loop.value }} and world", []string{"loop.value"}},
		{"plain", "plain", nil},
	}
	for _, tt := range tests {
		got, err := awstoe.Expand(tt.in, r)
		if got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
		var ue *awstoe.UnresolvedError
		switch {
		case tt.missing == nil && err != nil:
			t.Errorf("Expand(%q) error %v", tt.in, err)
		case tt.missing != nil && (!errors.As(err, &ue) || !reflect.DeepEqual(ue.Refs, tt.missing)):
			t.Errorf("Expand(%q) error %v, want unresolved %v", tt.in, err, tt.missing)
		}
	}
	// A value containing braces is not expanded again.
	got, err := awstoe.Expand("{{ A }}", awstoe.LookupFunc(func(string) (string, bool) { return "{{ A }}", true }))
	if got != "{{ A }}" || err != nil {
		t.Errorf("recursive expansion: %q %v", got, err)
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		in   string
		want awstoe.ParsedRef
		err  bool
	}{
		{"Name", awstoe.ParsedRef{Kind: awstoe.RefVariable, Name: "Name", Index: -1}, false},
		{"build.Dl.inputs[1].source", awstoe.ParsedRef{Kind: awstoe.RefChain, Phase: "build", Step: "Dl", Field: "inputs", Index: 1, Key: "source"}, false},
		{"validate.V.outputs.stdout", awstoe.ParsedRef{Kind: awstoe.RefChain, Phase: "validate", Step: "V", Field: "outputs", Index: -1, Key: "stdout"}, false},
		{"loop.index", awstoe.ParsedRef{Kind: awstoe.RefLoop, Name: "loop", Field: "index", Index: -1}, false},
		{"myLoop.value", awstoe.ParsedRef{Kind: awstoe.RefLoop, Name: "myLoop", Field: "value", Index: -1}, false},
		{"env:ProgramFiles(x86)", awstoe.ParsedRef{Kind: awstoe.RefEnv, Name: "ProgramFiles(x86)", Index: -1}, false},
		{"context:region", awstoe.ParsedRef{Kind: awstoe.RefContext, Name: "region", Index: -1}, false},
		{"aws:ssm:/a/b", awstoe.ParsedRef{Kind: awstoe.RefSSM, Name: "/a/b", Index: -1}, false},
		{"aws:ssm:resolve(P)", awstoe.ParsedRef{Kind: awstoe.RefSSM, Name: "P", Resolve: true, Index: -1}, false},
		{"aws:imds:placement/region", awstoe.ParsedRef{Kind: awstoe.RefIMDS, Name: "placement/region", Index: -1}, false},
		{"", awstoe.ParsedRef{Index: -1}, true},
		{"env:", awstoe.ParsedRef{Index: -1}, true},
		{"aws:s3:x", awstoe.ParsedRef{Index: -1}, true},
		{"aws:ssm:resolve(P", awstoe.ParsedRef{Index: -1}, true},
		{"build.S.stdout", awstoe.ParsedRef{Index: -1}, true},
	}
	for _, tt := range tests {
		got, err := awstoe.ParseRef(tt.in)
		if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
