package git

import (
	"bytes"
	"compress/zlib"
	"container/list"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// rawObjects reads objects straight from the repository's pack files,
// for the commit walk (Log reads one version of each changed folder per
// commit). go-git's reader resolves a delta chain recursively and hashes
// every object it caches (SHA-1 with collision detection), which made it
// most of a walk's CPU; this reader resolves chains in a loop, keeps a
// large delta's result as pieces of its chain's buffers instead of
// copying it (rope.go), caches resolved objects by pack offset and
// hashes nothing (the caller named the id it wants).
//
// It reads only what the pack indexes list. Anything else (loose objects,
// alternates, objects missing from a partial clone, packs with an index
// version it does not know, objects over maxRawObject) is reported as not
// found, and the caller reads it through go-git. It has its own lock, so
// callers need not hold the Repo's objects lock.
type rawObjects struct {
	fs   billy.Filesystem // the repository's .git (objects/ resolved to the common dir by go-git)
	root string           // where objects/ is, for errors

	mu         sync.Mutex
	opened     bool
	packs      []*packFile
	err        error // opening the packs failed
	cache      offsetCache
	readers    sync.Pool       // *entryReader for blob reads outside mu
	walkBudget int             // the cache's budget during a walk
	ropeMin    int             // delta results below this size are flattened (ropeMin; tests lower it)
	served     [8]atomic.Int64 // objects returned, by type (tests count reads)
	entries    atomic.Int64    // pack entries inflated (tests check the cache)
	// published is packs once open succeeded (nil before and after
	// Close): readWhole finds objects without mu, which a walk holds
	// while it inflates a chain.
	published atomic.Pointer[[]*packFile]
}

// The raw reader caches resolved objects by pack offset. A walk (Log)
// reads a folder's versions one after the other, and git deltas them
// against each other in chains of up to 50. Results are ropes (rope.go):
// a chain costs its full object (its root) and a few hundred bytes per
// version, so during a walk a cache of a few roots holds the chains in
// use and each pack entry is inflated about once (a folder of 25,000
// files: 1 MB roots). A root larger than a quarter of the budget raises
// the walk's budget to four times its size, so a larger folder does not
// make every version inflate its chain again. Between walks (TreeFS,
// ChangesIn: a folder's version read once or twice) a small cache does.
const (
	rawCacheBudget  = 4 << 20
	walkCacheBudget = 8 << 20
)

// packFile is one pack and its index.
type packFile struct {
	name string // the pack's path, for errors
	f    billy.File
	size int64
	idx  *packIndex
}

// newRawObjects reads the packs under fs's objects/pack when first used.
func newRawObjects(fs billy.Filesystem) *rawObjects {
	return &rawObjects{fs: fs, cache: offsetCache{budget: rawCacheBudget}, walkBudget: walkCacheBudget, ropeMin: ropeMin}
}

// commonDir is the folder holding objects/ (git rev-parse
// --git-common-dir): a linked worktree's .git folder names it in its
// commondir file, and go-git's file system sends objects/ there.
func commonDir(fs billy.Filesystem) string {
	root := fs.Root()
	b, err := readAll(fs, "commondir")
	if err != nil {
		return root
	}
	dir := strings.TrimSpace(string(b))
	if filepath.IsAbs(dir) {
		return filepath.Clean(dir)
	}
	return filepath.Join(root, dir)
}

// path is name (relative to the objects' folder's parent) for messages.
func (ro *rawObjects) path(name string) string { return filepath.Join(ro.root, name) }

// open reads the pack indexes. A pack this reader cannot use is skipped
// (go-git reads its objects); a corrupt one is an error naming the file.
func (ro *rawObjects) open() error {
	if ro.opened {
		return ro.err
	}
	ro.opened = true
	ro.root = commonDir(ro.fs)
	dir := ro.fs.Join("objects", "pack")
	infos, err := ro.fs.ReadDir(dir)
	if err != nil {
		return nil // no pack folder: everything is loose
	}
	for _, fi := range infos {
		name := fi.Name()
		if fi.IsDir() || !strings.HasPrefix(name, "pack-") || !strings.HasSuffix(name, ".idx") {
			continue
		}
		pk, err := ro.openPack(ro.fs.Join(dir, name), ro.fs.Join(dir, strings.TrimSuffix(name, ".idx")+".pack"))
		if errors.Is(err, errUnsupportedIdx) || errors.Is(err, errNoPack) {
			continue
		}
		if err != nil {
			ro.err = err
			break
		}
		ro.packs = append(ro.packs, pk)
	}
	if ro.err != nil {
		ro.closePacks()
		return ro.err
	}
	packs := ro.packs
	ro.published.Store(&packs)
	return nil
}

// errNoPack is an index whose pack is gone (a repack removed it).
var errNoPack = errors.New("pack file missing")

func (ro *rawObjects) openPack(idxName, packName string) (*packFile, error) {
	data, err := readAll(ro.fs, idxName)
	if err != nil {
		return nil, fmt.Errorf("read pack index %s: %w", ro.path(idxName), err)
	}
	idx, err := parseIdx(data)
	if err != nil {
		return nil, fmt.Errorf("pack index %s: %w%s", ro.path(idxName), err, repackHint)
	}
	f, err := ro.fs.Open(packName)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errNoPack, ro.path(packName), err)
	}
	pk := &packFile{name: ro.path(packName), f: f, idx: idx}
	if err := pk.check(); err != nil {
		f.Close()
		return nil, fmt.Errorf("pack %s (index %s): %w%s", pk.name, ro.path(idxName), err, repackHint)
	}
	return pk, nil
}

