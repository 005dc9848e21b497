package git

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
)

// TestParseEntryHeader: entry headers as git writes them, and the ways a
// damaged one can be wrong.
func TestParseEntryHeader(t *testing.T) {
	base := plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")
	for _, tc := range []struct {
		name string
		b    []byte
		off  int64
		want entryHeader
		err  bool
	}{
		{"small blob", []byte{0x35}, 12, entryHeader{typ: plumbing.BlobObject, size: 5, len: 1}, false},
		{"tree of 975,000 bytes", []byte{0xa8, 0x89, 0xdc, 0x03}, 12, entryHeader{typ: plumbing.TreeObject, size: 975000, len: 4}, false},
		{"OFS_DELTA one byte back-offset", []byte{0x6a, 0x05}, 100, entryHeader{typ: plumbing.OFSDeltaObject, size: 10, base: 95, len: 2}, false},
		// 0x81 0x00 is (1+1)<<7 | 0 = 256: each continuation adds one.
		{"OFS_DELTA two byte back-offset", []byte{0x6a, 0x81, 0x00}, 1000, entryHeader{typ: plumbing.OFSDeltaObject, size: 10, base: 744, len: 3}, false},
		{"REF_DELTA", append([]byte{0x7a}, base[:]...), 12, entryHeader{typ: plumbing.REFDeltaObject, size: 10, baseHash: base, len: 21}, false},
		{"empty", nil, 12, entryHeader{}, true},
		{"size continues past the data", []byte{0xb5, 0x80}, 12, entryHeader{}, true},
		{"size overflows 64 bits", bytes.Repeat([]byte{0xff}, 12), 12, entryHeader{}, true},
		{"reserved type 5", []byte{0x55}, 12, entryHeader{}, true},
		{"type 0", []byte{0x05}, 12, entryHeader{}, true},
		{"OFS_DELTA base before the pack", []byte{0x6a, 0x7f}, 100, entryHeader{}, true},
		{"OFS_DELTA base at its own offset", []byte{0x6a, 0x00}, 100, entryHeader{}, true},
		{"OFS_DELTA offset cut", []byte{0x6a, 0x81}, 1000, entryHeader{}, true},
		{"OFS_DELTA offset overflows", append([]byte{0x6a}, bytes.Repeat([]byte{0xff}, 12)...), 1 << 62, entryHeader{}, true},
		{"REF_DELTA id cut", append([]byte{0x7a}, base[:10]...), 12, entryHeader{}, true},
	} {
		got, err := parseEntryHeader(tc.b, tc.off)
		if (err != nil) != tc.err {
			t.Errorf("%s: error %v, want error: %v", tc.name, err, tc.err)
			continue
		}
		if !tc.err && got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestPatchDelta: git's delta commands (copies with every offset and size
// byte, the 0x10000 default size, inserts) and malformed deltas.
func TestPatchDelta(t *testing.T) {
	src := make([]byte, 0x20000)
	for i := range src {
		src[i] = byte(i * 7)
	}
	for _, tc := range []struct {
		name  string
		src   []byte
		delta []byte
		want  []byte // nil: an error
	}{
		{"insert", []byte("abc"), []byte{3, 5, 5, 'h', 'e', 'l', 'l', 'o'}, []byte("hello")},
		{"copy and insert", []byte("hello world"), []byte{11, 8, 0x91, 6, 5, 3, ' ', 'i', 't'}, []byte("world it")},
		{"from an empty base", nil, []byte{0, 2, 2, 'o', 'k'}, []byte("ok")},
		// Sizes: base 0x20000 (0x80 0x80 0x08), result 0x10000 (0x80 0x80 0x04).
		{"copy size 0 means 0x10000", src, []byte{0x80, 0x80, 0x08, 0x80, 0x80, 0x04, 0x80}, src[:0x10000]},
		{"copy with 4 offset and 3 size bytes", src, []byte{0x80, 0x80, 0x08, 0x80, 0x80, 0x04, 0xff, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01}, src[0x101:0x10101]},
		{"base size differs", []byte("ab"), []byte{3, 1, 1, 'x'}, nil},
		{"result longer than said", []byte("abc"), []byte{3, 1, 2, 'h', 'i'}, nil},
		{"result shorter than said", []byte("abc"), []byte{3, 3, 1, 'h'}, nil},
		{"copy past the base", []byte("abc"), []byte{3, 2, 0x91, 2, 2}, nil},
		{"insert past the delta", []byte("abc"), []byte{3, 4, 4, 'a'}, nil},
		{"reserved command 0", []byte("abc"), []byte{3, 1, 0}, nil},
		{"copy bytes cut", []byte("abc"), []byte{3, 1, 0x91}, nil},
		{"no sizes", []byte("abc"), []byte{0x83}, nil},
		{"result over the limit", nil, []byte{0, 0x80, 0x80, 0x80, 0x80, 0x10}, nil},
	} {
		got, err := patchDelta(tc.src, tc.delta)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%s: no error, result %q", tc.name, got)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("%s: %d bytes, %v; want %d bytes", tc.name, len(got), err, len(tc.want))
		}
	}
}

// FuzzParseIdx: any bytes either fail to parse or give an index whose
// lookups never panic.
func FuzzParseIdx(f *testing.F) {
	ids := []Hash{plumbing.NewHash("0100000000000000000000000000000000000000"),
		plumbing.NewHash("8000000000000000000000000000000000000000"),
		plumbing.NewHash("ff00000000000000000000000000000000000000")}
	f.Add(synthIdx(ids, []uint64{12, 5 << 30, 40}))
	f.Add(synthIdx(nil, nil))
	v1 := make([]byte, fanoutLen+24+idxTrailerLen)
	for i := 0x01; i < 256; i++ {
		binary.BigEndian.PutUint32(v1[i*4:], 1)
	}
	f.Add(v1)
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := parseIdx(data)
		if err != nil {
			return
		}
		for i := range min(x.n, 64) {
			var h Hash
			copy(h[:], x.name(i))
			x.find(h)
			x.offset(i)
		}
		for _, h := range ids {
			x.find(h)
		}
	})
}

