package recipes

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ibgitops/ibgitops/recipes/diag"
)

// MaxRecipeComponents is Image Builder's limit of components per recipe.
const MaxRecipeComponents = 20

// crossCheck runs the rules that look across resources: references,
// parents, parameters, platforms.
func (l *loader) crossCheck() {
	for _, name := range sortedKeys(l.repo.ImageRecipes) {
		r := l.repo.ImageRecipes[name]
		l.checkRecipe(&r.Recipe, false)
	}
	for _, name := range sortedKeys(l.repo.ContainerRecipes) {
		r := l.repo.ContainerRecipes[name]
		l.checkRecipe(&r.Recipe, true)
	}
	l.checkParentCycles()
	for _, name := range sortedKeys(l.repo.Pipelines) {
		l.checkPipeline(l.repo.Pipelines[name])
	}
	l.checkNameCollisions()
	l.checkAMINames()
}

// arnName is the name segment Image Builder puts in a resource's ARN: the
// name lower-cased, spaces as '-'.
func arnName(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), " ", "-")
}

// checkNameCollisions warns about names of one namespace that are
// distinct to ibgitops but equal in Image Builder's ARNs (Hello and hello,
// "my app" and my-app): the second create collides with the first, and
// people reading a plan cannot tell them apart.
func (l *loader) checkNameCollisions() {
	var namespaces [][]*Meta
	collect := func(metas []*Meta) { namespaces = append(namespaces, metas) }
	collect(metasOf(l.repo.Components, func(c *Component) *Meta { return &c.Meta }))
	collect(append(metasOf(l.repo.ImageRecipes, func(r *ImageRecipe) *Meta { return &r.Meta }),
		metasOf(l.repo.ContainerRecipes, func(r *ContainerRecipe) *Meta { return &r.Meta })...))
	collect(metasOf(l.repo.Infrastructures, func(r *Infrastructure) *Meta { return &r.Meta }))
	collect(metasOf(l.repo.Distributions, func(r *Distribution) *Meta { return &r.Meta }))
	collect(metasOf(l.repo.Pipelines, func(r *Pipeline) *Meta { return &r.Meta }))
	for _, metas := range namespaces {
		sort.Slice(metas, func(i, j int) bool {
			if metas[i].File != metas[j].File {
				return metas[i].File < metas[j].File
			}
			return metas[i].Name < metas[j].Name
		})
		first := map[string]*Meta{}
		for _, m := range metas {
			key := arnName(m.Name)
			other, ok := first[key]
			if !ok {
				first[key] = m
				continue
			}
			l.add(RuleNameCase, diag.Warning, m.File, m.NamePos, "%s %q and %q (%s:%d) differ only in case or in space versus '-': Image Builder's ARNs spell both %q, so they collide there and look alike in plans; rename one",
				m.Kind, m.Name, other.Name, other.File, other.NamePos.Line, key)
		}
	}
}