// repackHint is what to do about a damaged pack.
const repackHint = " (the repository is damaged: check it with git fsck, then clone it again or restore the pack)"

// check compares the pack's header and checksum with its index, so an
// index and a pack from different repacks are never read together.
func (pk *packFile) check() error {
	size, err := pk.f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	pk.size = size
	var head [12]byte
	if size < int64(len(head))+hashLen {
		return fmt.Errorf("truncated: %d bytes", size)
	}
	if _, err := pk.f.ReadAt(head[:], 0); err != nil {
		return err
	}
	if string(head[:4]) != "PACK" {
		return errors.New("no PACK signature")
	}
	if v := beUint32(head[4:]); v != 2 && v != 3 {
		return fmt.Errorf("pack version %d", v)
	}
	if n := beUint32(head[8:]); int(n) != pk.idx.n {
		return fmt.Errorf("%d objects, its index lists %d", n, pk.idx.n)
	}
	var sum [hashLen]byte
	if _, err := pk.f.ReadAt(sum[:], size-hashLen); err != nil {
		return err
	}
	if string(sum[:]) != string(pk.idx.packSum) {
		return errors.New("checksum differs from its index's (the index belongs to another pack)")
	}
	return nil
}

func beUint32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func readAll(fs billy.Filesystem, name string) ([]byte, error) {
	f, err := fs.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func (ro *rawObjects) closePacks() {
	for _, pk := range ro.packs {
		pk.f.Close()
	}
	ro.packs = nil
	ro.published.Store(nil)
}

// beginWalk gives the cache its walk budget until the returned function
// is called, which empties it: nothing but another walk reads the same
// versions again.
func (ro *rawObjects) beginWalk() (end func()) {
	ro.mu.Lock()
	defer ro.mu.Unlock()
	ro.cache.budget, ro.cache.grow = ro.walkBudget, ro.walkBudget > 0
	return func() {
		ro.mu.Lock()
		defer ro.mu.Unlock()
		ro.cache.reset()
		ro.cache.budget, ro.cache.grow = rawCacheBudget, false
	}
}

// Close releases the pack files and the cache.
func (ro *rawObjects) Close() error {
	ro.mu.Lock()
	defer ro.mu.Unlock()
	ro.closePacks()
	ro.cache.reset()
	ro.opened, ro.err = true, errors.New("closed")
	return nil
}

// read returns the type and content of h; found is false when h is not in
// a pack this reader uses (read it through go-git then). The content may
// be shared with the cache: callers must not modify it.
func (ro *rawObjects) read(h Hash) (typ plumbing.ObjectType, data []byte, found bool, err error) {
	typ, v, found, err := ro.readRope(h)
	if !found || err != nil {
		return 0, nil, found, err
	}
	return typ, v.bytes(), true, nil
}

// readRope is read with the content as a rope (a large object resolved
// from a delta is pieces of its chain's buffers, not copied).
func (ro *rawObjects) readRope(h Hash) (typ plumbing.ObjectType, v rope, found bool, err error) {
	packs, err := ro.packList()
	if err != nil {
		return 0, rope{}, false, err
	}
	pk, off, err := findIn(packs, h)
	if pk == nil || err != nil {
		return 0, rope{}, false, err
	}
	er := ro.reader()
	defer ro.readers.Put(er)
	typ, v, err = ro.resolve(er, packs, pk, off)
	if errors.Is(err, errBaseElsewhere) || errors.Is(err, errTooBig) {
		return 0, rope{}, false, nil
	}
	if err != nil {
		return 0, rope{}, false, fmt.Errorf("object %s in pack %s: %w%s", h, pk.name, err, repackHint)
	}
	ro.served[typ&7].Add(1)
	return typ, v, true, nil
}

// reader is an entry reader of the pool (put it back when done).
func (ro *rawObjects) reader() *entryReader {
	if er, ok := ro.readers.Get().(*entryReader); ok {
		return er
	}
	return &entryReader{}
}

// packList is the packs, opened on first use. Once open the list and
// the indexes are read only: readers find objects without mu.
func (ro *rawObjects) packList() ([]*packFile, error) {
	if p := ro.published.Load(); p != nil {
		return *p, nil
	}
	ro.mu.Lock()
	defer ro.mu.Unlock()
	if err := ro.open(); err != nil {
		return nil, err
	}
	if p := ro.published.Load(); p != nil {
		return *p, nil
	}
	return nil, nil
}

// findIn returns the pack of packs holding h and its offset there (nil:
// none); the indexes are read only once open, so it needs no lock.
func findIn(packs []*packFile, h Hash) (*packFile, int64, error) {
	for _, pk := range packs {
		off, ok, err := pk.idx.find(h)
		if err != nil {
			return nil, 0, fmt.Errorf("object %s: index of %s: %w", h, pk.name, err)
		}
		if ok {
			return pk, off, nil
		}
	}
	return nil, 0, nil
}

// errBaseElsewhere is a REF_DELTA whose base is in no pack (a thin pack's
// base stored loose): go-git resolves the object.
var errBaseElsewhere = errors.New("delta base outside the packs")

// maxDeltaChain stops a REF_DELTA cycle in a corrupt pack; git writes
// chains of at most 4095.
const maxDeltaChain = 10000

// resolve returns the object at off in pk: it follows the delta chain down
// to a full object or a cached one, then applies the deltas back up,
// caching each result but a blob asked for (TreeFS keeps blobs itself;
// thousands of small files would push a walk's trees out). Results are
// ropes over the chain's full object (rope.go), so a chain of large
// versions costs one copy of the object.
//
// Only the cache is read and written under mu: entries are inflated and
// deltas applied by the caller's entry reader outside it, so a walk
// resolving 1 MB trees does not hold up the many small files the loads
// read. Two readers may resolve the same chain at once; both get it
// right, and the cache keeps one.
func (ro *rawObjects) resolve(er *entryReader, packs []*packFile, pk *packFile, off int64) (plumbing.ObjectType, rope, error) {
	type link struct {
		pk    *packFile
		off   int64
		delta []byte
	}
	var chain []link
	var typ plumbing.ObjectType
	var v rope
	put := func(pk *packFile, off int64, typ plumbing.ObjectType, v rope) {
		ro.mu.Lock()
		ro.cache.put(pk, off, typ, v)
		ro.mu.Unlock()
	}
	for {
		ro.mu.Lock()
		e := ro.cache.get(pk, off)
		if e != nil {
			typ, v = e.typ, e.v
		}
		ro.mu.Unlock()
		if e != nil {
			break
		}
		h, payload, err := er.entry(pk, off)
		if err != nil {
			return 0, rope{}, err
		}
		ro.entries.Add(1)
		if h.typ != plumbing.OFSDeltaObject && h.typ != plumbing.REFDeltaObject {
			typ, v = h.typ, flatRope(payload)
			if len(chain) > 0 || typ != plumbing.BlobObject {
				put(pk, off, typ, v)
			}
			break
		}
		if len(chain) == maxDeltaChain {
			return 0, rope{}, fmt.Errorf("delta chain longer than %d at offset %d (a cycle?)", maxDeltaChain, off)
		}
		chain = append(chain, link{pk, off, payload})
		if h.typ == plumbing.OFSDeltaObject {
			off = h.base
			continue
		}
		bpk, boff, err := findIn(packs, h.baseHash)
		if err != nil {
			return 0, rope{}, err
		}
		if bpk == nil {
			return 0, rope{}, errBaseElsewhere
		}
		pk, off = bpk, boff
	}
	for i := len(chain) - 1; i >= 0; i-- {
		l := chain[i]
		out, err := applyDelta(v, l.delta, ro.ropeMin)
		if err != nil {
			return 0, rope{}, fmt.Errorf("delta at offset %d: %w", l.off, err)
		}
		v = out
		if i > 0 || typ != plumbing.BlobObject {
			put(l.pk, l.off, typ, v)
		}
	}
	return typ, v, nil
}

// entryReader reads pack entries: a window of the pack and an inflater,
// reused from one entry to the next.
type entryReader struct {
	win packWindow
	zr  io.ReadCloser // a zlib reader, reused through zlib.Resetter
}

// entry reads the header and the inflated payload of the entry at off.
func (er *entryReader) entry(pk *packFile, off int64) (entryHeader, []byte, error) {
	h, err := er.seek(pk, off)
	if err != nil {
		return h, nil, err
	}
	data := make([]byte, h.size)
	if _, err := io.ReadFull(er.zr, data); err != nil {
		return h, nil, fmt.Errorf("entry at offset %d: inflate %d bytes: %w", off, h.size, err)
	}
	// Reading on to the end of the stream checks its Adler-32 sum.
	var one [1]byte
	if n, err := er.zr.Read(one[:]); n != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = errors.New("more data than its header says")
		}
		return h, nil, fmt.Errorf("entry at offset %d: inflate: %w", off, err)
	}
	return h, data, nil
}

