package recipes

import "sort"

// Graph is the dependency graph of a repository: who is affected when a
// resource changes. Edges point from a resource to its dependents:
// component -> recipes that use it, parent recipe -> child recipes
// (`parentImage: recipe:<name>`), recipe -> pipelines that build it,
// infrastructure and distribution -> pipelines that use them.
type Graph struct {
	repo       *Repo
	dependents map[Key][]Key
	// uses[recipe][component] is the recipe's reference to that component.
	uses map[Key]map[string]ComponentRef
}

// NewGraph builds the graph of r. References to resources that do not
// exist are ignored (lint reports them).
func NewGraph(r *Repo) *Graph {
	g := &Graph{repo: r, dependents: map[Key][]Key{}, uses: map[Key]map[string]ComponentRef{}}
	if r == nil {
		return g
	}
	addRecipe := func(kind Kind, name string, rec *Recipe) {
		k := Key{kind, name}
		for _, ref := range rec.Components {
			if ref.Name == "" {
				continue
			}
			if _, ok := r.Components[ref.Name]; !ok {
				continue
			}
			g.edge(Key{KindComponent, ref.Name}, k)
			if g.uses[k] == nil {
				g.uses[k] = map[string]ComponentRef{}
			}
			g.uses[k][ref.Name] = ref
		}
		if parent := rec.ParentRecipe(); parent != "" {
			if _, pk, ok := r.Recipe(parent); ok {
				g.edge(Key{pk, parent}, k)
			}
		}
	}
	for _, n := range sortedKeys(r.ImageRecipes) {
		addRecipe(KindImageRecipe, n, &r.ImageRecipes[n].Recipe)
	}
	for _, n := range sortedKeys(r.ContainerRecipes) {
		addRecipe(KindContainerRecipe, n, &r.ContainerRecipes[n].Recipe)
	}
	for _, n := range sortedKeys(r.Pipelines) {
		p := r.Pipelines[n]
		pk := Key{KindPipeline, n}
		if name := p.RecipeName(); name != "" {
			if _, rk, ok := r.Recipe(name); ok {
				g.edge(Key{rk, name}, pk)
			}
		}
		if _, ok := r.Infrastructures[p.InfrastructureConfiguration]; ok {
			g.edge(Key{KindInfrastructure, p.InfrastructureConfiguration}, pk)
		}
		if _, ok := r.Distributions[p.DistributionConfiguration]; ok {
			g.edge(Key{KindDistribution, p.DistributionConfiguration}, pk)
		}
	}
	return g
}

func (g *Graph) edge(from, to Key) {
	for _, k := range g.dependents[from] {
		if k == to {
			return
		}
	}
	g.dependents[from] = append(g.dependents[from], to)
}

// Dependents are the resources that directly depend on k, sorted.
func (g *Graph) Dependents(k Key) []Key {
	out := append([]Key(nil), g.dependents[k]...)
	sortKeys(out)
	return out
}

// ComponentRef returns how recipe uses component, if it does.
func (g *Graph) ComponentRef(recipe Key, component string) (ComponentRef, bool) {
	ref, ok := g.uses[recipe][component]
	return ref, ok
}

// Affected returns every resource that depends, directly or through
// others, on one of changed, excluding changed itself, in dependency order.
// A parent-recipe cycle (a lint error) does not loop.
func (g *Graph) Affected(changed []Key) []Key {
	seen := map[Key]bool{}
	for _, k := range changed {
		seen[k] = true
	}
	var out []Key
	queue := append([]Key(nil), changed...)
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		for _, d := range g.dependents[k] {
			if seen[d] {
				continue
			}
			seen[d] = true
			out = append(out, d)
			queue = append(queue, d)
		}
	}
	g.sortByDependency(out)
	return out
}

// Order returns every resource of the repository in an order where each
// resource comes after everything it depends on (components, then recipes
// parents-first, then infrastructure, distribution and pipelines).
func (g *Graph) Order() []Key {
	var all []Key
	for _, r := range g.repo.Resources() {
		all = append(all, r.Key())
	}
	g.sortByDependency(all)
	return all
}

// sortByDependency sorts keys by kind order, then recipes by depth in the
// parent chain, then by name.
func (g *Graph) sortByDependency(keys []Key) {
	depth := map[Key]int{}
	var depthOf func(k Key, guard int) int
	depthOf = func(k Key, guard int) int {
		if d, ok := depth[k]; ok {
			return d
		}
		d := 0
		if guard < 64 && (k.Kind == KindImageRecipe || k.Kind == KindContainerRecipe) && g.repo != nil {
			if rec, _, ok := g.repo.Recipe(k.Name); ok {
				if parent := rec.ParentRecipe(); parent != "" {
					if _, pk, ok := g.repo.Recipe(parent); ok {
						d = depthOf(Key{pk, parent}, guard+1) + 1
					}
				}
			}
		}
		depth[k] = d
		return d
	}
	rank := func(k Key) int {
		i := kindIndex(k.Kind)
		if k.Kind == KindContainerRecipe {
			i = kindIndex(KindImageRecipe) // one namespace, one ordering
		}
		return i
	}
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		if da, db := depthOf(a, 0), depthOf(b, 0); da != db {
			return da < db
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Kind < b.Kind
	})
}

func sortKeys(keys []Key) {
	sort.Slice(keys, func(i, j int) bool {
		if a, b := kindIndex(keys[i].Kind), kindIndex(keys[j].Kind); a != b {
			return a < b
		}
		return keys[i].Name < keys[j].Name
	})
}
