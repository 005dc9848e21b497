package awstoe_test

import (
	"os"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/awstoe"
)

// TestReadmeRules keeps the rule table in README.md identical to
// awstoe.Rules (go test -update rewrites it between the markers).
func TestReadmeRules(t *testing.T) {
	const begin, end = "<!-- rules:begin -->\n", "<!-- rules:end -->"
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q ... %q markers", begin, end)
	}
	var b strings.Builder
	b.WriteString("| Rule | Severity | What it catches |\n|---|---|---|\n")
	for _, r := range awstoe.Rules {
		b.WriteString("| `" + r.ID + "` | " + string(r.Severity) + " | " + strings.ReplaceAll(r.Description, "|", "\\|") + " |\n")
	}
	want := text[:i+len(begin)] + b.String() + text[j:]
	if *update {
		if err := os.WriteFile("README.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != text {
		t.Error("README.md rule table is out of date; run go test ./recipes/awstoe -update")
	}
}
