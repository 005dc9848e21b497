package git

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
)

// A rope is an object's content as a list of pieces of other buffers:
// the full object at the bottom of its delta chain (its root) and the
// inserted bytes of the deltas above it. Applying a delta to a rope
// copies no content: a copy command becomes pieces of the base's pieces,
// an insert a piece of the delta. On the 25,000-component repository a
// version of the components folder is a 975 KB tree whose delta changes
// one entry: as a rope it is a root shared by its whole chain of 50 and
// a few hundred bytes of its own, so the commit walk neither copies nor
// caches a megabyte per commit, and compares two versions by their
// pieces (tree diff below) where the pieces are the same memory.
//
// Small results are flattened at once (one piece): readers that need the
// bytes get them without a copy.
type rope struct {
	size   int
	pieces []piece
	root   *rootBuf // the full object the pieces copy from
	extra  int      // bytes of delta payloads the pieces may hold on to
}

// piece is a run of a rope's content; end is the rope offset just past it.
type piece struct {
	end int
	b   []byte
}

// rootBuf is a full object some ropes copy from; refs counts the cache
// entries holding it (offsetCache charges its bytes once).
type rootBuf struct {
	b    []byte
	refs int
}

// ropeMin is the size under which a delta's result is flattened: copying
// a small object costs less than keeping its pieces.
const ropeMin = 16 << 10

// pieceCost is what a piece costs in memory, for the cache's budget.
const pieceCost = 32

// flatRope is a rope of one buffer, its own root.
func flatRope(b []byte) rope {
	// One allocation for the root and the piece.
	f := &struct {
		root  rootBuf
		piece [1]piece
	}{root: rootBuf{b: b}, piece: [1]piece{{len(b), b}}}
	r := rope{size: len(b), root: &f.root}
	if len(b) > 0 {
		r.pieces = f.piece[:]
	}
	return r
}

// cost is the memory a cached rope holds besides its root.
func (r *rope) cost() int { return len(r.pieces)*pieceCost + r.extra }

// bytes returns the content: the buffer itself for a flat rope (shared:
// read only), else a new copy.
func (r *rope) bytes() []byte {
	switch len(r.pieces) {
	case 0:
		return []byte{}
	case 1:
		return r.pieces[0].b
	}
	out := make([]byte, 0, r.size)
	for _, p := range r.pieces {
		out = append(out, p.b...)
	}
	return out
}

// slice returns the content in [from, to): a sub-slice of a piece when it
// lies in one (shared: read only), else a copy.
func (r *rope) slice(from, to int) []byte {
	if from >= to {
		return nil
	}
	i := r.find(from)
	start := r.pieces[i].end - len(r.pieces[i].b)
	if to <= r.pieces[i].end {
		return r.pieces[i].b[from-start : to-start]
	}
	out := make([]byte, 0, to-from)
	for ; from < to; i++ {
		p := r.pieces[i]
		start = p.end - len(p.b)
		out = append(out, p.b[from-start:min(to, p.end)-start]...)
		from = p.end
	}
	return out
}

// find is the index of the piece holding offset off (< size).
func (r *rope) find(off int) int {
	return sort.Search(len(r.pieces), func(i int) bool { return r.pieces[i].end > off })
}

// add appends b, merging it into the last piece when it continues it in
// memory (a copy command split by nothing).
func (r *rope) add(b []byte) {
	if len(b) == 0 {
		return
	}
	r.size += len(b)
	if n := len(r.pieces); n > 0 {
		last := &r.pieces[n-1]
		if l := len(last.b); cap(last.b) > l && &last.b[:l+1][l] == &b[0] && cap(last.b)-l >= len(b) {
			last.b = last.b[:l+len(b)]
			last.end = r.size
			return
		}
	}
	r.pieces = append(r.pieces, piece{r.size, b})
}

// maxPieces bounds a rope before it is flattened: a piece costs
// pieceCost bytes, so past size/8 of them a copy is smaller.
func maxPieces(size int) int { return max(64, size/(8*pieceCost)) }

