package report

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
)

// markerPrefix starts every sticky-comment marker.
const markerPrefix = "<!-- ibgitops:report "

// StickyMarker is the hidden first line of the sticky comment of the
// ibgitops set-up whose config root is root (relative to the repository's
// top level, "." for the top). Two set-ups in one repository (two roots)
// each keep their own comment: the marker carries the root, readable and
// hashed, since the readable part is cut to what an HTML comment can hold.
func StickyMarker(root string) string {
	root = path.Clean(strings.ReplaceAll(root, `\`, "/"))
	sum := sha256.Sum256([]byte(root))
	readable := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '/', r == '_':
			return r
		}
		return '_'
	}, root)
	return markerPrefix + "root=" + Truncate(readable, 80) + " id=" + hex.EncodeToString(sum[:6]) + " -->"
}

// IsSticky reports whether an existing comment is the sticky comment that
// marker names: its FIRST line is the marker. A comment that quotes the
// marker elsewhere (another workflow echoing pull-request text as the same
// bot) is not ours. The hosts also check the author.
func IsSticky(comment, marker string) bool {
	return marker != "" && firstLine(comment) == marker
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimRight(s, "\r \t")
}
