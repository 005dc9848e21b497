package git

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes"
)

// TestLoadTreeFSSymlinks: the loader on a commit's tree treats links as it
// does on the working tree: a link inside the repository is followed, one
// out of it is refused on the component's documentFile line, never read.
func TestLoadTreeFSSymlinks(t *testing.T) {
	tr := newTestRepo(t)
	comp := "kind: Component\nname: %s\nversion: 1.0.0\nplatform: Linux\ndocumentFile: %s\n"
	doc := "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: S\n        action: ExecuteBash\n        inputs:\n          commands: [echo hi]\n"
	tr.commit("one", map[string]*string{
		"components/inside.yaml":  s(fmt.Sprintf(comp, "inside-link", "docs/in.doc")),
		"components/outside.yaml": s(fmt.Sprintf(comp, "outside-link", "docs/out.doc")),
		"components/real/doc.txt": s(doc),
	})
	tr.symlinks(map[string]string{"components/docs/in.doc": "../real/doc.txt", "components/docs/out.doc": "../../../outside.doc"})
	c := tr.commit("links", nil)
	fsys, err := open(t, tr.dir).TreeFS(c)
	if err != nil {
		t.Fatal(err)
	}
	repo, findings, err := recipes.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 || findings[0].Rule != recipes.RuleFileRef || findings[0].File != "components/outside.yaml" || findings[0].Line != 5 ||
		!strings.Contains(findings[0].Message, "leads outside the repository") {
		t.Fatalf("want one file-ref finding on components/outside.yaml:5, got %v", findings)
	}
	if got := repo.Components["inside-link"].Data; got != doc {
		t.Errorf("the in-repository link was not followed: Data = %q", got)
	}
}

// TestBlobCacheGenerations: the blob cache holds the blobs of its two
// newest generations of blobGeneration bytes, drops older ones whole, and
// keeps no blob larger than a generation.
func TestBlobCacheGenerations(t *testing.T) {
	var c blobCache
	id := func(i int) Hash { return Hash{byte(i), byte(i >> 8)} }
	const size = blobGeneration / 8
	for i := range 40 {
		c.keep(id(i), make([]byte, size))
		held := 0
		for j := 0; j <= i; j++ {
			if _, ok := c.get(id(j)); ok {
				held++
				if j < i-16 {
					t.Fatalf("after %d blobs of %d bytes, blob %d is still held", i+1, size, j)
				}
			}
		}
		// The newest always; at least the last full generation.
		if _, ok := c.get(id(i)); !ok || held < min(i+1, 8) || held > 16 {
			t.Fatalf("after %d blobs of %d bytes, %d held (the newest: %v)", i+1, size, held, ok)
		}
	}
	c.keep(Hash{0xff}, make([]byte, blobGeneration+1))
	if _, ok := c.get(Hash{0xff}); ok {
		t.Error("a blob larger than a generation is kept")
	}
}