func metasOf[V any](m map[string]V, meta func(V) *Meta) []*Meta {
	out := make([]*Meta, 0, len(m))
	for _, v := range m {
		out = append(out, meta(v))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// componentIdentity is what "the same component" means in one recipe: the
// repository name, or the ARN without its version.
func componentIdentity(ref ComponentRef) string {
	if ref.Name != "" {
		return "name:" + ref.Name
	}
	m := reImageBuilderARN.FindStringSubmatch(ref.ARN)
	if m == nil {
		return "arn:" + ref.ARN
	}
	return "arn:" + m[3] + ":" + m[5]
}

func (l *loader) checkRecipe(r *Recipe, container bool) {
	paramKeys := l.paramKeys[r.Key()]
	file := r.File
	// parentImage's form is the field table's (decoder); here only the
	// recipe: reference.
	if r.ParentImage != "" {
		if parent := r.ParentRecipe(); parent != "" {
			_, kind, ok := l.repo.Recipe(parent)
			switch {
			case !ok:
				l.add(RuleRefMissing, diag.Error, file, r.ParentImagePos, "parentImage recipe:%s: no ImageRecipe or ContainerRecipe named %q in this repository; fix the name or add the recipe", parent, parent)
			case kind != r.Kind:
				l.add(RuleRefKind, diag.Error, file, r.ParentImagePos, "parentImage recipe:%s is a %s; a %s can only build on a %s", parent, kind, r.Kind, r.Kind)
			}
		}
	}
	seen := map[string]ComponentRef{}
	firstPlatform, firstName := "", ""
	for i, ref := range r.Components {
		id := componentIdentity(ref)
		if first, dup := seen[id]; dup {
			l.add(RuleDuplicateComp, diag.Error, file, ref.Pos, "component %s is already in this recipe (line %d); Image Builder runs each component at most once: remove one", refLabel(ref), first.Pos.Line)
			continue
		}
		seen[id] = ref
		if ref.ARN != "" {
			continue // arn with version: exclusive-fields, from the table
		}
		c, ok := l.repo.Components[ref.Name]
		if !ok {
			l.add(RuleRefMissing, diag.Error, file, ref.Pos, "component %q is not defined in this repository; fix the name, add the component, or reference an AWS-managed one by arn:", ref.Name)
			continue
		}
		if ref.Version != "" && c.Version != "" {
			l.checkPin(file, ref, c)
		}
		if c.Platform != "" {
			if firstPlatform == "" {
				firstPlatform, firstName = c.Platform, c.Name
			} else if c.Platform != firstPlatform {
				l.add(RulePlatformMismatch, diag.Error, file, ref.Pos, "component %q is for %s but %q is for %s; a recipe builds one platform: use components of one platform", c.Name, c.Platform, firstName, firstPlatform)
			}
		}
		l.checkParams(file, paramKeys[i], ref, c)
	}
}

func refLabel(ref ComponentRef) string {
	if ref.Name != "" {
		return fmt.Sprintf("%q", ref.Name)
	}
	return ref.ARN
}

// checkPin compares a version pin with the repository component's version.
func (l *loader) checkPin(file string, ref ComponentRef, c *Component) {
	if r, _ := checkVersion(ref.Version, true); r != "" {
		return // already a version-format finding
	}
	pin := strings.Split(ref.Version, ".")
	have := strings.Split(c.Version, ".")
	if len(pin) != 3 || len(have) != 3 {
		return
	}
	for i := 0; i < 3; i++ {
		if pin[i] == "x" {
			return // matches
		}
		if pin[i] != have[i] {
			if cmpPart(pin[i], have[i]) > 0 {
				l.add(RuleRefVersion, diag.Error, file, ref.VersionPos, "component %q is pinned to %s but the repository has %s, so that version cannot exist; pin %s or lower, or remove version:", c.Name, ref.Version, c.Version, c.Version)
			} else {
				l.add(RuleRefVersion, diag.Warning, file, ref.VersionPos, "component %q is pinned to %s, older than the repository's %s: the build uses the old version from Image Builder and local builds cannot run it; update the pin or remove version:", c.Name, ref.Version, c.Version)
			}
			return
		}
	}
}

func cmpPart(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// checkParams compares the parameters a recipe passes with the ones the
// component's document declares.
func (l *loader) checkParams(file string, keys keyList, ref ComponentRef, c *Component) {
	declared := map[string]Parameter{}
	for _, p := range c.Parameters {
		declared[p.Name] = p
	}
	for _, name := range sortedKeys(ref.Parameters) {
		vals := ref.Parameters[name]
		p, ok := declared[name]
		pos := ref.Pos
		if kp, ok := keys.pos(name); ok {
			pos = kp
		}
		if !ok {
			names := make([]string, 0, len(c.Parameters))
			for _, p := range c.Parameters {
				names = append(names, p.Name)
			}
			known := "it declares none: remove parameters:"
			if len(names) > 0 {
				known = "it declares " + strings.Join(names, ", ") + ": fix the name or declare the parameter in the component"
			}
			l.add(RuleParamUndeclared, diag.Error, file, pos, "component %q has no parameter %q (Image Builder rejects undeclared parameters); %s", c.Name, name, known)
			continue
		}
		if strings.EqualFold(p.Type, "string") && len(vals) != 1 {
			l.add(RuleParamType, diag.Error, file, pos, "parameter %q of component %q is a string; pass one value, not a list of %d", name, c.Name, len(vals))
		}
	}
	for _, p := range c.Parameters {
		if p.Default != nil {
			continue
		}
		if _, ok := ref.Parameters[p.Name]; !ok {
			l.add(RuleParamRequired, diag.Error, file, ref.Pos, "component %q needs parameter %q (it has no default); add parameters: {%s: <value>} to this component entry", c.Name, p.Name, p.Name)
		}
	}
}

// checkParentCycles finds recipe: parent chains that loop.
func (l *loader) checkParentCycles() {
	state := map[string]int{} // 0 new, 1 on stack, 2 done
	var names []string
	for n := range l.repo.ImageRecipes {
		names = append(names, n)
	}
	for n := range l.repo.ContainerRecipes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, start := range names {
		if state[start] != 0 {
			continue
		}
		var chain []string
		cur := start
		for {
			if state[cur] == 2 {
				break
			}
			if state[cur] == 1 {
				// cycle: the part of chain from cur on
				idx := 0
				for i, n := range chain {
					if n == cur {
						idx = i
					}
				}
				cycle := append(append([]string{}, chain[idx:]...), cur)
				r, _, _ := l.repo.Recipe(cur)
				l.add(RuleParentCycle, diag.Error, r.File, r.ParentImagePos, "recipe parents form a cycle: %s; one recipe in the loop must build on an AMI, image ARN or ssm: parameter instead", strings.Join(cycle, " -> "))
				break
			}
			state[cur] = 1
			chain = append(chain, cur)
			r, _, ok := l.repo.Recipe(cur)
			if !ok {
				break
			}
			next := r.ParentRecipe()
			if next == "" {
				break
			}
			if _, _, ok := l.repo.Recipe(next); !ok {
				break
			}
			cur = next
		}
		for _, n := range chain {
			state[n] = 2
		}
	}
}

func (l *loader) checkPipeline(p *Pipeline) {
	r := l.pipelines[p.Name]
	if p.ImageRecipe != "" {
		l.checkRecipeRef(p, "imageRecipe", p.ImageRecipe, KindImageRecipe, "containerRecipe", r.ImageRecipe.Pos)
	}
	if p.ContainerRecipe != "" {
		l.checkRecipeRef(p, "containerRecipe", p.ContainerRecipe, KindContainerRecipe, "imageRecipe", r.ContainerRecipe.Pos)
	}
	if n := p.InfrastructureConfiguration; n != "" {
		if _, ok := l.repo.Infrastructures[n]; !ok {
			l.add(RuleRefMissing, diag.Error, p.File, r.InfrastructureConfiguration.Pos, "infrastructureConfiguration %q is not defined in this repository; fix the name or add an InfrastructureConfiguration", n)
		}
	}
	if n := p.DistributionConfiguration; n != "" {
		if _, ok := l.repo.Distributions[n]; !ok {
			l.add(RuleRefMissing, diag.Error, p.File, r.DistributionConfiguration.Pos, "distributionConfiguration %q is not defined in this repository; fix the name or add a DistributionConfiguration", n)
		}
	}
}

func (l *loader) checkRecipeRef(p *Pipeline, key, name string, want Kind, otherKey string, pos diag.Pos) {
	_, kind, ok := l.repo.Recipe(name)
	switch {
	case !ok:
		l.add(RuleRefMissing, diag.Error, p.File, pos, "%s %q is not defined in this repository; fix the name or add the recipe", key, name)
	case kind != want:
		l.add(RuleRefKind, diag.Error, p.File, pos, "%s %q is a %s; write %s: %s instead", key, name, kind, otherKey, name)
	}
}

// NoResources is lint's "nothing to check" finding: a repository (or a
// --root / root: pointing at the wrong folder) with no resource at all
// would otherwise lint green. It says nothing when the repository has a
// resource, or when other errors already fail the lint (a resource that
// did not load is not "no resource"). rootLabel names the folder as the
// user gave it.
func NoResources(repo *Repo, findings []diag.Finding, rootLabel string) []diag.Finding {
	if len(repo.Components)+len(repo.ImageRecipes)+len(repo.ContainerRecipes)+len(repo.Infrastructures)+len(repo.Distributions)+len(repo.Pipelines) > 0 {
		return nil
	}
	if errs, _ := diag.Count(findings); errs > 0 {
		return nil
	}
	under := path.Join(filepath.ToSlash(rootLabel), repo.Config.Root)
	return []diag.Finding{{Rule: RuleNoResources, Severity: diag.Error, File: repo.Config.Root,
		Message: fmt.Sprintf("no resources found under %s (no *.yaml file with a kind: such as Component or ImageRecipe); check --root and root: in ibgitops.yaml, or pass --allow-empty if the repository is meant to be empty for now", under)}}
}
