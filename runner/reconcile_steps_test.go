package runner

import (
	"context"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

// observerBackend holds a fixed actual state; ApplyMutable records calls.
type observerBackend struct {
	actual  *backend.Actual
	err     error
	applied []string
}

func (*observerBackend) Name() string { return "aws" }
func (*observerBackend) Build(context.Context, backend.Request, func(backend.Event)) (*backend.Result, error) {
	panic("a read-only check must not build")
}
func (o *observerBackend) Observe(context.Context, backend.ObserveRequest) (*backend.Actual, error) {
	return o.actual, o.err
}
func (o *observerBackend) ApplyMutable(_ context.Context, req backend.ApplyRequest) (*backend.ApplyResult, error) {
	o.applied = append(o.applied, string(req.Kind)+"/"+req.Name)
	return &backend.ApplyResult{Kind: req.Kind, Name: req.Name, Calls: []string{"Update" + string(req.Kind) + " " + req.Name}}, nil
}

func greeterRepo() *recipes.Repo {
	r := recipes.NewRepo()
	r.Components["greeter"] = &recipes.Component{Meta: recipes.Meta{Kind: recipes.KindComponent, Name: "greeter", Version: "1.0.4", File: "components/greeter.yaml", VersionPos: diag.Pos{Line: 3, Column: 10}}}
	r.ImageRecipes["base"] = &recipes.ImageRecipe{Recipe: recipes.Recipe{Meta: recipes.Meta{Kind: recipes.KindImageRecipe, Name: "base", Version: "3.2.1", File: "recipes/base.yaml"}}}
	r.Pipelines["nightly"] = &recipes.Pipeline{Meta: recipes.Meta{Kind: recipes.KindPipeline, Name: "nightly", File: "pipelines/nightly.yaml"}, ImageRecipe: "base"}
	return r
}

func TestTakenStep(t *testing.T) {
	taken := &backend.Actual{Backend: "aws", Kinds: []recipes.Kind{recipes.KindComponent},
		Resources: []backend.Observed{{Kind: recipes.KindComponent, Name: "greeter", Version: "1.0.4", Exists: true, Have: "theirs", Want: "ours"}}}
	tests := []struct {
		name     string
		be       *observerBackend
		finding  string
		noteSays string
	}{
		{"taken in Image Builder", &observerBackend{actual: taken},
			"components/greeter.yaml:3:10: error: version-taken: greeter 1.0.4 is already in Image Builder with other content; bump to 1.0.5 [version-taken]", ""},
		{"no permission to read: a note, the plan goes on", &observerBackend{err: errString("access denied: grant imagebuilder:GetComponent")}, "", "imagebuilder:GetComponent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &State{Opts: Options{CheckBackend: tc.be}, CI: &vcs.Context{Event: vcs.EventPullRequest}, Repo: greeterRepo()}
			if _, skip := (takenStep{}).Skip(s); skip {
				t.Fatal("skipped on a pull request with a backend to read")
			}
			if err := (takenStep{}).Run(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range s.Findings {
				got = append(got, f.String())
			}
			if strings.Join(got, "\n") != tc.finding {
				t.Errorf("findings:\n%s\nwant\n%s", strings.Join(got, "\n"), tc.finding)
			}
			if tc.noteSays != "" && !strings.Contains(strings.Join(s.Notes, "\n"), tc.noteSays) {
				t.Errorf("notes %v, want one saying %q", s.Notes, tc.noteSays)
			}
		})
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// On a build the comparison decides: the diff's builds are replaced, a
// drifted pipeline is updated in place and nothing is built.
func TestReconcileStepReplacesTheDiff(t *testing.T) {
	sched := map[string]any{"schedule": "cron(0 3 ? * MON *)"}
	be := &observerBackend{actual: &backend.Actual{Backend: "aws", Kinds: []recipes.Kind{recipes.KindComponent, recipes.KindImageRecipe, recipes.KindPipeline},
		Resources: []backend.Observed{
			{Kind: recipes.KindImageRecipe, Name: "base", Version: "3.2.1", Exists: true, Have: "r", Want: "r", WantImage: "i",
				Images: []backend.Image{{ID: "arn:image/base/3.2.1/1", State: backend.ImageAvailable, Content: "i"}}},
			{Kind: recipes.KindComponent, Name: "greeter", Version: "1.0.4", Exists: true, Have: "x", Want: "x"},
			{Kind: recipes.KindPipeline, Name: "nightly", Exists: true, Live: map[string]any{"schedule": "cron(0 4 ? * TUE *)"}, Desired: sched},
		}}}
	s := &State{Opts: Options{Backend: be}, CI: &vcs.Context{Event: vcs.EventPush}, Repo: greeterRepo(), Build: true,
		Builds: []recipes.Build{{Kind: recipes.KindImageRecipe, Name: "from-the-diff", Version: "1.0.0"}}, Plan: &recipes.Plan{}}
	for _, st := range []Step{reconcileStep{}, applyStep{}} {
		if _, skip := st.(Skipper).Skip(s); skip {
			t.Fatalf("%s skipped", st)
		}
		if err := st.Run(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.Builds) != 0 || len(s.Plan.Builds) != 0 {
		t.Errorf("builds %v, plan builds %v: want none", s.Builds, s.Plan.Builds)
	}
	if strings.Join(be.applied, " ") != "ImagePipeline/nightly" {
		t.Errorf("applied %v", be.applied)
	}
}

// Outside CI, only the default branch builds unless --build.
func TestDecideLocalBranch(t *testing.T) {
	tests := []struct {
		branch, def string
		anyBranch   bool
		build       bool
	}{
		{"main", "main", false, true},
		{"main", "origin/main", false, true},
		{"feature", "origin/main", false, false},
		{"", "main", false, false}, // detached HEAD
		{"feature", "main", true, true},
		{"feature", "", false, true}, // not a git repository: as before
	}
	for _, tc := range tests {
		s := &State{Opts: Options{BuildAnyBranch: tc.anyBranch}, CI: &vcs.Context{Event: vcs.EventLocal, Branch: tc.branch, DefaultBranch: tc.def}}
		decide(s)
		if s.Build != tc.build {
			t.Errorf("branch %q default %q --build=%v: build %v, want %v (skipped %v)", tc.branch, tc.def, tc.anyBranch, s.Build, tc.build, s.Skipped)
		}
		if !tc.build && (len(s.Skipped) != 1 || !strings.Contains(s.Skipped[0], "pass --build")) {
			t.Errorf("the report must say how to build anyway: %v", s.Skipped)
		}
	}
}