// FuzzEntryHeader: any bytes at any offset give a header or an error; a
// header's base is inside the pack before the entry and its length within
// the bytes read.
func FuzzEntryHeader(f *testing.F) {
	f.Add([]byte{0xa8, 0x89, 0xdc, 0x03}, int64(12))
	f.Add([]byte{0x6a, 0x81, 0x00}, int64(1000))
	f.Add(append([]byte{0x7a}, make([]byte, 20)...), int64(12))
	f.Fuzz(func(t *testing.T, b []byte, off int64) {
		if off < 0 {
			return
		}
		h, err := parseEntryHeader(b, off)
		if err != nil {
			return
		}
		if h.len > len(b) || h.size < 0 {
			t.Fatalf("header %+v from %d bytes", h, len(b))
		}
		if h.typ == plumbing.OFSDeltaObject && (h.base < 0 || h.base >= off) {
			t.Fatalf("base %d for an entry at %d", h.base, off)
		}
	})
}

// FuzzPatchDelta: patchDelta agrees with go-git's PatchDelta whenever
// go-git applies a delta (go-git refuses an empty base; this does not).
func FuzzPatchDelta(f *testing.F) {
	f.Add([]byte("hello world"), []byte{11, 8, 0x91, 6, 5, 3, ' ', 'i', 't'})
	f.Add([]byte("abc"), []byte{3, 5, 5, 'h', 'e', 'l', 'l', 'o'})
	f.Add([]byte("abc"), []byte{3, 1, 0})
	f.Fuzz(func(t *testing.T, src, delta []byte) {
		got, err := patchDelta(src, delta)
		want, wantErr := packfile.PatchDelta(src, delta)
		if wantErr != nil {
			return
		}
		if err != nil {
			t.Fatalf("go-git applies the delta, patchDelta fails: %v", err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("patchDelta = %q, go-git %q", got, want)
		}
	})
}
