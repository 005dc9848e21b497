package toe

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
)

// secretEnvList names the variable listing more secret variables.
const secretEnvList = "IBGITOPS_SECRET_VARS"

// minSecretLen: a shorter value would turn ordinary text into markers
// ("1", "true") and is not a credential; it is reported, not redacted.
const minSecretLen = 6

// redactor replaces secret values with [REDACTED:NAME].
type redactor struct {
	pats   []secretPattern // longest first, so a secret containing another wins
	maxLen int
}

type secretPattern struct {
	text, marker []byte
}

// newRedactor collects the secret values from environ. short lists the
// variables whose values are too short to redact.
func newRedactor(environ []string, extra []string) (r *redactor, short []string) {
	names := slices.Clone(toedoc.SecretVars)
	names = append(names, extra...)
	vals := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		vals[k] = v
	}
	names = append(names, toedoc.SplitList(vals[secretEnvList])...)
	r = &redactor{}
	seen := map[string]bool{}
	for _, name := range names {
		v, ok := vals[name]
		if !ok || v == "" || seen[name] {
			continue
		}
		seen[name] = true
		if len(v) < minSecretLen {
			short = append(short, name)
			continue
		}
		marker := []byte("[REDACTED:" + name + "]")
		// The value as written, as JSON writes it inside a string and as
		// application.log quotes it: each file's escaping of the same value.
		for _, form := range []string{v, jsonInner(v), quoteInner(v)} {
			r.pats = append(r.pats, secretPattern{[]byte(form), marker})
		}
	}
	sort.SliceStable(r.pats, func(i, j int) bool { return len(r.pats[i].text) > len(r.pats[j].text) })
	r.pats = slices.CompactFunc(r.pats, func(a, b secretPattern) bool { return bytes.Equal(a.text, b.text) })
	for _, p := range r.pats {
		r.maxLen = max(r.maxLen, len(p.text))
	}
	return r, short
}

func jsonInner(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	b := bytes.TrimRight(buf.Bytes(), "\n")
	return string(b[1 : len(b)-1])
}

func quoteInner(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// redact returns b with every secret replaced (b itself when there is
// none). Where matches overlap the earliest wins, then the longest.
func (r *redactor) redact(b []byte) []byte {
	if r == nil || len(r.pats) == 0 {
		return b
	}
	type match struct {
		at int
		p  *secretPattern
	}
	var ms []match
	for k := range r.pats {
		p := &r.pats[k]
		for off := 0; off < len(b); {
			i := bytes.Index(b[off:], p.text)
			if i < 0 {
				break
			}
			ms = append(ms, match{off + i, p})
			off += i + 1
		}
	}
	if len(ms) == 0 {
		return b
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].at != ms[j].at {
			return ms[i].at < ms[j].at
		}
		return len(ms[i].p.text) > len(ms[j].p.text)
	})
	out := make([]byte, 0, len(b))
	last := 0
	for _, m := range ms {
		if m.at < last {
			continue // inside a secret already replaced
		}
		out = append(out, b[last:m.at]...)
		out = append(out, m.p.marker...)
		last = m.at + len(m.p.text)
	}
	return append(out, b[last:]...)
}

func (r *redactor) redactString(s string) string {
	if r == nil || len(r.pats) == 0 {
		return s
	}
	return string(r.redact([]byte(s)))
}

// heldBack is how many bytes at the end of b could be the start of a
// secret whose rest has not been written yet.
func (r *redactor) heldBack(b []byte) int {
	hold := 0
	for _, p := range r.pats {
		// The earliest position in the last len(p)-1 bytes from which the
		// rest of b is a prefix of p: the longest suffix to hold.
		for j := max(0, len(b)-len(p.text)+1, len(b)-(r.maxLen-1)); j < len(b)-hold; j++ {
			if b[j] == p.text[0] && bytes.HasPrefix(p.text, b[j:]) {
				hold = len(b) - j
				break
			}
		}
	}
	return hold
}

// redactWriter redacts a stream: a secret split across two writes is
// caught because the bytes that could start one are held back until the
// next write shows whether it completes (or Flush ends the stream).
type redactWriter struct {
	mu      sync.Mutex
	r       *redactor
	w       io.Writer
	pending []byte
}

func (r *redactor) writer(w io.Writer) io.Writer {
	if r == nil || len(r.pats) == 0 {
		return w
	}
	return &redactWriter{r: r, w: w}
}

func (rw *redactWriter) Write(p []byte) (int, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	data := p
	if len(rw.pending) > 0 {
		data = append(rw.pending, p...)
	}
	out := rw.r.redact(data)
	hold := rw.r.heldBack(out)
	if _, err := rw.w.Write(out[:len(out)-hold]); err != nil {
		return 0, err
	}
	rw.pending = append(rw.pending[:0:0], out[len(out)-hold:]...)
	return len(p), nil
}

// Flush writes what was held back: the stream ended without completing a
// secret.
func (rw *redactWriter) Flush() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if len(rw.pending) == 0 {
		return nil
	}
	_, err := rw.w.Write(rw.pending)
	rw.pending = nil
	return err
}

// flush flushes w when it is a redactWriter.
func flush(w io.Writer) {
	if f, ok := w.(interface{ Flush() error }); ok {
		f.Flush()
	}
}
