// Package yamledit rewrites single scalars of a YAML file in place, by the
// positions yaml.v3 reports, so that everything else (comments, key order,
// quoting, blank lines, line endings) stays byte-identical. It is what
// `ibgitops bump --write` uses to change version numbers.
package yamledit

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/ibgitops/ibgitops/internal/lazyre"
)

// Edit replaces the scalar starting at Line:Column (1-based, as yaml.v3
// reports them; columns count characters) whose value is Old with New.
// The scalar keeps its quoting style.
type Edit struct {
	Line, Column int
	Old, New     string
}

// Apply performs edits on data. It fails, changing nothing, when a
// position does not hold a scalar whose value is Old (the file changed
// since it was read) or when New cannot be written in the scalar's style.
func Apply(data []byte, edits []Edit) ([]byte, error) {
	type span struct {
		start, end int
		text       string
	}
	var spans []span
	for _, e := range edits {
		off, err := offset(data, e.Line, e.Column)
		if err != nil {
			return nil, err
		}
		end, value, quote, err := scalarAt(data, off)
		if err != nil {
			return nil, fmt.Errorf("line %d column %d: %w", e.Line, e.Column, err)
		}
		if value != e.Old {
			return nil, fmt.Errorf("line %d column %d holds %q, not %q: the file changed since it was read; run the command again", e.Line, e.Column, value, e.Old)
		}
		text, err := render(e.New, quote)
		if err != nil {
			return nil, fmt.Errorf("line %d column %d: %w", e.Line, e.Column, err)
		}
		spans = append(spans, span{off, end, text})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start > spans[j].start })
	for i := 1; i < len(spans); i++ {
		if spans[i].end > spans[i-1].start {
			return nil, fmt.Errorf("two edits overlap at byte %d", spans[i-1].start)
		}
	}
	out := append([]byte(nil), data...)
	for _, s := range spans {
		out = append(out[:s.start], append([]byte(s.text), out[s.end:]...)...)
	}
	return out, nil
}

// offset converts a 1-based line and character column into a byte offset.
func offset(data []byte, line, column int) (int, error) {
	if line < 1 || column < 1 {
		return 0, fmt.Errorf("no position (line %d, column %d) to edit", line, column)
	}
	off := 0
	for l := 1; l < line; l++ {
		i := indexByte(data[off:], '\n')
		if i < 0 {
			return 0, fmt.Errorf("line %d is past the end of the file", line)
		}
		off += i + 1
	}
	for c := 1; c < column; c++ {
		if off >= len(data) || data[off] == '\n' {
			return 0, fmt.Errorf("column %d is past the end of line %d", column, line)
		}
		_, size := utf8.DecodeRune(data[off:])
		off += size
	}
	return off, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// scalarAt reads the scalar token at off: its end offset, its value and
// its quote character (0 for plain).
func scalarAt(data []byte, off int) (end int, value string, quote byte, err error) {
	if off >= len(data) {
		return 0, "", 0, fmt.Errorf("no scalar at the end of the file")
	}
	switch q := data[off]; q {
	case '"':
		var b strings.Builder
		for i := off + 1; i < len(data); i++ {
			switch data[i] {
			case '\\':
				if i+1 >= len(data) {
					break
				}
				i++
				switch data[i] {
				case '"', '\\', '/':
					b.WriteByte(data[i])
				default:
					return 0, "", 0, fmt.Errorf("escape sequence \\%c in a version string is not supported", data[i])
				}
			case '"':
				return i + 1, b.String(), q, nil
			case '\n':
				return 0, "", 0, fmt.Errorf("multi-line quoted scalars are not supported")
			default:
				b.WriteByte(data[i])
			}
		}
		return 0, "", 0, fmt.Errorf("unterminated double-quoted scalar")
	case '\'':
		var b strings.Builder
		for i := off + 1; i < len(data); i++ {
			switch data[i] {
			case '\'':
				if i+1 < len(data) && data[i+1] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				return i + 1, b.String(), q, nil
			case '\n':
				return 0, "", 0, fmt.Errorf("multi-line quoted scalars are not supported")
			default:
				b.WriteByte(data[i])
			}
		}
		return 0, "", 0, fmt.Errorf("unterminated single-quoted scalar")
	case '|', '>', '[', '{', '&', '*', '!':
		return 0, "", 0, fmt.Errorf("not a plain or quoted scalar (starts with %q)", q)
	}
	// Plain scalar: up to a comment, a flow indicator or the end of line.
	end = off
	for end < len(data) {
		c := data[end]
		if c == '\n' || c == '\r' {
			break
		}
		if c == '#' && end > off && (data[end-1] == ' ' || data[end-1] == '\t') {
			break
		}
		if c == ',' || c == ']' || c == '}' {
			break
		}
		end++
	}
	for end > off && (data[end-1] == ' ' || data[end-1] == '\t') {
		end--
	}
	return end, string(data[off:end]), 0, nil
}

// render writes v in the given quoting style.
func render(v string, quote byte) (string, error) {
	if !utf8.ValidString(v) {
		return "", fmt.Errorf("%q is not valid UTF-8", v)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || r == 0xfeff || (r >= 0x80 && r < 0xa0) {
			return "", fmt.Errorf("%q holds a control character", v)
		}
	}
	switch quote {
	case '"':
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`, nil
	case '\'':
		return "'" + strings.ReplaceAll(v, "'", "''") + "'", nil
	}
	if !safePlain(v) {
		return "", fmt.Errorf("%q cannot be written as a plain scalar (quote the value in the file)", v)
	}
	return v, nil
}

var plainChars = lazyre.New(`^[0-9A-Za-z][0-9A-Za-z._+-]*$`)

// safePlain reports whether v, written unquoted, reads back as the same
// string: word characters only, and not a number-like, boolean or null
// value YAML would resolve to another type.
func safePlain(v string) bool {
	if !plainChars.MatchString(v) {
		return false
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(v), &n); err != nil || len(n.Content) != 1 {
		return false
	}
	return n.Content[0].Tag == "!!str" && n.Content[0].Value == v
}
