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

// TestApplyDelta: git's delta commands (copies with every offset and size
// byte, the 0x10000 default size, inserts) and malformed deltas, on a
// base of one buffer and on the same base cut into pieces.
func TestApplyDelta(t *testing.T) {
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
		{"copies across pieces, out of order", []byte("0123456789"), []byte{10, 9, 0x91, 7, 3, 0x91, 1, 4, 2, 'x', 'y'}, []byte("7891234xy")},
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
		for pieces := 1; pieces <= 4; pieces++ {
			// The result as pieces, and built flat.
			for _, flatBelow := range []int{0, 1 << 30} {
				base := cutRope(tc.src, pieces, pieces%2 == 0)
				got, err := applyDelta(base, tc.delta, flatBelow)
				if tc.want == nil {
					if err == nil {
						t.Errorf("%s, %d pieces, flat below %d: no error, result %q", tc.name, pieces, flatBelow, got.bytes())
					}
					continue
				}
				if err != nil || !bytes.Equal(got.bytes(), tc.want) {
					t.Errorf("%s, %d pieces, flat below %d: %d bytes, %v; want %d bytes", tc.name, pieces, flatBelow, got.size, err, len(tc.want))
					continue
				}
				checkRope(t, got, tc.want)
			}
		}
	}
}

// cutRope is src as a rope of n pieces of about equal size; apart, the
// pieces are copies (separate memory, as the pieces of a delta's result
// are), else slices of src.
func cutRope(src []byte, n int, apart bool) rope {
	r := rope{root: &rootBuf{b: src}}
	for i := range n {
		p := src[i*len(src)/n : (i+1)*len(src)/n]
		if apart {
			p = bytes.Clone(p)
		}
		if len(p) > 0 {
			r.size += len(p)
			r.pieces = append(r.pieces, piece{r.size, p})
		}
	}
	return r
}

// checkRope: r holds want, its pieces are non-empty and their ends add up,
// and slices of it read the same bytes.
func checkRope(t *testing.T, r rope, want []byte) {
	t.Helper()
	end := 0
	for i, p := range r.pieces {
		end += len(p.b)
		if len(p.b) == 0 || p.end != end {
			t.Fatalf("piece %d of %d: %d bytes, end %d (want %d)", i, len(r.pieces), len(p.b), p.end, end)
		}
	}
	if end != r.size || r.size != len(want) || !bytes.Equal(r.bytes(), want) {
		t.Fatalf("rope of %d bytes (pieces: %d), want %d", r.size, end, len(want))
	}
	for _, span := range [][2]int{{0, len(want)}, {1, len(want) - 1}, {len(want) / 3, len(want) / 2}, {len(want) / 2, len(want)}} {
		if from, to := span[0], span[1]; from < to && !bytes.Equal(r.slice(from, to), want[from:to]) {
			t.Fatalf("slice(%d, %d) differs", from, to)
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

// FuzzApplyDelta: applyDelta agrees with go-git's PatchDelta whenever
// go-git applies a delta (go-git refuses an empty base; this does not),
// on a base cut into pieces, and a second delta applied to its result
// (the tail of the first, copied from its middle) agrees too.
func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("hello world"), []byte{11, 8, 0x91, 6, 5, 3, ' ', 'i', 't'})
	f.Add([]byte("abc"), []byte{3, 5, 5, 'h', 'e', 'l', 'l', 'o'})
	f.Add([]byte("abc"), []byte{3, 1, 0})
	f.Fuzz(func(t *testing.T, src, delta []byte) {
		want, wantErr := packfile.PatchDelta(src, delta)
		if wantErr != nil {
			return
		}
		n := 1 + len(delta)%5
		flat, err := applyDelta(cutRope(src, n, len(src)%2 == 1), delta, len(want)+1)
		if err != nil || len(flat.pieces) > 1 {
			t.Fatalf("go-git applies the delta, applyDelta fails: %v (or gives %d pieces)", err, len(flat.pieces))
		}
		checkRope(t, flat, want)
		got, err := applyDelta(cutRope(src, n, len(src)%2 == 0), delta, 0)
		if err != nil {
			t.Fatalf("go-git applies the delta, applyDelta fails: %v", err)
		}
		checkRope(t, got, want)
		if len(want) < 2 {
			return
		}
		// Copy the second half, then the first byte, then insert one.
		half := len(want) / 2
		again := appendSize(appendSize(nil, len(want)), len(want)-half+2)
		again = append(again, 0x80|0x01|0x02|0x04|0x08|0x10|0x20|0x40)
		again = binary.LittleEndian.AppendUint32(again, uint32(half))
		again = append(again, byte(len(want)-half), byte((len(want)-half)>>8), byte((len(want)-half)>>16))
		again = append(again, 0x80|0x10, 1, 1, '!')
		if len(want)-half >= 1<<24 {
			return
		}
		want2 := append(append(append([]byte{}, want[half:]...), want[0]), '!')
		got2, err := applyDelta(got, again, 0)
		if err != nil {
			t.Fatalf("second delta: %v", err)
		}
		checkRope(t, got2, want2)
	})
}

// appendSize appends a delta header size (little-endian base 128).
func appendSize(b []byte, n int) []byte {
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}
