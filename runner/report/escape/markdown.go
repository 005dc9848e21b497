package escape

import "strings"

// Inline escapes text for a markdown paragraph, list item or table cell
// (GitHub and GitLab flavours): it cannot open HTML, change the structure
// (tables, emphasis, links, headings, lists) or @-mention anyone. Newlines
// become spaces; control characters are shown as escapes.
func Inline(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range oneLine(s) {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '@':
			// A zero-width space after @ keeps GitHub and GitLab from
			// turning "@team" into a notification.
			b.WriteString("@&#8203;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '-', '+', '=', '#', ':':
			// Only at the start can these open a list, a heading
			// underline or a quote, or (':') a workflow command when the
			// markdown is printed to a CI log.
			if b.Len() == 0 {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Code returns s as an inline code span that s cannot close: the span uses
// more backticks than s holds in a row. Not for table cells: use CellCode.
func Code(s string) string {
	s = oneLine(s)
	if strings.Contains(s, "##[") {
		s = strings.ReplaceAll(s, "##[", `#\x23[`)
	}
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

// CellCode is Code for a table cell: GFM splits a row on every unescaped
// "|", even inside a code span, and shows "\|" in a cell's code span as
// "|".
func CellCode(s string) string {
	return strings.ReplaceAll(Code(s), "|", `\|`)
}

// Block returns s as a fenced code block that s cannot close, so a log tail
// shows as text: no HTML, no markdown, no mentions. Control characters
// other than newlines are shown as escapes.
func Block(s string) string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		var b strings.Builder
		visible(&b, l, nil)
		lines[i] = neutraliseLine(b.String())
	}
	s = strings.Join(lines, "\n")
	n := max(longestRun(s, '`')+1, 3)
	fence := strings.Repeat("`", n)
	return fence + "text\n" + s + "\n" + fence
}

// oneLine joins the words of s with single spaces and shows the control
// characters left in a word as escapes.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			var b strings.Builder
			visible(&b, s, nil)
			return b.String()
		}
	}
	return s
}

func longestRun(s string, c byte) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}
