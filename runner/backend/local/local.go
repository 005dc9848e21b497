// Package local is the embedded backend: it builds, tests and distributes
// recipes with a container engine (podman or docker through their CLIs),
// the way EC2 Image Builder does with instances, and keeps a record of
// every image in a local store (.ibgitops/ by default).
//
// An image recipe builds in a container started from `local.parentImage`
// (or the image of a `recipe:` parent): each component's build and validate
// phases run through `ibgitops toe run` inside it, the container is
// committed (the snapshot), a fresh container from the snapshot runs the
// test phases, and only then is the image tagged and distributed. A
// container recipe renders its Dockerfile template so that the same
// executor runs the components during the engine's build.
package local

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ibgitops/ibgitops/internal/lazyre"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// Labels put on everything a run creates.
const (
	LabelRun    = "ibgitops.run"
	LabelRecipe = "ibgitops.recipe"
)

// Options configures the local backend.
type Options struct {
	// Engine is `local.engine`: auto, podman or docker.
	Engine string
	// Store is the local store folder; empty means `local.store` of the
	// request's repository, relative to its root.
	Store string
	// Binary is the static linux ibgitops to run inside containers; empty
	// means $IBGITOPS_BINARY, else the running executable.
	Binary string
	// RunID labels every container and image this backend creates; empty
	// means a random one.
	RunID string
}

// Backend is the local container-engine backend. It is safe for concurrent
// Build calls (independent recipes build in parallel).
type Backend struct {
	opts   Options
	engine Engine
	// resolveBinary finds the ibgitops to run inside containers
	// (staticBinary; tests with a fake engine accept any file).
	resolveBinary func(path string) (string, error)
	runID         string

	mu         sync.Mutex
	containers map[string]bool // created and not yet removed
	images     map[string]bool // committed but not yet tagged
	kept       map[string]bool // failed containers kept on request: Cleanup leaves them
	locks      map[string]*sync.Mutex
	stores     map[string]*Store
}

var (
	_ backend.Backend   = (*Backend)(nil)
	_ backend.Canceller = (*Backend)(nil)
)

// New finds the container engine and returns the backend. It fails with
// install instructions when no engine is available.
func New(opts Options) (*Backend, error) {
	eng, err := DetectEngine(opts.Engine)
	if err != nil {
		return nil, err
	}
	return NewWithEngine(opts, eng), nil
}

// NewWithEngine returns a backend driving eng.
func NewWithEngine(opts Options, eng Engine) *Backend {
	id := opts.RunID
	if id == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		id = time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
	}
	return &Backend{opts: opts, engine: eng, runID: id, resolveBinary: staticBinary,
		containers: map[string]bool{}, images: map[string]bool{}, kept: map[string]bool{},
		locks: map[string]*sync.Mutex{}, stores: map[string]*Store{}}
}

func (b *Backend) Name() string { return "local" }

// Engine is the container engine in use.
func (b *Backend) Engine() Engine { return b.engine }

// RunID is the value of the ibgitops.run label on what this backend creates.
func (b *Backend) RunID() string { return b.runID }

