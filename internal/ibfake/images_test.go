package ibfake

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

// seedPipeline creates a component, recipe, infrastructure, distribution
// and pipeline and returns the pipeline ARN.
func seedPipeline(t *testing.T, c *imagebuilder.Client) string {
	t.Helper()
	ctx := context.Background()
	comp, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("hello"), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux, Data: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("web"), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(al2023),
		Components: []types.ComponentConfiguration{{ComponentArn: comp.ComponentBuildVersionArn}}})
	if err != nil {
		t.Fatal(err)
	}
	infra, err := c.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("infra"), InstanceProfileName: aws.String("ImageBuilderRole")})
	if err != nil {
		t.Fatal(err)
	}
	dist, err := c.CreateDistributionConfiguration(ctx, &imagebuilder.CreateDistributionConfigurationInput{Name: aws.String("dist"),
		Distributions: []types.Distribution{{Region: aws.String("us-east-1")}, {Region: aws.String("eu-west-1")}}})
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := c.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{Name: aws.String("web-pipeline"), ImageRecipeArn: rec.ImageRecipeArn,
		InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn, DistributionConfigurationArn: dist.DistributionConfigurationArn})
	if err != nil {
		t.Fatal(err)
	}
	// Mutable resources depend on nothing deleting under them.
	if _, err := c.DeleteInfrastructureConfiguration(ctx, &imagebuilder.DeleteInfrastructureConfigurationInput{InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn}); apiCode(err) != "ResourceDependencyException" {
		t.Fatalf("delete used infrastructure: %v", err)
	}
	return aws.ToString(pipe.ImagePipelineArn)
}

func pollStates(t *testing.T, c *imagebuilder.Client, arn string) []types.ImageStatus {
	t.Helper()
	var seen []types.ImageStatus
	for range 20 {
		out, err := c.GetImage(context.Background(), &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		st := out.Image.State.Status
		seen = append(seen, st)
		if st == types.ImageStatusAvailable || st == types.ImageStatusFailed || st == types.ImageStatusCancelled {
			return seen
		}
	}
	t.Fatalf("image never settled: %v", seen)
	return nil
}

func TestPipelineRunToAvailable(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{}, 1)
	pipe := seedPipeline(t, c)
	run, err := c.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: aws.String(pipe), Tags: map[string]string{"ibgitops:commit": "abc"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(run.ImageBuildVersionArn)
	if !strings.HasSuffix(arn, ":image/web/1.0.0/1") {
		t.Fatalf("image arn %s", arn)
	}
	got := pollStates(t, c, arn)
	want := "CREATING BUILDING TESTING DISTRIBUTING INTEGRATING AVAILABLE"
	if s := strings.Join(statusStrings(got), " "); s != want {
		t.Fatalf("states %s, want %s", s, want)
	}
	img, err := c.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Image.OutputResources.Amis) != 2 || aws.ToString(img.Image.SourcePipelineName) != "web-pipeline" || img.Image.Tags["ibgitops:commit"] != "abc" {
		t.Fatalf("image = %+v", img.Image)
	}
	wf, err := c.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(arn)})
	if err != nil || len(wf.WorkflowExecutions) != 3 {
		t.Fatalf("workflows = %+v %v", wf, err)
	}
	for _, ex := range wf.WorkflowExecutions {
		if ex.Status != types.WorkflowExecutionStatusCompleted || ex.TotalStepsSucceeded != ex.TotalStepCount {
			t.Errorf("workflow %s %s: %d/%d", ex.Type, ex.Status, ex.TotalStepsSucceeded, ex.TotalStepCount)
		}
	}
	images, err := c.ListImagePipelineImages(ctx, &imagebuilder.ListImagePipelineImagesInput{ImagePipelineArn: aws.String(pipe)})
	if err != nil || len(images.ImageSummaryList) != 1 || images.ImageSummaryList[0].State.Status != types.ImageStatusAvailable {
		t.Fatalf("pipeline images = %+v %v", images, err)
	}
	versions, err := c.ListImages(ctx, &imagebuilder.ListImagesInput{})
	if err != nil || len(versions.ImageVersionList) != 1 || !strings.HasSuffix(aws.ToString(versions.ImageVersionList[0].Arn), "image/web/1.0.0") {
		t.Fatalf("ListImages = %+v %v", versions, err)
	}
	pl, err := c.GetImagePipeline(ctx, &imagebuilder.GetImagePipelineInput{ImagePipelineArn: aws.String(pipe)})
	if err != nil || pl.ImagePipeline.LastRunStatus != types.ImageStatusAvailable {
		t.Fatalf("pipeline = %+v %v", pl, err)
	}
}

