package git

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
)

// The pack formats read by the raw object reader (rawobj.go): the pack
// index, a pack entry's header and git's delta encoding. They are pure
// functions over bytes so they can be fuzzed; see gitformat-pack(5).

// packIndex is a parsed .idx file (version 1 or 2). Its slices point into
// the file's bytes, which it keeps.
type packIndex struct {
	version int
	n       int
	fanout  [256]uint32
	names   []byte // n sorted 20-byte object ids
	offsets []byte // v2: n 4-byte offsets (MSB set: index into large); v1: n 24-byte (offset, id) records
	large   []byte // v2: 8-byte offsets of objects past 2 GiB
	packSum []byte // the 20-byte checksum of the .pack this index describes
}

// errUnsupportedIdx marks an index this reader does not know (a future
// version): the objects are left to go-git.
var errUnsupportedIdx = errors.New("unsupported pack index version")

const (
	hashLen       = 20
	idxHeaderLen  = 8 // "\377tOc" + version
	fanoutLen     = 256 * 4
	idxTrailerLen = 2 * hashLen // pack checksum + index checksum
)

var idxMagic = []byte{0xff, 't', 'O', 'c'}

// parseIdx parses an index file. Every size is checked against the data,
// so lookups on the result never index out of range.
func parseIdx(data []byte) (*packIndex, error) {
	x := &packIndex{}
	body := data
	if bytes.HasPrefix(data, idxMagic) {
		if len(data) < idxHeaderLen {
			return nil, errors.New("truncated header")
		}
		x.version = int(binary.BigEndian.Uint32(data[4:8]))
		if x.version != 2 {
			return nil, fmt.Errorf("%w %d", errUnsupportedIdx, x.version)
		}
		body = data[idxHeaderLen:]
	} else {
		x.version = 1 // version 1 has no header: it starts with the fan-out table
	}
	if len(body) < fanoutLen+idxTrailerLen {
		return nil, fmt.Errorf("truncated: %d bytes, a version %d index has at least %d", len(data), x.version, len(data)-len(body)+fanoutLen+idxTrailerLen)
	}
	var prev uint32
	for i := range x.fanout {
		x.fanout[i] = binary.BigEndian.Uint32(body[i*4:])
		if x.fanout[i] < prev {
			return nil, fmt.Errorf("fan-out table decreases at entry %d", i)
		}
		prev = x.fanout[i]
	}
	n := uint64(x.fanout[255])
	rest := uint64(len(body) - fanoutLen - idxTrailerLen)
	tables := body[fanoutLen : len(body)-idxTrailerLen]
	x.packSum = body[len(body)-idxTrailerLen : len(body)-hashLen]
	switch x.version {
	case 1:
		if rest != n*(4+hashLen) {
			return nil, fmt.Errorf("size %d does not match its %d objects (want %d bytes of entries, have %d)", len(data), n, n*(4+hashLen), rest)
		}
		x.offsets = tables
	case 2:
		fixed := n * (hashLen + 4 + 4)
		if rest < fixed || (rest-fixed)%8 != 0 {
			return nil, fmt.Errorf("size %d does not match its %d objects", len(data), n)
		}
		x.names = tables[:n*hashLen]
		x.offsets = tables[n*(hashLen+4) : n*(hashLen+8)] // after the CRC table
		x.large = tables[fixed:]
	}
	x.n = int(n)
	return x, nil
}

// name is the id of the i-th object.
func (x *packIndex) name(i int) []byte {
	if x.version == 1 {
		return x.offsets[i*(4+hashLen)+4 : (i+1)*(4+hashLen)]
	}
	return x.names[i*hashLen : (i+1)*hashLen]
}

