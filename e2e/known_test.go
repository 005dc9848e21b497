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
	// Empty: every bug these tests found is fixed. Found and fixed on
	// 2026-12-01: UTF-16 resource files skipped silently; documentFile
	// through a symlink out of the repository; lint blocking on a FIFO;
	// release.tagPattern without {version} accepted by lint; plan accepting
	// main^{tree} and main:README.md as commits; duplicate component builds
	// and a raw ResourceAlreadyExistsException from two concurrent aws runs;
	// a recipe version built twice by two concurrent local runs.
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
