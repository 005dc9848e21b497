package report

import (
	"strings"
)

// Inline escapes text from files, logs and users for use inside a markdown
// paragraph or table cell: it cannot open HTML, change markdown structure
// (tables, emphasis, links, headings) or @-mention anyone. Newlines become
// spaces.
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
		case '-', '+', '=', '#':
			// Only at the start can these open a list, a heading
			// underline or a quote.
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
// more backticks than s holds in a row.
func Code(s string) string {
	s = oneLine(s)
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

// Block returns s as a fenced code block that s cannot close, so a log tail
// shows as text: no HTML, no markdown, no mentions.
func Block(s string) string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	n := longestRun(s, '`') + 1
	if n < 3 {
		n = 3
	}
	fence := strings.Repeat("`", n)
	return fence + "text\n" + s + "\n" + fence
}

func longestRun(s string, c byte) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			if cur > best {
				best = cur
			}
		} else {
			cur = 0
		}
	}
	return best
}

// TailRunes keeps the last n runes of s, starting at a line boundary when
// one is near, and says how much was cut.
func TailRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	cut := string(r[len(r)-n:])
	if i := strings.IndexByte(cut, '\n'); i >= 0 && i < len(cut)/2 {
		cut = cut[i+1:]
	}
	return "[… " + itoa(len(r)-len([]rune(cut))) + " characters cut …]\n" + cut
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
