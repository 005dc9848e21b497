package aws

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

func observe(t *testing.T, b *Backend, repo *recipes.Repo) *backend.Actual {
	t.Helper()
	a, err := b.Observe(context.Background(), backend.ObserveRequest{Repo: repo})
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	return a
}

func observed(t *testing.T, a *backend.Actual, kind recipes.Kind, name string) backend.Observed {
	t.Helper()
	for _, o := range a.Resources {
		if o.Kind == kind && o.Name == name {
			return o
		}
	}
	t.Fatalf("no %s %s in %+v", kind, name, a.Resources)
	return backend.Observed{}
}

// After a build, every resource reads back as it was created: the same
// content, no field differs, one AVAILABLE image of this content. And the
// observation only reads.
func TestObserveAfterBuild(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(2)
	if res, _ := runBuild(t, e.backend(t), request(repo, "web", "web-pipeline")); res.Status != backend.StatusSucceeded {
		t.Fatalf("build: %s %s", res.Status, res.Message)
	}
	e.fake.ResetCalls()
	a := observe(t, e.backend(t), repo)
	if m := mutating(e.fake.Calls()); len(m) != 0 {
		t.Errorf("Observe wrote: %s", formatCalls(m))
	}
	for _, o := range a.Resources {
		if !o.Exists {
			t.Errorf("%s %s: not found", o.Kind, o.Name)
		}
		if o.Have != o.Want {
			t.Errorf("%s %s: have %q, want %q", o.Kind, o.Name, o.Have, o.Want)
		}
		if !jsonEqual(o.Live, o.Desired) {
			t.Errorf("%s %s: live %v\ndesired %v", o.Kind, o.Name, o.Live, o.Desired)
		}
	}
	web := observed(t, a, recipes.KindImageRecipe, "web")
	if len(web.Images) != 1 || web.Images[0].State != backend.ImageAvailable || web.Images[0].Content != web.WantImage {
		t.Errorf("web images: %+v (want one available of content %s)", web.Images, web.WantImage)
	}
	if web.Images[0].RunURL != "https://github.com/acme/images/actions/runs/1" {
		t.Errorf("image run: %q", web.Images[0].RunURL)
	}
	if len(a.Untracked) != 0 || len(a.Problems) != 0 {
		t.Errorf("untracked %v, problems %v", a.Untracked, a.Problems)
	}
	if a.Reads != sum(e.fake.Calls()) {
		t.Errorf("Reads = %d, the fake counted %s", a.Reads, formatCalls(e.fake.Calls()))
	}
}

// sum counts the Image Builder calls (the STS identity call is once per
// backend, not per observation).
func sum(calls map[string]int) int {
	n := 0
	for op, c := range calls {
		if !strings.HasPrefix(op, "sts:") {
			n += c
		}
	}
	return n
}

// A schedule changed in the console shows as the live field differing; a
// resource with ibgitops' tags that no file defines is listed.
func TestObserveDriftAndUntracked(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(1)
	runBuild(t, e.backend(t), request(repo, "web", "web-pipeline"))
	b := e.backend(t)
	a := observe(t, b, repo)
	pipe := observed(t, a, recipes.KindPipeline, "web-pipeline")
	// The console edit: only the schedule.
	_, err := e.client().UpdateImagePipeline(context.Background(), &imagebuilder.UpdateImagePipelineInput{
		ImagePipelineArn: ptr(pipe.ID), ImageRecipeArn: ptr(pipe.Desired["imageRecipeArn"].(string)),
		InfrastructureConfigurationArn: ptr(pipe.Desired["infrastructureConfigurationArn"].(string)),
		DistributionConfigurationArn:   ptr(pipe.Desired["distributionConfigurationArn"].(string)),
		Schedule:                       &typesSchedule{ScheduleExpression: ptr("cron(0 4 ? * TUE *)"), PipelineExecutionStartCondition: "EXPRESSION_MATCH_ONLY"},
		ImageTestsConfiguration:        &typesTests{ImageTestsEnabled: ptr(true), TimeoutMinutes: ptr(int32(90))},
		Status:                         "ENABLED",
	})
	if err != nil {
		t.Fatal(err)
	}
	// Another repository's component: tagged, not in this repository.
	other := repoFixture(1)
	other.Components["left-over"] = other.Components["comp-1"]
	delete(other.Components, "comp-1")
	lo := *other.Components["left-over"]
	lo.Name = "left-over"
	other.Components["left-over"] = &lo
	if _, err := (&run{b: b, req: backend.Request{Repo: other, Provenance: backend.Provenance{Repository: "acme/old"}}, progress: func(backend.Event) {}}).ensureComponent(context.Background(), &lo); err != nil {
		t.Fatal(err)
	}
	a = observe(t, e.backend(t), repo)
	pipe = observed(t, a, recipes.KindPipeline, "web-pipeline")
	live, _ := pipe.Live["schedule"].(map[string]any)
	want, _ := pipe.Desired["schedule"].(map[string]any)
	if live["scheduleExpression"] != "cron(0 4 ? * TUE *)" || want["scheduleExpression"] != "cron(0 3 ? * MON *)" {
		t.Errorf("schedule: live %v, desired %v", live, want)
	}
	if len(a.Untracked) != 1 || a.Untracked[0].Name != "left-over" || a.Untracked[0].Repository != "acme/old" {
		t.Errorf("untracked: %+v", a.Untracked)
	}
}

