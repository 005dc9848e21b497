package git

import (
	"container/heap"
	"context"
	"fmt"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
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
	queued  bool
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
	c, err := w.r.commit(h)
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
func (r *Repo) Log(ctx context.Context, base, head Hash, paths []string) ([]Commit, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	commits, err := r.RevList(ctx, base, head)
	if err != nil {
		return nil, err
	}
	trees := map[Hash]*object.Tree{}
	tree := func(h Hash) (*object.Tree, error) {
		if t, ok := trees[h]; ok {
			return t, nil
		}
		c, err := r.commit(h)
		if err != nil {
			return nil, err
		}
		t, err := c.Tree()
		if err != nil {
			return nil, fmt.Errorf("read tree of %s: %w", short(h), err)
		}
		trees[h] = t
		return t, nil
	}
	var out []Commit
	for _, c := range commits {
		if len(c.Parents) > 1 {
			continue
		}
		ct, err := tree(c.Hash)
		if err != nil {
			return nil, err
		}
		var pt *object.Tree
		if len(c.Parents) == 1 {
			if pt, err = tree(c.Parents[0]); err != nil {
				return nil, err
			}
		}
		for _, p := range paths {
			if entryHash(ct, p) != entryHash(pt, p) {
				c.Paths = append(c.Paths, p)
			}
		}
		if len(c.Paths) > 0 {
			out = append(out, c)
		}
		// Trees are only needed for the commit and its parent; keep memory flat.
		if len(trees) > 64 {
			trees = map[Hash]*object.Tree{}
		}
	}
	return out, nil
}

// entryHash is the object id at path in t, zero when absent.
func entryHash(t *object.Tree, path string) Hash {
	if t == nil {
		return plumbing.ZeroHash
	}
	e, err := t.FindEntry(path)
	if err != nil {
		return plumbing.ZeroHash
	}
	return e.Hash
}

func short(h Hash) string { return h.String()[:7] }
