package report

import (
	"strings"
	"testing"
)

func TestStickyMarkerMatchesOnlyTheFirstLineOfItsOwnRoot(t *testing.T) {
	top, images := StickyMarker("."), StickyMarker("images")
	if top == images || StickyMarker("images/") != images || StickyMarker("./images") != images {
		t.Fatalf("markers: %q %q %q", top, images, StickyMarker("./images"))
	}
	cases := []struct {
		name    string
		comment string
		want    bool
	}{
		{"ours", images + "\n### ✅ passed", true},
		{"ours with CRLF", images + "\r\n### ✅ passed", true},
		{"ours, marker only", images, true},
		{"quoted after text", "the bot said:\n" + images + "\n### ✅ passed", false},
		{"quoted in the first line", "> " + images, false},
		{"echoed by another workflow", "PR text: " + images + " hijack", false},
		{"the other root's comment", top + "\n### ✅ passed", false},
		{"the marker before ibgitops carried a root", "<!-- ibgitops:report -->\n### ✅ passed", false},
		{"a longer marker", strings.TrimSuffix(images, " -->") + "x -->", false},
		{"empty", "", false},
	}
	for _, c := range cases {
		if got := IsSticky(c.comment, images); got != c.want {
			t.Errorf("%s: IsSticky = %v, want %v", c.name, got, c.want)
		}
	}
	// A root with characters an HTML comment or a line cannot hold.
	m := StickyMarker("a-->b\n::x" + strings.Repeat("y", 300))
	if strings.Count(m, "-->") != 1 || strings.Contains(m, "\n") || len(m) > 200 {
		t.Errorf("marker %q", m)
	}
}
