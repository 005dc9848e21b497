package recipes

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ibgitops/ibgitops/recipes/yamledit"
)

// VersionEdit is one version scalar `bump --write` rewrites.
type VersionEdit struct {
	File string // relative to the repository root
	Line int
	// What: "component web" or "recipe app pins component web".
	What     string
	Old, New string
	Edit     yamledit.Edit
}

func (e VersionEdit) String() string {
	return fmt.Sprintf("%s:%d: %s %s -> %s", e.File, e.Line, e.What, e.Old, e.New)
}

// BumpEdits lists the version scalars to rewrite so that head carries the
// plan's versions: each versioned resource whose planned version differs
// from the one in its file, and each exact component pin in a recipe that
// names the component's old version. Sorted by file and line.
func BumpEdits(plan Plan, head *Repo) ([]VersionEdit, error) {
	var out []VersionEdit
	planned := map[Key]Change{}
	for _, c := range plan.Changes {
		planned[Key{c.Kind, c.Name}] = c
	}
	for _, res := range head.Resources() {
		c, ok := planned[res.Key()]
		if !ok || !res.Kind.Versioned() || c.ToVersion == "" || c.ToVersion == res.Version {
			continue
		}
		if res.VersionPos.Line == 0 {
			return nil, fmt.Errorf("%s: no position for the version of %s %s: cannot rewrite it", res.File, kindWord(res.Kind), res.Name)
		}
		out = append(out, VersionEdit{File: res.File, Line: res.VersionPos.Line, What: kindWord(res.Kind) + " " + res.Name,
			Old: res.Version, New: c.ToVersion,
			Edit: yamledit.Edit{Line: res.VersionPos.Line, Column: res.VersionPos.Column, Old: res.Version, New: c.ToVersion}})
	}
	pins := func(kind Kind, name string, rec *Recipe) {
		for _, ref := range rec.Components {
			if ref.Name == "" || ref.Version == "" || strings.Contains(ref.Version, "x") {
				continue
			}
			c, ok := planned[Key{KindComponent, ref.Name}]
			if !ok || c.ToVersion == "" || ref.Version == c.ToVersion || ref.Version != c.FromVersion || ref.VersionPos.Line == 0 {
				continue
			}
			out = append(out, VersionEdit{File: rec.File, Line: ref.VersionPos.Line,
				What: fmt.Sprintf("%s %s pins component %s", kindWord(kind), name, ref.Name), Old: ref.Version, New: c.ToVersion,
				Edit: yamledit.Edit{Line: ref.VersionPos.Line, Column: ref.VersionPos.Column, Old: ref.Version, New: c.ToVersion}})
		}
	}
	for _, n := range sortedKeys(head.ImageRecipes) {
		pins(KindImageRecipe, n, &head.ImageRecipes[n].Recipe)
	}
	for _, n := range sortedKeys(head.ContainerRecipes) {
		pins(KindContainerRecipe, n, &head.ContainerRecipes[n].Recipe)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}
