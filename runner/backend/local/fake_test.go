package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// fakeEngine is an engine that runs nothing: every exec succeeds unless
// the test says otherwise, and it records what exists, so the backend's
// bookkeeping (cleanup, tagging, records) is tested without podman.
type fakeEngine struct {
	mu         sync.Mutex
	n          int
	containers map[string]map[string]string // id -> labels
	images     map[string]bool              // ids
	tags       map[string]string            // ref -> id
	failAt     string                       // engine call that fails ("commit", "exec", "start", ...)
	execCode   int                          // exit code of execs
	calls      []string
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{containers: map[string]map[string]string{}, images: map[string]bool{"base-id": true}, tags: map[string]string{"localhost/base:1": "base-id"}}
}

func (f *fakeEngine) step(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	if f.failAt == name {
		return &EngineError{Args: []string{"fake", name}, Code: 125, Stderr: "Error: engine connection lost"}
	}
	return nil
}

func (f *fakeEngine) Name() string { return "fake" }
func (f *fakeEngine) ImageExists(ctx context.Context, ref string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, tagged := f.tags[ref]
	return tagged || f.images[ref], nil
}
func (f *fakeEngine) Pull(ctx context.Context, ref string) error {
	if err := f.step("pull"); err != nil {
		return err
	}
	return &EngineError{Args: []string{"fake", "pull", ref}, Code: 125, Stderr: "Error: initializing source docker://" + ref + ": no such host"}
}
func (f *fakeEngine) ImageInfo(ctx context.Context, ref string) (ImageInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.tags[ref]
	if !ok && f.images[ref] {
		id, ok = ref, true
	}
	if !ok {
		return ImageInfo{}, &EngineError{Args: []string{"fake", "image", "inspect"}, Code: 125, Stderr: "no such image"}
	}
	return ImageInfo{ID: id, Entrypoint: "null", Cmd: `["/bin/sh"]`}, nil
}
func (f *fakeEngine) Create(ctx context.Context, spec ContainerSpec) (string, error) {
	if err := f.step("create"); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	id := fmt.Sprintf("ctr%d", f.n)
	f.containers[id] = spec.Labels
	return id, nil
}
func (f *fakeEngine) Start(ctx context.Context, id string) error   { return f.step("start") }
func (f *fakeEngine) Restart(ctx context.Context, id string) error { return f.step("restart") }
func (f *fakeEngine) Exec(ctx context.Context, id string, argv []string, out io.Writer) (int, error) {
	if err := f.step("exec"); err != nil {
		return -1, err
	}
	fmt.Fprintln(out, "fake executor output")
	return f.execCode, nil
}
func (f *fakeEngine) Copy(ctx context.Context, src, dst string) error { return f.step("cp") }
func (f *fakeEngine) Commit(ctx context.Context, id string, changes []string) (string, error) {
	if err := f.step("commit"); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	img := fmt.Sprintf("img%d", f.n)
	f.images[img] = true
	return img, nil
}
func (f *fakeEngine) Build(ctx context.Context, spec BuildSpec, out io.Writer) (string, error) {
	return "", f.step("build")
}
func (f *fakeEngine) RemoveContainer(ctx context.Context, id string) error {
	if err := f.step("rm"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.containers, id)
	return nil
}
func (f *fakeEngine) RemoveImage(ctx context.Context, ref string) error {
	if err := f.step("rmi"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id := ref
	if t, ok := f.tags[ref]; ok {
		id = t
	}
	delete(f.images, id)
	for r, t := range f.tags {
		if t == id {
			delete(f.tags, r)
		}
	}
	return nil
}
func (f *fakeEngine) Tag(ctx context.Context, image, ref string) error {
	if err := f.step("tag"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tags[ref] = image
	return nil
}
func (f *fakeEngine) Push(ctx context.Context, ref string) error { return f.step("push") }
func (f *fakeEngine) Save(ctx context.Context, ref, archive string) error {
	if err := f.step("save"); err != nil {
		return err
	}
	return os.WriteFile(archive, []byte("oci"), 0o644)
}
func (f *fakeEngine) ContainersLabelled(ctx context.Context, label, value string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for id, l := range f.containers {
		if l[label] == value {
			out = append(out, id)
		}
	}
	return out, nil
}
func (f *fakeEngine) UntaggedImagesLabelled(ctx context.Context, label, value string) ([]string, error) {
	return nil, nil
}
func (f *fakeEngine) RemoveBuildContainers(ctx context.Context, fromRef string) error { return nil }

// The fake is an engine part by part.
var (
	_ Images     = (*fakeEngine)(nil)
	_ Containers = (*fakeEngine)(nil)
	_ Leftovers  = (*fakeEngine)(nil)
)

// newFakeBackend drives eng and accepts any binary: the fake engine runs
// nothing, and `go test -race` test binaries are dynamically linked.
func newFakeBackend(opts Options, eng Engine) *Backend {
	opts.Binary = "/fake/ibgitops"
	b := NewWithEngine(opts, eng)
	b.resolveBinary = func(path string) (string, error) { return path, nil }
	return b
}

func pipelineWithExport(repo *recipes.Repo) *recipes.Pipeline {
	repo.Distributions["d"] = &recipes.Distribution{Meta: recipes.Meta{Name: "d", File: "distribution/d.yaml"},
		Local: &recipes.LocalDistribution{Images: []string{"shop/{{name}}:{{version}}"}, Registry: "localhost", Export: true}}
	return &recipes.Pipeline{Meta: recipes.Meta{Name: "p"}, ImageRecipe: "enginetest-web", DistributionConfiguration: "d"}
}

func TestEngineFailuresLeaveNothing(t *testing.T) {
	for _, stage := range []string{"create", "start", "exec", "commit", "tag", "save"} {
		t.Run(stage, func(t *testing.T) {
			repo, root := demoRepo(t)
			repo.ImageRecipes["enginetest-web"].LocalParentImage = "localhost/base:1"
			repo.Pipelines["p"] = pipelineWithExport(repo)
			eng := newFakeEngine()
			eng.failAt = stage
			b := newFakeBackend(Options{}, eng)
			res, err := b.Build(context.Background(), backend.Request{Repo: repo, Root: root, Recipe: "enginetest-web"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != backend.StatusFailed || !strings.Contains(res.Message, "engine connection lost") {
				t.Errorf("status %s, message %q: want failed naming the engine error", res.Status, res.Message)
			}
			if res.Image != "" || len(res.Outputs) > 0 {
				t.Errorf("a failed build names image %q, outputs %v", res.Image, res.Outputs)
			}
			if len(eng.containers) != 0 {
				t.Errorf("containers left: %v", eng.containers)
			}
			for ref := range eng.tags {
				if ref != "localhost/base:1" {
					t.Errorf("tag left after a failure: %s", ref)
				}
			}
			store, _ := b.StoreFor(backend.Request{Repo: repo, Root: root})
			recs, _ := store.Records()
			if len(recs) != 1 || recs[0].Status != backend.StatusFailed {
				t.Errorf("want one failed record, got %+v", recs)
			}
		})
	}
}

func TestFakeEngineBuildAndMissingParent(t *testing.T) {
	repo, root := demoRepo(t)
	repo.ImageRecipes["enginetest-web"].LocalParentImage = "localhost/base:1"
	repo.Pipelines["p"] = pipelineWithExport(repo)
	eng := newFakeEngine()
	b := newFakeBackend(Options{}, eng)
	res, err := b.Build(context.Background(), backend.Request{Repo: repo, Root: root, Recipe: "enginetest-web", Version: "2.0.1"}, nil)
	if err != nil || res.Status != backend.StatusSucceeded {
		t.Fatalf("%v %+v", err, res)
	}
	want := []string{"enginetest-web:2.0.1", "localhost/shop/enginetest-web:2.0.1"}
	if len(res.Outputs) != 3 || res.Outputs[0] != want[0] || res.Outputs[1] != want[1] || filepath.Base(res.Outputs[2]) != "enginetest-web-2.0.1.oci.tar" {
		t.Errorf("outputs %v", res.Outputs)
	}
	if len(eng.containers) != 0 {
		t.Errorf("containers left: %v", eng.containers)
	}
	// Same request again: skipped without touching a container.
	eng.calls = nil
	res, err = b.Build(context.Background(), backend.Request{Repo: repo, Root: root, Recipe: "enginetest-web", Version: "2.0.1"}, nil)
	if err != nil || res.Status != backend.StatusSkipped || len(eng.calls) != 0 {
		t.Errorf("re-run: %v %s, engine calls %v", err, res.Status, eng.calls)
	}
	// A parent that cannot be pulled: the message names the file and key.
	repo.ImageRecipes["enginetest-web"].LocalParentImage = "registry.invalid/nope:1"
	res, err = b.Build(context.Background(), backend.Request{Repo: repo, Root: root, Recipe: "enginetest-web"}, nil)
	if err != nil || res.Status != backend.StatusFailed || !strings.Contains(res.Message, "recipes/web.yaml: recipe enginetest-web: local.parentImage registry.invalid/nope:1 cannot be pulled") {
		t.Errorf("missing parent: %v %s %q", err, res.Status, res.Message)
	}
}

func TestNoStaticBinaryIsAnError(t *testing.T) {
	repo, root := demoRepo(t)
	repo.ImageRecipes["enginetest-web"].LocalParentImage = "localhost/base:1"
	notELF := filepath.Join(t.TempDir(), "ibgitops")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	b := NewWithEngine(Options{Binary: notELF}, newFakeEngine())
	_, err := b.Build(context.Background(), backend.Request{Repo: repo, Root: root, Recipe: "enginetest-web"}, nil)
	if err == nil || !strings.Contains(err.Error(), "make build") {
		t.Errorf("want an error saying to run make build, got %v", err)
	}
	var ee *EngineError
	if errors.As(err, &ee) {
		t.Errorf("binary error is not an engine error: %v", err)
	}
}
