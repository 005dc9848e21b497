package report

import (
	"strings"
)

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
