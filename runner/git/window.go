package git

import (
	"errors"
	"io"
)

// packWindow reads a pack through a window of its bytes that later reads
// reuse: a plan reads thousands of small blobs, which git writes next to
// each other in the order a tree lists them, so most entries are already
// in the window the entry before them filled, and a read costs no system
// call (a pread per entry was most of scanning 20,000 files). It is the
// io.ByteReader the inflater wants, so flate adds no buffer of its own.
type packWindow struct {
	pk   *packFile
	buf  []byte // the window: pack bytes from off
	off  int64  // pack offset of buf[0]
	pos  int    // next byte to read in buf
	end  int64  // where the pack's entries end (its checksum starts)
	size int    // bytes a window load reads
}

const packWindowSize = 64 << 10

// at positions the window at pack offset off of pk, loading it when off
// is outside what it holds; at least need bytes are readable from there
// unless the entries end first.
func (w *packWindow) at(pk *packFile, off int64, need int) error {
	end := pk.size - hashLen
	if w.pk == pk && off >= w.off && off+int64(need) <= w.off+int64(len(w.buf)) {
		w.pos = int(off - w.off)
		return nil
	}
	w.pk, w.end = pk, end
	return w.load(off)
}

// load reads the window starting at pack offset off.
func (w *packWindow) load(off int64) error {
	if w.size == 0 {
		w.size = packWindowSize
	}
	n := int64(w.size)
	if off+n > w.end {
		n = w.end - off
	}
	if n <= 0 {
		w.buf, w.off, w.pos = w.buf[:0], off, 0
		return io.ErrUnexpectedEOF
	}
	if cap(w.buf) < int(n) {
		// No larger than the pack: a small repository's plan pays for
		// every page it touches.
		w.buf = make([]byte, min(int64(w.size), w.end))
	}
	w.buf = w.buf[:n]
	got, err := w.pk.f.ReadAt(w.buf, off)
	w.buf, w.off, w.pos = w.buf[:got], off, 0
	if got > 0 {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// peek returns up to n bytes from the read position without consuming
// them (fewer at the end of the entries).
func (w *packWindow) peek(n int) []byte {
	if w.pos+n > len(w.buf) && w.off+int64(len(w.buf)) < w.end {
		_ = w.load(w.off + int64(w.pos)) // a failed load leaves what is there
	}
	return w.buf[w.pos:min(w.pos+n, len(w.buf))]
}

func (w *packWindow) discard(n int) { w.pos = min(w.pos+n, len(w.buf)) }

// next makes sure a byte is readable, sliding the window on.
func (w *packWindow) next() error {
	if w.pos < len(w.buf) {
		return nil
	}
	if w.off+int64(len(w.buf)) >= w.end {
		return io.EOF
	}
	return w.load(w.off + int64(len(w.buf)))
}

func (w *packWindow) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := w.next(); err != nil {
		return 0, err
	}
	n := copy(p, w.buf[w.pos:])
	w.pos += n
	return n, nil
}

func (w *packWindow) ReadByte() (byte, error) {
	if err := w.next(); err != nil {
		return 0, err
	}
	b := w.buf[w.pos]
	w.pos++
	return b, nil
}
