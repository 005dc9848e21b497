package reconcile

import (
	"fmt"
	"sort"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// Plan is what a run on the default branch does to make the backend match
// the repository. It never deletes.
type Plan struct {
	// Builds are the recipe versions whose image of this content is not
	// available: never built, or the last build failed (retried).
	Builds []recipes.Build `json:"builds"`
	// Retries explain the builds that retry a failed one, by recipe.
	Retries map[string]string `json:"retries,omitempty"`
	// Updates are mutable resources created or updated in place, without
	// a build.
	Updates []Entry `json:"updates"`
	// AfterBuilds are drifted pipelines of recipes this run builds: the
	// build creates a pipeline but trusts an existing one's content tag,
	// so they are updated once their recipe version exists.
	AfterBuilds []Entry `json:"afterBuilds,omitempty"`
	// Blocked are versions that cannot be built as they are (taken with
	// other content) or could not be read.
	Blocked []Entry `json:"blocked,omitempty"`
	// Unreached are available images a distribution change does not
	// reach, with the command that rebuilds them.
	Unreached []Unreached `json:"unreached,omitempty"`
}

// Unreached is an existing image distributed with an older distribution
// configuration.
type Unreached struct {
	Recipe       string `json:"recipe"`
	Version      string `json:"version"`
	Image        string `json:"image"`
	Distribution string `json:"distribution"`
	Command      string `json:"command"`
}

// Empty reports whether the plan does nothing.
func (p *Plan) Empty() bool {
	return len(p.Builds) == 0 && len(p.Updates) == 0 && len(p.AfterBuilds) == 0
}

// PlanFrom turns a comparison into the work of a run.
func PlanFrom(repo *recipes.Repo, s *Status) *Plan {
	p := &Plan{Builds: []recipes.Build{}, Updates: []Entry{}, Retries: map[string]string{}}
	building := map[string]bool{}
	for _, e := range s.Entries {
		if e.Kind != recipes.KindImageRecipe && e.Kind != recipes.KindContainerRecipe {
			continue
		}
		switch e.State {
		case Missing:
			// A build under way is planned too: the backend waits for it
			// rather than starting another.
			p.Builds = append(p.Builds, build(repo, e))
			building[e.Name] = true
			if e.LastBuild != nil && e.LastBuild.State != backend.ImageInProgress {
				p.Retries[e.Name] = fmt.Sprintf("retrying, %s in %s", e.LastBuild.State, e.LastBuild.Run())
			}
		case VersionTaken, Unreadable:
			p.Blocked = append(p.Blocked, e)
		}
	}
	changedDist := map[string]bool{}
	for _, e := range s.Entries {
		switch e.Kind {
		case recipes.KindComponent:
			if e.State == VersionTaken || e.State == Unreadable {
				p.Blocked = append(p.Blocked, e)
			}
		case recipes.KindInfrastructure, recipes.KindDistribution, recipes.KindPipeline:
			switch e.State {
			case Missing, Drifted:
				if e.Kind == recipes.KindPipeline && building[repo.Pipelines[e.Name].RecipeName()] {
					if e.State == Drifted {
						p.AfterBuilds = append(p.AfterBuilds, e)
					}
					continue // a missing one the build creates
				}
				if e.Kind == recipes.KindPipeline && !recipeExists(s, repo.Pipelines[e.Name].RecipeName()) {
					continue
				}
				p.Updates = append(p.Updates, e)
				if e.Kind == recipes.KindDistribution && e.State == Drifted {
					changedDist[e.Name] = true
				}
			case Unreadable:
				p.Blocked = append(p.Blocked, e)
			}
		}
	}
	p.Unreached = unreached(repo, s, changedDist, building)
	if len(p.Retries) == 0 {
		p.Retries = nil
	}
	return p
}

func build(repo *recipes.Repo, e Entry) recipes.Build {
	b := recipes.Build{Kind: e.Kind, Name: e.Name, Version: e.Version, Pipelines: []string{}}
	for _, name := range sortedKeys(repo.Pipelines) {
		if repo.Pipelines[name].RecipeName() == e.Name {
			b.Pipelines = append(b.Pipelines, name)
		}
	}
	return b
}

// recipeExists reports whether the recipe's version is in the backend
// (in sync, or at least created): a pipeline can only point at one that is.
func recipeExists(s *Status, name string) bool {
	for _, k := range []recipes.Kind{recipes.KindImageRecipe, recipes.KindContainerRecipe} {
		if e, ok := s.Lookup(k, name); ok {
			return e.State == InSync
		}
	}
	return false
}

// unreached lists the available images of recipes distributed through a
// changed distribution configuration that this run does not rebuild.
func unreached(repo *recipes.Repo, s *Status, changed map[string]bool, building map[string]bool) []Unreached {
	var out []Unreached
	seen := map[string]bool{}
	for _, pname := range sortedKeys(repo.Pipelines) {
		pl := repo.Pipelines[pname]
		recipe := pl.RecipeName()
		if !changed[pl.DistributionConfiguration] || building[recipe] || seen[recipe] {
			continue
		}
		seen[recipe] = true
		for _, k := range []recipes.Kind{recipes.KindImageRecipe, recipes.KindContainerRecipe} {
			e, ok := s.Lookup(k, recipe)
			if !ok || e.State != InSync {
				continue
			}
			out = append(out, Unreached{Recipe: recipe, Version: e.Version, Image: e.ID, Distribution: pl.DistributionConfiguration,
				Command: fmt.Sprintf("ibgitops build --only %s --force", recipe)})
		}
	}
	return out
}

func sortedKeys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
