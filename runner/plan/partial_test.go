package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/ibgitops/ibgitops/internal/benchrepo"
)

// samePlan fails unless a plan computed from the selected files equals
// the one computed from every file: same changes, builds, changed paths
// and version-taken findings.
func samePlan(t *testing.T, partial, all *Result) {
	t.Helper()
	for _, c := range []struct {
		what   string
		pa, al any
	}{
		{"changes", partial.Plan.Changes, all.Plan.Changes},
		{"builds", partial.Plan.Builds, all.Plan.Builds},
		{"paths", partial.Paths, all.Paths},
		{"collisions", partial.Collisions, all.Collisions},
	} {
		pj, _ := json.MarshalIndent(c.pa, "", " ")
		aj, _ := json.MarshalIndent(c.al, "", " ")
		if string(pj) != string(aj) {
			t.Errorf("%s differ between the selected files and every file:\nselected: %s\nall:      %s", c.what, pj, aj)
		}
	}
}

// TestPartialPlanEqualsFull plans many ranges of a generated history
// (recipes using components, child recipes, pipelines, sources outside
// the root, conventional commits) both ways.
func TestPartialPlanEqualsFull(t *testing.T) {
	dir := t.TempDir()
	shape := benchrepo.Shape{Components: 60, Recipes: 24, Pipelines: 10, Sources: 6, Commits: 90, SourcesPerCommit: 1}
	if err := benchrepo.Create(dir, shape); err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2]int{{1, 0}, {2, 1}, {5, 0}, {20, 0}, {21, 19}, {40, 3}, {90, 0}, {60, 30}} {
		base, head := fmt.Sprintf("HEAD~%d", r[0]), fmt.Sprintf("HEAD~%d", r[1])
		t.Run(base+".."+head, func(t *testing.T) {
			opts := Options{Root: dir, Base: base, Head: head, NoFetch: true}
			partial, err := Compute(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			opts.LoadAll = true
			all, err := Compute(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(all.Plan.Changes) == 0 {
				t.Fatal("the range changes nothing: the case tests nothing")
			}
			samePlan(t, partial, all)
			if n, m := len(partial.Head.Resources()), len(all.Head.Resources()); n >= m {
				t.Errorf("the partial plan loaded %d of %d resources at head: it selected everything", n, m)
			}
		})
	}
}
