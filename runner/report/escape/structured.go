package escape

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// JSON and XML output is printed to CI logs too (lint --format json, sarif,
// junit to stdout). Their encoders keep a line on its line, but pass C1
// and bidi controls and the runner's legacy "##[" command prefix through
// raw; these helpers rewrite both with the format's own escapes, which
// decode to the same text.

// EncodeJSON writes v as indented JSON, safe for a CI log.
func EncodeJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(structured(data, func(r rune) string { return fmt.Sprintf(`\u%04x`, r) }), '\n')
	_, err = w.Write(data)
	return err
}

// XML makes encoded XML safe for a CI log; numeric character references
// are valid in text and attribute values, where the encoder puts
// everything that came from outside.
func XML(data []byte) []byte {
	return structured(data, func(r rune) string { return fmt.Sprintf("&#x%X;", r) })
}

// structured replaces control runes (which the encoders leave only inside
// strings) and every '[' after a '#' by ref(r).
func structured(data []byte, ref func(rune) string) []byte {
	if !needsRewrite(data) {
		return data
	}
	var b bytes.Buffer
	b.Grow(len(data) + 16)
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r >= 0x80 && isControl(r):
			b.WriteString(ref(r))
		case r == '[' && i > 0 && data[i-1] == '#':
			b.WriteString(ref(r))
		default:
			b.Write(data[i : i+size])
		}
		i += size
	}
	return b.Bytes()
}

func needsRewrite(data []byte) bool {
	if bytes.Contains(data, []byte("#[")) {
		return true
	}
	for _, c := range data {
		if c >= 0x80 {
			return true
		}
	}
	return false
}
