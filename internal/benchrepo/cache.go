package benchrepo

import (
	"fmt"
	"os"
	"path/filepath"
)

// Cached returns a repository of that shape, created once under the user's
// cache folder (IBGITOPS_BENCH_CACHE overrides it) and reused by later
// benchmark runs: creating the largest shapes costs minutes of git gc on a
// busy machine, reading them a fraction of a second.
func Cached(s Shape) (string, error) {
	root := os.Getenv("IBGITOPS_BENCH_CACHE")
	if root == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			c = os.TempDir()
		}
		root = filepath.Join(c, "ibgitops-bench")
	}
	// The version suffix changes whenever the generator's output does.
	dir := filepath.Join(root, fmt.Sprintf("v2-c%d-r%d-p%d-s%d-n%d-spc%d", s.Components, s.Recipes, s.Pipelines, s.Sources, s.Commits, s.SourcesPerCommit))
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := Create(dir, s); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, ".complete"), nil, 0o644)
}
