// Package diag holds the finding type every checker in ibgitops reports:
// the repository linter, the AWSTOE document validator and `toe validate`.
// It is a leaf package so that recipes and recipes/awstoe can share it
// without importing each other.
package diag

import (
	"fmt"
	"sort"
)

// Severity of a finding. Only errors fail lint (exit code 1).
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Pos is a position in a file, 1-based. Line 0 means "the whole file".
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Finding is one lint result. File is relative to the repository root
// (forward slashes) so that every host can link it.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Message  string   `json:"message"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s [%s]", f.File, f.Line, f.Column, f.Severity, f.Message, f.Rule)
}

// Sort orders findings by file, line, column and rule so output is stable.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Rule < b.Rule
	})
}

// Count returns the number of error and warning findings.
func Count(fs []Finding) (errors, warnings int) {
	for _, f := range fs {
		if f.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// Counted writes n with its noun in the right number: "1 error",
// "2 errors", "0 warnings" (nouns that take -s).
func Counted(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Summary is the findings count every printer and progress line uses:
// "1 error, 0 warnings".
func Summary(errors, warnings int) string {
	return Counted(errors, "error") + ", " + Counted(warnings, "warning")
}