// applyDelta applies a git delta to base. A result under flatBelow bytes
// is built in one buffer; a larger one is pieces of base and of delta,
// unless it would have too many (then it is flattened). It checks the
// delta as git does: the base's size, every copy and insert within their
// bounds, the result's size.
func applyDelta(base rope, delta []byte, flatBelow int) (rope, error) {
	if len(delta) < 2 {
		return rope{}, fmt.Errorf("%w: %d bytes", errBadDelta, len(delta))
	}
	srcSize, delta, ok := deltaSize(delta)
	if !ok || srcSize != uint64(base.size) {
		return rope{}, fmt.Errorf("%w: base size %d, the delta expects %d", errBadDelta, base.size, srcSize)
	}
	dstSize, delta, ok := deltaSize(delta)
	if !ok {
		return rope{}, fmt.Errorf("%w: truncated result size", errBadDelta)
	}
	if dstSize > maxRawObject {
		return rope{}, errTooBig
	}
	// The pieces may hold on to the delta's payload (its inserts).
	out := rope{root: base.root, extra: base.extra + len(delta)}
	emit := out.add
	var flat []byte
	if dstSize < uint64(flatBelow) {
		flat = make([]byte, 0, dstSize)
		emit = func(b []byte) { flat = append(flat, b...) }
	}
	written := func() int { return out.size + len(flat) }
	for len(delta) > 0 {
		cmd := delta[0]
		delta = delta[1:]
		switch {
		case cmd&0x80 != 0: // copy from the base
			var off, n uint64
			for i := range 7 {
				if cmd&(1<<i) == 0 {
					continue
				}
				if len(delta) == 0 {
					return rope{}, fmt.Errorf("%w: truncated copy", errBadDelta)
				}
				if i < 4 {
					off |= uint64(delta[0]) << (8 * i)
				} else {
					n |= uint64(delta[0]) << (8 * (i - 4))
				}
				delta = delta[1:]
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(base.size) || uint64(written())+n > dstSize {
				return rope{}, fmt.Errorf("%w: copy of %d bytes at %d out of range", errBadDelta, n, off)
			}
			from, to := int(off), int(off+n)
			for i := base.find(from); from < to; i++ {
				p := base.pieces[i]
				start := p.end - len(p.b)
				emit(p.b[from-start : min(to, p.end)-start])
				from = p.end
			}
		case cmd != 0: // insert the next cmd bytes
			n := int(cmd)
			if n > len(delta) || uint64(written()+n) > dstSize {
				return rope{}, fmt.Errorf("%w: insert of %d bytes out of range", errBadDelta, n)
			}
			emit(delta[:n])
			delta = delta[n:]
		default:
			return rope{}, fmt.Errorf("%w: reserved command 0", errBadDelta)
		}
	}
	if n := written(); uint64(n) != dstSize {
		return rope{}, fmt.Errorf("%w: result has %d bytes, the delta says %d", errBadDelta, n, dstSize)
	}
	if flat != nil {
		return flatRope(flat), nil
	}
	if len(out.pieces) > maxPieces(out.size) {
		return flatRope(out.bytes()), nil
	}
	return out, nil
}

// ropePrefix is the length of the longest common prefix of a and b.
// Pieces that are the same memory are equal without being read.
func ropePrefix(a, b *rope) int {
	n := 0
	i, j := 0, 0
	var pa, pb []byte
	for {
		if len(pa) == 0 {
			if i == len(a.pieces) {
				return n
			}
			pa, i = a.pieces[i].b, i+1
		}
		if len(pb) == 0 {
			if j == len(b.pieces) {
				return n
			}
			pb, j = b.pieces[j].b, j+1
		}
		m := min(len(pa), len(pb))
		if &pa[0] != &pb[0] {
			if k := commonPrefix(pa[:m], pb[:m]); k < m {
				return n + k
			}
		}
		n += m
		pa, pb = pa[m:], pb[m:]
	}
}

// ropeSuffix is the length of the longest common suffix of a and b, at
// most limit.
func ropeSuffix(a, b *rope, limit int) int {
	n := 0
	i, j := len(a.pieces), len(b.pieces)
	var pa, pb []byte
	for n < limit {
		if len(pa) == 0 {
			if i == 0 {
				return n
			}
			i--
			pa = a.pieces[i].b
		}
		if len(pb) == 0 {
			if j == 0 {
				return n
			}
			j--
			pb = b.pieces[j].b
		}
		m := min(len(pa), len(pb), limit-n)
		ta, tb := pa[len(pa)-m:], pb[len(pb)-m:]
		if &ta[0] != &tb[0] {
			if k := commonSuffix(ta, tb); k < m {
				return n + k
			}
		}
		n += m
		pa, pb = pa[:len(pa)-m], pb[:len(pb)-m]
	}
	return n
}

// entryStart is where the last tree entry of r that ends at or before p
// ends (0 when none does): skipCommonPrefix on a rope.
func entryStart(r *rope, p int) int {
	x, i := 0, 0
	for {
		// The NUL ending the name of the entry at x.
		for i < len(r.pieces) && r.pieces[i].end <= x {
			i++
		}
		nul := -1
		for k := i; k < len(r.pieces) && nul < 0; k++ {
			pc := &r.pieces[k]
			start := pc.end - len(pc.b)
			from := max(x, start)
			if from >= p {
				return x // the entry ends past p
			}
			if j := bytes.IndexByte(pc.b[from-start:], 0); j >= 0 {
				nul = from + j
			}
		}
		if nul < 0 || nul+1+hashLen > p {
			return x
		}
		x = nul + 1 + hashLen
	}
}

// errNeedMore: a window of the trees ended inside an entry.
var errNeedMore = errors.New("window ends inside an entry")

// diffRope is diffRaw of two trees held as ropes: the common head and
// tail are found by their pieces, and only the entries between them are
// read, from copies of that window of each side.
func diffRope(a, b *rope, visit visitFunc) error {
	return diffRopeSlack(a, b, 4<<10, visit)
}

// diffRopeSlack is diffRope with the window's first slack (tests start
// small to make it widen).
func diffRopeSlack(a, b *rope, slack int, visit visitFunc) error {
	if len(a.pieces) <= 1 && len(b.pieces) <= 1 {
		return diffRaw(a.bytes(), b.bytes(), visit)
	}
	x := entryStart(a, ropePrefix(a, b))
	tail := ropeSuffix(a, b, min(a.size, b.size)-x)
	type found struct {
		e          rawEntry
		ah, bh     Hash
		aDir, bDir bool
	}
	var hits []found
	collect := func(e *rawEntry, ah, bh Hash, aDir, bDir bool) error {
		hits = append(hits, found{*e, ah, bh, aDir, bDir})
		return nil
	}
	// The window runs past the start of the common tail by slack bytes,
	// for the entry that straddles it; a longer one widens the window.
	for ; ; slack *= 4 {
		endA, endB := min(a.size, a.size-tail+slack), min(b.size, b.size-tail+slack)
		hits = hits[:0]
		err := mergeEntries(a.slice(x, endA), b.slice(x, endB), a.size-endA, b.size-endB, tail, collect)
		if errors.Is(err, errNeedMore) {
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	for i := range hits {
		h := &hits[i]
		if err := visit(&h.e, h.ah, h.bh, h.aDir, h.bDir); err != nil {
			return err
		}
	}
	return nil
}
