package aws

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/backend/backendtest"
)

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, root string) backendtest.Target {
		// The suite's recipes build on an AMI of the account.
		e := newEnv(t, ibfake.Options{AMIs: []string{"ami-0123456789abcdef0"}})
		return backendtest.Target{
			Backend:        e.backend(t),
			Timeout:        time.Minute,
			CoarseFailures: true,
			// The fake's images move by polls: BUILDING is the slow step.
			CancelAfter: 10 * time.Millisecond,
			Leftovers: func(ctx context.Context) ([]string, error) {
				out, err := e.client().ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{})
				if err != nil {
					return nil, err
				}
				var left []string
				for _, img := range out.ImageSummaryList {
					if !terminal(img.State.Status) {
						left = append(left, aws.ToString(img.Arn)+" "+string(img.State.Status))
					}
				}
				return left, nil
			},
		}
	})
}

func TestCreateThenReuseThenRefuse(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(3)
	res, rec := runBuild(t, e.backend(t), request(repo, "web", "web-pipeline"))
	if res.Status != backend.StatusSucceeded {
		t.Fatalf("first build: %+v\n%s", res, rec.text())
	}
	want := "CreateComponent=3 CreateDistributionConfiguration=1 CreateImagePipeline=1 CreateImageRecipe=1 CreateInfrastructureConfiguration=1 StartImagePipelineExecution=1"
	if got := formatCalls(mutating(e.fake.Calls())); got != want {
		t.Errorf("first build mutations:\n got %s\nwant %s", got, want)
	}
	if !strings.HasSuffix(res.Image, ":image/web/1.0.0/1") || res.BuildNumber != 1 || len(res.Outputs) != 2 {
		t.Errorf("result image %q build %d outputs %v", res.Image, res.BuildNumber, res.Outputs)
	}
	// Provenance on what was created.
	c := e.client()
	tags, err := c.ListTagsForResource(context.Background(), &imagebuilder.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:component/comp-1/1.0.0/1")})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{TagCommit: "0123456789abcdef0123456789abcdef01234567", TagRepository: "https://github.com/acme/images",
		TagRunURL: "https://github.com/acme/images/actions/runs/1", TagTool: "v0.0.0-test", TagContentHash: repo.Components["comp-1"].ContentHash} {
		if tags.Tags[k] != v {
			t.Errorf("component tag %s = %q, want %q", k, tags.Tags[k], v)
		}
	}
	img, err := c.GetImage(context.Background(), &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(res.Image)})
	if err != nil || img.Image.Tags[TagCommit] == "" || img.Image.Tags[TagBuildHash] == "" {
		t.Fatalf("image provenance tags: %v %v", img, err)
	}

	// Re-run, same commit, a new process: nothing created, skipped.
	e.fake.ResetCalls()
	again, rec := runBuild(t, e.backend(t), request(repo, "web", "web-pipeline"))
	if again.Status != backend.StatusSkipped || again.Image != res.Image || !strings.Contains(again.Message, "already exists") {
		t.Fatalf("re-run: %+v\n%s", again, rec.text())
	}
	if m := mutating(e.fake.Calls()); len(m) != 0 {
		t.Errorf("re-run made mutating calls: %s", formatCalls(m))
	}

	// Same version, other content: refused, with the file and the fix.
	changed := repoFixture(3)
	changed.Components["comp-2"].Data += "# changed\n"
	changed.Components["comp-2"].ContentHash = sha(changed.Components["comp-2"].Data)
	e.fake.ResetCalls()
	refused, _ := runBuild(t, e.backend(t), request(changed, "web", "web-pipeline"))
	if refused.Status != backend.StatusFailed || !strings.Contains(refused.Message, "components/comp-2.yaml:3") || !strings.Contains(refused.Message, "raise the version") {
		t.Fatalf("changed content, same version: %+v", refused)
	}
	if m := mutating(e.fake.Calls()); len(m) != 0 {
		t.Errorf("a refused build made mutating calls: %s", formatCalls(m))
	}

	// Raised version: the new component version and a new recipe version.
	changed.Components["comp-2"].Version = "1.0.1"
	changed.ImageRecipes["web"].Version = "1.1.0"
	changed.ImageRecipes["web"].ContentHash = sha("web 1.1.0 content")
	e.fake.ResetCalls()
	bumped, rec := runBuild(t, e.backend(t), request(changed, "web", "web-pipeline"))
	if bumped.Status != backend.StatusSucceeded || !strings.HasSuffix(bumped.Image, ":image/web/1.1.0/1") {
		t.Fatalf("bumped: %+v\n%s", bumped, rec.text())
	}
	want = "CreateComponent=1 CreateImageRecipe=1 StartImagePipelineExecution=1 TagResource=1 UpdateImagePipeline=1"
	if got := formatCalls(mutating(e.fake.Calls())); got != want {
		t.Errorf("bumped mutations:\n got %s\nwant %s", got, want)
	}
	pl, err := c.GetImagePipeline(context.Background(), &imagebuilder.GetImagePipelineInput{ImagePipelineArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/web-pipeline")})
	if err != nil || !strings.HasSuffix(aws.ToString(pl.ImagePipeline.ImageRecipeArn), "image-recipe/web/1.1.0") || pl.ImagePipeline.Schedule == nil ||
		aws.ToString(pl.ImagePipeline.Schedule.ScheduleExpression) != "cron(0 3 ? * MON *)" || aws.ToInt32(pl.ImagePipeline.ImageTestsConfiguration.TimeoutMinutes) != 90 {
		t.Fatalf("pipeline after update: %+v %v", pl, err)
	}
}

func TestMutableUpdate(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(1)
	if res, rec := runBuild(t, e.backend(t), request(repo, "web", "web-pipeline")); res.Status != backend.StatusSucceeded {
		t.Fatalf("%+v\n%s", res, rec.text())
	}
	repo.Infrastructures["build"].Spec["instanceTypes"] = []any{"c6i.large"}
	e.fake.ResetCalls()
	res, rec := runBuild(t, e.backend(t), request(repo, "web", "web-pipeline"))
	if res.Status != backend.StatusSucceeded || res.BuildNumber != 2 {
		t.Fatalf("after infrastructure change: %+v\n%s", res, rec.text())
	}
	want := "StartImagePipelineExecution=1 TagResource=1 UpdateInfrastructureConfiguration=1"
	if got := formatCalls(mutating(e.fake.Calls())); got != want {
		t.Errorf("mutations:\n got %s\nwant %s", got, want)
	}
	inf, err := e.client().GetInfrastructureConfiguration(context.Background(), &imagebuilder.GetInfrastructureConfigurationInput{
		InfrastructureConfigurationArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/build")})
	if err != nil || inf.InfrastructureConfiguration.InstanceTypes[0] != "c6i.large" || inf.InfrastructureConfiguration.Tags[TagContentHash] == "" {
		t.Fatalf("infrastructure after update: %+v %v", inf, err)
	}
}

func TestPipelineRunProgress(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	res, rec := runBuild(t, e.backend(t), request(repoFixture(2), "web", "web-pipeline"))
	if res.Status != backend.StatusSucceeded {
		t.Fatalf("%+v", res)
	}
	log := rec.text()
	for _, want := range []string{
		"[apply] CreateComponent comp-1@1.0.0",
		"[start] pipeline web-pipeline: StartImagePipelineExecution pipeline=web-pipeline started image arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0/1",
		"[build] pipeline web-pipeline: image arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0/1 is BUILDING",
		"[build] pipeline web-pipeline: BUILD step ApplyBuildComponents COMPLETED",
		"[test] pipeline web-pipeline: TEST step RunTestComponents COMPLETED",
		"[distribute] pipeline web-pipeline: DISTRIBUTION step DistributeImage COMPLETED",
		"is AVAILABLE",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("progress lacks %q:\n%s", want, log)
		}
	}
	if len(res.Steps) != 7 || len(res.Tests) != 3 {
		t.Errorf("steps %d tests %d, want 7 and 3: %+v", len(res.Steps), len(res.Tests), res)
	}
}

func TestFailureAtStep(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	e.fake.SetFaults(ibfake.Faults{FailStep: "CreateOutputAMI", FailReason: "Snapshot quota reached for the account"})
	res, _ := runBuild(t, e.backend(t), request(repoFixture(1), "web", "web-pipeline"))
	if res.Status != backend.StatusFailed {
		t.Fatalf("%+v", res)
	}
	for _, want := range []string{"FAILED at BUILD step CreateOutputAMI", "Snapshot quota reached", "CloudWatch log group /aws/imagebuilder/web", "stream 1.0.0/1", "s3://build-logs/ib/"} {
		if !strings.Contains(res.Message, want) {
			t.Errorf("message lacks %q: %s", want, res.Message)
		}
	}
	if !strings.Contains(res.LogURL, "console.aws.amazon.com/cloudwatch") || res.Image != "" {
		t.Errorf("log URL %q image %q", res.LogURL, res.Image)
	}
	// A failed image is no reason to skip: the next run builds again.
	e.fake.SetFaults(ibfake.Faults{})
	again, _ := runBuild(t, e.backend(t), request(repoFixture(1), "web", "web-pipeline"))
	if again.Status != backend.StatusSucceeded || again.BuildNumber != 2 {
		t.Fatalf("after a failure: %+v", again)
	}
}

func TestComponentFailureNamesComponentAndStep(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(2)
	bad := strings.Replace(repo.Components["comp-2"].Data, `commands: ["true"]`, `commands: ["echo checking port 80", "exit 7"]`, 1)
	repo.Components["comp-2"].Data, repo.Components["comp-2"].ContentHash = bad, sha(bad)
	res, _ := runBuild(t, e.backend(t), request(repo, "web", "web-pipeline"))
	if res.Status != backend.StatusFailed {
		t.Fatalf("%+v", res)
	}
	var found *backend.StepResult
	for i := range res.Tests {
		if res.Tests[i].Component != "" {
			found = &res.Tests[i]
		}
	}
	if found == nil || found.Component != "comp-2" || found.Step != "Check" || found.Phase != "test" || found.ExitCode != 7 || !strings.Contains(found.LogTail, "checking port 80") {
		t.Fatalf("failing component step = %+v; tests %+v", found, res.Tests)
	}
	if !strings.Contains(res.Message, "TEST step RunTestComponents") {
		t.Errorf("message %s", res.Message)
	}
}

func TestThrottlingStormAndServerErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults ibfake.Faults
	}{
		{"every third call throttled", ibfake.Faults{ThrottleEvery: 3}},
		{"burst of 6 throttles", ibfake.Faults{ThrottleNext: 6}},
		{"rate limit", ibfake.Faults{RateLimit: 200}},
		{"5xx burst", ibfake.Faults{ServerErrorNext: 4}},
		{"503 burst", ibfake.Faults{UnavailableNext: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, ibfake.Options{})
			e.fake.SetFaults(tc.faults)
			res, rec := runBuild(t, e.backend(t), request(repoFixture(3), "web", "web-pipeline"))
			if res.Status != backend.StatusSucceeded {
				t.Fatalf("%+v\n%s", res, rec.text())
			}
			// Retries reuse the client token: still one of everything.
			want := "CreateComponent=3 CreateDistributionConfiguration=1 CreateImagePipeline=1 CreateImageRecipe=1 CreateInfrastructureConfiguration=1 StartImagePipelineExecution=1"
			out, err := e.client().ListComponentBuildVersions(context.Background(), &imagebuilder.ListComponentBuildVersionsInput{ComponentVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:component/comp-1/1.0.0")})
			if err != nil || len(out.ComponentSummaryList) != 1 {
				t.Fatalf("component builds after retries: %v %v", out, err)
			}
			if got := formatCalls(mutating(e.fake.Calls())); tc.faults.ThrottleNext > 0 && !strings.Contains(got, "CreateComponent=") {
				t.Errorf("calls %s (want %s plus retries)", got, want)
			}
		})
	}
}

func TestThrottlingBeyondRetriesSaysWhatToDo(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	e.fake.SetFaults(ibfake.Faults{ThrottleNext: 1000, Ops: []string{"CreateImageRecipe"}})
	_, err := e.backend(t).Build(context.Background(), request(repoFixture(1), "web", "web-pipeline"), nil)
	if err == nil || !strings.Contains(err.Error(), "kept throttling CreateImageRecipe") || !strings.Contains(err.Error(), "re-run later") {
		t.Fatalf("err = %v", err)
	}
	if n := e.fake.Calls()["CreateImageRecipe"]; n != 10 {
		t.Errorf("CreateImageRecipe attempts = %d, want 10", n)
	}
}

func TestCancelOnContextCancel(t *testing.T) {
	e := newEnv(t, ibfake.Options{PollsPerState: 1_000_000})
	b := e.backend(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{}
	res, err := b.Build(ctx, request(repoFixture(1), "web", "web-pipeline"), func(ev backend.Event) {
		rec.add(ev)
		if ev.Stage == "start" {
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// It says what it cancelled and what stays.
	for _, want := range []string{
		"cancelled the image build(s) this run started (CancelImageCreation sent, nothing distributed): arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0/1",
		"kept in Image Builder (the next run reuses them): CreateComponent comp-1@1.0.0, CreateImageRecipe web@1.0.0, CreateInfrastructureConfiguration build, CreateDistributionConfiguration two-regions, CreateImagePipeline web-pipeline",
	} {
		if res.Status != backend.StatusCancelled || !strings.Contains(res.Message, want) {
			t.Fatalf("%s %q, want cancelled saying %q", res.Status, res.Message, want)
		}
	}
	img, err := e.client().GetImage(context.Background(), &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0/1")})
	if err != nil || img.Image.State.Status != types.ImageStatusCancelled {
		t.Fatalf("image after cancel: %v %v", img, err)
	}
	if !strings.Contains(rec.text(), "[cancelled] pipeline web-pipeline: cancelled image") {
		t.Errorf("progress does not say it cancelled:\n%s", rec.text())
	}
	if err := b.Cleanup(context.Background()); err != nil {
		t.Errorf("Cleanup after cancel: %v", err)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	req := request(repoFixture(2), "web", "web-pipeline")
	req.DryRun = true
	res, rec := runBuild(t, e.backend(t), req)
	if m := mutating(e.fake.Calls()); len(m) != 0 {
		t.Fatalf("dry run made mutating calls: %s", formatCalls(m))
	}
	var planned []string
	for _, s := range res.Steps {
		planned = append(planned, s.Step)
	}
	want := []string{"CreateComponent comp-1@1.0.0", "CreateComponent comp-2@1.0.0", "CreateImageRecipe web@1.0.0",
		"CreateInfrastructureConfiguration build", "CreateDistributionConfiguration two-regions", "CreateImagePipeline web-pipeline", "StartImagePipelineExecution pipeline=web-pipeline"}
	if strings.Join(planned, "\n") != strings.Join(want, "\n") {
		t.Fatalf("planned calls:\n%s\nwant:\n%s", strings.Join(planned, "\n"), strings.Join(want, "\n"))
	}
	if res.Status != backend.StatusSkipped || !strings.Contains(res.Message, "dry run: would make 7 call(s), changed nothing") || !strings.Contains(rec.text(), "[dry-run] would call CreateComponent comp-1@1.0.0") {
		t.Fatalf("%+v\n%s", res, rec.text())
	}
	// After a real build, a dry run of the same has nothing to do.
	req.DryRun = false
	runBuild(t, e.backend(t), req)
	req.DryRun = true
	e.fake.ResetCalls()
	res, _ = runBuild(t, e.backend(t), req)
	if len(mutating(e.fake.Calls())) != 0 || res.Status != backend.StatusSkipped || len(res.Steps) != 0 {
		t.Fatalf("dry run after build: %+v calls %s", res, formatCalls(e.fake.Calls()))
	}
}

func TestCreateImageWithoutPipeline(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(1)
	res, rec := runBuild(t, e.backend(t), request(repo, "web"))
	if res.Status != backend.StatusSucceeded {
		t.Fatalf("%+v\n%s", res, rec.text())
	}
	calls := mutating(e.fake.Calls())
	if calls["CreateImage"] != 1 || calls["CreateImagePipeline"] != 0 || !strings.Contains(rec.text(), "(pipeline web-pipeline)") {
		t.Fatalf("calls %s\n%s", formatCalls(calls), rec.text())
	}
	// No pipeline and two infrastructure configurations: a clear refusal.
	repo2 := repoFixture(1)
	delete(repo2.Pipelines, "web-pipeline")
	repo2.Infrastructures["other"] = repo2.Infrastructures["build"]
	res, _ = runBuild(t, newEnv(t, ibfake.Options{}).backend(t), request(repo2, "web"))
	if res.Status != backend.StatusFailed || !strings.Contains(res.Message, "built by no pipeline") || !strings.Contains(res.Message, "recipes/web.yaml:3") {
		t.Fatalf("%+v", res)
	}
}

func TestBadInputErrors(t *testing.T) {
	cases := []struct {
		name   string
		faults ibfake.Faults
		tweak  func(*backendRequest)
		want   []string
	}{
		{"access denied", ibfake.Faults{DenyOps: []string{"CreateComponent"}}, nil, []string{"access denied", "imagebuilder:CreateComponent", "components/comp-1.yaml:3"}},
		{"quota exceeded", ibfake.Faults{QuotaExceededOps: []string{"StartImagePipelineExecution"}}, nil, []string{"quota exceeded", "Service Quotas"}},
		{"missing ARN", ibfake.Faults{}, func(r *backendRequest) {
			r.Repo.ImageRecipes["web"].Components = append(r.Repo.ImageRecipes["web"].Components, componentRef("arn:aws:imagebuilder:us-east-1:123456789012:component/missing/1.0.0/1"))
		}, []string{"CreateImageRecipe", "component/missing/1.0.0/1", "does not exist"}},
		{"unknown pipeline", ibfake.Faults{}, func(r *backendRequest) { r.Pipelines = []string{"nope"} }, []string{`pipeline "nope" is not in the repository`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, ibfake.Options{})
			e.fake.SetFaults(tc.faults)
			req := request(repoFixture(1), "web", "web-pipeline")
			if tc.tweak != nil {
				tc.tweak(&req)
			}
			_, err := e.backend(t).Build(context.Background(), req, nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
		})
	}
}

func TestIdentityErrors(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	e.fake.SetFaults(ibfake.Faults{})
	b, err := New(context.Background(), Options{Region: "us-east-1", Client: e.client(), STS: failingSTS{}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Build(context.Background(), request(repoFixture(1), "web"), nil)
	if err == nil || !strings.Contains(err.Error(), "identify the AWS account") || !strings.Contains(err.Error(), "AWS rejected the credentials") {
		t.Fatalf("err = %v", err)
	}
	if errors.Is(err, context.Canceled) {
		t.Fatal("not a cancellation")
	}
}

// TestLaterComponentBuildIsSameVersion: since November 2025 anyone who
// creates an existing component version again makes its next build; the
// recipe that uses build 1 still matches the version.
func TestLaterComponentBuildIsSameVersion(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(2)
	if res, rec := runBuild(t, e.backend(t), request(repo, "web", "web-pipeline")); res.Status != backend.StatusSucceeded {
		t.Fatalf("%+v\n%s", res, rec.text())
	}
	c := repo.Components["comp-1"]
	out, err := e.client().CreateComponent(context.Background(), &imagebuilder.CreateComponentInput{Name: aws.String(c.Name), SemanticVersion: aws.String(c.Version),
		Platform: types.PlatformLinux, Data: aws.String(c.Data), Tags: map[string]string{TagContentHash: c.ContentHash}})
	if err != nil || !strings.HasSuffix(aws.ToString(out.ComponentBuildVersionArn), "/comp-1/1.0.0/2") {
		t.Fatalf("second build: %v %v", out, err)
	}
	e.fake.ResetCalls()
	res, rec := runBuild(t, e.backend(t), request(repo, "web", "web-pipeline"))
	if res.Status != backend.StatusSkipped || len(mutating(e.fake.Calls())) != 0 {
		t.Fatalf("%+v calls %s\n%s", res, formatCalls(e.fake.Calls()), rec.text())
	}
}
