package recipes

import (
	"path"
	"sort"
)

// PathChange is one path that differs between base and head, as the git
// adapter reports it (git diff --name-status with renames). Path is the
// head path (for deletions the removed path); OldPath the base path.
type PathChange struct {
	Status  string // A, M, D or R
	Path    string
	OldPath string
}

// Path statuses.
const (
	PathAdded    = "A"
	PathModified = "M"
	PathDeleted  = "D"
	PathRenamed  = "R"
)

// Resource is any resource of a repository, seen through its metadata.
type Resource struct {
	*Meta
	// Files are every file the resource is made of: its own file, then a
	// component's documentFile or a container recipe's
	// dockerfileTemplateFile.
	Files []string
}

// Resources lists every resource of the repository in dependency order
// (Kinds order, then name).
func (r *Repo) Resources() []Resource {
	if r == nil {
		return nil
	}
	var out []Resource
	add := func(m *Meta, extra ...string) { out = append(out, resourceOf(m, extra...)) }
	for _, n := range sortedKeys(r.Components) {
		c := r.Components[n]
		add(&c.Meta, c.DocumentFile)
	}
	for _, n := range sortedKeys(r.ImageRecipes) {
		add(&r.ImageRecipes[n].Meta)
	}
	for _, n := range sortedKeys(r.ContainerRecipes) {
		c := r.ContainerRecipes[n]
		add(&c.Meta, c.DockerfileTemplateFile)
	}
	for _, n := range sortedKeys(r.Infrastructures) {
		add(&r.Infrastructures[n].Meta)
	}
	for _, n := range sortedKeys(r.Distributions) {
		add(&r.Distributions[n].Meta)
	}
	for _, n := range sortedKeys(r.Pipelines) {
		add(&r.Pipelines[n].Meta)
	}
	return out
}

// Lookup returns the resource of that key.
func (r *Repo) Lookup(k Key) (Resource, bool) {
	if r == nil {
		return Resource{}, false
	}
	switch k.Kind {
	case KindComponent:
		if c, ok := r.Components[k.Name]; ok {
			return resourceOf(&c.Meta, c.DocumentFile), true
		}
	case KindImageRecipe:
		if ir, ok := r.ImageRecipes[k.Name]; ok {
			return resourceOf(&ir.Meta), true
		}
	case KindContainerRecipe:
		if cr, ok := r.ContainerRecipes[k.Name]; ok {
			return resourceOf(&cr.Meta, cr.DockerfileTemplateFile), true
		}
	case KindInfrastructure:
		if in, ok := r.Infrastructures[k.Name]; ok {
			return resourceOf(&in.Meta), true
		}
	case KindDistribution:
		if d, ok := r.Distributions[k.Name]; ok {
			return resourceOf(&d.Meta), true
		}
	case KindPipeline:
		if p, ok := r.Pipelines[k.Name]; ok {
			return resourceOf(&p.Meta), true
		}
	}
	return Resource{}, false
}

func resourceOf(m *Meta, extra ...string) Resource {
	files := []string{m.File}
	for _, f := range extra {
		if f != "" && f != m.File {
			files = append(files, f)
		}
	}
	return Resource{Meta: m, Files: files}
}

// FileOwners maps every file of the repository's resources to the
// resources made of it. A documentFile shared by two components belongs
// to both.
func (r *Repo) FileOwners() map[string][]Key {
	owners := map[string][]Key{}
	for _, res := range r.Resources() {
		for _, f := range res.Files {
			owners[path.Clean(f)] = append(owners[path.Clean(f)], res.Key())
		}
	}
	return owners
}

