package backend

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ibgitops/ibgitops/recipes"
)

// BuildAll builds every request with be, as Schedule orders them. An
// error of the backend for one request (it could not do its job: no
// engine, no credentials, endpoint down) becomes a failed result naming
// it, and is also returned, joined, so that callers can tell "could not
// run" (exit 2) from "a build failed".
func BuildAll(ctx context.Context, be Backend, reqs []Request, parallel int, progress func(Event)) ([]Result, error) {
	if progress == nil {
		progress = func(Event) {}
	}
	var mu sync.Mutex
	report := func(e Event) { mu.Lock(); defer mu.Unlock(); progress(e) }
	errs := make([]error, len(reqs))
	results := Schedule(ctx, reqs, parallel, func(ctx context.Context, i int, req Request) Result {
		started := time.Now().UTC()
		res, err := be.Build(ctx, req, report)
		switch {
		case err != nil:
			r := Result{Recipe: req.Recipe, Kind: req.Kind, Version: req.Version, Status: StatusFailed, Message: err.Error(), Started: started, Finished: time.Now().UTC()}
			if ctx.Err() != nil {
				r.Status = StatusCancelled
			} else {
				errs[i] = fmt.Errorf("%s %s: %w", req.Recipe, req.Version, err)
			}
			return r
		case res == nil:
			return Result{Recipe: req.Recipe, Kind: req.Kind, Version: req.Version, Status: StatusFailed, Message: be.Name() + " backend returned no result", Started: started, Finished: time.Now().UTC()}
		default:
			return *res
		}
	})
	return results, errors.Join(errs...)
}

// Schedule calls build for every request, at most parallel at a time, a
// request whose `recipe:` parent is also requested only after that parent
// succeeded (or was skipped). A child of a failed parent is not built and
// its result says why; a request still waiting when ctx ends is cancelled.
// Results are in request order. It is the one scheduler of `build` and
// `run`, so both order and limit builds the same way.
func Schedule(ctx context.Context, reqs []Request, parallel int, build func(ctx context.Context, i int, req Request) Result) []Result {
	if parallel < 1 {
		parallel = 1
	}
	index := map[string]int{}
	for i, r := range reqs {
		index[r.Recipe] = i
	}
	results := make([]Result, len(reqs))
	done := make([]chan struct{}, len(reqs))
	for i := range done {
		done[i] = make(chan struct{})
	}
	sem := make(chan struct{}, parallel)
	for i, req := range reqs {
		go func() {
			defer close(done[i])
			now := time.Now().UTC()
			if parent := parentRecipe(req); parent != "" {
				if pi, ok := index[parent]; ok && pi != i {
					<-done[pi]
					if pr := results[pi]; pr.Status != StatusSucceeded && pr.Status != StatusSkipped {
						// A child of a cancelled parent was stopped by the
						// same interrupt: it did not fail.
						status := StatusFailed
						if pr.Status == StatusCancelled {
							status = StatusCancelled
						}
						results[i] = Result{Recipe: req.Recipe, Kind: req.Kind, Version: req.Version, Status: status,
							Message: fmt.Sprintf("not built: its parent recipe %s %s", parent, pr.Status), Started: now, Finished: now}
						return
					}
				}
			}
			cancelled := Result{Recipe: req.Recipe, Kind: req.Kind, Version: req.Version, Status: StatusCancelled, Message: "interrupted before it started", Started: now, Finished: now}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i] = cancelled
				return
			}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				results[i] = cancelled
				return
			}
			results[i] = build(ctx, i, req)
		}()
	}
	for i := range done {
		<-done[i]
	}
	return results
}

func parentRecipe(req Request) string {
	if req.Repo == nil {
		return ""
	}
	if r, _, ok := req.Repo.Recipe(req.Recipe); ok {
		return r.ParentRecipe()
	}
	return ""
}

// Requests turns a plan's builds into requests against repo.
func Requests(repo *recipes.Repo, root string, builds []recipes.Build, prov Provenance) []Request {
	versions := map[string]string{}
	for _, b := range builds {
		versions[b.Name] = b.Version
	}
	var out []Request
	for _, b := range builds {
		out = append(out, Request{Repo: repo, Root: root, Recipe: b.Name, Kind: b.Kind, Version: b.Version, Pipelines: b.Pipelines, Versions: versions, Provenance: prov})
	}
	return out
}