// size returns the size of h's content without building it: a whole
// object's entry header holds it, a delta's first bytes hold its
// result's. found is false when the reader does not hold h or cannot read
// its entry (go-git answers then, and names the damage).
func (ro *rawObjects) size(h Hash) (n int64, found bool, err error) {
	packs, err := ro.packList()
	if err != nil {
		return 0, false, err
	}
	pk, off, err := findIn(packs, h)
	if pk == nil || err != nil {
		return 0, false, err
	}
	// The entry's own header answers, cached or not: no lock (the head
	// scan asks for every file's size).
	er := ro.reader()
	defer ro.readers.Put(er)
	hd, err := er.seek(pk, off)
	if err != nil {
		return 0, false, nil
	}
	if hd.typ != plumbing.OFSDeltaObject && hd.typ != plumbing.REFDeltaObject {
		return hd.size, true, nil
	}
	// Two sizes of at most 10 bytes each: the base's, then the result's.
	var head [20]byte
	got, _ := io.ReadFull(er.zr, head[:min(int64(len(head)), hd.size)])
	_, rest, ok := deltaSize(head[:got])
	if !ok || len(rest) == 0 {
		return 0, false, nil
	}
	size, _, ok := deltaSize(rest)
	if !ok || size > maxRawObject {
		return 0, false, nil
	}
	return int64(size), true, nil
}