// StoreFor opens the store a request uses.
func (b *Backend) StoreFor(req backend.Request) (*Store, error) {
	dir := b.opts.Store
	if dir == "" {
		dir = ".ibgitops"
		if req.Repo != nil && req.Repo.Config.Local.Store != "" {
			dir = req.Repo.Config.Local.Store
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(req.Root, dir)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.stores[dir]; ok {
		return s, nil
	}
	s, err := OpenStore(dir)
	if err != nil {
		return nil, err
	}
	b.stores[dir] = s
	return s, nil
}

// Cleanup removes every container this backend created and every image it
// committed but did not tag, newest first. It also asks the engine for
// containers carrying this run's label, so a container whose id was never
// returned (an engine that died mid-create) is found too.
func (b *Backend) Cleanup(ctx context.Context) error {
	b.mu.Lock()
	ctrs := sortedKeys(b.containers)
	imgs := sortedKeys(b.images)
	b.mu.Unlock()
	if more, err := b.engine.ContainersLabelled(ctx, LabelRun, b.runID); err == nil {
		b.mu.Lock()
		seen := map[string]bool{}
		for id := range b.kept {
			seen[id] = true
		}
		b.mu.Unlock()
		for _, c := range ctrs {
			seen[c] = true
		}
		for _, c := range more {
			if !seen[c] {
				ctrs = append(ctrs, c)
			}
		}
	}
	if more, err := b.engine.UntaggedImagesLabelled(ctx, LabelRun, b.runID); err == nil {
		imgs = append(imgs, more...)
	}
	var errs []error
	for i := len(ctrs) - 1; i >= 0; i-- {
		if err := b.engine.RemoveContainer(ctx, ctrs[i]); err != nil {
			errs = append(errs, err)
		} else {
			b.forgetContainer(ctrs[i])
		}
	}
	for i := len(imgs) - 1; i >= 0; i-- {
		if err := b.engine.RemoveImage(ctx, imgs[i]); err != nil {
			errs = append(errs, err)
		} else {
			b.forgetImage(imgs[i])
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("clean up run %s: %w (list leftovers with `%s ps -a --filter label=%s=%s`)", b.runID, errors.Join(errs...), b.engine.Name(), LabelRun, b.runID)
	}
	return nil
}

func (b *Backend) trackContainer(id string) { b.mu.Lock(); b.containers[id] = true; b.mu.Unlock() }
func (b *Backend) forgetContainer(id string) {
	b.mu.Lock()
	delete(b.containers, id)
	b.mu.Unlock()
}
func (b *Backend) trackImage(id string)  { b.mu.Lock(); b.images[id] = true; b.mu.Unlock() }
func (b *Backend) forgetImage(id string) { b.mu.Lock(); delete(b.images, id); b.mu.Unlock() }

func (b *Backend) recipeLock(store *Store, name string) *sync.Mutex {
	b.mu.Lock()
	defer b.mu.Unlock()
	key := store.Dir + "\x00" + name
	l, ok := b.locks[key]
	if !ok {
		l = &sync.Mutex{}
		b.locks[key] = l
	}
	return l
}

// Build builds, tests and distributes one recipe version. A `recipe:`
// parent without a stored image is built first.
func (b *Backend) Build(ctx context.Context, req backend.Request, progress func(backend.Event)) (*backend.Result, error) {
	if progress == nil {
		progress = func(backend.Event) {}
	}
	if req.Repo == nil {
		return nil, errors.New("local backend: the request has no repository")
	}
	store, err := b.StoreFor(req)
	if err != nil {
		return nil, err
	}
	res, _, err := b.build(ctx, store, req, progress, nil)
	return res, err
}

// parent is the resolved image a recipe starts from.
type parent struct {
	Ref        string // what FROM / create uses
	Desc       string // for records: as configured
	ID         string
	Key        string // what the content hash combines
	Entrypoint string
	Cmd        string
}

// build runs one recipe; chain guards against `recipe:` cycles.
func (b *Backend) build(ctx context.Context, store *Store, req backend.Request, progress func(backend.Event), chain []string) (*backend.Result, *Record, error) {
	for _, n := range chain {
		if n == req.Recipe {
			return nil, nil, fmt.Errorf("recipe parents form a cycle: %s -> %s (fix the recipe: parents; `ibgitops lint` reports it)", strings.Join(chain, " -> "), req.Recipe)
		}
	}
	r, kind, ok := req.Repo.Recipe(req.Recipe)
	if !ok {
		return nil, nil, fmt.Errorf("recipe %q is not in the repository: check the name (`ibgitops plan` lists recipes)", req.Recipe)
	}
	lock := b.recipeLock(store, req.Recipe)
	lock.Lock()
	defer lock.Unlock()

	version := req.Version
	if version == "" {
		version = r.Version
	}
	res := &backend.Result{Recipe: req.Recipe, Kind: kind, Version: version, Started: time.Now().UTC()}
	emit := func(stage, msg string) {
		progress(backend.Event{Time: time.Now(), Recipe: req.Recipe, Stage: stage, Message: msg})
	}
	unlock, err := store.Lock(ctx, sanitizeName(req.Recipe), func() {
		emit("waiting", "another ibgitops process is building "+req.Recipe+" with this store: waiting for it")
	})
	if err != nil {
		if ctx.Err() != nil {
			res.Status, res.Message, res.Finished = backend.StatusCancelled, "cancelled while waiting for another process building it", time.Now().UTC()
			return res, nil, nil
		}
		return nil, nil, err
	}
	defer unlock()
	fail := func(msg string) (*backend.Result, *Record, error) {
		res.Status, res.Message, res.Finished = backend.StatusFailed, msg, time.Now().UTC()
		emit("failed", msg)
		return res, nil, nil
	}

	comps, warnings, err := resolveComponents(req, r)
	if err != nil {
		return fail(err.Error())
	}
	res.Warnings = append(res.Warnings, warnings...)

	par, failMsg, err := b.resolveParent(ctx, store, req, r, progress, append(chain, req.Recipe), emit)
	if err != nil {
		return nil, nil, err
	}
	if failMsg != "" {
		if ctx.Err() != nil {
			res.Status, res.Message, res.Finished = backend.StatusCancelled, "cancelled while preparing the parent image", time.Now().UTC()
			return res, nil, nil
		}
		return fail(failMsg)
	}

	var dockerfile string
	if kind == recipes.KindContainerRecipe {
		dockerfile = req.Repo.ContainerRecipes[req.Recipe].DockerfileTemplate
	}
	hash := contentHash(kind, r, comps, par.Key, dockerfile)
	if !req.Force {
		// A parent built on demand is reused whatever version built it:
		// the plan may have built it under its bumped version.
		match := version
		if len(chain) > 0 {
			match = ""
		}
		if rec, err := store.Find(req.Recipe, match, hash); err != nil {
			return nil, nil, err
		} else if rec != nil {
			if ok, _ := b.engine.ImageExists(ctx, rec.ImageID); ok {
				res.Status, res.Image, res.Outputs, res.BuildNumber = backend.StatusSkipped, rec.Image, rec.Outputs, rec.BuildNumber
				res.Tests, res.Warnings = rec.Tests, rec.Warnings
				res.Message = fmt.Sprintf("identical image already built (build %d, content %s): use --force to rebuild", rec.BuildNumber, short(hash))
				res.LogURL = rec.Logs
				res.Finished = time.Now().UTC()
				emit("skipped", res.Message)
				return res, rec, nil
			}
		}
	}
	if !req.Force && len(chain) == 0 {
		// Versions are immutable, as in Image Builder: the tag
		// <recipe>:<version> is never moved to other content.
		if taken := b.takenBy(ctx, store, req.Recipe, version, hash); taken != nil {
			return fail(fmt.Sprintf("version-taken: %s %s is already in the local store with other content (build %d, commit %s, content %s; this build %s): raise the version (ibgitops bump --write), or pass --force to replace the local image",
				req.Recipe, version, taken.BuildNumber, orUnknown(taken.Commit), short(taken.ContentHash), short(hash)))
		}
	}
	if req.DryRun {
		res.Status, res.Message, res.Finished = backend.StatusSkipped, "dry run: would build from "+par.Desc, time.Now().UTC()
		return res, nil, nil
	}
	bin, err := b.resolveBinary(b.opts.Binary)
	if err != nil {
		return nil, nil, err
	}

	rec := &Record{Recipe: req.Recipe, Kind: string(kind), Version: version, Status: "running",
		Commit: req.Provenance.Commit, Repository: req.Provenance.Repository, Tool: req.Provenance.Tool,
		ParentImage: par.Desc, ParentID: par.ID, ContentHash: hash, Started: res.Started, Timings: map[string]float64{}}
	for _, c := range comps {
		rec.Components = append(rec.Components, RecordComponent{Name: nameIfNotARN(c), ARN: c.ARN, Version: c.Version, StandIn: c.StandIn, Skipped: c.Data == "", Parameters: c.Params})
	}
	rec.RunID, rec.PID = b.runID, os.Getpid()
	rec.Host, _ = os.Hostname()
	b.reapAbandoned(ctx, store, req.Recipe, emit)
	if err := store.Allocate(rec); err != nil {
		return nil, nil, err
	}
	res.BuildNumber = rec.BuildNumber
	runDir := store.RunDir(rec)
	rec.Logs = filepath.Join(runDir, "logs")
	res.LogURL = rec.Logs
	if err := writeDocuments(filepath.Join(runDir, "docs"), comps); err != nil {
		return nil, nil, fmt.Errorf("write component documents into %s: %w", runDir, err)
	}
	emit("build", fmt.Sprintf("building %s %s (build %d) from %s", req.Recipe, version, rec.BuildNumber, par.Desc))

	j := &job{b: b, req: req, kind: kind, store: store, rec: rec, res: res, comps: comps, parent: par, runDir: runDir, binary: bin, emit: emit, dockerfile: dockerfile}
	j.run(ctx)
	return j.finish(ctx)
}

func nameIfNotARN(c *component) string {
	if c.ARN != "" {
		return ""
	}
	return c.Name
}

// resolveParent finds (pulling or building) the image the recipe starts
// from. A non-empty failMsg is a user-facing failure of this recipe.
func (b *Backend) resolveParent(ctx context.Context, store *Store, req backend.Request, r *recipes.Recipe, progress func(backend.Event), chain []string, emit func(string, string)) (parent, string, error) {
	if name := r.ParentRecipe(); name != "" {
		pr, pkind, ok := req.Repo.Recipe(name)
		if !ok {
			return parent{}, fmt.Sprintf("%s: recipe %s has parentImage recipe:%s, which this repository does not define: fix the name", where(r.File, r.ParentImagePos), r.Name, name), nil
		}
		emit("parent", "parent recipe "+name+" first")
		preq := req
		preq.Recipe, preq.Kind, preq.Version, preq.Pipelines, preq.Force = name, pkind, pr.Version, nil, false
		pres, prec, err := b.build(ctx, store, preq, progress, chain)
		if err != nil {
			return parent{}, "", fmt.Errorf("parent recipe %s of %s: %w", name, r.Name, err)
		}
		if prec == nil || (pres.Status != backend.StatusSucceeded && pres.Status != backend.StatusSkipped) {
			return parent{}, fmt.Sprintf("parent recipe %s of %s did not build (%s): %s", name, r.Name, pres.Status, pres.Message), nil
		}
		info, err := b.engine.ImageInfo(ctx, prec.ImageID)
		if err != nil {
			return parent{}, fmt.Sprintf("parent recipe %s's image %s is gone from the engine: %v (rebuild with --force)", name, prec.Image, err), nil
		}
		return parent{Ref: prec.Image, Desc: "recipe:" + name + " (" + prec.Image + ")", ID: info.ID, Key: "recipe:" + name + "@" + prec.ContentHash, Entrypoint: info.Entrypoint, Cmd: info.Cmd}, "", nil
	}
	ref := r.LocalParentImage
	if ref == "" {
		return parent{}, fmt.Sprintf("%s: recipe %s has no local.parentImage: the local backend cannot start from %q; add `local: {parentImage: <container image>}` to the recipe (e.g. localhost/ibgitops-base:latest, made by scripts/base-image.sh)", where(r.File, r.NamePos), r.Name, r.ParentImage), nil
	}
	// One inspect answers "is it here" and "what is it"; pull only when not.
	info, err := b.engine.ImageInfo(ctx, ref)
	if err != nil {
		var ee *EngineError
		if !errors.As(err, &ee) {
			return parent{}, "", fmt.Errorf("%s: %w", b.engine.Name(), err)
		}
		emit("parent", "pulling "+ref)
		if err := b.engine.Pull(ctx, ref); err != nil {
			return parent{}, fmt.Sprintf("%s: recipe %s: local.parentImage %s cannot be pulled: %v (fix the local.parentImage key, or make the image locally, e.g. scripts/base-image.sh for localhost/ibgitops-base:latest)", r.File, r.Name, ref, err), nil
		}
		if info, err = b.engine.ImageInfo(ctx, ref); err != nil {
			return parent{}, "", err
		}
	}
	return parent{Ref: ref, Desc: ref, ID: info.ID, Key: "image:" + ref + "@" + info.ID, Entrypoint: info.Entrypoint, Cmd: info.Cmd}, "", nil
}

// StatusAbandoned marks a record whose building process ended without
// finishing it (killed, or the machine went down).
const StatusAbandoned backend.Status = "abandoned"

// reapAbandoned finds running records of recipe whose process on this
// host is gone, removes the containers and untagged images of that run,
// and marks the records abandoned: the next run starts clean.
func (b *Backend) reapAbandoned(ctx context.Context, store *Store, recipe string, emit func(string, string)) {
	recs, err := store.Records()
	if err != nil {
		return
	}
	host, _ := os.Hostname()
	for _, r := range recs {
		if r.Recipe != recipe || r.Status != "running" || r.Host != host || r.PID <= 0 || r.RunID == b.runID || processAlive(r.PID) {
			continue
		}
		var removed []string
		ctrs, _ := b.engine.ContainersLabelled(ctx, LabelRun, r.RunID)
		for _, id := range ctrs {
			if b.engine.RemoveContainer(ctx, id) == nil {
				removed = append(removed, "container "+short(id))
			}
		}
		imgs, _ := b.engine.UntaggedImagesLabelled(ctx, LabelRun, r.RunID)
		for _, id := range imgs {
			if b.engine.RemoveImage(ctx, id) == nil {
				removed = append(removed, "image "+short(id))
			}
		}
		r.Status = StatusAbandoned
		what := "nothing"
		if len(removed) > 0 {
			what = strings.Join(removed, ", ")
		}
		r.Message = fmt.Sprintf("the process building it (pid %d) ended without finishing; a later run removed what it left: %s", r.PID, what)
		r.Finished = time.Now().UTC()
		_ = store.Save(r)
		emit("cleanup", fmt.Sprintf("build %d of %s %s was abandoned by a process that died: removed %d leftovers", r.BuildNumber, r.Recipe, r.Version, len(removed)))
	}
}

// contentHash combines everything that decides the image: the recipe's
// content, its components (version, content, parameters, in order), the
// parent and, for container recipes, the Dockerfile template.
func contentHash(kind recipes.Kind, r *recipes.Recipe, comps []*component, parentKey, dockerfile string) string {
	h := sha256.New()
	fmt.Fprintf(h, "kind %s\nrecipe %s\nparent %s\n", kind, r.ContentHash, parentKey)
	if r.ContentHash == "" {
		fmt.Fprintf(h, "workdir %s\n", r.WorkingDirectory)
	}
	for _, c := range comps {
		fmt.Fprintf(h, "component %s %s %s standin=%s\n", c.Name, c.Version, c.Hash, c.StandIn)
		for _, k := range sortedKeys(c.Params) {
			fmt.Fprintf(h, "  param %s=%q\n", k, c.Params[k])
		}
	}
	fmt.Fprintf(h, "dockerfile %s\n", sha256Hex(dockerfile))
	return hex.EncodeToString(h.Sum(nil))
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

var invalidName = lazyre.New(`[^a-z0-9._-]+`)

// sanitizeName makes a recipe name usable in an image reference.
func sanitizeName(name string) string {
	s := invalidName.ReplaceAllString(strings.ToLower(name), "-")
	s = strings.Trim(s, "-._")
	if s == "" {
		s = "image"
	}
	return s
}

// imageRef is the tag a recipe version gets: <recipe>:<version>.
func (b *Backend) imageRef(recipe, version string) string {
	ref := sanitizeName(recipe) + ":" + version
	if b.engine.Name() == "podman" {
		ref = "localhost/" + ref
	}
	return ref
}

// job is one recipe build in progress.
type job struct {
	b          *Backend
	req        backend.Request
	kind       recipes.Kind
	store      *Store
	rec        *Record
	res        *backend.Result
	comps      []*component
	parent     parent
	runDir     string
	binary     string
	dockerfile string
	emit       func(stage, msg string)

	snapshot   string   // committed or built image id, untagged until tests pass
	containers []string // this job's containers
	kept       string   // container kept for inspection
}

func (j *job) labels() map[string]string {
	return map[string]string{LabelRun: j.b.runID, LabelRecipe: sanitizeName(j.req.Recipe)}
}

func (j *job) mounts() []Mount {
	return []Mount{
		{Source: j.runDir, Target: ctrRun},
		{Source: j.binary, Target: ctrBinary, ReadOnly: true},
	}
}

// startContainer creates and starts a container from image.
func (j *job) startContainer(ctx context.Context, image string) (string, error) {
	id, err := j.b.engine.Create(ctx, ContainerSpec{Image: image, Labels: j.labels(), Mounts: j.mounts(), Entrypoint: keepAlive})
	if err != nil {
		return "", err
	}
	j.b.trackContainer(id)
	j.containers = append(j.containers, id)
	if err := j.b.engine.Start(ctx, id); err != nil {
		return id, err
	}
	return id, nil
}

func (j *job) removeContainer(ctx context.Context, id string) {
	if err := j.b.engine.RemoveContainer(ctx, id); err == nil {
		j.b.forgetContainer(id)
	}
}

// stage times fn and records it in the record's timings.
func (j *job) stage(name string, fn func() error) error {
	t := time.Now()
	err := fn()
	j.rec.Timings[name] = j.rec.Timings[name] + time.Since(t).Seconds()
	return err
}

// run does build -> snapshot -> test; failures land in j.res.
func (j *job) run(ctx context.Context) {
	var ok bool
	err := j.stage("build", func() error {
		var err error
		if j.kind == recipes.KindContainerRecipe {
			ok, err = j.buildContainerRecipe(ctx)
		} else {
			ok, err = j.buildImageRecipe(ctx)
		}
		return err
	})
	if err != nil || !ok {
		j.failed(ctx, err, "build")
		return
	}
	j.emit("test", "testing the snapshot in a fresh container")
	err = j.stage("test", func() error {
		var err error
		ok, err = j.test(ctx)
		return err
	})
	if err != nil || !ok {
		j.failed(ctx, err, "test")
		return
	}
	j.emit("distribute", "tagging and distributing")
	if err := j.stage("distribute", func() error { return j.distribute(ctx) }); err != nil {
		j.failed(ctx, err, "distribute")
		return
	}
	j.res.Status = backend.StatusSucceeded
}

// failed records a failure (or a cancellation) of stage.
func (j *job) failed(ctx context.Context, err error, stage string) {
	if ctx.Err() != nil {
		j.res.Status = backend.StatusCancelled
		j.res.Message = "cancelled during " + stage + ": the containers and untagged images of this build were removed"
		return
	}
	j.res.Status = backend.StatusFailed
	if err != nil {
		j.res.Message = fmt.Sprintf("%s failed: %v", stage, err)
		return
	}
	for _, s := range append(append([]backend.StepResult{}, j.res.Steps...), j.res.Tests...) {
		if s.Status == "failed" {
			j.res.Message = fmt.Sprintf("%s failed: component %s, step %s (%s) exited with %d: %s", stage, s.Component, s.Step, s.Phase, s.ExitCode, s.Message)
			return
		}
	}
	j.res.Message = stage + " failed"
}

// finish cleans up under a fresh bounded context (ctx may be cancelled),
// writes the record and returns the result.
func (j *job) finish(ctx context.Context) (*backend.Result, *Record, error) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	keep := j.req.KeepOnFailure && j.res.Status == backend.StatusFailed
	for i := len(j.containers) - 1; i >= 0; i-- {
		id := j.containers[i]
		if keep && i == len(j.containers)-1 {
			j.kept = id
			j.b.mu.Lock()
			delete(j.b.containers, id)
			j.b.kept[id] = true
			j.b.mu.Unlock()
			j.res.Warnings = append(j.res.Warnings, fmt.Sprintf("kept the failed container %s for inspection: `%s exec -it %.12s sh`; remove it with `%s rm -f %.12s`", id[:min(12, len(id))], j.b.engine.Name(), id, j.b.engine.Name(), id))
			continue
		}
		j.removeContainer(cctx, id)
	}
	if j.snapshot != "" && j.res.Status != backend.StatusSucceeded {
		if err := j.b.engine.RemoveImage(cctx, j.snapshot); err == nil {
			j.b.forgetImage(j.snapshot)
		}
	}
	j.res.Finished = time.Now().UTC()
	if j.res.Status != backend.StatusSucceeded {
		// Tags made before a failed distribution went with the image.
		j.res.Image, j.res.Outputs = "", nil
	}
	if j.res.Status == backend.StatusCancelled {
		// A cancelled build leaves nothing behind: no record, no run folder.
		_ = j.store.Remove(j.rec)
		_ = os.RemoveAll(j.runDir)
		j.emit("cancelled", j.res.Message)
		return j.res, nil, nil
	}
	j.rec.Status = j.res.Status
	j.rec.Steps, j.rec.Tests, j.rec.Warnings = j.res.Steps, j.res.Tests, j.res.Warnings
	j.rec.Message, j.rec.Outputs, j.rec.Finished = j.res.Message, j.res.Outputs, j.res.Finished
	if j.res.Status == backend.StatusSucceeded {
		j.rec.Image, j.rec.ImageID = j.res.Image, j.snapshot
	}
	if err := j.store.Save(j.rec); err != nil {
		return nil, nil, fmt.Errorf("write the store record %s: %w", j.rec.File, err)
	}
	if j.res.Status == backend.StatusSucceeded {
		j.emit("done", fmt.Sprintf("built %s (%s)", j.res.Image, strings.Join(j.res.Outputs, ", ")))
		return j.res, j.rec, nil
	}
	j.emit("failed", j.res.Message)
	return j.res, j.rec, nil
}

// buildImageRecipe runs the build and validate phases in a build container
// and commits it.
func (j *job) buildImageRecipe(ctx context.Context) (bool, error) {
	ctr, err := j.startContainer(ctx, j.parent.Ref)
	if err != nil {
		return false, fmt.Errorf("start the build container from %s: %w", j.parent.Ref, err)
	}
	for _, c := range j.comps {
		if c.Data == "" {
			continue
		}
		phases := c.has("build", "validate")
		if len(phases) == 0 {
			continue
		}
		j.emit("build", fmt.Sprintf("%s: %s", c.Name, strings.Join(phases, ", ")))
		steps, ok, err := j.b.runComponent(ctx, ctr, j.runDir, c, "build", phases, j.emit)
		j.res.Steps = append(j.res.Steps, steps...)
		if err != nil || !ok {
			return false, err
		}
	}
	j.emit("snapshot", "committing the build container")
	id, err := j.b.engine.Commit(ctx, ctr, j.commitChanges())
	if err != nil {
		return false, fmt.Errorf("commit the build container: %w", err)
	}
	j.snapshot = id
	j.b.trackImage(id)
	j.removeContainer(ctx, ctr)
	return true, nil
}

// commitChanges restores the parent's entrypoint and cmd (the build
// container ran a keep-alive loop) and labels the image with provenance.
func (j *job) commitChanges() []string {
	ep, cmd := j.parent.Entrypoint, j.parent.Cmd
	if ep == "" || ep == "null" {
		ep = "[]"
	}
	changes := []string{"ENTRYPOINT " + ep}
	if cmd != "" && cmd != "null" {
		changes = append(changes, "CMD "+cmd)
	}
	// One LABEL per change: podman reads only the first pair of a change.
	labels := j.provenanceLabels()
	for _, k := range sortedKeys(labels) {
		changes = append(changes, "LABEL "+k+"="+strconv.Quote(labels[k]))
	}
	return changes
}

func (j *job) provenanceLabels() map[string]string {
	l := map[string]string{
		LabelRecipe:                        sanitizeName(j.req.Recipe),
		"ibgitops.version":                 j.rec.Version,
		"ibgitops.build":                   strconv.Itoa(j.rec.BuildNumber),
		"ibgitops.contenthash":             j.rec.ContentHash,
		"ibgitops.parent":                  j.parent.Desc,
		"org.opencontainers.image.version": j.rec.Version,
	}
	if p := j.req.Provenance; p.Commit != "" {
		l["org.opencontainers.image.revision"] = p.Commit
	}
	if p := j.req.Provenance; p.Repository != "" {
		l["org.opencontainers.image.source"] = p.Repository
	}
	if p := j.req.Provenance; p.Tool != "" {
		l["ibgitops.tool"] = p.Tool
	}
	return l
}

// test runs every component's test phase in a fresh container from the
// snapshot.
func (j *job) test(ctx context.Context) (bool, error) {
	var withTests []*component
	for _, c := range j.comps {
		if c.Data != "" && len(c.has("test")) > 0 {
			withTests = append(withTests, c)
		}
	}
	if len(withTests) == 0 {
		return true, nil
	}
	ctr, err := j.startContainer(ctx, j.snapshot)
	if err != nil {
		return false, fmt.Errorf("start the test container: %w", err)
	}
	for _, c := range withTests {
		j.emit("test", c.Name)
		steps, ok, err := j.b.runComponent(ctx, ctr, j.runDir, c, "test", []string{"test"}, j.emit)
		j.res.Tests = append(j.res.Tests, steps...)
		if err != nil || !ok {
			return false, err
		}
	}
	j.removeContainer(ctx, ctr)
	return true, nil
}

// distribute tags the tested image <recipe>:<version> and as the local
// sections of the distribution configurations of the recipe's pipelines
// say: more tags, a push to a registry, an OCI archive in the store.
func (j *job) distribute(ctx context.Context) error {
	eng := j.b.engine
	ref := j.b.imageRef(j.req.Recipe, j.rec.Version)
	if err := eng.Tag(ctx, j.snapshot, ref); err != nil {
		return fmt.Errorf("tag %s: %w", ref, err)
	}
	j.b.forgetImage(j.snapshot)
	j.res.Image = ref
	j.res.Outputs = append(j.res.Outputs, ref)
	for _, d := range j.distributions() {
		where := fmt.Sprintf("distribution %s (%s)", d.Name, d.File)
		for _, pattern := range d.Local.Images {
			name := expandImageName(pattern, j.req.Recipe, j.rec.Version, j.rec.BuildNumber)
			if d.Local.Registry != "" && !strings.HasPrefix(name, d.Local.Registry+"/") {
				name = strings.TrimSuffix(d.Local.Registry, "/") + "/" + name
			}
			if err := eng.Tag(ctx, j.snapshot, name); err != nil {
				return fmt.Errorf("%s: tag %s: %w (fix local.images)", where, name, err)
			}
			j.res.Outputs = append(j.res.Outputs, name)
			if d.Local.Registry != "" {
				j.emit("distribute", "pushing "+name)
				if err := eng.Push(ctx, name); err != nil {
					return fmt.Errorf("%s: push %s: %w (check the registry in local.registry and that `%s login` was done)", where, name, err, eng.Name())
				}
			}
		}
		if d.Local.Export {
			archive := j.store.ArchivePath(sanitizeName(j.req.Recipe), j.rec.Version)
			if err := os.MkdirAll(filepath.Dir(archive), 0o755); err != nil {
				return err
			}
			tmp := archive + ".tmp"
			_ = os.Remove(tmp)
			j.emit("distribute", "exporting "+archive)
			if err := eng.Save(ctx, ref, tmp); err != nil {
				_ = os.Remove(tmp)
				return fmt.Errorf("%s: export an OCI archive: %w", where, err)
			}
			if err := os.Rename(tmp, archive); err != nil {
				return err
			}
			j.res.Outputs = append(j.res.Outputs, archive)
		}
	}
	return nil
}

// distributions are the configurations with a local section reached from
// the pipelines that build the recipe.
func (j *job) distributions() []*recipes.Distribution {
	repo := j.req.Repo
	names := j.req.Pipelines
	if len(names) == 0 {
		for n, p := range repo.Pipelines {
			if p.RecipeName() == j.req.Recipe {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	seen := map[string]bool{}
	var out []*recipes.Distribution
	for _, n := range names {
		p, ok := repo.Pipelines[n]
		if !ok || p.DistributionConfiguration == "" || seen[p.DistributionConfiguration] {
			continue
		}
		seen[p.DistributionConfiguration] = true
		if d, ok := repo.Distributions[p.DistributionConfiguration]; ok && d.Local != nil {
			out = append(out, d)
		}
	}
	return out
}

// expandImageName fills {{name}}, {{recipe}}, {{version}} and
// {{buildNumber}} in a local.images entry.
func expandImageName(pattern, recipe, version string, build int) string {
	r := strings.NewReplacer(
		"{{name}}", sanitizeName(recipe), "{{recipe}}", sanitizeName(recipe),
		"{{version}}", version, "{{buildNumber}}", strconv.Itoa(build),
		"{{ name }}", sanitizeName(recipe), "{{ recipe }}", sanitizeName(recipe),
		"{{ version }}", version, "{{ buildNumber }}", strconv.Itoa(build))
	return r.Replace(pattern)
}