// find returns the pack offset of h.
func (x *packIndex) find(h Hash) (int64, bool, error) {
	lo := 0
	if h[0] > 0 {
		lo = int(x.fanout[h[0]-1])
	}
	hi := int(x.fanout[h[0]])
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(x.name(mid), h[:]); {
		case c == 0:
			off, err := x.offset(mid)
			return off, err == nil, err
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false, nil
}

// offset is the pack offset of the i-th object.
func (x *packIndex) offset(i int) (int64, error) {
	if x.version == 1 {
		return int64(binary.BigEndian.Uint32(x.offsets[i*(4+hashLen):])), nil
	}
	o := binary.BigEndian.Uint32(x.offsets[i*4:])
	if o&0x80000000 == 0 {
		return int64(o), nil
	}
	j := int(o &^ 0x80000000)
	if j >= len(x.large)/8 {
		return 0, fmt.Errorf("object %d: 64-bit offset %d past the table of %d", i, j, len(x.large)/8)
	}
	v := binary.BigEndian.Uint64(x.large[j*8:])
	if v > 1<<62 {
		return 0, fmt.Errorf("object %d: offset %d out of range", i, v)
	}
	return int64(v), nil
}

// entryHeader is the header of one pack entry.
type entryHeader struct {
	typ      plumbing.ObjectType
	size     int64 // inflated size (of the delta, for a delta)
	base     int64 // OFS_DELTA: the base's pack offset
	baseHash Hash  // REF_DELTA: the base's id
	len      int   // header bytes; the zlib stream follows
}

// maxEntryHeader is the most bytes a header takes: a size of up to 2^64
// (10 bytes) and an OFS_DELTA offset (10 bytes) or a REF_DELTA id.
const maxEntryHeader = 10 + hashLen

// parseEntryHeader parses the header of the entry at pack offset off from
// b, which holds the entry's first bytes (maxEntryHeader or up to the end
// of the pack).
func parseEntryHeader(b []byte, off int64) (entryHeader, error) {
	var h entryHeader
	if len(b) == 0 {
		return h, errors.New("truncated entry header")
	}
	c := b[0]
	h.typ = plumbing.ObjectType((c >> 4) & 7)
	size := uint64(c & 15)
	shift := uint(4)
	i := 1
	for c&0x80 != 0 {
		if i >= len(b) {
			return h, errors.New("truncated entry header")
		}
		if shift > 63-7 {
			return h, errors.New("entry size overflows")
		}
		c = b[i]
		i++
		size |= uint64(c&0x7f) << shift
		shift += 7
	}
	if size > 1<<62 {
		return h, fmt.Errorf("entry size %d out of range", size)
	}
	h.size = int64(size)
	switch h.typ {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	case plumbing.OFSDeltaObject:
		// A big-endian base-128 number where each continuation adds one,
		// so every value has one encoding.
		if i >= len(b) {
			return h, errors.New("truncated delta offset")
		}
		c = b[i]
		i++
		rel := uint64(c & 0x7f)
		for c&0x80 != 0 {
			if i >= len(b) {
				return h, errors.New("truncated delta offset")
			}
			if rel >= 1<<56 {
				return h, errors.New("delta offset overflows")
			}
			c = b[i]
			i++
			rel = (rel+1)<<7 | uint64(c&0x7f)
		}
		if rel == 0 || rel > uint64(off) {
			return h, fmt.Errorf("delta base %d bytes before offset %d is outside the pack", rel, off)
		}
		h.base = off - int64(rel)
	case plumbing.REFDeltaObject:
		if len(b) < i+hashLen {
			return h, errors.New("truncated delta base id")
		}
		copy(h.baseHash[:], b[i:i+hashLen])
		i += hashLen
	default:
		return h, fmt.Errorf("unknown entry type %d", h.typ)
	}
	h.len = i
	return h, nil
}

// errBadDelta is a delta that does not apply to its base.
var errBadDelta = errors.New("invalid delta")

// maxRawObject is the largest object the raw reader builds; larger ones
// (and results of deltas that claim more) are left to go-git, so a
// corrupt size cannot make it allocate without bound.
const maxRawObject = 256 << 20

// errTooBig is an object over maxRawObject.
var errTooBig = errors.New("object too large for the raw reader")

// deltaSize reads a delta header's little-endian base-128 size. Like
// git's get_delta_hdr_size, a size cut by the end of the delta ends there.
func deltaSize(b []byte) (uint64, []byte, bool) {
	var v uint64
	for i, shift := 0, uint(0); i < len(b); i, shift = i+1, shift+7 {
		if shift > 63 {
			return 0, nil, false
		}
		v |= uint64(b[i]&0x7f) << shift
		if b[i]&0x80 == 0 {
			return v, b[i+1:], true
		}
	}
	return v, nil, true
}
