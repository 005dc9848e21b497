package reconcile

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/internal/testutil"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// repo: component greeter, recipe base (uses it) built by pipeline
// nightly with infrastructure build and distribution two-regions.
func repo() *recipes.Repo {
	r := recipes.NewRepo()
	r.Components["greeter"] = &recipes.Component{Meta: recipes.Meta{Kind: recipes.KindComponent, Name: "greeter", Version: "1.0.4", File: "components/greeter.yaml", VersionPos: diag.Pos{Line: 3}}}
	r.ImageRecipes["base"] = &recipes.ImageRecipe{Recipe: recipes.Recipe{Meta: recipes.Meta{Kind: recipes.KindImageRecipe, Name: "base", Version: "3.2.1", File: "recipes/base.yaml", VersionPos: diag.Pos{Line: 3}},
		Components: []recipes.ComponentRef{{Name: "greeter"}}}}
	r.Infrastructures["build"] = &recipes.Infrastructure{Meta: recipes.Meta{Kind: recipes.KindInfrastructure, Name: "build", File: "infrastructure/build.yaml", NamePos: diag.Pos{Line: 2}}}
	r.Distributions["two-regions"] = &recipes.Distribution{Meta: recipes.Meta{Kind: recipes.KindDistribution, Name: "two-regions", File: "distribution/two.yaml", NamePos: diag.Pos{Line: 2}}}
	r.Pipelines["nightly"] = &recipes.Pipeline{Meta: recipes.Meta{Kind: recipes.KindPipeline, Name: "nightly", File: "pipelines/nightly.yaml", NamePos: diag.Pos{Line: 2}},
		ImageRecipe: "base", InfrastructureConfiguration: "build", DistributionConfiguration: "two-regions"}
	return r
}

var (
	day     = time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	sched   = map[string]any{"schedule": map[string]any{"scheduleExpression": "cron(0 3 ? * MON *)"}, "status": "ENABLED"}
	regions = map[string]any{"distributions": []any{map[string]any{"region": "us-east-1"}, map[string]any{"region": "eu-west-1"}}}
)

// inSync is an actual state matching repo() exactly.
func inSync() *backend.Actual {
	return &backend.Actual{Backend: "aws", Kinds: []recipes.Kind{recipes.KindComponent, recipes.KindImageRecipe, recipes.KindContainerRecipe,
		recipes.KindInfrastructure, recipes.KindDistribution, recipes.KindPipeline}, Reads: 9, Lists: 7,
		Resources: []backend.Observed{
			{Kind: recipes.KindComponent, Name: "greeter", Version: "1.0.4", Exists: true, ID: "arn:component/greeter/1.0.4/1", Have: "c1", Want: "c1"},
			{Kind: recipes.KindImageRecipe, Name: "base", Version: "3.2.1", Exists: true, ID: "arn:image-recipe/base/3.2.1", Have: "r1", Want: "r1", WantImage: "h1",
				Images: []backend.Image{{ID: "arn:image/base/3.2.1/1", State: backend.ImageAvailable, Content: "h1", Created: day}}},
			{Kind: recipes.KindInfrastructure, Name: "build", Exists: true, ID: "arn:infra/build", Live: map[string]any{"instanceProfileName": "ib"}, Desired: map[string]any{"instanceProfileName": "ib"}},
			{Kind: recipes.KindDistribution, Name: "two-regions", Exists: true, ID: "arn:dist/two-regions", Live: regions, Desired: regions},
			{Kind: recipes.KindPipeline, Name: "nightly", Exists: true, ID: "arn:pipeline/nightly", Live: sched, Desired: sched},
		}}
}

func edit(a *backend.Actual, kind recipes.Kind, f func(o *backend.Observed)) *backend.Actual {
	for i := range a.Resources {
		if a.Resources[i].Kind == kind {
			f(&a.Resources[i])
		}
	}
	return a
}

