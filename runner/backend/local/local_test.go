package local

import (
	"context"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/internal/testutil"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, path, got string) {
	t.Helper()
	testutil.Golden(t, path, []byte(got), *update)
}

func testComponents() []*component {
	a := &component{Index: 0, Name: "install-app", Data: "x", Phases: map[string]bool{"build": true, "validate": true, "test": true}, Params: map[string][]string{"Port": {"8080"}, "AppName": {"shop, the web store"}, "Hosts": {"a", "b"}}}
	a.File = a.id() + ".yaml"
	b := &component{Index: 1, Name: "tests-only", Data: "x", Phases: map[string]bool{"test": true}}
	b.File = b.id() + ".yaml"
	c := &component{Index: 2, Name: "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x", ARN: "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}
	d := &component{Index: 3, Name: "hardening", Data: "x", Phases: map[string]bool{"build": true}}
	d.File = d.id() + ".yaml"
	return []*component{a, b, c, d}
}

func TestRenderDockerfile(t *testing.T) {
	for _, tc := range []struct {
		template string
		logMount string
		wantErr  string
	}{
		{template: "dotnet.template"},
		{template: "github-runner.template", logMount: "--mount=type=tmpfs,target=/.ibgitops-logs"},
		{template: "no-components.template", wantErr: "no {{{ imagebuilder:components }}} placeholder"},
		{template: "unknown-placeholder.template", wantErr: "imagebuilder:secrets"},
	} {
		t.Run(tc.template, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", "dockerfile", tc.template))
			if err != nil {
				t.Fatal(err)
			}
			got, err := RenderDockerfile(string(src), "localhost/base:1.0.0", testComponents(), tc.logMount)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "dockerfile", strings.TrimSuffix(tc.template, ".template")+".golden"), got)
		})
	}
}

