package recipes

import (
	"strings"
	"testing"
)

// TestAddedReasonIsASentence: a new resource's reason never ends with a
// dangling "at version " when the file has no usable version.
func TestAddedReasonIsASentence(t *testing.T) {
	for _, tc := range []struct {
		kind    Kind
		version string
		want    string
	}{
		{KindComponent, "1.2.3", "new component at version 1.2.3"},
		{KindComponent, "", "new component without a valid version (lint names the fix)"},
		{KindImageRecipe, "", "without a valid version"},
		{KindPipeline, "", "new "},
	} {
		d := ResourceDiff{Key: Key{Kind: tc.kind, Name: "x"}, Change: ChangeAdded, Head: &Meta{Version: tc.version}}
		got := added(d).Reason
		if !strings.Contains(got, tc.want) || strings.HasSuffix(got, "version ") {
			t.Errorf("%s %q: reason %q, want it to contain %q", tc.kind, tc.version, got, tc.want)
		}
	}
}