func TestCompare(t *testing.T) {
	failed := backend.Image{ID: "arn:image/base/3.2.1/1", State: backend.ImageFailed, Status: "FAILED", Content: "h1", Created: day,
		Reason: "Step ApplyBuildComponents failed", RunURL: "https://ci.example/runs/41"}
	tests := []struct {
		name   string
		actual *backend.Actual
		want   map[string]State // kind/name -> state; others in sync
		says   string           // a message contains this
	}{
		{"everything in sync", inSync(), nil, "is built: arn:image/base/3.2.1/1"},
		{"never built", edit(inSync(), recipes.KindImageRecipe, func(o *backend.Observed) { o.Images = nil }),
			map[string]State{"ImageRecipe/base": Missing}, "version 3.2.1 was never built"},
		{"recipe version never created", edit(inSync(), recipes.KindImageRecipe, func(o *backend.Observed) { o.Exists, o.Have, o.Images = false, "", nil }),
			map[string]State{"ImageRecipe/base": Missing}, "never built"},
		{"last build failed", edit(inSync(), recipes.KindImageRecipe, func(o *backend.Observed) { o.Images = []backend.Image{failed} }),
			map[string]State{"ImageRecipe/base": Missing}, "the last build failed on 2026-12-01 03:00 UTC in https://ci.example/runs/41: Step ApplyBuildComponents failed"},
		{"an available image of other content does not count", edit(inSync(), recipes.KindImageRecipe, func(o *backend.Observed) { o.Images[0].Content = "old" }),
			map[string]State{"ImageRecipe/base": Missing}, "never built"},
		{"a newer failed build after an available one is still in sync",
			edit(inSync(), recipes.KindImageRecipe, func(o *backend.Observed) { o.Images = append([]backend.Image{failed}, o.Images...) }), nil, "available"},
		{"component version taken", edit(inSync(), recipes.KindComponent, func(o *backend.Observed) { o.Have = "other" }),
			map[string]State{"Component/greeter": VersionTaken}, "greeter 1.0.4 is already in the aws backend"},
		{"recipe version taken", edit(inSync(), recipes.KindImageRecipe, func(o *backend.Observed) { o.Have = "other" }),
			map[string]State{"ImageRecipe/base": VersionTaken}, "raise the version"},
		{"component never created", edit(inSync(), recipes.KindComponent, func(o *backend.Observed) { o.Exists = false }),
			map[string]State{"Component/greeter": Missing}, "never created"},
		{"schedule drifted", edit(inSync(), recipes.KindPipeline, func(o *backend.Observed) {
			o.Live = map[string]any{"schedule": map[string]any{"scheduleExpression": "cron(0 4 ? * TUE *)"}, "status": "ENABLED"}
		}), map[string]State{"ImagePipeline/nightly": Drifted}, "schedule.scheduleExpression differ(s)"},
		{"a field set only live drifts", edit(inSync(), recipes.KindInfrastructure, func(o *backend.Observed) {
			o.Live = map[string]any{"instanceProfileName": "ib", "securityGroupIds": []any{"sg-1"}}
		}), map[string]State{"InfrastructureConfiguration/build": Drifted}, "securityGroupIds"},
		{"pipeline absent", edit(inSync(), recipes.KindPipeline, func(o *backend.Observed) { o.Exists, o.Live = false, nil }),
			map[string]State{"ImagePipeline/nightly": Missing}, "the next run creates it"},
		{"unreadable resource", func() *backend.Actual {
			a := inSync()
			a.Problems = []backend.ReadProblem{{Kind: recipes.KindInfrastructure, Name: "build", Op: "GetInfrastructureConfiguration", Message: "access denied: grant imagebuilder:GetInfrastructureConfiguration"}}
			return a
		}(), map[string]State{"InfrastructureConfiguration/build": Unreadable}, "imagebuilder:GetInfrastructureConfiguration"},
		{"a List denied makes the whole kind unreadable", func() *backend.Actual {
			a := inSync()
			a.Problems = []backend.ReadProblem{{Kind: recipes.KindPipeline, Op: "ListImagePipelines", Message: "access denied: imagebuilder:ListImagePipelines"}}
			return a
		}(), map[string]State{"ImagePipeline/nightly": Unreadable}, "imagebuilder:ListImagePipelines"},
		{"not in git", func() *backend.Actual {
			a := inSync()
			a.Untracked = []backend.Untracked{{Kind: recipes.KindComponent, Name: "old-tool", Version: "0.1.0", ID: "arn:component/old-tool/0.1.0/1", Repository: "acme/images"}}
			return a
		}(), map[string]State{"Component/old-tool": NotInGit}, "ibgitops never deletes it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Compare(repo(), tc.actual)
			var all []string
			for _, e := range s.Entries {
				all = append(all, e.Message)
				key := string(e.Kind) + "/" + e.Name
				want, ok := tc.want[key]
				if !ok {
					want = InSync
				}
				if e.State != want {
					t.Errorf("%s: %s (%s), want %s", key, e.State, e.Message, want)
				}
			}
			if len(s.Entries) != 5+len(tc.actual.Untracked) {
				t.Errorf("%d entries, want %d", len(s.Entries), 5+len(tc.actual.Untracked))
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.says) {
				t.Errorf("no message says %q:\n%s", tc.says, strings.Join(all, "\n"))
			}
			if s.InSync() != (len(tc.want) == 0) {
				t.Errorf("InSync() = %v", s.InSync())
			}
		})
	}
}

// Kinds the backend does not hold (the local backend keeps no pipelines)
// are not compared.
func TestCompareOnlyHeldKinds(t *testing.T) {
	a := inSync()
	a.Kinds = []recipes.Kind{recipes.KindImageRecipe, recipes.KindContainerRecipe}
	a.Resources = a.Resources[1:2]
	s := Compare(repo(), a)
	if len(s.Entries) != 1 || s.Entries[0].Name != "base" || !s.InSync() {
		t.Errorf("entries: %+v", s.Entries)
	}
}

