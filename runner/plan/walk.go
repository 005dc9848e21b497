package plan

import (
	"context"
	"path"
	"strings"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/git"
)

// earlyWalk reads the commits between base and head for conventional
// bumps while the files are selected and both sides load: the walk needs
// only the object store, and
// on a large range it costs as much as the loads. Which files the bumps
// ask about is known only after the loads (bumpFiles), so the walk
// records every file below the configured root and the answer is
// filtered then; that is what Log of those files returns
// (git.TestLogUnderFiltersToLog).
type earlyWalk struct {
	under  string // repository path the walk covers
	cancel context.CancelFunc
	done   chan struct{}
	log    []git.Commit
	err    error
}

// startWalk starts the walk when the head's settings ask for
// conventional bumps; nil otherwise (then nothing waits for it).
func (c *computer) startWalk(ctx context.Context, base, head git.Hash, cfg recipes.Config) *earlyWalk {
	if cfg.Versioning.Bump != "conventional" && cfg.Versioning.Bump != "" {
		return nil
	}
	w := &earlyWalk{under: strings.Trim(path.Join(c.prefix, cfg.Root), "/"), done: make(chan struct{})}
	if w.under == "." {
		w.under = ""
	}
	wctx, cancel := context.WithCancel(ctx)
	w.cancel = cancel
	go func() {
		defer close(w.done)
		w.log, w.err = c.repo.LogUnder(wctx, base, head, w.under)
	}()
	return w
}

// stop cancels the walk and waits for it: it never outlives the plan
// (nor the repository it reads).
func (w *earlyWalk) stop() {
	if w == nil {
		return
	}
	w.cancel()
	<-w.done
}

// result is Log(files) from the walk; false when the walk cannot answer
// (a file outside what it covered, or it failed: the caller walks again,
// fetching missing history if need be).
func (w *earlyWalk) result(files []string) ([]git.Commit, bool) {
	if w == nil {
		return nil, false
	}
	if len(files) == 0 {
		w.stop() // nothing to ask: Log of no file is no commit
		return nil, true
	}
	for _, f := range files {
		if w.under != "" && !strings.HasPrefix(f, w.under+"/") {
			w.stop()
			return nil, false
		}
	}
	<-w.done
	if w.err != nil {
		return nil, false
	}
	return git.FilterLog(w.log, files), true
}
