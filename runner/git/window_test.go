package git

import (
	"bytes"
	"io"
	"testing"

	"github.com/go-git/go-billy/v5/memfs"
)

// The window must hand out exactly the pack's bytes wherever reads start
// and however they cross its edges, and stop at the entries' end (the
// checksum is not an entry's).
func TestPackWindow(t *testing.T) {
	content := make([]byte, 1000+hashLen)
	for i := range content {
		content[i] = byte(i * 7)
	}
	fs := memfs.New()
	f, err := fs.Create("p.pack")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(content); err != nil {
		t.Fatal(err)
	}
	pk := &packFile{name: "p.pack", f: f, size: int64(len(content))}
	end := len(content) - hashLen
	for _, tc := range []struct {
		name      string
		size      int   // window size
		off       int64 // where reading starts
		read      int   // bytes read (Read and ReadByte alternating)
		wantBytes int   // bytes read before EOF
	}{
		{"inside one window", 64, 12, 40, 40},
		{"across many windows", 64, 12, 500, 500},
		{"to the entries' end", 64, 900, 200, end - 900},
		{"window larger than the pack", 1 << 16, 12, 2000, end - 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &packWindow{size: tc.size}
			if err := w.at(pk, tc.off, maxEntryHeader); err != nil {
				t.Fatal(err)
			}
			if got := w.peek(4); !bytes.Equal(got, content[tc.off:tc.off+4]) {
				t.Fatalf("peek = %v, want %v", got, content[tc.off:tc.off+4])
			}
			var got []byte
			buf := make([]byte, 7)
			for len(got) < tc.read {
				if len(got)%2 == 0 {
					b, err := w.ReadByte()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, b)
					continue
				}
				n, err := w.Read(buf[:min(len(buf), tc.read-len(got))])
				got = append(got, buf[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if len(got) != tc.wantBytes || !bytes.Equal(got, content[tc.off:int(tc.off)+len(got)]) {
				t.Fatalf("read %d bytes (want %d) differing from the pack's", len(got), tc.wantBytes)
			}
		})
	}
	// An entry inside the loaded window is served without reading again.
	w := &packWindow{size: 256}
	if err := w.at(pk, 100, maxEntryHeader); err != nil {
		t.Fatal(err)
	}
	first := &w.buf[0]
	if err := w.at(pk, 200, maxEntryHeader); err != nil || &w.buf[0] != first || w.off != 100 {
		t.Fatalf("a read inside the window loaded it again (off %d, err %v)", w.off, err)
	}
	if b, _ := w.ReadByte(); b != content[200] {
		t.Fatalf("byte at 200 = %d, want %d", b, content[200])
	}
	// A header that would cross the window's end loads from the entry.
	if err := w.at(pk, 100+256-4, maxEntryHeader); err != nil || w.off != 100+256-4 {
		t.Fatalf("header across the window's end: window at %d, err %v", w.off, err)
	}
}
