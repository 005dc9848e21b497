package e2e

import (
	"os"
	"testing"
)

// knownBugs are cases of this package that fail today because of a bug in
// another package, with the exact reproduction. They fail (that is the bug
// report) unless IBGITOPS_E2E_SKIP_KNOWN=1, which skips them naming the
// bug, for a CI that must stay green until the owner fixes it. Remove an
// entry when its bug is fixed.
var knownBugs = map[string]string{
	"TestLocalTwoRunsAtOnce": "no lock on the local backend: two `ibgitops build --only R` of the same recipe version on one repository, started together, " +
		"both build it (store records build 1 and build 2, both succeeded, the second re-tags localhost/R:1.0.0); neither says another run is building it",
}

func knownBug(t *testing.T) {
	t.Helper()
	bug, ok := knownBugs[t.Name()]
	if !ok {
		return
	}
	if os.Getenv("IBGITOPS_E2E_SKIP_KNOWN") == "1" {
		t.Skip("known bug: " + bug)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("known bug: " + bug)
		} else {
			t.Errorf("fixed? this case passes now: remove it from knownBugs (%s)", bug)
		}
	})
}
