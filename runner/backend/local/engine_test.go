package local

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/internal/testutil"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/backend/backendtest"
)

// Engine tests need podman or docker, the base image and a static build of
// ibgitops (built once per test binary, or IBGITOPS_TEST_BINARY). They skip with a message when the
// engine or image is missing; IBGITOPS_SKIP_ENGINE_TESTS=1 skips them too.

const baseImage = "localhost/ibgitops-base:latest"

var (
	engineOnce sync.Once
	engineCLI  *CLI
	engineBin  string
	engineSkip string
)

// TestMain removes the static binary the engine tests build.
func TestMain(m *testing.M) {
	defer testutil.RemoveBinaries()
	m.Run()
}

func engineFixture(t *testing.T) (*CLI, string) {
	t.Helper()
	if testing.Short() {
		// The engine tier: `make test` runs it, `make unit` does not.
		t.Skip("engine test skipped with -short (make test runs it)")
	}
	engineOnce.Do(func() {
		if os.Getenv("IBGITOPS_SKIP_ENGINE_TESTS") != "" {
			engineSkip = "IBGITOPS_SKIP_ENGINE_TESTS is set"
			return
		}
		cli, err := DetectEngine("auto")
		if err != nil {
			engineSkip = "no container engine: " + err.Error()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if ok, err := cli.ImageExists(ctx, baseImage); err != nil || !ok {
			engineSkip = fmt.Sprintf("%s has no %s (err %v): run scripts/setup-engine.sh or scripts/base-image.sh", cli.Name(), baseImage, err)
			return
		}
		if bin := os.Getenv("IBGITOPS_TEST_BINARY"); bin != "" {
			engineCLI, engineBin = cli, bin
			return
		}
		bin, err := testutil.FullBinary("linux")
		if err != nil {
			engineSkip = "cannot build a static ibgitops for the containers: " + err.Error()
			return
		}
		engineCLI, engineBin = cli, bin
	})
	if engineSkip != "" {
		t.Skip("engine test skipped: " + engineSkip)
	}
	return engineCLI, engineBin
}

// removeImagesOf removes every image labelled with the recipe (all tags).
func removeImagesOf(cli *CLI, recipe string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := cli.run(ctx, "images", "-q", "--filter", "label="+LabelRecipe+"="+sanitizeName(recipe))
	if err != nil {
		return
	}
	for _, id := range strings.Fields(out) {
		_ = cli.RemoveImage(ctx, id)
	}
}

func localFactory(t *testing.T, root string) backendtest.Target {
	cli, bin := engineFixture(t)
	b := NewWithEngine(Options{Binary: bin}, cli)
	return backendtest.Target{
		Backend: b,
		Leftovers: func(ctx context.Context) ([]string, error) {
			left, err := cli.ContainersLabelled(ctx, LabelRun, b.RunID())
			b.mu.Lock()
			left = append(left, sortedKeys(b.images)...)
			b.mu.Unlock()
			return left, err
		},
		Tweak: func(repo *recipes.Repo) {
			for name, r := range repo.ImageRecipes {
				r.LocalParentImage = baseImage
				t.Cleanup(func() { removeImagesOf(cli, name) })
			}
		},
		Timeout: 3 * time.Minute,
	}
}

func TestConformance(t *testing.T) {
	backendtest.Run(t, localFactory)
}

// TestStoreRecord checks the record a build leaves and `images` reads.
func TestStoreRecord(t *testing.T) {
	cli, bin := engineFixture(t)
	repo, root := demoRepo(t)
	b := NewWithEngine(Options{Binary: bin}, cli)
	t.Cleanup(func() { removeImagesOf(cli, "enginetest-web") })
	req := backend.Request{Repo: repo, Root: root, Recipe: "enginetest-web", Version: "2.0.0", Provenance: backend.Provenance{Commit: "abc123"}}
	res, err := b.Build(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != backend.StatusSucceeded {
		t.Fatalf("build: %s %s %+v", res.Status, res.Message, res.Steps)
	}
	store, _ := b.StoreFor(req)
	recs, err := store.Records()
	if err != nil || len(recs) != 1 {
		t.Fatalf("records %v, %v: want one", recs, err)
	}
	rec := recs[0]
	if rec.Recipe != "enginetest-web" || rec.Version != "2.0.0" || rec.BuildNumber != 1 || rec.Commit != "abc123" ||
		rec.ParentImage != baseImage || rec.ContentHash == "" || rec.ImageID == "" || len(rec.Components) != 1 ||
		rec.Components[0].Name != "enginetest-hello" || rec.Components[0].Version != "1.2.3" || rec.Timings["build"] <= 0 {
		t.Errorf("record %+v", rec)
	}
	if _, err := os.Stat(filepath.Join(rec.Logs, "build", "01-enginetest-hello", "exec.log")); err != nil {
		t.Errorf("build log missing: %v", err)
	}
	// The image carries provenance and the parent's command.
	out, err := cli.run(context.Background(), "image", "inspect", "--format", `{{index .Config.Labels "org.opencontainers.image.revision"}} {{json .Config.Cmd}}`, res.Image)
	if err != nil || out != `abc123 ["/bin/sh"]` {
		t.Errorf("image labels/cmd: %q, %v", out, err)
	}
	// A changed component changes the content hash: the same version is
	// taken (versions are immutable, as in Image Builder), a raised one
	// builds.
	repo.Components["enginetest-hello"].Data = strings.Replace(repo.Components["enginetest-hello"].Data, "hello", "hullo", 1)
	repo.Components["enginetest-hello"].ContentHash = "changed"
	res2, err := b.Build(context.Background(), req, nil)
	if err != nil || res2.Status != backend.StatusFailed || !strings.Contains(res2.Message, "version-taken") {
		t.Fatalf("rebuild of the same version after a change: %v %+v", err, res2)
	}
	req.Version = "2.0.1"
	res2, err = b.Build(context.Background(), req, nil)
	if err != nil || res2.Status != backend.StatusSucceeded {
		t.Fatalf("rebuild of a raised version after a change: %v %+v", err, res2)
	}
}

// TestParentRecipeAndContainerRecipe builds a container recipe whose
// parent is another recipe of the repository: the parent is built first.
func TestParentRecipeAndContainerRecipe(t *testing.T) {
	cli, bin := engineFixture(t)
	repo, root := demoRepo(t)
	cr := &recipes.ContainerRecipe{Recipe: recipes.Recipe{Meta: recipes.Meta{Kind: recipes.KindContainerRecipe, Name: "enginetest-app", Version: "0.1.0", File: "recipes/app.yaml", ContentHash: "app"},
		ParentImage: "recipe:enginetest-web", Components: []recipes.ComponentRef{{Name: "enginetest-hello", Parameters: map[string][]string{"count": {"4, 2"}}}}},
		ContainerType:      "DOCKER",
		DockerfileTemplate: "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}\nENV APP=1\n"}
	repo.ContainerRecipes[cr.Name] = cr
	t.Cleanup(func() { removeImagesOf(cli, "enginetest-web"); removeImagesOf(cli, "enginetest-app") })
	b := NewWithEngine(Options{Binary: bin}, cli)
	var mu sync.Mutex
	var stages []string
	res, err := b.Build(context.Background(), backend.Request{Repo: repo, Root: root, Recipe: cr.Name, Kind: recipes.KindContainerRecipe}, func(ev backend.Event) {
		mu.Lock()
		stages = append(stages, ev.Recipe+":"+ev.Stage)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != backend.StatusSucceeded {
		t.Fatalf("container recipe: %s %s %+v %+v", res.Status, res.Message, res.Steps, res.Tests)
	}
	if !strings.Contains(strings.Join(stages, " "), "enginetest-web:done") {
		t.Errorf("parent recipe not built first: %v", stages)
	}
	if len(res.Tests) == 0 {
		t.Errorf("no tests ran on the container image")
	}
	out, err := cli.run(context.Background(), "run", "--rm", res.Image, "sh", "-c", "cat /hello.txt; echo $APP")
	if err != nil || out != "hello 4, 2\n1" {
		t.Errorf("container image content: %q, %v", out, err)
	}
}

// demoRepo is a one-component image recipe writing /hello.txt.
func demoRepo(t *testing.T) (*recipes.Repo, string) {
	repo := recipes.NewRepo()
	repo.Components["enginetest-hello"] = &recipes.Component{Meta: recipes.Meta{Kind: recipes.KindComponent, Name: "enginetest-hello", Version: "1.2.3", ContentHash: "h1"}, Platform: "Linux",
		Data: `name: hello
schemaVersion: 1.0
parameters:
  - count:
      type: string
      default: "1"
phases:
  - name: build
    steps:
      - name: Write
        action: ExecuteBash
        inputs:
          commands:
            - echo "hello {{ count }}" > /hello.txt
  - name: test
    steps:
      - name: Read
        action: ExecuteBash
        inputs:
          commands:
            - grep -q hello /hello.txt
`}
	repo.ImageRecipes["enginetest-web"] = &recipes.ImageRecipe{Recipe: recipes.Recipe{Meta: recipes.Meta{Kind: recipes.KindImageRecipe, Name: "enginetest-web", Version: "2.0.0", File: "recipes/web.yaml", ContentHash: "r1"},
		ParentImage: "ami-0123456789abcdef0", LocalParentImage: baseImage,
		Components: []recipes.ComponentRef{{Name: "enginetest-hello", Parameters: map[string][]string{"count": {"4, 2"}}}}}}
	return repo, t.TempDir()
}

// TestMissingParentImage: a parent that cannot be pulled fails the recipe
// with a message naming it and the local.parentImage key.
func TestMissingParentImage(t *testing.T) {
	cli, bin := engineFixture(t)
	repo, root := demoRepo(t)
	repo.ImageRecipes["enginetest-web"].LocalParentImage = "localhost/ibgitops-no-such-image:0"
	b := NewWithEngine(Options{Binary: bin}, cli)
	res, err := b.Build(context.Background(), backend.Request{Repo: repo, Root: root, Recipe: "enginetest-web"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != backend.StatusFailed || !strings.Contains(res.Message, "enginetest-web") || !strings.Contains(res.Message, "local.parentImage") || !strings.Contains(res.Message, "recipes/web.yaml") {
		t.Errorf("missing parent: %s %q", res.Status, res.Message)
	}
}

// TestRebootKeepOnFailureAndSkippedARN: a component that exits 194 gets
// its container restarted and resumes at the same step (the step before
// it runs once); an unmapped ARN is skipped with a warning; a failure with
// KeepOnFailure keeps exactly the failed container.
func TestRebootKeepOnFailureAndSkippedARN(t *testing.T) {
	cli, bin := engineFixture(t)
	repo, root := demoRepo(t)
	repo.Components["enginetest-reboot"] = &recipes.Component{Meta: recipes.Meta{Kind: recipes.KindComponent, Name: "enginetest-reboot", Version: "1.0.0", ContentHash: "rb"}, Platform: "Linux",
		Data: `name: reboot
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: BeforeReboot
        action: ExecuteBash
        inputs:
          commands:
            - echo once >> /before-reboot
      - name: NeedsReboot
        action: ExecuteBash
        inputs:
          commands:
            - if [ ! -f /var/tmp/rebooted ]; then touch /var/tmp/rebooted; exit 194; fi
            - echo resumed > /after-reboot
`}
	web := repo.ImageRecipes["enginetest-web"]
	web.Components = append(web.Components,
		recipes.ComponentRef{ARN: "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"},
		recipes.ComponentRef{Name: "enginetest-reboot"})
	t.Cleanup(func() { removeImagesOf(cli, "enginetest-web") })
	b := NewWithEngine(Options{Binary: bin}, cli)
	var mu sync.Mutex
	var msgs []string
	res, err := b.Build(context.Background(), backend.Request{Repo: repo, Root: root, Recipe: "enginetest-web"}, func(ev backend.Event) {
		mu.Lock()
		msgs = append(msgs, ev.Message)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != backend.StatusSucceeded {
		t.Fatalf("reboot build: %s %s %+v", res.Status, res.Message, res.Steps)
	}
	if !strings.Contains(strings.Join(msgs, "\n"), "asked for a reboot") {
		t.Errorf("no reboot reported: %v", msgs)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "update-linux/x.x.x skipped") {
		t.Errorf("warnings %v: want the skipped ARN", res.Warnings)
	}
	out, err := cli.run(context.Background(), "run", "--rm", res.Image, "sh", "-c", "cat /before-reboot /after-reboot")
	if err != nil || out != "once\nresumed" {
		t.Errorf("after reboot: %q, %v (want the step before the reboot run once)", out, err)
	}

	// Now make the build fail and keep the container.
	repo.Components["enginetest-hello"].Data = strings.Replace(repo.Components["enginetest-hello"].Data, `> /hello.txt`, `> /hello.txt; exit 9`, 1)
	repo.Components["enginetest-hello"].ContentHash = "h-broken"
	// Other content: a raised version (the built one is immutable).
	res, err = b.Build(context.Background(), backend.Request{Repo: repo, Root: root, Recipe: "enginetest-web", Version: "2.0.1", KeepOnFailure: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	left, _ := cli.ContainersLabelled(context.Background(), LabelRun, b.RunID())
	for _, id := range left {
		t.Cleanup(func() { _ = cli.RemoveContainer(context.Background(), id) })
	}
	if res.Status != backend.StatusFailed || len(left) != 1 || !strings.Contains(strings.Join(res.Warnings, " "), "kept the failed container") {
		t.Errorf("keep on failure: status %s, containers %v, warnings %v", res.Status, left, res.Warnings)
	}
	if failed := res.Steps[len(res.Steps)-1]; failed.Status != "failed" || failed.ExitCode != 9 || failed.Step != "Write" {
		t.Errorf("failed step %+v: want Write with exit code 9", failed)
	}
	// Cleanup leaves the kept container alone: the user asked to keep it.
	if err := b.Cleanup(context.Background()); err != nil {
		t.Fatal(err)
	}
	if left2, _ := cli.ContainersLabelled(context.Background(), LabelRun, b.RunID()); len(left2) != 1 {
		t.Errorf("after Cleanup: %v, want the kept container", left2)
	}
}

// TestAbandonedBuildIsReaped: a build whose process died (engine or
// ibgitops killed) leaves a running record and a labelled container; the
// next build of the recipe removes them and marks the record abandoned.
func TestAbandonedBuildIsReaped(t *testing.T) {
	cli, bin := engineFixture(t)
	repo, root := demoRepo(t)
	t.Cleanup(func() { removeImagesOf(cli, "enginetest-web") })
	b := NewWithEngine(Options{Binary: bin}, cli)
	store, err := b.StoreFor(backend.Request{Repo: repo, Root: root})
	if err != nil {
		t.Fatal(err)
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	deadRun := "dead-" + b.RunID()
	ctr, err := cli.Create(context.Background(), ContainerSpec{Image: baseImage, Labels: map[string]string{LabelRun: deadRun}, Entrypoint: keepAlive})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cli.RemoveContainer(context.Background(), ctr) })
	stale := &Record{Recipe: "enginetest-web", Version: "2.0.0", Status: "running", RunID: deadRun, Host: host, PID: dead.Process.Pid, Started: time.Now()}
	if err := store.Allocate(stale); err != nil {
		t.Fatal(err)
	}
	res, err := b.Build(context.Background(), backend.Request{Repo: repo, Root: root, Recipe: "enginetest-web"}, nil)
	if err != nil || res.Status != backend.StatusSucceeded || res.BuildNumber != 2 {
		t.Fatalf("build after an abandoned one: %v %+v", err, res)
	}
	if left, _ := cli.ContainersLabelled(context.Background(), LabelRun, deadRun); len(left) != 0 {
		t.Errorf("the abandoned run's container remains: %v", left)
	}
	recs, _ := store.Records()
	var got *Record
	for _, r := range recs {
		if r.BuildNumber == 1 {
			got = r
		}
	}
	if got == nil || got.Status != StatusAbandoned || !strings.Contains(got.Message, "container") {
		t.Errorf("abandoned record: %+v", got)
	}
}

// TestCancelContainerBuild: interrupting `podman build` mid-RUN leaves no
// working container, no temporary parent tag and no record.
func TestCancelContainerBuild(t *testing.T) {
	cli, bin := engineFixture(t)
	repo, root := demoRepo(t)
	repo.Components["enginetest-slow"] = &recipes.Component{Meta: recipes.Meta{Kind: recipes.KindComponent, Name: "enginetest-slow", Version: "1.0.0", ContentHash: "slow"}, Platform: "Linux",
		Data: "name: slow\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Sleep\n        action: ExecuteBash\n        inputs:\n          commands:\n            - sleep 120\n"}
	repo.ContainerRecipes["enginetest-slowc"] = &recipes.ContainerRecipe{Recipe: recipes.Recipe{Meta: recipes.Meta{Kind: recipes.KindContainerRecipe, Name: "enginetest-slowc", Version: "1.0.0", ContentHash: "sc"},
		LocalParentImage: baseImage, Components: []recipes.ComponentRef{{Name: "enginetest-slow"}}},
		DockerfileTemplate: "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\n"}
	b := NewWithEngine(Options{Binary: bin}, cli)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Cancel once the RUN step is under way.
		for ctx.Err() == nil {
			out, _ := cli.run(context.Background(), "ps", "-a", "--external", "--format", "{{.Names}}")
			if strings.Contains(out, "enginetest-slowc-working-container") {
				time.Sleep(2 * time.Second)
				cancel()
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
	}()
	res, err := b.Build(ctx, backend.Request{Repo: repo, Root: root, Recipe: "enginetest-slowc"}, nil)
	if err != nil || res.Status != backend.StatusCancelled {
		t.Fatalf("cancelled container build: %v %+v", err, res)
	}
	if err := b.Cleanup(context.Background()); err != nil {
		t.Fatal(err)
	}
	out, _ := cli.run(context.Background(), "ps", "-a", "--external", "--format", "{{.Names}}")
	if strings.Contains(out, "enginetest-slowc") {
		t.Errorf("working container left: %s", out)
	}
	tags, _ := cli.run(context.Background(), "images", "--format", "{{.Repository}}")
	if strings.Contains(tags, "ibgitops-build-"+strings.ToLower(b.RunID())) {
		t.Errorf("temporary parent tag left: %s", tags)
	}
	store, _ := b.StoreFor(backend.Request{Repo: repo, Root: root})
	if recs, _ := store.Records(); len(recs) != 0 {
		t.Errorf("a cancelled build left records: %+v", recs[0])
	}
}
