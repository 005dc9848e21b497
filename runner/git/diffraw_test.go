package git

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/ibgitops/ibgitops/internal/benchrepo"
	"github.com/ibgitops/ibgitops/internal/testutil"
)

// rawTree builds a raw tree object from entries name -> hash byte
// ("name/" for a folder), sorted as git sorts them.
func rawTree(entries map[string]byte) []byte {
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	// git sorts a folder's name as if it ended in "/": the map key
	// already does.
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		mode, name := "100644", n
		if len(n) > 1 && n[len(n)-1] == '/' {
			mode, name = "40000", n[:len(n)-1]
		}
		// One byte of an id carries the value, at a place that depends
		// on the name's length, so a change leaves the entry's other
		// bytes equal and the equal head or tail ends inside it; ids
		// hold NULs and digits too.
		var h Hash
		for i := range h {
			h[i] = byte(i*7) + byte(len(name))
		}
		h[len(name)*7%len(h)] = entries[n]
		fmt.Fprintf(&b, "%s %s\x00", mode, name)
		b.Write(h[:])
	}
	return b.Bytes()
}

// naiveDiff parses both trees whole and compares them entry by entry.
func naiveDiff(t *testing.T, at, bt []byte) []string {
	parse := func(raw []byte) map[string]Hash {
		m := map[string]Hash{}
		for len(raw) > 0 {
			e, rest, err := nextEntry(raw)
			if err != nil {
				t.Fatal(err)
			}
			k := string(e.name)
			if e.dir {
				k += "/"
			}
			m[k] = e.hash
			raw = rest
		}
		return m
	}
	a, b := parse(at), parse(bt)
	var out []string
	for k, h := range a {
		if bh, ok := b[k]; !ok || bh != h {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// visitedNames runs a diff and lists the names it visits, sorted
// (folders with a "/").
func visitedNames(t *testing.T, diff func(visit visitFunc) error) []string {
	var out []string
	err := diff(func(e *rawEntry, ah, bh Hash, aDir, bDir bool) error {
		k := string(e.name)
		if aDir || bDir {
			k += "/"
		}
		out = append(out, k)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func diffRawNames(t *testing.T, at, bt []byte) []string {
	return visitedNames(t, func(visit visitFunc) error { return diffRaw(at, bt, visit) })
}

func diffRopeNames(t *testing.T, a, b rope, slack int) []string {
	return visitedNames(t, func(visit visitFunc) error { return diffRopeSlack(&a, &b, slack, visit) })
}

// deltaFrom is a git delta that makes b from a the way git's are for a
// changed tree: a copy of their common head, an insert of the middle of
// b, a copy of their common tail; long copies and inserts are cut into
// git's largest commands (0x10000 and 127 bytes), so the result is many
// pieces.
func deltaFrom(a, b []byte) []byte {
	head := commonPrefix(a, b)
	tail := commonSuffix(a[head:], b[head:])
	d := appendSize(appendSize(nil, len(a)), len(b))
	cp := func(off, n int) {
		for n > 0 {
			m := min(n, 0x10000)
			d = append(d, 0x80|0x0f|0x30, byte(off), byte(off>>8), byte(off>>16), byte(off>>24), byte(m), byte(m>>8))
			off, n = off+m, n-m
		}
	}
	cp(0, head)
	for mid := b[head : len(b)-tail]; len(mid) > 0; {
		m := min(len(mid), 127)
		d = append(d, byte(m))
		d = append(d, mid[:m]...)
		mid = mid[m:]
	}
	cp(len(a)-tail, tail)
	return d
}

// checkDiffRaw compares diffRaw (which skips the common head and tail of
// the two trees) with a whole parse of both, and diffRope with it on the
// trees as ropes: b made from a by a delta (pieces shared with a's), in
// windows from one byte wide up.
func checkDiffRaw(t *testing.T, a, b map[string]byte) {
	t.Helper()
	at, bt := rawTree(a), rawTree(b)
	got, want := diffRawNames(t, at, bt), naiveDiff(t, at, bt)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("diffRaw = %v, want %v\na: %v\nb: %v", got, want, a, b)
	}
	for _, n := range []int{1, 3} {
		ar := cutRope(at, n, true)
		br, err := applyDelta(ar, deltaFrom(at, bt), 0)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(br.bytes(), bt) {
			t.Fatal("deltaFrom made another tree")
		}
		for _, slack := range []int{1, 7, 4 << 10} {
			if got := diffRopeNames(t, ar, br, slack); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("diffRope (%d pieces, slack %d) = %v, want %v\na: %v\nb: %v", n, slack, got, want, a, b)
			}
			if got := diffRopeNames(t, br, ar, slack); fmt.Sprint(got) != fmt.Sprint(naiveDiff(t, bt, at)) {
				t.Errorf("diffRope b to a (%d pieces, slack %d) = %v\na: %v\nb: %v", n, slack, got, a, b)
			}
		}
	}
}

func TestDiffRawSkipsOnlyEqualEntries(t *testing.T) {
	big := func(change func(m map[string]byte)) (map[string]byte, map[string]byte) {
		a, b := map[string]byte{}, map[string]byte{}
		for i := range 300 {
			n := fmt.Sprintf("c%05d.yaml", i)
			a[n], b[n] = byte(i), byte(i)
		}
		for _, n := range []string{"a", "ab", "abc", "docs/", "zz/", "last-id-byte.yaml"} {
			a[n], b[n] = 1, 1
		}
		change(b)
		return a, b
	}
	for name, change := range map[string]func(m map[string]byte){
		"first":           func(m map[string]byte) { m["c00000.yaml"]++ },
		"middle":          func(m map[string]byte) { m["c00150.yaml"]++ },
		"last file":       func(m map[string]byte) { m["c00299.yaml"]++ },
		"folder":          func(m map[string]byte) { m["docs/"]++ },
		"two apart":       func(m map[string]byte) { m["c00010.yaml"]++; m["c00290.yaml"]++ },
		"neighbours":      func(m map[string]byte) { m["c00100.yaml"]++; m["c00101.yaml"]++ },
		"added":           func(m map[string]byte) { m["c00150a.yaml"] = 9 },
		"removed":         func(m map[string]byte) { delete(m, "c00150.yaml") },
		"removed first":   func(m map[string]byte) { delete(m, "c00000.yaml") },
		"appended":        func(m map[string]byte) { m["zz.yaml"] = 3 },
		"file to folder":  func(m map[string]byte) { delete(m, "c00007.yaml"); m["c00007.yaml/"] = 7 },
		"same id renamed": func(m map[string]byte) { delete(m, "c00200.yaml"); m["c00200.yml"] = 200 },
		"nothing":         func(m map[string]byte) {},
		"short names":     func(m map[string]byte) { m["a"]++; m["abc"]++ },
		"short last":      func(m map[string]byte) { m["zz/"]++ },
		// rawTree puts the value of a 17-byte name in the id's last byte:
		// the common head ends one byte before the entry does.
		"last id byte": func(m map[string]byte) { m["last-id-byte.yaml"]++ },
	} {
		t.Run(name, func(t *testing.T) {
			a, b := big(change)
			checkDiffRaw(t, a, b)
			checkDiffRaw(t, b, a)
		})
	}
}

// FuzzDiffRaw: trees of names from a small alphabet (so names are
// prefixes of each other, and files and folders share names) whose ids
// change, appear and disappear.
func FuzzDiffRaw(f *testing.F) {
	f.Add([]byte("abc"), []byte("\x01\x02"))
	f.Add([]byte("a.a-a/aa"), []byte("\x00\x00\x05\x07"))
	f.Fuzz(func(t *testing.T, names, edits []byte) {
		alphabet := "a.-b"
		a := map[string]byte{}
		for i := 0; i+1 < len(names) && i < 64; i += 2 {
			n := ""
			for j := 0; j <= int(names[i])%4; j++ {
				n += string(alphabet[(int(names[i+1])+j*3)%len(alphabet)])
			}
			other := n + "/"
			if names[i]&0x80 != 0 {
				n, other = other, n // a folder
			}
			if _, clash := a[other]; clash {
				continue // one name is a file or a folder, never both
			}
			a[n] = names[i+1]
		}
		b := map[string]byte{}
		for k, v := range a {
			b[k] = v
		}
		keys := make([]string, 0, len(a))
		for k := range a {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, e := range edits {
			if len(keys) == 0 {
				break
			}
			k := keys[int(e)%len(keys)]
			switch i % 3 {
			case 0:
				b[k]++
			case 1:
				delete(b, k)
			case 2:
				if k[len(k)-1] != '/' {
					if _, clash := b[k+"x/"]; !clash {
						b[k+"x"] = e
					}
				}
			}
		}
		checkDiffRaw(t, a, b)
	})
}

// TestChangedPathsAgreesWithChangesIn: the raw lister gives the paths
// ChangesIn gives (renames as their two paths), below a folder or in the
// whole tree, for files, folders replacing files and deletions.
func TestChangedPathsAgreesWithChangesIn(t *testing.T) {
	dir := t.TempDir()
	testutil.Git(t, dir, "init", "-q", "-b", "main")
	write := func(files map[string]string) string {
		for p, c := range files { // deletions first: a file may become a folder
			if c == "" {
				os.RemoveAll(filepath.Join(dir, p))
			}
		}
		for p, c := range files {
			full := filepath.Join(dir, p)
			if c == "" {
				continue
			}
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		testutil.Git(t, dir, "add", "-A")
		testutil.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "c")
		return strings.TrimSpace(testutil.Git(t, dir, "rev-parse", "HEAD"))
	}
	files := map[string]string{"README.md": "r\n", "src/a.go": "a\n"}
	for i := range 50 {
		files[fmt.Sprintf("images/components/c%02d.yaml", i)] = fmt.Sprintf("name: c%02d\n", i)
	}
	c1 := write(files)
	c2 := write(map[string]string{
		"images/components/c07.yaml": "name: c07\nversion: 2\n", // modified
		"images/components/c08.yaml": "",                        // deleted
		"images/components/c99.yaml": "name: c99\n",             // added
		"images/components/c10.yaml": "",                        // renamed to
		"images/moved/c10.yaml":      "name: c10\n",
		"src/a.go":                   "b\n",
		"README.md":                  "", // deleted
	})
	c3 := write(map[string]string{"images/components/c20.yaml": "", "images/components/c20.yaml/x": "folder now\n"})
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, tc := range []struct {
		from, to, under string
	}{{c1, c2, ""}, {c1, c2, "images"}, {c1, c2, "src"}, {c2, c3, "images"}, {c1, c3, ""}, {c2, c1, "images/components"}} {
		got, err := r.ChangedPaths(context.Background(), plumbing.NewHash(tc.from), plumbing.NewHash(tc.to), tc.under)
		if err != nil {
			t.Fatal(err)
		}
		changes, err := r.ChangesIn(context.Background(), plumbing.NewHash(tc.from), plumbing.NewHash(tc.to), []string{tc.under})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		var want []string
		for _, c := range changes {
			for _, p := range []string{c.Path, c.OldPath} {
				if p != "" && !seen[p] {
					seen[p] = true
					want = append(want, p)
				}
			}
		}
		sort.Strings(want)
		if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ChangedPaths(%s..%s, %q) = %v, want %v", tc.from[:7], tc.to[:7], tc.under, got, want)
		}
	}
}

// TestLogUnderFiltersToLog: one walk of every file below a folder,
// filtered to some files, is Log of those files.
func TestLogUnderFiltersToLog(t *testing.T) {
	dir := t.TempDir()
	shape := benchrepo.Shape{Components: 40, Recipes: 12, Pipelines: 4, Sources: 5, Commits: 60, SourcesPerCommit: 1}
	if err := benchrepo.Create(dir, shape); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	head, err := r.Resolve("HEAD")
	if err != nil {
		t.Fatal(err)
	}
	base, err := r.Resolve("HEAD~45")
	if err != nil {
		t.Fatal(err)
	}
	all, err := r.LogUnder(context.Background(), base, head, "images")
	if err != nil {
		t.Fatal(err)
	}
	for _, files := range [][]string{
		{benchrepo.Component(3)},
		{benchrepo.Component(1), benchrepo.Component(7), benchrepo.Recipe(2), "images/recipes/absent.yaml"},
		{benchrepo.Recipe(0), benchrepo.Recipe(1), benchrepo.Recipe(2)},
	} {
		want, err := r.Log(context.Background(), base, head, files)
		if err != nil {
			t.Fatal(err)
		}
		got := FilterLog(all, files)
		if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("FilterLog(LogUnder) for %v:\n got %v\nwant %v", files, got, want)
		}
	}
}
