package git

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/ibgitops/ibgitops/internal/benchrepo"
	"github.com/ibgitops/ibgitops/internal/testutil"
)

// rawShape is a small generated repository whose folders change one file
// per commit, so git stores their tree versions (and the files' versions)
// as delta chains of up to 50.
var rawShape = benchrepo.Shape{Components: 200, Recipes: 30, Pipelines: 10, Sources: 20, Commits: 120, SourcesPerCommit: 1}

// TestRawObjects runs the raw reader's tests on copies of one generated
// repository (making it is most of their time).
func TestRawObjects(t *testing.T) {
	testutil.Git(t, t.TempDir(), "version") // skips without git
	base := filepath.Join(t.TempDir(), "repo")
	if err := benchrepo.Create(base, rawShape); err != nil {
		t.Fatal(err)
	}
	fresh := func(t *testing.T) string {
		dir := filepath.Join(t.TempDir(), "repo")
		if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	t.Run("MatchGit", func(t *testing.T) { testRawObjectsMatchGit(t, fresh) })
	t.Run("WrongType", func(t *testing.T) { testRawObjectWrongType(t, fresh(t)) })
	t.Run("FailureFallsBack", func(t *testing.T) { testRawObjectFailureFallsBack(t, fresh(t)) })
	t.Run("DamagedPack", func(t *testing.T) { testRawObjectsDamagedPack(t, fresh) })
	t.Run("SkipUnknownIndex", func(t *testing.T) { testRawObjectsSkipUnknownIndex(t, fresh(t)) })
	t.Run("WalkInflatesEachEntryOnce", func(t *testing.T) { testWalkInflatesEachEntryOnce(t, fresh(t)) })
	t.Run("Concurrent", func(t *testing.T) { testRawObjectsConcurrent(t, fresh(t)) })
}

// testRawObjectsConcurrent: readers in several goroutines (a walk while
// TreeFS loads) get the same bytes; -race checks the locking.
func testRawObjectsConcurrent(t *testing.T, dir string) {
	testutil.Git(t, dir, "repack", "-q", "-adf", "--depth=50")
	objs := allObjects(t, dir)
	r := open(t, dir)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	var whole atomic.Int64
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h, want := range objs {
				got, err := r.object(want.typ, h)
				if err != nil || !bytes.Equal(got, want.data) {
					errs <- fmt.Errorf("object %s: %d bytes, %v; want %d bytes", h, len(got), err, len(want.data))
					return
				}
				// Half the readers also read raw, beside the go-git reads.
				if i%2 == 0 {
					if typ, got, found, err := r.raw.read(h); err == nil && found {
						whole.Add(1)
						if typ != want.typ || !bytes.Equal(got, want.data) {
							errs <- fmt.Errorf("raw read %s: %s of %d bytes; want %s of %d bytes", h, typ, len(got), want.typ, len(want.data))
							return
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if whole.Load() == 0 {
		t.Error("the raw reader read no object: the case does not test it")
	}
}

// testWalkInflatesEachEntryOnce: a walk over the whole history reads
// each folder's versions through delta chains of up to 50, and every
// pack entry is inflated once: the results of a chain are cached and the
// next versions patched from them. Without the cache it would inflate
// each chain again for every version. The cache is emptied when the walk
// ends.
func testWalkInflatesEachEntryOnce(t *testing.T, dir string) {
	testutil.Git(t, dir, "repack", "-q", "-adf", "--depth=50", "--window=250")
	// The walk reads commits and trees (each commit once).
	var trees int
	for _, o := range allObjects(t, dir) {
		if o.typ == plumbing.TreeObject || o.typ == plumbing.CommitObject {
			trees++
		}
	}
	var paths []string
	for i := range rawShape.Components {
		paths = append(paths, benchrepo.Component(i))
	}
	head := plumbing.NewHash(testutil.Git(t, dir, "rev-parse", "HEAD"))
	for _, tc := range []struct {
		budget  int
		ropeMin int // the folders here are small: 0 keeps them as ropes
		atMost  int // entries inflated
		atLeast int
	}{
		{walkCacheBudget, ropeMin, trees, 0},
		{walkCacheBudget, 0, trees, 0},
		// A budget below four times a root grows to it.
		{1, 0, trees, 0},
		{0, ropeMin, 1 << 30, 3 * trees}, // nothing cached: the checks above are not vacuous
	} {
		r := open(t, dir)
		r.raw.walkBudget, r.raw.ropeMin = tc.budget, tc.ropeMin
		log, err := r.Log(context.Background(), plumbing.ZeroHash, head, paths)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) < rawShape.Commits/2 {
			t.Fatalf("Log listed %d commits", len(log))
		}
		t.Logf("cache of %d bytes, ropes from %d bytes: %d entries inflated, %d trees and commits", tc.budget, tc.ropeMin, r.raw.entries.Load(), trees)
		if n := int(r.raw.entries.Load()); n > tc.atMost || n < tc.atLeast {
			t.Errorf("cache of %d bytes: %d pack entries inflated for %d trees and commits, want %d to %d", tc.budget, n, trees, tc.atLeast, tc.atMost)
		}
		// The walk's versions are of no use after it: Log drops them.
		if r.raw.cache.used != 0 || r.raw.cache.lru.Len() != 0 || r.raw.cache.budget != rawCacheBudget {
			t.Errorf("after Log the cache holds %d objects, %d bytes, budget %d", r.raw.cache.lru.Len(), r.raw.cache.used, r.raw.cache.budget)
		}
	}
}

// TestOffsetCacheChargesRootsOnce: ropes sharing a root are charged their
// own pieces, the root once while any of them is cached; evicting the
// last one releases it.
func TestOffsetCacheChargesRootsOnce(t *testing.T) {
	c := offsetCache{budget: 8000}
	pk := &packFile{}
	rootA, rootB := make([]byte, 1000), make([]byte, 1500)
	a := flatRope(rootA)
	ropeOf := func(base rope, n int) rope {
		r := rope{root: base.root, extra: 10}
		for i := range n {
			r.add(base.root.b[i*10 : i*10+5])
		}
		return r
	}
	// charged is what the cache should be charged for what it holds.
	charged := func() int {
		n := 0
		roots := map[*rootBuf]int{}
		for el := c.lru.Front(); el != nil; el = el.Next() {
			v := el.Value.(*cached).v
			n += v.cost()
			roots[v.root]++
		}
		for r, refs := range roots {
			if r.refs != refs {
				t.Errorf("root of %d bytes: refs %d, held by %d entries", len(r.b), r.refs, refs)
			}
			n += len(r.b)
		}
		return n
	}
	c.put(pk, 1, plumbing.TreeObject, a)
	for i := range 5 {
		c.put(pk, int64(10+i), plumbing.TreeObject, ropeOf(a, 3+i))
	}
	if want := charged(); c.used != want || a.root.refs != 6 {
		t.Fatalf("used %d, want %d; refs %d", c.used, want, a.root.refs)
	}
	// A's flat entry is the oldest: it goes first, its ropes keep the root.
	b := flatRope(rootB)
	c.put(pk, 2, plumbing.TreeObject, b)
	for i := range 20 {
		c.put(pk, int64(100+i), plumbing.TreeObject, ropeOf(b, 20+i))
	}
	if want := charged(); c.used != want || c.used > c.budget {
		t.Fatalf("used %d, want %d, budget %d", c.used, want, c.budget)
	}
	if c.get(pk, 1) != nil || a.root.refs != 0 {
		t.Errorf("A's entries are the oldest, yet some stayed (refs %d)", a.root.refs)
	}
	c.reset()
	if c.used != 0 || b.root.refs != 0 {
		t.Errorf("after reset: used %d, refs %d", c.used, b.root.refs)
	}
}

// gitObject is an object as the git binary reads it.
type gitObject struct {
	typ  plumbing.ObjectType
	data []byte
}

// allObjects reads every object git sees in dir (packed, loose and in
// alternates) with git cat-file.
func allObjects(t *testing.T, dir string) map[Hash]gitObject {
	t.Helper()
	out := testutil.GitBytes(t, dir, "cat-file", "--batch-all-objects", "--batch")
	objs := map[Hash]gitObject{}
	for len(out) > 0 {
		line, rest, _ := bytes.Cut(out, []byte("\n"))
		f := strings.Fields(string(line))
		if len(f) != 3 {
			t.Fatalf("cat-file header %q", line)
		}
		typ, err := plumbing.ParseObjectType(f[1])
		size, err2 := strconv.Atoi(f[2])
		if err != nil || err2 != nil || len(rest) < size+1 {
			t.Fatalf("cat-file header %q: %v %v", line, err, err2)
		}
		objs[plumbing.NewHash(f[0])] = gitObject{typ, rest[:size]}
		out = rest[size+1:]
	}
	return objs
}

// packEntryTypes counts the entry types (full objects, OFS_DELTA,
// REF_DELTA) of every pack the raw reader opened, parsing each entry's
// header from the pack, and the longest OFS_DELTA chain.
func packEntryTypes(t *testing.T, r *Repo) (map[plumbing.ObjectType]int, int) {
	t.Helper()
	ro := r.raw
	ro.mu.Lock()
	defer ro.mu.Unlock()
	if err := ro.open(); err != nil {
		t.Fatal(err)
	}
	counts := map[plumbing.ObjectType]int{}
	longest := 0
	var er entryReader
	for _, pk := range ro.packs {
		base := map[int64]int64{} // OFS_DELTA entry -> its base
		for i := range pk.idx.n {
			off, err := pk.idx.offset(i)
			if err != nil {
				t.Fatal(err)
			}
			h, _, err := er.entry(pk, off)
			if err != nil {
				t.Fatalf("%s: %v", pk.name, err)
			}
			counts[h.typ]++
			if h.typ == plumbing.OFSDeltaObject {
				base[off] = h.base
			}
		}
		for off := range base {
			n := 0
			for ok := true; ok; off, ok = base[off] {
				n++
			}
			longest = max(longest, n-1)
		}
	}
	return counts, longest
}

// readWithGoGit reads h through go-git alone.
func readWithGoGit(r *Repo, h Hash) (plumbing.ObjectType, []byte, error) {
	obj, err := r.goStore.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return 0, nil, err
	}
	rd, err := obj.Reader()
	if err != nil {
		return 0, nil, err
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	return obj.Type(), data, err
}

// testRawObjectsMatchGit: for every object of repositories packed in the
// ways git packs them, the raw reader returns exactly git's (and go-git's)
// type and bytes, and Repo.object (raw reader, else go-git) does too.
// Objects the raw reader does not hold (loose, in alternates) are left to
// go-git.
func testRawObjectsMatchGit(t *testing.T, fresh func(*testing.T) string) {
	for _, tc := range []struct {
		name string
		// prepare repacks the repository in dir; it returns the folder to
		// open (a worktree, a repository borrowing objects).
		prepare func(t *testing.T, dir string) string
		// wantTypes: entry types the packs must hold, so the case tests
		// what it says.
		wantTypes []plumbing.ObjectType
		// outside: some objects are in no pack the raw reader opens.
		outside bool
		// goGitFails: go-git cannot read some objects git can (version 1
		// indexes, alternates).
		goGitFails bool
		// minChain: the longest OFS_DELTA chain is at least this long.
		minChain int
	}{
		{"gc aggressive", func(t *testing.T, dir string) string {
			testutil.Git(t, dir, "gc", "-q", "--aggressive", "--prune=now")
			return dir
		}, []plumbing.ObjectType{plumbing.OFSDeltaObject}, false, false, 20},
		{"repack depth 50", func(t *testing.T, dir string) string {
			testutil.Git(t, dir, "repack", "-q", "-adf", "--depth=50", "--window=250")
			return dir
		}, []plumbing.ObjectType{plumbing.OFSDeltaObject}, false, false, 40},
		{"REF_DELTA (no delta base offsets)", func(t *testing.T, dir string) string {
			testutil.Git(t, dir, "-c", "repack.useDeltaBaseOffset=false", "repack", "-q", "-adf", "--depth=50")
			return dir
		}, []plumbing.ObjectType{plumbing.REFDeltaObject}, false, false, 0},
		{"version 1 index", func(t *testing.T, dir string) string {
			testutil.Git(t, dir, "-c", "pack.indexVersion=1", "repack", "-q", "-adf", "--depth=50")
			return dir
		}, []plumbing.ObjectType{plumbing.OFSDeltaObject}, false, true, 20},
		{"thin pack fixed by fetch (index-pack --fix-thin)", func(t *testing.T, dir string) string {
			// A clone of an older commit fetches the rest as a thin pack
			// (deltas against objects it has) and keeps it as a pack.
			clone := filepath.Join(t.TempDir(), "clone")
			testutil.Git(t, dir, "branch", "old", "main~40")
			testutil.Git(t, dir, "clone", "-q", "--no-local", "--single-branch", "-b", "old", "file://"+dir, clone)
			testutil.Git(t, clone, "-c", "fetch.unpackLimit=1", "-c", "transfer.unpackLimit=1", "fetch", "-q", "origin", "main:refs/remotes/origin/main")
			return clone
		}, []plumbing.ObjectType{plumbing.REFDeltaObject, plumbing.OFSDeltaObject}, false, false, 0},
		{"loose objects after the pack", func(t *testing.T, dir string) string {
			testutil.Git(t, dir, "repack", "-q", "-adf", "--depth=50")
			if err := os.WriteFile(filepath.Join(dir, "images", "components", "c00001.yaml"), []byte("name: changed\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			testutil.Git(t, dir, "commit", "-q", "-am", "fix: loose")
			return dir
		}, []plumbing.ObjectType{plumbing.OFSDeltaObject}, true, false, 20},
		{"linked worktree", func(t *testing.T, dir string) string {
			testutil.Git(t, dir, "repack", "-q", "-adf", "--depth=50")
			wt := filepath.Join(t.TempDir(), "wt")
			testutil.Git(t, dir, "worktree", "add", "-q", wt, "main~3")
			return wt
		}, []plumbing.ObjectType{plumbing.OFSDeltaObject}, false, false, 20},
		{"objects in alternates", func(t *testing.T, dir string) string {
			testutil.Git(t, dir, "repack", "-q", "-adf", "--depth=50")
			shared := filepath.Join(t.TempDir(), "shared")
			testutil.Git(t, dir, "clone", "-q", "--shared", dir, shared)
			if err := os.WriteFile(filepath.Join(shared, "extra.txt"), []byte("own object\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			testutil.Git(t, shared, "add", "extra.txt")
			testutil.Git(t, shared, "commit", "-q", "-m", "feat: own")
			testutil.Git(t, shared, "repack", "-q", "-d", "-l")
			return shared
		}, nil, true, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.prepare(t, fresh(t))
			r := open(t, dir)
			if r.raw == nil {
				t.Fatal("no raw reader for a .git repository")
			}
			types, chain := packEntryTypes(t, r)
			for _, want := range tc.wantTypes {
				if types[want] == 0 {
					t.Errorf("the packs hold no %s entry (%v): the case does not test them", want, types)
				}
			}
			if chain < tc.minChain {
				t.Errorf("longest delta chain %d, want at least %d: the case does not test long chains", chain, tc.minChain)
			}
			objs := allObjects(t, dir)
			// A reader that keeps every delta's result as a rope, as it
			// does for large trees (ropeMin): this repository's are small.
			ropes := open(t, dir)
			ropes.raw.ropeMin = 0
			var inPacks, outside, goGitFailed, pieced int
			for h, want := range objs {
				gType, gData, gErr := readWithGoGit(r, h)
				if gErr != nil {
					goGitFailed++
				} else if gType != want.typ || !bytes.Equal(gData, want.data) {
					t.Fatalf("go-git and git differ on %s", h)
				}
				typ, data, found, err := r.raw.read(h)
				if err != nil {
					t.Fatalf("raw read %s: %v", h, err)
				}
				// The size from the entry header (or a delta's), read before
				// and after the object is cached.
				for range 2 {
					n, sized, err := r.raw.size(h)
					if err != nil || sized != found || (sized && n != int64(len(want.data))) {
						t.Fatalf("raw size %s = %d, %v, %v; git: %d bytes, found by read: %v", h, n, sized, err, len(want.data), found)
					}
				}
				if found {
					inPacks++
					if typ != want.typ || !bytes.Equal(data, want.data) {
						t.Fatalf("raw read %s = %s of %d bytes, git: %s of %d bytes", h, typ, len(data), want.typ, len(want.data))
					}
					rtyp, v, rfound, err := ropes.raw.readRope(h)
					if err != nil || !rfound || rtyp != want.typ {
						t.Fatalf("rope read %s = %s, %v, %v", h, rtyp, rfound, err)
					}
					checkRope(t, v, want.data)
					if len(v.pieces) > 1 {
						pieced++
					}
				} else {
					outside++
				}
				// go-git's decoders read through store with any type.
				if obj, err := r.store().EncodedObject(plumbing.AnyObject, h); found && (err != nil || obj.Hash() != h || obj.Type() != want.typ || obj.Size() != int64(len(want.data))) {
					t.Fatalf("store read %s: %v", h, err)
				}
				data, err = r.object(want.typ, h)
				switch {
				case found || gErr == nil:
					if err != nil || !bytes.Equal(data, want.data) {
						t.Fatalf("object(%s, %s) = %d bytes, %v; git has %d bytes", want.typ, h, len(data), err, len(want.data))
					}
				case err == nil:
					t.Fatalf("object(%s, %s) read what neither reader holds", want.typ, h)
				}
			}
			if tc.minChain > 0 && pieced == 0 {
				t.Errorf("no object read as a rope of several pieces: the rope reads test nothing")
			}
			if !tc.goGitFails { // commits are read through go-git
				checkWalksAgree(t, dir, ropes)
			}
			if inPacks == 0 || (outside > 0) != tc.outside || (goGitFailed > 0) != tc.goGitFails {
				t.Errorf("%d objects: %d from the packs, %d outside them, %d go-git cannot read; want outside: %v, go-git failing: %v",
					len(objs), inPacks, outside, goGitFailed, tc.outside, tc.goGitFails)
			}
		})
	}
}

// checkWalksAgree: the commit walk and the changed paths of commits 1,
// 7 and 40 apart, read through r (trees as ropes), are what git lists.
func checkWalksAgree(t *testing.T, dir string, r *Repo) {
	t.Helper()
	ctx := context.Background()
	head := plumbing.NewHash(testutil.Git(t, dir, "rev-parse", "HEAD"))
	log, err := r.LogUnder(ctx, plumbing.ZeroHash, head, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range log {
		got = append(got, c.Hash.String()+" "+strings.Join(c.Paths, " "))
	}
	var want []string
	for _, rec := range strings.Split(testutil.Git(t, dir, "log", "--no-renames", "--format=@%H", "--name-only", "HEAD"), "@")[1:] {
		f := strings.Fields(rec)
		if len(f) > 1 {
			sort.Strings(f[1:])
			want = append(want, strings.Join(f, " "))
		}
	}
	if len(want) < 20 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("LogUnder with ropes: %d commits; git log: %d (or they differ)", len(got), len(want))
	}
	for _, gap := range []int{1, 7, 40} {
		base := plumbing.NewHash(testutil.Git(t, dir, "rev-parse", fmt.Sprintf("HEAD~%d", gap)))
		want := strings.Fields(testutil.Git(t, dir, "diff", "--no-renames", "--name-only", base.String(), head.String()))
		got, err := r.ChangedPaths(ctx, base, head, "")
		if err != nil || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("ChangedPaths of HEAD~%d with ropes = %v, %v; git diff %v", gap, got, err, want)
		}
	}
}

// testRawObjectWrongType: asking for a tree by a blob's id fails as
// go-git does (object not found), whichever reader holds it.
func testRawObjectWrongType(t *testing.T, dir string) {
	r := open(t, dir)
	blob := plumbing.NewHash(testutil.Git(t, dir, "rev-parse", "HEAD:ibgitops.yaml"))
	if _, err := r.object(plumbing.TreeObject, blob); !errors.Is(err, plumbing.ErrObjectNotFound) {
		t.Errorf("tree read of a blob: %v, want ErrObjectNotFound", err)
	}
	if _, err := r.object(plumbing.TreeObject, plumbing.NewHash(strings.Repeat("ab", 20))); !errors.Is(err, plumbing.ErrObjectNotFound) {
		t.Errorf("read of a missing object: %v, want ErrObjectNotFound", err)
	}
}

// testRawObjectFailureFallsBack: when the raw reader fails, Repo.object
// reads through go-git, and returns the raw reader's error (which names
// the damaged file) only when go-git fails too.
func testRawObjectFailureFallsBack(t *testing.T, dir string) {
	r := open(t, dir)
	failed := errors.New("pack /x/pack-1.pack: damaged")
	r.raw.opened, r.raw.err = true, failed
	tree := plumbing.NewHash(testutil.Git(t, dir, "rev-parse", "HEAD^{tree}"))
	want := allObjects(t, dir)[tree].data
	if got, err := r.object(plumbing.TreeObject, tree); err != nil || !bytes.Equal(got, want) {
		t.Errorf("object() with a failing raw reader: %d bytes, %v; want go-git's %d bytes", len(got), err, len(want))
	}
	if _, err := r.object(plumbing.TreeObject, plumbing.NewHash(strings.Repeat("ab", 20))); err != failed {
		t.Errorf("object() of an object neither reader has: %v, want the raw reader's error", err)
	}
}

// packPaths returns the only pack of dir and its index.
func packPaths(t *testing.T, dir string) (pack, idx string) {
	t.Helper()
	idxs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "pack-*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("want one pack, have %v", idxs)
	}
	return strings.TrimSuffix(idxs[0], ".idx") + ".pack", idxs[0]
}

// testRawObjectsDamagedPack: a damaged pack or index is an error that
// names the file and says what to do, never a panic or wrong bytes.
func testRawObjectsDamagedPack(t *testing.T, fresh func(*testing.T) string) {
	for _, tc := range []struct {
		name string
		// damage changes the pack or index; it returns the file whose
		// name the error must hold.
		damage func(t *testing.T, pack, idx string, off int64) string
	}{
		{"index cut short", func(t *testing.T, pack, idx string, off int64) string {
			truncate(t, idx, 2000)
			return idx
		}},
		{"index fan-out decreasing", func(t *testing.T, pack, idx string, off int64) string {
			patch(t, idx, 8+4*10, []byte{0xff, 0xff, 0xff, 0xff})
			return idx
		}},
		{"index of another pack", func(t *testing.T, pack, idx string, off int64) string {
			st, _ := os.Stat(idx)
			patch(t, idx, st.Size()-40, bytes.Repeat([]byte{0x5a}, 20))
			return pack
		}},
		{"pack cut short", func(t *testing.T, pack, idx string, off int64) string {
			st, _ := os.Stat(pack)
			truncate(t, pack, st.Size()/2)
			return pack
		}},
		{"pack entry's compressed data damaged", func(t *testing.T, pack, idx string, off int64) string {
			patch(t, pack, off+4, bytes.Repeat([]byte{0xa5}, 16))
			return pack
		}},
		{"pack entry of an unknown type", func(t *testing.T, pack, idx string, off int64) string {
			patch(t, pack, off, []byte{0x50}) // type 5 is reserved
			return pack
		}},
		{"delta base offset before the pack", func(t *testing.T, pack, idx string, off int64) string {
			patch(t, pack, off, []byte{0x60, 0xff, 0xff, 0xff, 0x7f}) // OFS_DELTA, size 0, base 270,549,119 bytes back
			return pack
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := fresh(t)
			testutil.Git(t, dir, "repack", "-q", "-adf")
			pack, idx := packPaths(t, dir)
			head := plumbing.NewHash(testutil.Git(t, dir, "rev-parse", "HEAD^{tree}"))
			var off int64
			{
				r := open(t, dir)
				r.raw.mu.Lock()
				if err := r.raw.open(); err != nil {
					t.Fatal(err)
				}
				pk, o, err := findIn(r.raw.packs, head)
				r.raw.mu.Unlock()
				if pk == nil || err != nil {
					t.Fatalf("head tree not in the pack: %v", err)
				}
				off = o
			}
			want := allObjects(t, dir)[head].data
			named := tc.damage(t, pack, idx, off)
			r := open(t, dir)
			_, _, _, err := r.raw.read(head)
			if err == nil {
				t.Fatal("no error reading from a damaged pack")
			}
			if !strings.Contains(err.Error(), named) || !strings.Contains(err.Error(), "git fsck") {
				t.Errorf("error does not name %s or say what to do: %v", named, err)
			}
			// Repo.object falls back to go-git: right bytes, or the raw
			// reader's error when go-git fails too.
			r = open(t, dir)
			data, err := r.object(plumbing.TreeObject, head)
			if err == nil && !bytes.Equal(data, want) {
				t.Errorf("object() read %d wrong bytes from a damaged pack", len(data))
			}
			if err != nil && !strings.Contains(err.Error(), named) {
				t.Errorf("object() error does not name %s: %v", named, err)
			}
		})
	}
}

func truncate(t *testing.T, name string, size int64) {
	t.Helper()
	if err := os.Truncate(name, size); err != nil {
		t.Fatal(err)
	}
}

func patch(t *testing.T, name string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// testRawObjectsSkipUnknownIndex: a pack whose index version this reader
// does not know is left to go-git, not an error.
func testRawObjectsSkipUnknownIndex(t *testing.T, dir string) {
	testutil.Git(t, dir, "repack", "-q", "-adf")
	_, idx := packPaths(t, dir)
	head := plumbing.NewHash(testutil.Git(t, dir, "rev-parse", "HEAD^{tree}"))
	patch(t, idx, 4, []byte{0, 0, 0, 3})
	r := open(t, dir)
	if _, _, found, err := r.raw.read(head); found || err != nil {
		// go-git cannot read the pack either; the point is that the raw
		// reader neither fails nor guesses.
		t.Errorf("read through a version 3 index: found %v, %v; want not found, no error", found, err)
	}
}

// synthIdx builds a version 2 index of the given ids (sorted) and
// offsets; offsets of 2 GiB and more go to the 64-bit table.
func synthIdx(ids []Hash, offs []uint64) []byte {
	var b bytes.Buffer
	b.Write(idxMagic)
	binary.Write(&b, binary.BigEndian, uint32(2))
	var fan [256]uint32
	for _, h := range ids {
		for i := int(h[0]); i < 256; i++ {
			fan[i]++
		}
	}
	binary.Write(&b, binary.BigEndian, fan)
	for _, h := range ids {
		b.Write(h[:])
	}
	b.Write(make([]byte, 4*len(ids))) // CRCs
	var large []uint64
	for _, o := range offs {
		if o >= 1<<31 {
			binary.Write(&b, binary.BigEndian, uint32(0x80000000|len(large)))
			large = append(large, o)
			continue
		}
		binary.Write(&b, binary.BigEndian, uint32(o))
	}
	binary.Write(&b, binary.BigEndian, large)
	b.Write(make([]byte, 40)) // pack and index checksums
	return b.Bytes()
}

// TestParseIdxLargeOffsets: objects past 2 GiB are found through the
// 64-bit offset table (no test repository can be that large).
func TestParseIdxLargeOffsets(t *testing.T) {
	ids := []Hash{plumbing.NewHash("0100000000000000000000000000000000000000"),
		plumbing.NewHash("8000000000000000000000000000000000000000"),
		plumbing.NewHash("80ff000000000000000000000000000000000000"),
		plumbing.NewHash("ff00000000000000000000000000000000000000")}
	offs := []uint64{12, 5 << 30, 1<<31 - 1, 1 << 40}
	x, err := parseIdx(synthIdx(ids, offs))
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range ids {
		off, ok, err := x.find(h)
		if !ok || err != nil || uint64(off) != offs[i] {
			t.Errorf("find(%s) = %d, %v, %v; want %d", h, off, ok, err, offs[i])
		}
	}
	if _, ok, err := x.find(plumbing.NewHash("8000000000000000000000000000000000000001")); ok || err != nil {
		t.Errorf("find of an absent id: %v, %v", ok, err)
	}
	// A 64-bit entry pointing past the table is an error, not a panic.
	data := synthIdx(ids, offs)
	binary.BigEndian.PutUint32(data[8+1024+4*20+4*4+4*1:], 0x80000007)
	if x, err = parseIdx(data); err != nil {
		t.Fatal(err)
	}
	if _, _, err := x.find(ids[1]); err == nil {
		t.Error("a 64-bit offset index past the table was accepted")
	}
}
