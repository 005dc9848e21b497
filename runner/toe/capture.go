package toe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// maxKeptOutput bounds what the executor keeps in memory of one output
// value (a step's stdout, a loop's consolidated output, a ReadFile content):
// the first and last half of it. It is also the largest value a chaining
// expression may pass to a later step, so that chaining a huge stdout into
// many steps cannot multiply it into gigabytes of logs. The whole stream
// always reaches console.log on disk.
const maxKeptOutput = 1 << 20

// cutText is an output value that was longer than maxKeptOutput: Text holds
// its head, a marker saying how much was cut, and its tail. It marshals as
// that string, so detailedoutput.json stays AWSTOE-shaped; chaining refuses
// it (see resolver.Lookup) because the value a later step would get is not
// the value the step printed.
type cutText struct {
	Text  string
	Cut   int64 // bytes left out between head and tail
	Total int64 // bytes the step produced
}

func (c cutText) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c.Text); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func (c cutText) String() string { return c.Text }

// headTail is an io.Writer that keeps the first and the last max/2 bytes of
// what is written and counts the rest: memory stays at max bytes whatever
// a step prints.
type headTail struct {
	max   int
	head  []byte
	tail  []byte // ring buffer of cap max-max/2 once full
	next  int    // where the ring writes next
	total int64
	what  string // "stdout", named in the marker
}

func newHeadTail(max int, what string) *headTail { return &headTail{max: max, what: what} }

func (h *headTail) Write(p []byte) (int, error) {
	n := len(p)
	h.total += int64(n)
	if room := h.max/2 - len(h.head); room > 0 {
		k := min(room, len(p))
		h.head = append(h.head, p[:k]...)
		p = p[k:]
	}
	tailMax := h.max - h.max/2
	if len(p) >= tailMax {
		// Only the last tailMax bytes of p can survive.
		h.tail = append(h.tail[:0], p[len(p)-tailMax:]...)
		h.next = 0
		return n, nil
	}
	for len(p) > 0 {
		if len(h.tail) < tailMax {
			k := min(tailMax-len(h.tail), len(p))
			h.tail = append(h.tail, p[:k]...)
			p = p[k:]
			continue
		}
		k := copy(h.tail[h.next:], p)
		h.next = (h.next + k) % tailMax
		p = p[k:]
	}
	return n, nil
}

// value returns what was written: a plain string when it fitted, else a
// cutText whose marker says how many bytes were cut and where the whole
// stream is. trim drops trailing newlines (AWSTOE's stdout has none).
func (h *headTail) value(trim bool) any {
	tail := append(append([]byte{}, h.tail[h.next:]...), h.tail[:h.next]...)
	kept := int64(len(h.head) + len(tail))
	if kept == h.total {
		s := string(h.head) + string(tail)
		if trim {
			s = trimNewlines(s)
		}
		return s
	}
	head := validHead(h.head)
	tail = validTail(tail)
	cut := h.total - int64(len(head)+len(tail))
	s := string(head) + cutMarker(cut, h.total, h.what) + string(tail)
	if trim {
		s = trimNewlines(s)
	}
	return cutText{Text: s, Cut: cut, Total: h.total}
}

func cutMarker(cut, total int64, what string) string {
	return fmt.Sprintf("\n[ibgitops toe: %d of %d bytes of %s cut here; ibgitops keeps the first and last %d KiB in memory and in detailedoutput.json, console.log has all of it]\n",
		cut, total, what, maxKeptOutput/2/1024)
}

func trimNewlines(s string) string {
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return s
}

// validHead drops an incomplete UTF-8 sequence at the end of b, so the cut
// does not split a character.
func validHead(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// validTail drops continuation bytes at the start of b (the rest of a
// character whose start was cut).
func validTail(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && i < len(b); i++ {
		if utf8.RuneStart(b[i]) {
			return b[i:]
		}
	}
	return b
}

// joiner concatenates a loop's per-iteration values of one output key with
// "\n" (as AWSTOE consolidates stdout) within maxKeptOutput. A key only one
// iteration produced keeps its value and type.
type joiner struct {
	first any
	buf   *headTail
	parts int
	cut   bool // an iteration's value was already cut
}

func (j *joiner) add(v any) {
	j.parts++
	if j.parts == 1 {
		j.first = v
		return
	}
	if j.buf == nil {
		j.buf = newHeadTail(maxKeptOutput, "the loop's consolidated output")
		j.write(j.first)
		j.first = nil
	}
	j.buf.Write([]byte{'\n'})
	j.write(v)
}

func (j *joiner) write(v any) {
	if c, ok := v.(cutText); ok {
		j.cut = true
		v = c.Text
	}
	j.buf.Write([]byte(jsonString(v)))
}

func (j *joiner) value() any {
	if j.buf == nil {
		return j.first
	}
	v := j.buf.value(false)
	if s, ok := v.(string); ok && j.cut {
		// An iteration's value was cut: the joined value is not what the
		// steps printed either, whatever its length.
		return cutText{Text: s, Total: j.buf.total}
	}
	return v
}