func statusStrings(list []types.ImageStatus) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = string(s)
	}
	return out
}

func TestBuildFailsAtChosenStep(t *testing.T) {
	ctx := context.Background()
	fake, c := newFake(t, Options{}, 1)
	pipe := seedPipeline(t, c)
	fake.SetFaults(Faults{FailStep: "RunTestComponents", FailReason: "test hello failed: exit status 3"})
	run, err := c.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: aws.String(pipe)})
	if err != nil {
		t.Fatal(err)
	}
	states := pollStates(t, c, aws.ToString(run.ImageBuildVersionArn))
	if states[len(states)-1] != types.ImageStatusFailed {
		t.Fatalf("states %v", states)
	}
	img, _ := c.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: run.ImageBuildVersionArn})
	if reason := aws.ToString(img.Image.State.Reason); !strings.Contains(reason, "RunTestComponents") || !strings.Contains(reason, "exit status 3") {
		t.Fatalf("reason %q", reason)
	}
	wf, _ := c.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: run.ImageBuildVersionArn})
	var failed *types.WorkflowExecutionMetadata
	for i := range wf.WorkflowExecutions {
		if wf.WorkflowExecutions[i].Status == types.WorkflowExecutionStatusFailed {
			failed = &wf.WorkflowExecutions[i]
		}
	}
	if failed == nil || failed.Type != types.WorkflowTypeTest {
		t.Fatalf("no failed test workflow in %+v", wf.WorkflowExecutions)
	}
	steps, err := c.ListWorkflowStepExecutions(ctx, &imagebuilder.ListWorkflowStepExecutionsInput{WorkflowExecutionId: failed.WorkflowExecutionId})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps.Steps {
		got = append(got, aws.ToString(s.Name)+"="+string(s.Status))
	}
	if strings.Join(got, " ") != "LaunchTestInstance=COMPLETED RunTestComponents=FAILED TerminateTestInstance=SKIPPED" {
		t.Fatalf("steps %v", got)
	}
}

func TestCancelImageCreation(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{PollsPerState: 100}, 1)
	pipe := seedPipeline(t, c)
	run, err := c.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: aws.String(pipe)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: run.ImageBuildVersionArn}); err != nil {
		t.Fatal(err)
	}
	img, _ := c.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: run.ImageBuildVersionArn})
	if img.Image.State.Status != types.ImageStatusCancelled {
		t.Fatalf("status %s", img.Image.State.Status)
	}
	if _, err := c.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: run.ImageBuildVersionArn}); apiCode(err) != "ResourceInUseException" {
		t.Fatalf("second cancel: %v", err)
	}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	fake, c := newFake(t, Options{}, 1)
	fake.SetFaults(Faults{ThrottleNext: 2, Ops: []string{"ListComponents"}})
	for i, want := range []string{"CallRateLimitExceededException", "CallRateLimitExceededException", ""} {
		_, err := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{})
		if apiCode(err) != want {
			t.Fatalf("call %d: %v, want %q", i, err, want)
		}
	}
	if _, err := c.ListImages(ctx, &imagebuilder.ListImagesInput{}); err != nil {
		t.Fatalf("other operation throttled: %v", err)
	}
	fake.SetFaults(Faults{ServerErrorNext: 1})
	_, err := c.ListImages(ctx, &imagebuilder.ListImagesInput{})
	if apiCode(err) != "ServiceException" {
		t.Fatalf("5xx: %v", err)
	}
	fake.SetFaults(Faults{DenyOps: []string{"ListImages"}})
	if _, err := c.ListImages(ctx, &imagebuilder.ListImagesInput{}); apiCode(err) != "AccessDeniedException" {
		t.Fatalf("deny: %v", err)
	}
	fake.SetFaults(Faults{Latency: 80 * time.Millisecond, Ops: []string{"ListImages"}})
	start := time.Now()
	if _, err := c.ListImages(ctx, &imagebuilder.ListImagesInput{}); err != nil || time.Since(start) < 80*time.Millisecond {
		t.Fatalf("latency: %v after %v", err, time.Since(start))
	}
	// The standard retryer alone does not retry Image Builder's throttling.
	fake2, retrying := newFake(t, Options{}, 5)
	fake2.SetFaults(Faults{ThrottleNext: 3})
	if _, err := retrying.ListImages(ctx, &imagebuilder.ListImagesInput{}); apiCode(err) != "CallRateLimitExceededException" {
		t.Fatalf("the SDK's standard retryer does not retry CallRateLimitExceededException, yet got %v", err)
	}
	if got := fake2.Calls()["ListImages"]; got != 1 {
		t.Fatalf("standard retryer made %d calls, want 1 (no retry on 429)", got)
	}
}