// ResourcesTouched maps changed paths to the resources of base and head
// whose files they are (renamed paths count on both sides). Paths that
// belong to no resource are returned in unowned.
func ResourcesTouched(base, head *Repo, paths []PathChange) (touched map[Key][]string, unowned []string) {
	touched = map[Key][]string{}
	var headOwners, baseOwners map[string][]Key
	if head != nil {
		headOwners = head.FileOwners()
	}
	if base != nil {
		baseOwners = base.FileOwners()
	}
	for _, pc := range paths {
		found := false
		mark := func(owners map[string][]Key, p string) {
			if p == "" {
				return
			}
			for _, k := range owners[path.Clean(p)] {
				found = true
				if !containsString(touched[k], p) {
					touched[k] = append(touched[k], p)
				}
			}
		}
		if pc.Status != PathDeleted {
			mark(headOwners, pc.Path)
		}
		old := pc.OldPath
		if old == "" && pc.Status == PathDeleted {
			old = pc.Path
		}
		mark(baseOwners, old)
		if pc.Status == PathModified {
			mark(baseOwners, pc.Path)
		}
		if !found {
			unowned = append(unowned, pc.Path)
		}
	}
	return touched, unowned
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ResourceDiff is how one resource differs between base and head.
type ResourceDiff struct {
	Key
	Change  string // ChangeAdded, ChangeModified, ChangeDeleted, ChangeRenamed
	Base    *Meta  // nil when added
	Head    *Meta  // nil when deleted
	OldName string // for a resource renamed with its file: the base name
	// ContentChanged: the API-facing content differs (content hash, or the
	// files changed when a side has no hash).
	ContentChanged bool
	// Files are the resource's files on both sides, for finding the
	// commits that touched it.
	Files []string
}

// DiffRepos compares base and head resource by resource. A resource whose
// file moved keeps its identity (renamed); a file renamed in git whose
// resource name changed too is reported as the old resource renamed to the
// new name. Resources whose files changed without any API-facing change
// (comments, formatting of the metadata) are not reported. base may be nil
// (no base: everything is added).
func DiffRepos(base, head *Repo, paths []PathChange) []ResourceDiff {
	touched, _ := ResourcesTouched(base, head, paths)
	baseRes := map[Key]Resource{}
	for _, r := range base.Resources() {
		baseRes[r.Key()] = r
	}
	headRes := map[Key]Resource{}
	for _, r := range head.Resources() {
		headRes[r.Key()] = r
	}
	// git renames whose resource name changed: old key -> new key.
	renamedTo := map[Key]Key{}
	renamedFrom := map[Key]Key{}
	if base != nil && head != nil {
		baseByFile := map[string]Key{}
		for k, r := range baseRes {
			baseByFile[r.File] = k
		}
		headByFile := map[string]Key{}
		for k, r := range headRes {
			headByFile[r.File] = k
		}
		for _, pc := range paths {
			if pc.Status != PathRenamed {
				continue
			}
			ok, okOld := baseByFile[pc.OldPath]
			nk, okNew := headByFile[pc.Path]
			if !okOld || !okNew || ok == nk || ok.Kind != nk.Kind {
				continue
			}
			_, oldStays := headRes[ok]
			_, newExisted := baseRes[nk]
			if oldStays || newExisted {
				continue
			}
			renamedTo[ok] = nk
			renamedFrom[nk] = ok
		}
	}

	var out []ResourceDiff
	for _, r := range head.Resources() {
		k := r.Key()
		d := ResourceDiff{Key: k, Head: r.Meta, Files: append([]string(nil), r.Files...)}
		b, inBase := baseRes[k]
		if old, ok := renamedFrom[k]; ok {
			b, inBase = baseRes[old], true
			d.OldName = old.Name
		}
		if !inBase {
			d.Change = ChangeAdded
			d.ContentChanged = true
			out = append(out, d)
			continue
		}
		d.Base = b.Meta
		for _, f := range b.Files {
			if !containsString(d.Files, f) {
				d.Files = append(d.Files, f)
			}
		}
		if b.ContentHash != "" && r.ContentHash != "" {
			d.ContentChanged = b.ContentHash != r.ContentHash
		} else {
			d.ContentChanged = len(touched[k]) > 0 || (d.OldName != "" && len(touched[Key{k.Kind, d.OldName}]) > 0)
		}
		versionChanged := b.Version != r.Version
		switch {
		case d.OldName != "" || b.File != r.File:
			d.Change = ChangeRenamed
		case d.ContentChanged || versionChanged:
			d.Change = ChangeModified
		default:
			continue
		}
		out = append(out, d)
	}
	for _, r := range base.Resources() {
		k := r.Key()
		if _, ok := headRes[k]; ok {
			continue
		}
		if _, ok := renamedTo[k]; ok {
			continue
		}
		out = append(out, ResourceDiff{Key: k, Change: ChangeDeleted, Base: r.Meta, Files: append([]string(nil), r.Files...)})
	}
	sortDiffs(out)
	return out
}

func kindIndex(k Kind) int {
	for i, kk := range Kinds {
		if kk == k {
			return i
		}
	}
	return len(Kinds)
}

func sortDiffs(ds []ResourceDiff) {
	sort.SliceStable(ds, func(i, j int) bool {
		if a, b := kindIndex(ds[i].Kind), kindIndex(ds[j].Kind); a != b {
			return a < b
		}
		return ds[i].Name < ds[j].Name
	})
}
