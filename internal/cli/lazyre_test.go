package cli

import (
	"testing"

	"github.com/ibgitops/ibgitops/internal/lazyre"
)

// TestRegexpsCompile: the regular expressions of every package linked into
// the CLI compile (they compile lazily, on first use).
func TestRegexpsCompile(t *testing.T) {
	for _, err := range lazyre.CompileAll() {
		t.Error(err)
	}
}
