package git

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// The walks below follow git's own algorithms (paint_down_to_common for the
// merge base, a limited rev-list for base..head): both sides are walked
// together, newest commit first, and stop as soon as only commits reachable
// from both remain, so comparing two nearby commits never reads the whole
// history. go-git's own MergeBase and Log do not stop at shallow boundaries
// (go-git#2409); these return a MissingHistoryError instead.

const (
	flagA = 1 << iota
	flagB
	flagStale
	flagResult
)

type walkNode struct {
	hash    Hash
	when    int64
	parents []Hash
	msg     string
	flags   int
}

type walker struct {
	r     *Repo
	nodes map[Hash]*walkNode
	queue nodeQueue
	seq   int
}

func newWalker(r *Repo) *walker { return &walker{r: r, nodes: map[Hash]*walkNode{}} }

func (w *walker) node(h Hash) (*walkNode, error) {
	if n, ok := w.nodes[h]; ok {
		return n, nil
	}
	c, err := w.r.lockedCommit(h)
	if err != nil {
		return nil, err
	}
	n := &walkNode{hash: h, when: c.Committer.When.Unix(), parents: c.ParentHashes, msg: c.Message}
	w.nodes[h] = n
	return n, nil
}

func (w *walker) push(n *walkNode) {
	w.seq++
	heap.Push(&w.queue, queued{n, w.seq})
}

type queued struct {
	n   *walkNode
	seq int
}

// nodeQueue pops the newest commit first (ties: first pushed first).
type nodeQueue []queued