// TestAWSCLI checks the fake with a client no one here wrote: the aws CLI.
func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the aws CLI check starts python several times")
	}
	awsBin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not installed: apt-get install awscli to run this check")
	}
	_, c := newFake(t, Options{}, 1)
	pipe := seedPipeline(t, c)
	srv := c.Options().BaseEndpoint
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(awsBin, append([]string{"imagebuilder"}, append(args, "--endpoint-url", aws.ToString(srv), "--region", "us-east-1", "--output", "json")...)...)
		cmd.Env = []string{"AWS_ACCESS_KEY_ID=AKIDFAKE", "AWS_SECRET_ACCESS_KEY=secretfake", "HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := run("list-components"); !strings.Contains(out, `"arn": "arn:aws:imagebuilder:us-east-1:123456789012:component/hello/1.0.0"`) {
		t.Errorf("list-components:\n%s", out)
	}
	if out := run("get-image-pipeline", "--image-pipeline-arn", pipe); !strings.Contains(out, `"name": "web-pipeline"`) {
		t.Errorf("get-image-pipeline:\n%s", out)
	}
	out := run("start-image-pipeline-execution", "--image-pipeline-arn", pipe)
	if !strings.Contains(out, "image/web/1.0.0/1") {
		t.Fatalf("start:\n%s", out)
	}
	if out := run("tag-resource", "--resource-arn", pipe, "--tags", "team=platform"); strings.TrimSpace(out) != "" {
		t.Errorf("tag-resource printed %s", out)
	}
	if out := run("list-tags-for-resource", "--resource-arn", pipe); !strings.Contains(out, `"team": "platform"`) {
		t.Errorf("list-tags:\n%s", out)
	}
	cmd := exec.Command(awsBin, "imagebuilder", "get-component", "--component-build-version-arn", "arn:aws:imagebuilder:us-east-1:123456789012:component/nope/1.0.0/1",
		"--endpoint-url", aws.ToString(srv), "--region", "us-east-1")
	cmd.Env = []string{"AWS_ACCESS_KEY_ID=AKIDFAKE", "AWS_SECRET_ACCESS_KEY=secretfake", "HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
	errOut, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(errOut), "ResourceNotFoundException") {
		t.Errorf("get-component of a missing ARN: %v\n%s", err, errOut)
	}
}

// TestFirstAttemptsLeaveOutRetries: a request the SDK sends again after a
// 500 counts in Calls twice and in FirstAttempts once (the SDK numbers
// its attempts in the Amz-Sdk-Request header).
func TestFirstAttemptsLeaveOutRetries(t *testing.T) {
	fake, c := newFake(t, Options{}, 5)
	fake.SetFaults(Faults{ServerErrorNext: 1, Ops: []string{"ListImages"}})
	if _, err := c.ListImages(context.Background(), &imagebuilder.ListImagesInput{}); err != nil {
		t.Fatalf("the standard retryer retries a 500: %v", err)
	}
	if calls, first := fake.Calls()["ListImages"], fake.FirstAttempts()["ListImages"]; calls != 2 || first != 1 {
		t.Errorf("ListImages: %d requests, %d first attempts; want 2 and 1", calls, first)
	}
}