// seek reads the header of the entry at off and readies er.zr to inflate
// its payload.
func (er *entryReader) seek(pk *packFile, off int64) (entryHeader, error) {
	end := pk.size - hashLen
	if off < 12 || off >= end {
		return entryHeader{}, fmt.Errorf("offset %d outside the pack's %d bytes of entries", off, end)
	}
	if err := er.win.at(pk, off, maxEntryHeader); err != nil {
		return entryHeader{}, fmt.Errorf("entry at offset %d: %w", off, err)
	}
	head := er.win.peek(maxEntryHeader)
	h, err := parseEntryHeader(head, off)
	if err != nil {
		return h, fmt.Errorf("entry at offset %d: %w", off, err)
	}
	if h.size > maxRawObject {
		return h, errTooBig
	}
	// Deflate shrinks data at most about 1032:1, so a larger size is
	// corrupt; checked before allocating it.
	if h.size > 1032*(end-off)+64 {
		return h, fmt.Errorf("entry at offset %d: size %d cannot come from the %d bytes left in the pack", off, h.size, end-off)
	}
	er.win.discard(h.len)
	if er.zr == nil {
		if er.zr, err = zlib.NewReader(&er.win); err != nil {
			return h, fmt.Errorf("entry at offset %d: %w", off, err)
		}
	} else if err := er.zr.(zlib.Resetter).Reset(&er.win, nil); err != nil {
		return h, fmt.Errorf("entry at offset %d: %w", off, err)
	}
	return h, nil
}

