// Package escape is the one escaping layer per output sink. Every byte that
// came from the repository under test (resource names, paths, messages,
// step names, log tails, commit subjects, branch names) goes through the
// function of the sink it is written to:
//
//   - Term, TermLines: a terminal or a CI log (stdout, stderr, progress).
//   - GitHubData, GitHubProperty: a GitHub workflow-command line.
//   - Inline, Code, CellCode, Block: markdown (the comment, the step
//     summary, report.md).
//
// Structured sinks (JSON, XML, GITHUB_OUTPUT heredocs, GitLab dotenv) are
// escaped by their encoders and writers, not here.
package escape

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Term makes s safe for one field of a line printed to a terminal or a CI
// log: control characters (C0, DEL, C1: ESC, CR, LF, NUL, ...), the
// Unicode bidirectional and line-separator controls and invalid UTF-8 are
// shown as \xNN or \uNNNN escapes, so s stays on its line and cannot move
// the cursor, recolour the screen or hide text. A field whose first
// non-space character is ':' has it escaped, so no line made of fields can
// start a GitHub workflow command ("::" after the spaces the runner trims),
// even when two fields meet. The legacy command prefix "##[", which the
// runner finds anywhere in a line, is broken, and so is a '#' ending the
// field, so that two fields cannot form it where they meet.
func Term(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	visible(&b, s, nil)
	return neutraliseCommands(b.String())
}

// TermLines is Term for text of several lines (a log tail, an error with
// a hint below it): each line is escaped as a field of its own, so no line
// can start a workflow command; CRLF and lone CR end lines as LF does.
func TermLines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Term(l)
	}
	return strings.Join(lines, "\n")
}

// Args escapes the strings, errors and Stringers among args with Term, for
// a Printf whose format is ibgitops' own and whose arguments are not.
func Args(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			out[i] = Term(v)
		case error:
			out[i] = Term(v.Error())
		case fmt.Stringer:
			out[i] = Term(v.String())
		default:
			out[i] = a
		}
	}
	return out
}

// GitHubData escapes the message of a workflow command (after "::cmd
// props::"): the runner decodes %25, %0D and %0A; other control
// characters are shown as escapes, since the log renders them.
func GitHubData(s string) string { return github(s, false) }

// GitHubProperty escapes a property value of a workflow command (file=,
// title=): as GitHubData, and ':' and ',' which end a property.
func GitHubProperty(s string) string { return github(s, true) }

func github(s string, property bool) string {
	var b strings.Builder
	visible(&b, s, func(r rune) (string, bool) {
		switch {
		case r == '%':
			return "%25", true
		case r == '\r':
			return "%0D", true
		case r == '\n':
			return "%0A", true
		case property && r == ':':
			return "%3A", true
		case property && r == ',':
			return "%2C", true
		}
		return "", false
	})
	return b.String()
}

// isControl reports the runes that never reach a terminal raw.
func isControl(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, // bidi embeddings, overrides, isolates
		r == 0x200e, r == 0x200f, r == 0x061c, // bidi marks
		r == 0x2028, r == 0x2029, // line and paragraph separators
		r == 0xfeff: // byte-order mark
		return true
	}
	return false
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == ':' || c == '#' {
			return false
		}
	}
	return true
}

// visible writes s with control runes and invalid bytes escaped; special,
// when set, picks its own replacement first.
func visible(b *strings.Builder, s string, special func(rune) (string, bool)) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if special != nil {
			if rep, ok := special(r); ok {
				b.WriteString(rep)
				i += size
				continue
			}
		}
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(b, `\x%02x`, s[i])
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && isControl(r):
			fmt.Fprintf(b, `\x%02x`, r)
		case isControl(r):
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
}

// neutraliseCommands breaks what the GitHub runner reads as a workflow
// command in an escaped field: a ':' first after whitespace, "##["
// anywhere and a '#' last.
func neutraliseCommands(s string) string {
	s = neutraliseLine(s)
	if strings.HasSuffix(s, "#") {
		s = s[:len(s)-1] + `\x23`
	}
	return s
}

// neutraliseLine breaks a workflow command in a whole line: a ':' first
// after whitespace and "##[" anywhere. Markdown code (spans and blocks)
// cannot hold escapes, so the escape shows there as the text \x3a or
// \x23, the same spelling the terminal gets; markdown is printed to CI
// logs too (plan --format markdown, status --format markdown).
func neutraliseLine(s string) string {
	rest := strings.TrimLeftFunc(s, unicode.IsSpace)
	if strings.HasPrefix(rest, ":") {
		s = s[:len(s)-len(rest)] + `\x3a` + rest[1:]
	}
	if strings.Contains(s, "##[") {
		s = strings.ReplaceAll(s, "##[", `#\x23[`)
	}
	return s
}