func (q nodeQueue) Len() int { return len(q) }
func (q nodeQueue) Less(i, j int) bool {
	if q[i].n.when != q[j].n.when {
		return q[i].n.when > q[j].n.when
	}
	return q[i].seq < q[j].seq
}
func (q nodeQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *nodeQueue) Push(x any)   { *q = append(*q, x.(queued)) }
func (q *nodeQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

func (w *walker) anyNonStale() bool {
	for _, e := range w.queue {
		if e.n.flags&flagStale == 0 {
			return true
		}
	}
	return false
}

// mergeBases returns the best common ancestors of a and b.
func (r *Repo) mergeBases(ctx context.Context, a, b Hash) ([]Hash, error) {
	if a == b {
		return []Hash{a}, nil
	}
	w := newWalker(r)
	na, err := w.node(a)
	if err != nil {
		return nil, err
	}
	nb, err := w.node(b)
	if err != nil {
		return nil, err
	}
	na.flags |= flagA
	nb.flags |= flagB
	w.push(na)
	w.push(nb)
	var result []*walkNode
	for w.anyNonStale() {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		n := heap.Pop(&w.queue).(queued).n
		flags := n.flags & (flagA | flagB | flagStale)
		if flags&(flagA|flagB) == flagA|flagB {
			if n.flags&flagResult == 0 {
				n.flags |= flagResult
				result = append(result, n)
			}
			flags |= flagStale
		}
		for _, ph := range n.parents {
			p, err := w.node(ph)
			if err != nil {
				return nil, err
			}
			if p.flags&flags == flags {
				continue
			}
			p.flags |= flags
			w.push(p)
		}
	}
	// A result reached later by another result's stale paint is that
	// result's ancestor, hence not a best common ancestor.
	var out []Hash
	for _, n := range result {
		if n.flags&flagStale == 0 {
			out = append(out, n.hash)
		}
	}
	if len(out) > 1 {
		// Drop any result that is an ancestor of another result.
		var keep []Hash
		for i, h := range out {
			redundant := false
			for j, o := range out {
				if i == j {
					continue
				}
				bases, err := r.mergeBases(ctx, h, o)
				if err != nil {
					return nil, err
				}
				if len(bases) == 1 && bases[0] == h {
					redundant = true
					break
				}
			}
			if !redundant {
				keep = append(keep, h)
			}
		}
		out = keep
	}
	return out, nil
}

// MergeBase returns the best common ancestor of a and b (when there are
// several, the newest). It fails when the two share no history.
func (r *Repo) MergeBase(ctx context.Context, a, b Hash) (Hash, error) {
	bases, err := r.mergeBases(ctx, a, b)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if len(bases) == 0 {
		if r.IsShallow() {
			return plumbing.ZeroHash, &MissingHistoryError{Hash: a, Shallow: true}
		}
		return plumbing.ZeroHash, fmt.Errorf("%s and %s share no history: pick a base on the same branch history (--base REF)", short(a), short(b))
	}
	if len(bases) > 1 {
		w := newWalker(r)
		sort.SliceStable(bases, func(i, j int) bool {
			ni, _ := w.node(bases[i])
			nj, _ := w.node(bases[j])
			return ni != nil && nj != nil && ni.when > nj.when
		})
	}
	return bases[0], nil
}

// IsAncestor reports whether a is an ancestor of b (or b itself).
func (r *Repo) IsAncestor(ctx context.Context, a, b Hash) (bool, error) {
	bases, err := r.mergeBases(ctx, a, b)
	if err != nil {
		return false, err
	}
	for _, h := range bases {
		if h == a {
			return true, nil
		}
	}
	return false, nil
}

// RevList returns the commits reachable from head but not from base
// (git rev-list base..head), newest first. A zero base lists all of head's
// history.
func (r *Repo) RevList(ctx context.Context, base, head Hash) ([]Commit, error) {
	w := newWalker(r)
	const uninteresting = flagA
	if !base.IsZero() {
		nb, err := w.node(base)
		if err != nil {
			return nil, err
		}
		nb.flags |= uninteresting
		w.push(nb)
	}
	nh, err := w.node(head)
	if err != nil {
		return nil, err
	}
	if nh.flags&uninteresting == 0 {
		w.push(nh)
	}
	var out []*walkNode
	seen := map[Hash]bool{}
	for w.queue.Len() > 0 {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		if !w.anyInteresting() {
			break
		}
		n := heap.Pop(&w.queue).(queued).n
		if seen[n.hash] {
			// Already expanded: only a new uninteresting mark needs passing on.
			if n.flags&uninteresting == 0 {
				continue
			}
		}
		seen[n.hash] = true
		if n.flags&uninteresting == 0 {
			out = append(out, n)
		}
		for _, ph := range n.parents {
			p, err := w.node(ph)
			if err != nil {
				return nil, err
			}
			if n.flags&uninteresting != 0 {
				if p.flags&uninteresting != 0 {
					continue
				}
				p.flags |= uninteresting
			} else if seen[ph] {
				continue
			}
			w.push(p)
		}
	}
	var commits []Commit
	for _, n := range out {
		if n.flags&uninteresting != 0 {
			continue // marked late (clock skew)
		}
		commits = append(commits, Commit{Hash: n.hash, Message: n.msg, Parents: n.parents})
	}
	return commits, nil
}

func (w *walker) anyInteresting() bool {
	for _, e := range w.queue {
		if e.n.flags&flagA == 0 {
			return true
		}
	}
	return false
}

// Log returns the non-merge commits in base..head that change at least one
// of paths (against their first parent), newest first, each with the subset
// of paths it changes. An empty paths list returns no commits.
//
// It is one walk: each commit's tree is compared with its parent's once,
// descending only into folders whose ids differ and that hold one of paths,
// so the cost follows the commits and what they change, not the number of
// paths times the number of commits.
func (r *Repo) Log(ctx context.Context, base, head Hash, paths []string) ([]Commit, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	return r.log(ctx, base, head, newPathSet(paths))
}

// LogUnder is Log of every file below the folder under ("" the whole
// tree): each commit with all the files below under it changes. A
// planner that does not yet know which files it will ask about walks
// once and filters (FilterLog), while it loads the repository.
//
// Log and LogUnder take the Repo's object lock for each read through
// go-git, so they may run while TreeFS file systems of the same Repo are
// read.
func (r *Repo) LogUnder(ctx context.Context, base, head Hash, under string) ([]Commit, error) {
	return r.log(ctx, base, head, &pathSet{all: true, under: strings.Trim(path.Clean("/"+under), "/")})
}

// FilterLog is what Log(paths) returns, from what LogUnder returned for a
// folder holding every one of paths.
func FilterLog(log []Commit, paths []string) []Commit {
	want := newPathSet(paths)
	var out []Commit
	for _, c := range log {
		var keep []string
		for _, p := range c.Paths {
			if want.files[p] {
				keep = append(keep, p)
			}
		}
		if len(keep) > 0 {
			c.Paths = keep
			out = append(out, c)
		}
	}
	return out
}

func (r *Repo) log(ctx context.Context, base, head Hash, want *pathSet) ([]Commit, error) {
	commits, err := r.RevList(ctx, base, head)
	if err != nil {
		return nil, err
	}
	if r.raw != nil {
		end := r.raw.beginWalk()
		defer end()
	}
	tc := &treeCache{r: r, cur: map[Hash]rope{}}
	var out []Commit
	for _, c := range commits {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		if len(c.Parents) > 1 {
			continue
		}
		ct, err := tc.commitTree(c.Hash)
		if err != nil {
			return nil, err
		}
		var pt Hash
		if len(c.Parents) == 1 {
			if pt, err = tc.commitTree(c.Parents[0]); err != nil {
				return nil, err
			}
		}
		if err := tc.diff(pt, ct, "", want, &c.Paths); err != nil {
			return nil, err
		}
		if len(c.Paths) > 0 {
			sort.Strings(c.Paths)
			out = append(out, c)
		}
		// Linear history: this commit's parent is the next commit, so its
		// trees are kept one more round and nothing older.
		tc.prev, tc.cur = tc.cur, map[Hash]rope{}
	}
	return out, nil
}

// pathSet is the paths Log looks for and every folder above them, or
// (all) every file below the folder under ("" the whole tree).
type pathSet struct {
	files map[string]bool
	dirs  map[string]bool
	all   bool
	under string
}

func (ps *pathSet) wantFile(p string) bool {
	if ps.all {
		return ps.under == "" || strings.HasPrefix(p, ps.under+"/")
	}
	return ps.files[p]
}

func (ps *pathSet) wantDir(p string) bool {
	if ps.all {
		return ps.under == "" || p == ps.under || strings.HasPrefix(p, ps.under+"/") || strings.HasPrefix(ps.under, p+"/")
	}
	return ps.dirs[p]
}

// ChangedPaths lists the files below the folder under ("" or "." the
// whole tree) whose content differs between the trees of two commits,
// sorted, without rename detection (a rename is its two paths). It reads
// trees raw and skips what both sides share, so it costs what changed,
// not the size of the folders (ChangesIn decodes every entry of each
// folder it compares).
func (r *Repo) ChangedPaths(ctx context.Context, from, to Hash, under string) ([]string, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	tc := &treeCache{r: r, cur: map[Hash]rope{}}
	var ft, tt Hash
	var err error
	if !from.IsZero() {
		if ft, err = tc.commitTree(from); err != nil {
			return nil, err
		}
	}
	if tt, err = tc.commitTree(to); err != nil {
		return nil, err
	}
	under = strings.Trim(path.Clean("/"+under), "/")
	var out []string
	if err := tc.diff(ft, tt, "", &pathSet{all: true, under: under}, &out); err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

func newPathSet(paths []string) *pathSet {
	ps := &pathSet{files: map[string]bool{}, dirs: map[string]bool{}}
	for _, p := range paths {
		p = strings.Trim(path.Clean("/"+p), "/")
		ps.files[p] = true
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			ps.dirs[d] = true
		}
	}
	return ps
}

// treeCache reads raw tree objects for Log, keeping those of the current
// and the previous commit. Trees are compared in their raw form, without
// decoding entries into Go values: a folder of 25,000 files is 1 MB of
// tree per commit, and decoding it allocated a string per entry. They
// are ropes (rope.go): a version resolved from a delta is not copied.
type treeCache struct {
	r         *Repo
	cur, prev map[Hash]rope
}

func (tc *treeCache) tree(h Hash) (rope, error) {
	if t, ok := tc.cur[h]; ok {
		return t, nil
	}
	t, ok := tc.prev[h]
	if !ok {
		var err error
		if t, err = tc.r.objectRope(plumbing.TreeObject, h); err != nil {
			return rope{}, fmt.Errorf("read tree %s: %w", short(h), err)
		}
	}
	tc.cur[h] = t
	return t, nil
}

// commitTree is the id of a commit's root tree.
func (tc *treeCache) commitTree(h Hash) (Hash, error) {
	c, err := tc.r.lockedCommit(h)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return c.TreeHash, nil
}

// rawEntry is one entry of a raw tree object ("<mode> <name>\0<20-byte id>").
type rawEntry struct {
	mode []byte
	name []byte
	hash Hash
	dir  bool
}

// next parses the entry at the start of t and returns the rest.
func nextEntry(t []byte) (rawEntry, []byte, error) {
	sp := bytes.IndexByte(t, ' ')
	nul := bytes.IndexByte(t, 0)
	if sp < 0 || nul < sp || len(t) < nul+1+20 {
		return rawEntry{}, nil, errors.New("malformed tree object")
	}
	var e rawEntry
	e.mode = t[:sp]
	e.dir = string(e.mode) == "40000"
	e.name = t[sp+1 : nul]
	copy(e.hash[:], t[nul+1:nul+21])
	return e, t[nul+21:], nil
}

// compareEntries orders entries as git sorts a tree: a folder's name
// compares as if it ended in "/".
func compareEntries(a, b *rawEntry) int {
	n := min(len(a.name), len(b.name))
	if c := bytes.Compare(a.name[:n], b.name[:n]); c != 0 {
		return c
	}
	ca, cb := byte(0), byte(0)
	if len(a.name) > n {
		ca = a.name[n]
	} else if a.dir {
		ca = '/'
	}
	if len(b.name) > n {
		cb = b.name[n]
	} else if b.dir {
		cb = '/'
	}
	switch {
	case ca < cb:
		return -1
	case ca > cb:
		return 1
	}
	return 0
}

// trees reads the trees a and b (zero: an empty tree).
func (tc *treeCache) trees(a, b Hash) (at, bt rope, err error) {
	if !a.IsZero() {
		if at, err = tc.tree(a); err != nil {
			return at, bt, err
		}
	}
	if !b.IsZero() {
		bt, err = tc.tree(b)
	}
	return at, bt, err
}

// diff appends to out the wanted paths under prefix whose object ids
// differ between the trees a and b (zero: an empty tree).
func (tc *treeCache) diff(a, b Hash, prefix string, want *pathSet, out *[]string) error {
	if a == b {
		return nil
	}
	at, bt, err := tc.trees(a, b)
	if err != nil {
		return err
	}
	visit := func(e *rawEntry, ah, bh Hash, aDir, bDir bool) error {
		full := string(e.name)
		if prefix != "" {
			full = prefix + "/" + full
		}
		// In all mode a folder is no file: only what is a file on either
		// side is listed.
		if want.wantFile(full) && (!want.all || (!ah.IsZero() && !aDir) || (!bh.IsZero() && !bDir)) {
			*out = append(*out, full)
		}
		if want.wantDir(full) {
			var sa, sb Hash
			if aDir {
				sa = ah
			}
			if bDir {
				sb = bh
			}
			return tc.diff(sa, sb, full, want, out)
		}
		return nil
	}
	if err := diffRope(&at, &bt, visit); err != nil {
		return fmt.Errorf("trees %s and %s: %w", short(a), short(b), err)
	}
	return nil
}

// visitFunc is what a tree diff calls for each entry whose id differs
// (or that one side lacks: its id is zero there).
type visitFunc = func(e *rawEntry, ah, bh Hash, aDir, bDir bool) error

// diffRaw merges two raw tree objects and calls visit for every entry
// whose id or mode differs (or that one side lacks: its id is zero
// there); git lists a mode change (chmod +x, a file made a link of the
// same text) as a change of the path.
func diffRaw(at, bt []byte, visit visitFunc) error {
	// Both trees are sorted the same way: merge them, looking only at
	// entries whose ids differ. A commit changes few entries of a large
	// folder, so the bytes before the first difference and after the last
	// are the same in both: the entries there are skipped by their ends
	// alone, and the merge stops once both sides are left with the same
	// tail.
	skipCommonPrefix(&at, &bt)
	return mergeEntries(at, bt, 0, 0, commonSuffix(at, bt), visit)
}

// mergeEntries is diffRaw's merge of at and bt, which start at an entry
// and are followed by aMore and bMore bytes not given (a window of two
// larger trees: diffRope); it stops once both sides are left with the
// same bytes, the last tail bytes of each. It returns errNeedMore when
// an entry runs past a window.
func mergeEntries(at, bt []byte, aMore, bMore, tail int, visit visitFunc) error {
	var err error
	var ae, be rawEntry
	haveA, haveB := false, false
	for {
		if !haveA && !haveB && len(at)+aMore == len(bt)+bMore && len(at)+aMore <= tail {
			return nil
		}
		if !haveA && len(at) > 0 {
			if ae, at, err = nextEntry(at); err != nil {
				if aMore > 0 {
					return errNeedMore
				}
				return err
			}
			haveA = true
		}
		if !haveB && len(bt) > 0 {
			if be, bt, err = nextEntry(bt); err != nil {
				if bMore > 0 {
					return errNeedMore
				}
				return err
			}
			haveB = true
		}
		if (!haveA && aMore > 0) || (!haveB && bMore > 0) {
			return errNeedMore
		}
		if !haveA && !haveB {
			return nil
		}
		c := 0
		switch {
		case !haveA:
			c = 1
		case !haveB:
			c = -1
		default:
			c = compareEntries(&ae, &be)
		}
		switch {
		case c < 0:
			err = visit(&ae, ae.hash, plumbing.ZeroHash, ae.dir, false)
			haveA = false
		case c > 0:
			err = visit(&be, plumbing.ZeroHash, be.hash, false, be.dir)
			haveB = false
		default:
			if ae.hash != be.hash || !bytes.Equal(ae.mode, be.mode) {
				err = visit(&ae, ae.hash, be.hash, ae.dir, be.dir)
			}
			haveA, haveB = false, false
		}
		if err != nil {
			return err
		}
	}
}

// skipCommonPrefix advances both raw trees past the entries that lie
// wholly in their common first bytes: such entries are equal on both
// sides, and only their ends need finding.
func skipCommonPrefix(a, b *[]byte) {
	p := commonPrefix(*a, *b)
	x := 0
	for {
		nul := bytes.IndexByte((*a)[x:], 0)
		if nul < 0 {
			break
		}
		end := x + nul + 1 + 20
		if end > p {
			break
		}
		x = end
	}
	*a, *b = (*a)[x:], (*b)[x:]
}

// commonPrefix is the length of the longest common prefix of a and b.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for _, step := range []int{4096, 64, 1} {
		for i+step <= n && bytes.Equal(a[i:i+step], b[i:i+step]) {
			i += step
		}
	}
	return i
}

// commonSuffix is the length of the longest common suffix of a and b.
func commonSuffix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for _, step := range []int{4096, 64, 1} {
		for i+step <= n && bytes.Equal(a[len(a)-i-step:len(a)-i], b[len(b)-i-step:len(b)-i]) {
			i += step
		}
	}
	return i
}

func short(h Hash) string { return h.String()[:7] }