// offsetCache keeps resolved objects by pack offset, least recently used
// dropped first, up to budget bytes. A rope is charged its pieces and the
// delta payloads it holds; its root once, however many cached ropes
// share it, as long as one does.
type offsetCache struct {
	budget, used int
	grow         bool      // a walk's: an object over a quarter of the budget raises it
	lru          list.List // of *cached, most recent at the front
	byKey        map[cacheKey]*list.Element
}

type cacheKey struct {
	pk  *packFile
	off int64
}

type cached struct {
	key cacheKey
	typ plumbing.ObjectType
	v   rope
}

func (c *offsetCache) get(pk *packFile, off int64) *cached {
	el, ok := c.byKey[cacheKey{pk, off}]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*cached)
}

// put keeps an object unless it takes more than a quarter of the budget
// (it would push out a whole chain of smaller ones), or the budget grows
// to hold it (grow).
func (c *offsetCache) put(pk *packFile, off int64, typ plumbing.ObjectType, v rope) {
	k := cacheKey{pk, off}
	cost := v.cost()
	if v.root.refs == 0 {
		cost += len(v.root.b)
	}
	if cost > c.budget/4 {
		if !c.grow {
			return
		}
		c.budget = 4 * cost
	}
	if _, ok := c.byKey[k]; ok {
		return
	}
	if c.byKey == nil {
		c.byKey = map[cacheKey]*list.Element{}
	}
	c.byKey[k] = c.lru.PushFront(&cached{key: k, typ: typ, v: v})
	c.used += cost
	v.root.refs++
	for c.used > c.budget {
		last := c.lru.Back()
		e := last.Value.(*cached)
		c.lru.Remove(last)
		delete(c.byKey, e.key)
		c.used -= e.v.cost()
		if e.v.root.refs--; e.v.root.refs == 0 {
			c.used -= len(e.v.root.b)
		}
	}
}

func (c *offsetCache) reset() {
	for el := c.lru.Front(); el != nil; el = el.Next() {
		el.Value.(*cached).v.root.refs--
	}
	c.lru.Init()
	c.byKey = nil
	c.used = 0
}

// store is the object store the Repo's own reads go through: go-git's,
// with objects served by the raw reader when it holds them (trees read
// by TreeFS and ChangesIn are versions of large folders, deep in delta
// chains, like the walk's). Its go-git reads take the Repo's object lock,
// so a walk may run beside them; TreeFS, which holds that lock, reads
// through lockedStore.
func (r *Repo) store() storer.EncodedObjectStorer {
	var st storer.EncodedObjectStorer = lockedStorer{r.goStore, &r.objects}
	if r.raw != nil {
		st = rawStorer{st, r.raw}
	}
	return st
}

// lockedStore is store for callers that hold the Repo's object lock.
func (r *Repo) lockedStore() storer.EncodedObjectStorer {
	if r.raw == nil {
		return r.goStore
	}
	return rawStorer{r.goStore, r.raw}
}

