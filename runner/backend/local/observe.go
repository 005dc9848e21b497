package local

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

var _ backend.Observer = (*Backend)(nil)

// Observe reads the local store (one listing) and asks the engine about
// each recipe's parent image and newest matching image: what the local
// backend holds. It holds recipe builds only: components are read from
// the repository at build time, and there are no pipelines or
// configurations to drift.
//
// A recipe version's content here is the hash a build would record now
// (recipe, components, parent image id, Dockerfile), so a changed
// component or a re-pulled parent shows as missing, as a build would
// rebuild it.
func (b *Backend) Observe(ctx context.Context, req backend.ObserveRequest) (*backend.Actual, error) {
	if req.Repo == nil {
		return nil, errors.New("local backend: observe: no repository")
	}
	breq := backend.Request{Repo: req.Repo, Root: req.Root}
	store, err := b.StoreFor(breq)
	if err != nil {
		return nil, err
	}
	recs, err := store.Records()
	if err != nil {
		return nil, err
	}
	a := &backend.Actual{Backend: b.Name(), Kinds: []recipes.Kind{recipes.KindImageRecipe, recipes.KindContainerRecipe}, Reads: 1, Lists: 1}
	w := &wanted{b: b, req: breq, a: a, hashes: map[string]wantedHash{}, recs: recs}
	names := append(sortedKeys(req.Repo.ImageRecipes), sortedKeys(req.Repo.ContainerRecipes)...)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, kind, _ := req.Repo.Recipe(name)
		want := w.hash(ctx, name, nil)
		o := backend.Observed{Kind: kind, Name: name, Version: r.Version, WantImage: want.hash, Note: want.note, Want: want.hash, Have: want.hash}
		if want.hash == "" {
			o.WantImage = "unknown" // no image can match
		}
		for _, rec := range recs {
			if rec.Recipe != name || rec.Version != r.Version {
				continue
			}
			o.Exists = true
			img := imageOf(rec)
			if img.State == backend.ImageAvailable && img.Content == want.hash {
				// The store says built; the engine must still hold it.
				a.Reads++
				if ok, _ := b.engine.ImageExists(ctx, rec.ImageID); !ok {
					img.State, img.Status, img.Reason = backend.ImageOther, "removed", "the engine no longer holds image "+short(rec.ImageID)
				}
			}
			o.Images = append(o.Images, img)
		}
		o.Have = versionContent(o.Images, want.hash)
		a.Resources = append(a.Resources, o)
	}
	seen := map[string]bool{}
	for _, rec := range recs {
		if _, _, ok := req.Repo.Recipe(rec.Recipe); ok || seen[rec.Recipe] {
			continue
		}
		seen[rec.Recipe] = true
		a.Untracked = append(a.Untracked, backend.Untracked{Kind: recipes.Kind(rec.Kind), Name: rec.Recipe, Version: rec.Version, ID: rec.Image, Repository: rec.Repository})
	}
	sort.SliceStable(a.Untracked, func(i, j int) bool { return a.Untracked[i].Name < a.Untracked[j].Name })
	return a, nil
}

// versionContent is the content a recipe version's tag holds: the wanted
// content when an available image of it exists (or none is available),
// else the newest available image's: the version is then taken.
func versionContent(images []backend.Image, want string) string {
	other := ""
	for _, img := range images {
		if img.State != backend.ImageAvailable {
			continue
		}
		if img.Content == want {
			return want
		}
		if other == "" {
			other = img.Content
		}
	}
	if other == "" || want == "" {
		return want
	}
	return other
}

// imageOf is a store record as a backend image.
func imageOf(rec *Record) backend.Image {
	img := backend.Image{ID: rec.Image, Status: string(rec.Status), Content: rec.ContentHash, Reason: rec.Message, Created: rec.Started, Commit: rec.Commit}
	if img.ID == "" {
		img.ID = fmt.Sprintf("%s %s build %d", rec.Recipe, rec.Version, rec.BuildNumber)
	}
	switch rec.Status {
	case backend.StatusSucceeded:
		img.State = backend.ImageAvailable
	case backend.StatusFailed:
		img.State = backend.ImageFailed
	case backend.StatusCancelled, StatusAbandoned:
		img.State = backend.ImageCancelled
	case "running":
		img.State = backend.ImageInProgress
	default:
		img.State = backend.ImageOther
	}
	return img
}

// wanted computes, once per recipe, the content hash a build would record
// now.
type wanted struct {
	b      *Backend
	req    backend.Request
	a      *backend.Actual
	recs   []*Record
	hashes map[string]wantedHash
}

type wantedHash struct{ hash, note string }

func (w *wanted) hash(ctx context.Context, name string, chain []string) wantedHash {
	if h, ok := w.hashes[name]; ok {
		return h
	}
	for _, n := range chain {
		if n == name {
			return wantedHash{note: "recipe parents form a cycle"}
		}
	}
	r, kind, ok := w.req.Repo.Recipe(name)
	if !ok {
		return wantedHash{note: "not in the repository"}
	}
	h := w.compute(ctx, r, kind, append(chain, name))
	w.hashes[name] = h
	return h
}

func (w *wanted) compute(ctx context.Context, r *recipes.Recipe, kind recipes.Kind, chain []string) wantedHash {
	comps, _, err := resolveComponents(w.req, r)
	if err != nil {
		return wantedHash{note: err.Error()}
	}
	var parentKey string
	if pname := r.ParentRecipe(); pname != "" {
		ph := w.hash(ctx, pname, chain)
		if ph.hash == "" {
			return wantedHash{note: "parent recipe " + pname + ": " + ph.note}
		}
		// A build keys on the parent's record: the parent as it would be
		// built now.
		parentKey = "recipe:" + pname + "@" + ph.hash
	} else {
		ref := r.LocalParentImage
		if ref == "" {
			return wantedHash{note: "no local.parentImage: the local backend cannot build it"}
		}
		w.a.Reads++
		info, err := w.b.engine.ImageInfo(ctx, ref)
		if err != nil {
			return wantedHash{note: "parent image " + ref + " is not in the engine yet (a build pulls it)"}
		}
		parentKey = "image:" + ref + "@" + info.ID
	}
	var dockerfile string
	if kind == recipes.KindContainerRecipe {
		dockerfile = w.req.Repo.ContainerRecipes[r.Name].DockerfileTemplate
	}
	return wantedHash{hash: contentHash(kind, r, comps, parentKey, dockerfile)}
}

// takenBy returns the newest succeeded build of recipe version with other
// content whose image the engine still holds, or nil.
func (b *Backend) takenBy(ctx context.Context, store *Store, recipe, version, hash string) *Record {
	recs, err := store.Records()
	if err != nil {
		return nil
	}
	for _, r := range recs {
		if r.Recipe != recipe || r.Version != version || r.Status != backend.StatusSucceeded {
			continue
		}
		if r.ContentHash == hash {
			return nil // this content holds the version (its image may be gone: rebuilt)
		}
		if ok, _ := b.engine.ImageExists(ctx, r.ImageID); ok {
			return r
		}
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
