package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/reconcile"
)

// reconcileStep replaces the diff's builds with what the backend lacks:
// on a build (push to the default branch, a terminal run with --build),
// every recipe version whose image of this content is not available is
// built, whatever the diff touched, so a failed build is retried on the
// next run and a fresh account gets everything. Mutable resources that
// differ are updated in place by applyStep, without a build. Backends
// that cannot observe keep the diff's builds.
type reconcileStep struct{}

func (reconcileStep) String() string { return "comparing the repository with what the backend holds" }

func (reconcileStep) Skip(s *State) (string, bool) {
	switch {
	case !s.Build || s.TestOnly || s.Release || len(s.Opts.Recipes) > 0:
		return "", true
	case s.opened() == nil:
		return "", true
	case s.Linted && hasErrors(s.Findings):
		return "lint found errors: fix them first (see the findings)", true
	}
	if _, ok := s.opened().(backend.Observer); !ok {
		return fmt.Sprintf("the %s backend cannot report what it holds: building what the diff touched", s.opened().Name()), true
	}
	return "", false
}

func (reconcileStep) Run(ctx context.Context, s *State) error {
	if s.Repo == nil {
		return errors.New("the repository was not loaded")
	}
	st, err := ObserveStatus(ctx, s.opened(), s.Repo, s.Opts.Root)
	if err != nil {
		return err
	}
	s.Status = st
	p := reconcile.PlanFrom(s.Repo, st)
	s.Reconcile = p
	s.Builds = append([]recipes.Build(nil), p.Builds...)
	if s.Plan != nil {
		s.Plan.Builds = append([]recipes.Build(nil), p.Builds...)
	}
	for _, b := range p.Builds {
		if r := p.Retries[b.Name]; r != "" {
			s.note("%s %s: %s", b.Name, b.Version, r)
		}
	}
	for _, e := range p.Blocked {
		s.note("%s %s not built: %s: %s", e.Kind, e.Name, e.State, e.Message)
	}
	for _, u := range p.Unreached {
		s.note("image %s of %s %s was distributed before distribution %s changed and is not redistributed: rebuild it with `%s`", u.Image, u.Recipe, u.Version, u.Distribution, u.Command)
	}
	s.progressf("  %s; %d recipe version(s) to build, %d resource(s) to update in place (%d backend reads)",
		st.Summary(), len(p.Builds), len(p.Updates)+len(p.AfterBuilds), st.Reads)
	return nil
}

// applyStep updates (or creates) the mutable resources that differ, in
// place, without a build. after selects the pipelines of recipes this run
// builds, updated once their recipe version exists.
type applyStep struct{ after bool }

func (a applyStep) String() string {
	if a.after {
		return "updating the pipelines of the built recipes in place"
	}
	return "updating pipelines and configurations in place"
}

func (a applyStep) Skip(s *State) (string, bool) {
	if s.Reconcile == nil || len(a.entries(s)) == 0 {
		return "", true
	}
	if s.Opts.DryRun {
		return "a dry run changes nothing", true
	}
	if _, ok := s.opened().(backend.Applier); !ok {
		return fmt.Sprintf("the %s backend holds no mutable resources", s.opened().Name()), true
	}
	return "", false
}

func (a applyStep) entries(s *State) []reconcile.Entry {
	if a.after {
		return s.Reconcile.AfterBuilds
	}
	return s.Reconcile.Updates
}

func (a applyStep) Run(ctx context.Context, s *State) error {
	done, err := ApplyUpdates(ctx, s.opened(), s.Repo, s.Opts.Root, a.entries(s), s.provenance())
	for _, line := range done {
		s.progressf("  %s", line)
		s.note("%s", line)
	}
	return err
}

// ApplyUpdates creates or updates each entry's mutable resource in place,
// without a build, and says what it did, one line per resource.
func ApplyUpdates(ctx context.Context, be backend.Backend, repo *recipes.Repo, root string, entries []reconcile.Entry, prov backend.Provenance) ([]string, error) {
	ap, ok := be.(backend.Applier)
	if !ok {
		return nil, fmt.Errorf("the %s backend holds no mutable resources", be.Name())
	}
	var (
		done []string
		errs []error
	)
	for _, e := range entries {
		res, err := ap.ApplyMutable(ctx, backend.ApplyRequest{Repo: repo, Root: root, Kind: e.Kind, Name: e.Name, Provenance: prov})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", e.Kind, e.Name, err))
			continue
		}
		what := "nothing to change"
		if len(res.Calls) > 0 {
			what = strings.Join(res.Calls, ", ")
		}
		verb := "updated"
		if e.State == reconcile.Missing {
			verb = "created"
		}
		done = append(done, fmt.Sprintf("%s %s %s in place without a build (%s)", e.Kind, e.Name, verb, what))
	}
	return done, errors.Join(errs...)
}

// takenStep checks head's versions against what the backend holds, on a
// pull request, read-only: a version taken there with other content would
// only fail after merge, at build time.
type takenStep struct{}

func (takenStep) String() string { return "checking head's versions against the backend" }

func (takenStep) Skip(s *State) (string, bool) {
	if s.Opts.CheckBackend == nil || s.Build || s.Repo == nil {
		return "", true
	}
	if _, ok := s.Opts.CheckBackend.(backend.Observer); !ok {
		return "", true
	}
	return "", false
}

func (takenStep) Run(ctx context.Context, s *State) error {
	be := s.Opts.CheckBackend
	st, err := ObserveStatus(ctx, be, s.Repo, s.Opts.Root)
	if err != nil {
		// Reading is a courtesy on a pull request: the build after merge
		// checks again.
		s.note("could not check head's versions against the %s backend: %v", be.Name(), err)
		return nil
	}
	levels := map[recipes.Key]string{}
	if s.Plan != nil {
		for _, ch := range s.Plan.Changes {
			levels[recipes.Key{Kind: ch.Kind, Name: ch.Name}] = ch.Bump
		}
	}
	where := map[string]string{"aws": "in Image Builder", "local": "in the local store"}[be.Name()]
	if where == "" {
		where = "in the " + be.Name() + " backend"
	}
	var found []diag.Finding
	for _, e := range st.Entries {
		if e.State != reconcile.VersionTaken {
			continue
		}
		if r, ok := s.Repo.Lookup(recipes.Key{Kind: e.Kind, Name: e.Name}); ok {
			found = append(found, recipes.TakenFinding(r.Meta, where, "bump", levels[r.Key()]))
		}
	}
	s.addFindings(found)
	s.progressf("  %d version(s) taken %s (%d backend reads)", len(found), where, st.Reads)
	return nil
}