// rawFirstStorage is go-git's file system storage with objects read by
// the raw reader where it holds them: the store the go-git Repository
// reads through. It takes no lock of its own, so its callers keep the
// Repo's locking as it is for go-git reads.
type rawFirstStorage struct {
	*filesystem.Storage
	raw *rawObjects
}

func (s rawFirstStorage) EncodedObject(typ plumbing.ObjectType, h Hash) (plumbing.EncodedObject, error) {
	return rawStorer{s.Storage, s.raw}.EncodedObject(typ, h)
}

// rawStorer serves EncodedObject from the raw reader, else from go-git.
type rawStorer struct {
	storer.EncodedObjectStorer
	raw *rawObjects
}

// EncodedObject returns h. When the raw reader fails (a damaged pack, or
// a bug of its own), go-git reads the object; only if go-git fails too is
// the raw reader's error, which names the damaged file, returned.
func (s rawStorer) EncodedObject(typ plumbing.ObjectType, h Hash) (plumbing.EncodedObject, error) {
	t, data, found, rawErr := s.raw.read(h)
	switch {
	case rawErr != nil:
	case found && typ != plumbing.AnyObject && t != typ:
		return nil, plumbing.ErrObjectNotFound // as go-git answers
	case found:
		return &rawObject{h: h, t: t, data: data}, nil
	}
	obj, err := s.EncodedObjectStorer.EncodedObject(typ, h)
	if err != nil && rawErr != nil {
		return nil, rawErr
	}
	return obj, err
}

// rawObject is an object read by the raw reader: its id is the one asked
// for, never computed.
type rawObject struct {
	h    Hash
	t    plumbing.ObjectType
	data []byte // shared with the raw reader's cache: read only
}

func (o *rawObject) Hash() Hash                    { return o.h }
func (o *rawObject) Type() plumbing.ObjectType     { return o.t }
func (o *rawObject) SetType(t plumbing.ObjectType) { o.t = t }
func (o *rawObject) Size() int64                   { return int64(len(o.data)) }
func (o *rawObject) SetSize(int64)                 {}
func (o *rawObject) Writer() (io.WriteCloser, error) {
	return nil, errors.New("objects read from a pack are read-only")
}
func (o *rawObject) Reader() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(o.data)), nil
}

// lockedStorer takes the Repo's object lock around each go-git read.
type lockedStorer struct {
	storer.EncodedObjectStorer
	mu *sync.Mutex
}

func (s lockedStorer) EncodedObject(typ plumbing.ObjectType, h Hash) (plumbing.EncodedObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.EncodedObjectStorer.EncodedObject(typ, h)
}

// object returns the content of h, which must be an object of type typ:
// from the raw reader (its own lock), else through go-git under the
// Repo's object lock, so walks may run beside TreeFS reads. Callers hold
// no lock. The content may be shared with the raw reader's cache:
// callers must not modify it.
func (r *Repo) object(typ plumbing.ObjectType, h Hash) ([]byte, error) {
	v, err := r.objectRope(typ, h)
	if err != nil {
		return nil, err
	}
	return v.bytes(), nil
}

// objectRope is object with the content as a rope: what the raw reader
// resolved, without flattening it (rope.go).
func (r *Repo) objectRope(typ plumbing.ObjectType, h Hash) (rope, error) {
	var rawErr error
	if r.raw != nil {
		t, v, found, err := r.raw.readRope(h)
		switch {
		case err != nil:
			rawErr = err // go-git may read it: see rawStorer
		case found && typ != plumbing.AnyObject && t != typ:
			return rope{}, plumbing.ErrObjectNotFound
		case found:
			return v, nil
		}
	}
	// go-git's own store: the raw reader has answered already.
	obj, err := lockedStorer{r.goStore, &r.objects}.EncodedObject(typ, h)
	if err != nil {
		if rawErr != nil {
			return rope{}, rawErr
		}
		return rope{}, err
	}
	rd, err := obj.Reader()
	if err != nil {
		return rope{}, err
	}
	defer rd.Close()
	// The size is known: one allocation, no growing buffer.
	data := make([]byte, obj.Size())
	if _, err := io.ReadFull(rd, data); err != nil {
		return rope{}, err
	}
	return flatRope(data), nil
}
