package toe

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// textEncoding is one of the encodings AWSTOE's file modules accept.
type textEncoding struct {
	name      string // canonical name
	unitSize  int    // 1 (utf8), 2 (utf16), 4 (utf32)
	bigEndian bool
}

// parseEncoding accepts AWSTOE's names, case-insensitively; plain utf16 and
// utf32 are little-endian.
func parseEncoding(s string) (textEncoding, error) {
	n := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
	switch n {
	case "", "utf8":
		return textEncoding{"utf8", 1, false}, nil
	case "utf16", "utf16le":
		return textEncoding{"utf16-LE", 2, false}, nil
	case "utf16be":
		return textEncoding{"utf16-BE", 2, true}, nil
	case "utf32", "utf32le":
		return textEncoding{"utf32-LE", 4, false}, nil
	case "utf32be":
		return textEncoding{"utf32-BE", 4, true}, nil
	}
	return textEncoding{}, fmt.Errorf("unknown encoding %q: use utf8, utf16, utf16-LE, utf16-BE, utf32, utf32-LE or utf32-BE", s)
}

func (e textEncoding) order() binary.ByteOrder {
	if e.bigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// bom returns the byte order mark written at the start of a new utf16 or
// utf32 file (none for utf8), so that SetFileEncoding and readers can tell
// the encoding later.
func (e textEncoding) bom() []byte {
	if e.unitSize == 1 {
		return nil
	}
	return e.encode("\uFEFF")
}

// encode converts UTF-8 text to the encoding (no byte order mark).
func (e textEncoding) encode(s string) []byte {
	switch e.unitSize {
	case 2:
		units := utf16.Encode([]rune(s))
		out := make([]byte, 2*len(units))
		for i, u := range units {
			e.order().PutUint16(out[2*i:], u)
		}
		return out
	case 4:
		runes := []rune(s)
		out := make([]byte, 4*len(runes))
		for i, r := range runes {
			e.order().PutUint32(out[4*i:], uint32(r))
		}
		return out
	}
	return []byte(s)
}

// decode converts bytes in the encoding to UTF-8 text, dropping a leading
// byte order mark.
func (e textEncoding) decode(b []byte) (string, error) {
	switch e.unitSize {
	case 2:
		if len(b)%2 != 0 {
			return "", fmt.Errorf("the file is not %s: odd number of bytes", e.name)
		}
		units := make([]uint16, len(b)/2)
		for i := range units {
			units[i] = e.order().Uint16(b[2*i:])
		}
		if len(units) > 0 && units[0] == 0xFEFF {
			units = units[1:]
		}
		return string(utf16.Decode(units)), nil
	case 4:
		if len(b)%4 != 0 {
			return "", fmt.Errorf("the file is not %s: length is not a multiple of 4", e.name)
		}
		var sb strings.Builder
		for i := 0; i < len(b); i += 4 {
			r := rune(e.order().Uint32(b[i:]))
			if i == 0 && r == 0xFEFF {
				continue
			}
			sb.WriteRune(r)
		}
		return sb.String(), nil
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		return "", fmt.Errorf("the file is not valid utf8 text; set encoding to the file's encoding")
	}
	return string(b), nil
}

// detectEncoding guesses a file's encoding from its byte order mark,
// defaulting to utf8.
func detectEncoding(b []byte) textEncoding {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0, 0}):
		return textEncoding{"utf32-LE", 4, false}
	case bytes.HasPrefix(b, []byte{0, 0, 0xFE, 0xFF}):
		return textEncoding{"utf32-BE", 4, true}
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return textEncoding{"utf16-LE", 2, false}
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return textEncoding{"utf16-BE", 2, true}
	}
	return textEncoding{"utf8", 1, false}
}