func TestPlanFrom(t *testing.T) {
	failed := backend.Image{ID: "arn:image/base/3.2.1/1", State: backend.ImageFailed, Content: "h1", Created: day, RunURL: "https://ci.example/runs/41"}
	tests := []struct {
		name      string
		actual    *backend.Actual
		builds    string // "name version" joined
		updates   string // "kind/name" joined
		retry     string
		blocked   int
		unreached string
	}{
		{name: "in sync does nothing", actual: inSync()},
		{name: "a failed build is retried", actual: edit(inSync(), recipes.KindImageRecipe, func(o *backend.Observed) { o.Images = []backend.Image{failed} }),
			builds: "base 3.2.1", retry: "retrying, failed in https://ci.example/runs/41"},
		{name: "a fresh account builds everything", actual: func() *backend.Actual {
			a := inSync()
			for i := range a.Resources {
				a.Resources[i].Exists, a.Resources[i].Images, a.Resources[i].Live = false, nil, nil
			}
			return a
		}(), builds: "base 3.2.1", updates: "InfrastructureConfiguration/build DistributionConfiguration/two-regions"},
		{name: "a schedule-only change updates the pipeline without a build", actual: edit(inSync(), recipes.KindPipeline, func(o *backend.Observed) {
			o.Live = map[string]any{"schedule": map[string]any{"scheduleExpression": "cron(0 4 ? * TUE *)"}}
		}), updates: "ImagePipeline/nightly"},
		{name: "a distribution change names the images it does not reach", actual: edit(inSync(), recipes.KindDistribution, func(o *backend.Observed) {
			o.Live = map[string]any{"distributions": []any{map[string]any{"region": "us-east-1"}}}
		}), updates: "DistributionConfiguration/two-regions", unreached: "ibgitops build --only base --force"},
		{name: "a taken version is blocked, not built", actual: edit(inSync(), recipes.KindImageRecipe, func(o *backend.Observed) { o.Have = "x" }), blocked: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := PlanFrom(repo(), Compare(repo(), tc.actual))
			var builds, updates []string
			for _, b := range p.Builds {
				builds = append(builds, b.Name+" "+b.Version)
				if b.Name == "base" && strings.Join(b.Pipelines, ",") != "nightly" {
					t.Errorf("base builds through %v, want nightly", b.Pipelines)
				}
			}
			for _, u := range p.Updates {
				updates = append(updates, string(u.Kind)+"/"+u.Name)
			}
			if got := strings.Join(builds, " "); got != tc.builds {
				t.Errorf("builds %q, want %q", got, tc.builds)
			}
			if got := strings.Join(updates, " "); got != tc.updates {
				t.Errorf("updates %q, want %q", got, tc.updates)
			}
			if got := p.Retries["base"]; got != tc.retry {
				t.Errorf("retry %q, want %q", got, tc.retry)
			}
			if len(p.Blocked) != tc.blocked {
				t.Errorf("blocked %v", p.Blocked)
			}
			var cmds []string
			for _, u := range p.Unreached {
				cmds = append(cmds, u.Command)
			}
			if got := strings.Join(cmds, "; "); got != tc.unreached {
				t.Errorf("unreached %q, want %q", got, tc.unreached)
			}
		})
	}
}

func TestPrinters(t *testing.T) {
	a := edit(inSync(), recipes.KindPipeline, func(o *backend.Observed) {
		o.Live = map[string]any{"schedule": map[string]any{"scheduleExpression": "cron(0 4 ? * TUE *)"}, "status": "ENABLED"}
	})
	edit(a, recipes.KindImageRecipe, func(o *backend.Observed) {
		o.Images = []backend.Image{{ID: "arn:image/base/3.2.1/1", State: backend.ImageFailed, Content: "h1", Created: day, Reason: "Step | RunTestComponents failed", Commit: "0123456789abcdef"}}
	})
	a.Untracked = []backend.Untracked{{Kind: recipes.KindComponent, Name: "old-tool", Version: "0.1.0", ID: "arn:component/old-tool/0.1.0/1"}}
	s := Compare(repo(), a)
	for _, f := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"status.txt", func(b *bytes.Buffer) error { return WriteText(b, s) }},
		{"status.md", func(b *bytes.Buffer) error { return WriteMarkdown(b, s) }},
		{"status.json", func(b *bytes.Buffer) error { return WriteJSON(b, s) }},
		{"plan.txt", func(b *bytes.Buffer) error { return WritePlanText(b, PlanFrom(repo(), s)) }},
	} {
		var buf bytes.Buffer
		if err := f.write(&buf); err != nil {
			t.Fatal(err)
		}
		testutil.Golden(t, "testdata/"+f.file, buf.Bytes(), *update)
	}
}
