package runner

import (
	"context"
	"fmt"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/reconcile"
)

// ObserveStatus asks the backend what it holds for the repository and
// compares it with the files: `ibgitops status`, and the first half of a
// reconciling run.
func ObserveStatus(ctx context.Context, be backend.Backend, repo *recipes.Repo, root string) (*reconcile.Status, error) {
	obs, ok := be.(backend.Observer)
	if !ok {
		return nil, fmt.Errorf("the %s backend cannot report what it holds (it does not implement backend.Observer)", be.Name())
	}
	a, err := obs.Observe(ctx, backend.ObserveRequest{Repo: repo, Root: root})
	if err != nil {
		return nil, fmt.Errorf("read what the %s backend holds: %w", be.Name(), err)
	}
	return reconcile.Compare(repo, a), nil
}
