package benchrepo

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ibgitops/ibgitops/recipes"
)

// TestGeneratedRepositoryIsReal: the generated repository lints clean, its
// recipes use existing components and its pipelines existing recipes, and
// every commit changes a different resource, so benchmarks exercise the
// dependency work.
func TestGeneratedRepositoryIsReal(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs the git binary")
	}
	s := Shape{Components: 30, Recipes: 10, Pipelines: 5, Sources: 3, Commits: 25, SourcesPerCommit: 1}
	dir := filepath.Join(t.TempDir(), "repo")
	if err := Create(dir, s); err != nil {
		t.Fatal(err)
	}
	repo, findings, err := recipes.Load(os.DirFS(filepath.Join(dir, "images")))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("finding in the generated repository: %+v", f)
	}
	if len(repo.Components) != s.Components || len(repo.ImageRecipes) != s.Recipes || len(repo.Pipelines) != s.Pipelines {
		t.Fatalf("loaded %d components, %d recipes, %d pipelines", len(repo.Components), len(repo.ImageRecipes), len(repo.Pipelines))
	}
	g := recipes.NewGraph(repo)
	used := 0
	for name := range repo.Components {
		if len(g.Dependents(recipes.Key{Kind: recipes.KindComponent, Name: name})) > 0 {
			used++
		}
	}
	if used != s.Components {
		t.Errorf("%d of %d components are used by a recipe", used, s.Components)
	}
	seen := map[string]bool{}
	for n := 1; n <= s.Commits; n++ {
		f, _ := s.Touched(n)
		if seen[f] {
			t.Errorf("commit %d changes %s again", n, f)
		}
		seen[f] = true
	}
	out, err := exec.Command("git", "-C", dir, "rev-list", "--count", "HEAD").Output()
	if err != nil || string(out) != "26\n" {
		t.Errorf("rev-list --count = %q, %v; want 26", out, err)
	}
}

// TestMessagesBumpEveryLevel: the history's messages are conventional
// commits of every level, so the bump-level work of a plan is exercised
// up to major.
func TestMessagesBumpEveryLevel(t *testing.T) {
	s := Shape{Components: 50, Recipes: 10, Pipelines: 5, Commits: 200}
	levels := map[string]int{}
	for n := 1; n <= s.Commits; n++ {
		_, msg := s.Touched(n)
		levels[recipes.ConventionalBump(msg)]++
	}
	for _, l := range []string{recipes.BumpMajor, recipes.BumpMinor, recipes.BumpPatch} {
		if levels[l] == 0 {
			t.Errorf("no commit message bumps %s: %v", l, levels)
		}
	}
}