// A resource the identity may not read is named with the permission it
// needs; the rest is still observed.
func TestObserveAccessDenied(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(1)
	runBuild(t, e.backend(t), request(repo, "web", "web-pipeline"))
	e.fake.SetFaults(ibfake.Faults{DenyOps: []string{"GetInfrastructureConfiguration"}})
	a := observe(t, e.backend(t), repo)
	if len(a.Problems) != 1 {
		t.Fatalf("problems: %+v", a.Problems)
	}
	p := a.Problems[0]
	if p.Kind != recipes.KindInfrastructure || p.Name != "build" || !strings.Contains(p.Message, "imagebuilder:GetInfrastructureConfiguration") {
		t.Errorf("problem: %+v", p)
	}
	observed(t, a, recipes.KindPipeline, "web-pipeline")
}

// A component version deleted between the List and the Get reads as
// absent, not as an error.
func TestObserveMissing(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(1)
	a := observe(t, e.backend(t), repo)
	for _, o := range a.Resources {
		if o.Exists {
			t.Errorf("%s %s exists in an empty account", o.Kind, o.Name)
		}
	}
	if len(a.Problems) != 0 {
		t.Errorf("problems: %+v", a.Problems)
	}
}

type (
	typesSchedule = types.Schedule
	typesTests    = types.ImageTestsConfiguration
)

// A field the file leaves out is no drift while the live value is the
// service's default (or an unset enum); any other live value is.
func TestComparableDefaults(t *testing.T) {
	desired := map[string]any{"imageRecipeArn": "arn:r"}
	tests := []struct {
		name  string
		live  any
		drift bool
	}{
		{"service default status", &types.ImagePipeline{ImageRecipeArn: ptr("arn:r"), Status: types.PipelineStatusEnabled, EnhancedImageMetadataEnabled: ptr(true)}, false},
		{"disabled in the console", &types.ImagePipeline{ImageRecipeArn: ptr("arn:r"), Status: types.PipelineStatusDisabled}, true},
		{"tests default", &types.ImagePipeline{ImageRecipeArn: ptr("arn:r"), ImageTestsConfiguration: &types.ImageTestsConfiguration{ImageTestsEnabled: ptr(true), TimeoutMinutes: ptr(int32(720))}}, false},
		{"tests shortened in the console", &types.ImagePipeline{ImageRecipeArn: ptr("arn:r"), ImageTestsConfiguration: &types.ImageTestsConfiguration{ImageTestsEnabled: ptr(true), TimeoutMinutes: ptr(int32(60))}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := normalise(recipes.KindPipeline, desired)
			if err != nil {
				t.Fatal(err)
			}
			live := comparable(recipes.KindPipeline, tc.live, d)
			if got := !jsonEqual(live, d); got != tc.drift {
				t.Errorf("drift = %v, want %v: live %v, desired %v", got, tc.drift, live, d)
			}
		})
	}
}

// deletingClient deletes a distribution configuration just before it is
// read: a resource deleted between the List and the Get.
type deletingClient struct {
	*imagebuilder.Client
	victim string
}

func (c deletingClient) GetDistributionConfiguration(ctx context.Context, in *imagebuilder.GetDistributionConfigurationInput, opts ...func(*imagebuilder.Options)) (*imagebuilder.GetDistributionConfigurationOutput, error) {
	if ptrValue(in.DistributionConfigurationArn) == c.victim {
		if _, err := c.Client.DeleteDistributionConfiguration(ctx, &imagebuilder.DeleteDistributionConfigurationInput{DistributionConfigurationArn: in.DistributionConfigurationArn}); err != nil {
			return nil, err
		}
	}
	return c.Client.GetDistributionConfiguration(ctx, in, opts...)
}

func ptrValue(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Throttling is retried; a resource deleted while it is read reads as
// absent with a note, not as an error.
func TestObserveThrottledAndDeletedMidRead(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(1)
	runBuild(t, e.backend(t), request(repo, "web", "web-pipeline"))
	repo.Distributions["spare"] = &recipes.Distribution{Meta: recipes.Meta{Kind: recipes.KindDistribution, Name: "spare", File: "distribution/spare.yaml"},
		Distributions: []map[string]any{{"region": "us-east-1"}}}
	b := e.backend(t)
	if _, err := b.ApplyMutable(context.Background(), backend.ApplyRequest{Repo: repo, Kind: recipes.KindDistribution, Name: "spare"}); err != nil {
		t.Fatal(err)
	}
	e.fake.SetFaults(ibfake.Faults{ThrottleNext: 3})
	victim := "arn:aws:imagebuilder:us-east-1:123456789012:distribution-configuration/spare"
	ob, err := New(context.Background(), Options{Region: "us-east-1", Client: deletingClient{e.client(), victim}, STS: e.sts()})
	if err != nil {
		t.Fatal(err)
	}
	a := observe(t, ob, repo)
	if len(a.Problems) != 0 {
		t.Errorf("problems: %+v", a.Problems)
	}
	spare := observed(t, a, recipes.KindDistribution, "spare")
	if spare.Exists || spare.Note != "deleted while it was read" {
		t.Errorf("spare: %+v", spare)
	}
	if web := observed(t, a, recipes.KindImageRecipe, "web"); len(web.Images) != 1 {
		t.Errorf("web after throttling: %+v", web)
	}
}
