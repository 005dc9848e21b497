// Package escapetest checks printed output for what a hostile repository
// must never get into it: a line the GitHub runner reads as a workflow
// command that ibgitops did not mean, or a raw control character.
package escapetest

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Hostile are strings a fork controls (names, paths, messages, log lines),
// for table tests and fuzz seeds.
var Hostile = []string{
	"evil\n::error file=x.yaml,line=1::INJECTED\n::stop-commands::abc",
	"::add-mask::secret",
	"x\r::warning::carriage return",
	"\u00a0::error::unicode space",
	"\x1b[2J\x1b[1;1Hcleared\x00",
	"c1 \u009b31m, bidi \u202egnp.exe",
	"mid ##[stop-commands]tok",
	"a|b `c` @team <b>",
	"\xff\xfe",
}

// Own matches the workflow commands ibgitops prints itself: annotations
// whose properties and data carry no raw separator.
var Own = regexp.MustCompile(`^::(error|warning|notice) file=[^,:\r\n]*(,line=\d+)?(,col=\d+)?,title=[^,:\r\n]*::[^\r\n]*$`)

// AssertClean fails when out has a line starting a workflow command that
// own does not allow (nil: none allowed), the legacy "##[" prefix anywhere,
// or a raw control character other than tab and newline.
func AssertClean(t testing.TB, out string, own *regexp.Regexp) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output is not valid UTF-8:\n%q", out)
	}
	for _, line := range strings.Split(out, "\n") {
		trimmed := strings.TrimLeftFunc(line, unicode.IsSpace)
		mine := own != nil && own.MatchString(line)
		if strings.HasPrefix(trimmed, "::") && !mine {
			t.Fatalf("injected workflow command line %q in:\n%s", line, out)
		}
		// The runner tries the "::" form first, and a line of ours parses
		// as one, so "##[" in its data is never read as a command.
		if strings.Contains(line, "##[") && !mine {
			t.Fatalf("legacy workflow command in line %q", line)
		}
		for _, r := range line {
			if (r < 0x20 && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("raw control %U in line %q", r, line)
			}
		}
	}
}

// TableSeparators counts the cell separators GFM sees in a table row:
// every "|" not preceded by a backslash, code spans included (cmark-gfm's
// table_cell scanner reads "\\|" as an escaped pipe whatever precedes it).
func TableSeparators(row string) int {
	n := 0
	for i := 0; i < len(row); i++ {
		if row[i] == '|' && (i == 0 || row[i-1] != '\\') {
			n++
		}
	}
	return n
}