func TestStoreAllocateFindAndAtomicWrites(t *testing.T) {
	s, err := OpenStore(filepath.Join(t.TempDir(), ".ibgitops"))
	if err != nil {
		t.Fatal(err)
	}
	// Concurrent builds of the same version get distinct build numbers.
	var wg sync.WaitGroup
	numbers := make([]int, 8)
	for i := range numbers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := &Record{Recipe: "web", Version: "1.0.0", Status: "running", ContentHash: fmt.Sprint("h", i), Started: time.Unix(int64(1000+i), 0)}
			if err := s.Allocate(rec); err != nil {
				t.Error(err)
			}
			numbers[i] = rec.BuildNumber
			if i == 3 {
				rec.Status = backend.StatusSucceeded
				if err := s.Save(rec); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	seen := map[int]bool{}
	for _, n := range numbers {
		if n < 1 || n > 8 || seen[n] {
			t.Fatalf("build numbers %v: want 1..8, each once", numbers)
		}
		seen[n] = true
	}
	recs, err := s.Records()
	if err != nil || len(recs) != 8 {
		t.Fatalf("Records: %d, %v", len(recs), err)
	}
	if !recs[0].Started.After(recs[7].Started) {
		t.Errorf("records not newest first")
	}
	for _, tc := range []struct {
		version, hash string
		found         bool
	}{
		{"1.0.0", "h3", true},
		{"", "h3", true},       // any version (a parent built on demand)
		{"1.0.1", "h3", false}, // another version
		{"1.0.0", "h2", false}, // only succeeded builds count
	} {
		rec, err := s.Find("web", tc.version, tc.hash)
		if err != nil || (rec != nil) != tc.found {
			t.Errorf("Find(web, %q, %q) = %v, %v; want found=%v", tc.version, tc.hash, rec, err, tc.found)
		}
	}
	// No temporary files stay behind.
	err = filepath.WalkDir(s.Dir, func(p string, d os.DirEntry, err error) error {
		if strings.Contains(d.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// A corrupt record is an error that says how to recover.
	if err := os.WriteFile(filepath.Join(s.Dir, "images", "web", "9.9.9-1.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Records(); err == nil || !strings.Contains(err.Error(), "delete the file") {
		t.Errorf("corrupt record: %v", err)
	}
}

func TestContentHash(t *testing.T) {
	recipe := &recipes.Recipe{Meta: recipes.Meta{Name: "web", ContentHash: "r1"}}
	comps := func() []*component {
		return []*component{{Name: "a", Version: "1.0.0", Hash: "ca", Params: map[string][]string{"x": {"1"}}}, {Name: "b", Version: "2.0.0", Hash: "cb"}}
	}
	base := contentHash(recipes.KindImageRecipe, recipe, comps(), "image:base@1", "")
	if base != contentHash(recipes.KindImageRecipe, recipe, comps(), "image:base@1", "") {
		t.Fatal("content hash is not deterministic")
	}
	changes := map[string]func() string{
		"recipe content": func() string {
			r := *recipe
			r.ContentHash = "r2"
			return contentHash(recipes.KindImageRecipe, &r, comps(), "image:base@1", "")
		},
		"component content": func() string {
			c := comps()
			c[1].Hash = "cb2"
			return contentHash(recipes.KindImageRecipe, recipe, c, "image:base@1", "")
		},
		"component parameter": func() string {
			c := comps()
			c[0].Params["x"] = []string{"2"}
			return contentHash(recipes.KindImageRecipe, recipe, c, "image:base@1", "")
		},
		"component order": func() string {
			c := comps()
			c[0], c[1] = c[1], c[0]
			return contentHash(recipes.KindImageRecipe, recipe, c, "image:base@1", "")
		},
		"parent image id": func() string {
			return contentHash(recipes.KindImageRecipe, recipe, comps(), "image:base@2", "")
		},
		"dockerfile": func() string {
			return contentHash(recipes.KindImageRecipe, recipe, comps(), "image:base@1", "FROM x")
		},
	}
	for name, fn := range changes {
		if fn() == base {
			t.Errorf("changing the %s does not change the content hash", name)
		}
	}
}

func TestResolveComponents(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "standins"), 0o755); err != nil {
		t.Fatal(err)
	}
	standIn := "name: s\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps: []\n"
	if err := os.WriteFile(filepath.Join(root, "standins", "update.yaml"), []byte(standIn), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := recipes.NewRepo()
	repo.Config.Local.Components = map[string]string{"arn:aws:imagebuilder:*:aws:component/update-linux/*": "standins/update.yaml"}
	repo.Components["app"] = &recipes.Component{Meta: recipes.Meta{Name: "app", Version: "1.2.0", ContentHash: "h"}, Data: "phases:\n  - name: build\n  - name: Test\n"}
	r := &recipes.Recipe{Meta: recipes.Meta{Name: "web", File: "recipes/web.yaml"}, Components: []recipes.ComponentRef{
		{ARN: "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"},
		{ARN: "arn:aws:imagebuilder:us-east-1:aws:component/amazon-cloudwatch-agent-linux/x.x.x"},
		{Name: "app", Version: "1.1.x"},
	}}
	comps, warnings, err := resolveComponents(backend.Request{Repo: repo, Root: root}, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(comps) != 3 || comps[0].StandIn != "standins/update.yaml" || comps[0].Data != standIn || comps[1].Data != "" || comps[2].File != "03-app.yaml" {
		t.Fatalf("components %+v %+v %+v", comps[0], comps[1], comps[2])
	}
	if got := comps[2].has("build", "validate", "test"); strings.Join(got, ",") != "build,test" {
		t.Errorf("phases of app: %v", got)
	}
	joined := strings.Join(warnings, "\n")
	if len(warnings) != 2 || !strings.Contains(joined, "amazon-cloudwatch-agent-linux/x.x.x skipped") || !strings.Contains(joined, "local.components") || !strings.Contains(joined, "pins component app 1.1.x") {
		t.Errorf("warnings: %q", warnings)
	}
	// An unknown component names the file and the fix.
	r.Components = []recipes.ComponentRef{{Name: "nope", Pos: diag.Pos{Line: 7, Column: 5}}}
	if _, _, err := resolveComponents(backend.Request{Repo: repo, Root: root}, r); err == nil || !strings.Contains(err.Error(), "recipes/web.yaml:7:5") {
		t.Errorf("unknown component: %v", err)
	}
}

func TestToeArgsAndRunConfig(t *testing.T) {
	comps := testComponents()
	dir := t.TempDir()
	if err := writeDocuments(dir, comps); err != nil {
		t.Fatal(err)
	}
	with := strings.Join(toeArgs(comps[0], []string{"build", "validate"}, "/.ibgitops/logs/build/01-install-app", "/.ibgitops/state/build/01-install-app", "01-install-app-build"), " ")
	want := "/.ibgitops/ibgitops toe run --config /.ibgitops/docs/01-install-app.run.json --phases build,validate --log-directory /.ibgitops/logs/build/01-install-app --execution-id 01-install-app-build --state-directory /.ibgitops/state/build/01-install-app"
	if with != want {
		t.Errorf("toe args with parameters:\n got %s\nwant %s", with, want)
	}
	without := strings.Join(toeArgs(comps[3], []string{"build"}, "/l", "", "x"), " ")
	if want := "/.ibgitops/ibgitops toe run --documents /.ibgitops/docs/04-hardening.yaml --phases build --log-directory /l --execution-id x"; without != want {
		t.Errorf("toe args without parameters:\n got %s\nwant %s", without, want)
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "01-install-app.run.json"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "run-config.golden"), string(cfg))
	if _, err := os.Stat(filepath.Join(dir, "04-hardening.run.json")); err == nil {
		t.Errorf("a run config was written for a component without parameters")
	}
}

func TestStepResultsFromExecutorLogs(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "TOE_2026-01-01_00-00-00_UTC-0_x")
	if err := os.MkdirAll(run, 0o755); err != nil {
		t.Fatal(err)
	}
	detailed := `{"status":"failed","documents":[{"phases":[{"name":"build","steps":[
	  {"name":"Ok","action":"ExecuteBash","status":"success"},
	  {"name":"Boom","action":"ExecuteBash","status":"failed","failureMessage":"ExecuteBash: command failed: exit status 3"}]}]}]}`
	if err := os.WriteFile(filepath.Join(run, "detailedoutput.json"), []byte(detailed), 0o644); err != nil {
		t.Fatal(err)
	}
	var console strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&console, "line %d\n", i)
	}
	if err := os.WriteFile(filepath.Join(run, "console.log"), []byte(console.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := stepResults(&component{Name: "app"}, dir, 1, "ignored")
	if len(steps) != 2 || steps[0].Status != "success" || steps[1].Status != "failed" || steps[1].ExitCode != 3 || steps[1].Phase != "build" {
		t.Fatalf("steps %+v", steps)
	}
	if tail := steps[1].LogTail; !strings.HasPrefix(tail, "line 11\n") || !strings.HasSuffix(tail, "line 30") {
		t.Errorf("log tail is not the last 20 lines: %q", tail)
	}
	// No logs at all (the executor could not start): one failed entry
	// with the exec output.
	steps = stepResults(&component{Name: "app"}, t.TempDir(), 2, "exec: no such file\n")
	if len(steps) != 1 || steps[0].ExitCode != 2 || !strings.Contains(steps[0].LogTail, "no such file") {
		t.Errorf("steps without logs: %+v", steps)
	}
}

func TestSmallHelpers(t *testing.T) {
	if got := expandImageName("registry.example.com/{{name}}:{{ version }}-{{buildNumber}}", "Web Server", "1.2.3", 4); got != "registry.example.com/web-server:1.2.3-4" {
		t.Errorf("expandImageName: %s", got)
	}
	for pin, want := range map[string]bool{"1.2.3": true, "1.x.x": true, "1.2.x": true, "2.x.x": false, "1.3.3": false} {
		if versionMatches(pin, "1.2.3") != want {
			t.Errorf("versionMatches(%s, 1.2.3) != %v", pin, want)
		}
	}
	for msg, want := range map[string]int{"command failed: exit status 7": 7, "step exited with 194": 194, "Exit Code 12 seen": 12, "no number": -1} {
		n, ok := exitCodeOf(msg)
		if (ok && n != want) || (!ok && want != -1) {
			t.Errorf("exitCodeOf(%q) = %d, %v", msg, n, ok)
		}
	}
	if _, err := DetectEngine("containerd"); err == nil || !strings.Contains(err.Error(), "auto, podman or docker") {
		t.Errorf("unknown engine: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := DetectEngine("auto"); err == nil || !strings.Contains(err.Error(), "apt-get install -y podman runc") {
		t.Errorf("no engine: %v", err)
	}
}

func TestStaticBinaryCheck(t *testing.T) {
	notELF := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := staticBinary(notELF); err == nil || !strings.Contains(err.Error(), "make build") {
		t.Errorf("non-ELF binary: %v", err)
	}
	f, err := elf.Open("/bin/sh")
	if err != nil {
		t.Skip("no ELF /bin/sh to check the dynamic case with")
	}
	dynamic := false
	for _, p := range f.Progs {
		dynamic = dynamic || p.Type == elf.PT_INTERP
	}
	f.Close()
	_, err = staticBinary("/bin/sh")
	if dynamic != (err != nil) || (dynamic && !strings.Contains(err.Error(), "dynamically linked")) {
		t.Errorf("/bin/sh (dynamic %v): %v", dynamic, err)
	}
}

func TestStoreLockSerialisesProcesses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".ibgitops")
	a, _ := OpenStore(dir)
	b, _ := OpenStore(dir) // another process: its own file descriptors
	unlock, err := a.Lock(context.Background(), "web", nil)
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{}, 1)
	got := make(chan error, 1)
	go func() {
		u, err := b.Lock(context.Background(), "web", func() { waited <- struct{}{} })
		if err == nil {
			u()
		}
		got <- err
	}()
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("the second locker did not wait")
	}
	// Another recipe is not blocked.
	u2, err := b.Lock(context.Background(), "other", func() { t.Error("waited for an unrelated recipe") })
	if err != nil {
		t.Fatal(err)
	}
	u2()
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second locker did not get the lock after unlock")
	}
	// A cancelled wait returns the context's error.
	unlock, _ = a.Lock(context.Background(), "web", nil)
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(ctx, "web", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled wait: %v", err)
	}
}
