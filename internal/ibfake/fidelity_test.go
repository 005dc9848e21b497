package ibfake

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

// TestListByName: ListComponents lists one row per semantic version, and
// with byName one per name, the newest version.
func TestListByName(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{}, 1)
	for _, v := range []struct{ name, version string }{{"alpha", "1.0.0"}, {"alpha", "1.10.0"}, {"alpha", "1.2.0"}, {"beta", "2.0.0"}, {"beta", "2.0.0"}} {
		if _, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String(v.name), SemanticVersion: aws.String(v.version), Platform: types.PlatformLinux, Data: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	rows := func(byName bool) string {
		out, err := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{ByName: byName})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range out.ComponentVersionList {
			got = append(got, aws.ToString(v.Name)+"@"+aws.ToString(v.Version))
		}
		return strings.Join(got, " ")
	}
	if got, want := rows(false), "alpha@1.0.0 alpha@1.10.0 alpha@1.2.0 beta@2.0.0"; got != want {
		t.Errorf("ListComponents: %s, want %s (sorted by ARN, one row per version)", got, want)
	}
	if got, want := rows(true), "alpha@1.10.0 beta@2.0.0"; got != want {
		t.Errorf("ListComponents byName: %s, want %s (the newest version of each name)", got, want)
	}
}

// TestPipelineSchedule: Create and UpdateImagePipeline refuse the schedule
// expressions the service refuses, with the member named.
func TestPipelineSchedule(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{}, 1)
	p := seededPipeline(t, c)
	cases := []struct {
		expr string
		ok   bool
	}{
		{"cron(0 3 ? * MON *)", true},
		{"cron(0 0 * * ? *)", true},
		{"cron(30 22 ? * tue#2 *)", true},
		{"rate(1 day)", true},
		{"cron(0 0 * * *)", false},     // the old five-field form
		{"cron(0 0 * * MON *)", false}, // neither day field is ?
		{"cron(0 0 ? * ? *)", false},   // both are
		{"cron(61 0 ? * MON *)", false},
		{"every monday", false},
		{"rate(2 day)", false},
	}
	for i, tc := range cases {
		sched := &types.Schedule{ScheduleExpression: aws.String(tc.expr)}
		_, cerr := c.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{Name: aws.String("sched-" + string(rune('a'+i))), ImageRecipeArn: p.ImageRecipeArn,
			InfrastructureConfigurationArn: p.InfrastructureConfigurationArn, Schedule: sched})
		_, uerr := c.UpdateImagePipeline(ctx, &imagebuilder.UpdateImagePipelineInput{ImagePipelineArn: p.Arn, ImageRecipeArn: p.ImageRecipeArn,
			InfrastructureConfigurationArn: p.InfrastructureConfigurationArn, Schedule: sched})
		for op, err := range map[string]error{"CreateImagePipeline": cerr, "UpdateImagePipeline": uerr} {
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s %q: %v, want accepted", op, tc.expr, err)
			case !tc.ok && (apiCode(err) != "InvalidParameterValueException" || !strings.Contains(err.Error(), "schedule.scheduleExpression")):
				t.Errorf("%s %q: %v, want InvalidParameterValueException naming schedule.scheduleExpression", op, tc.expr, err)
			}
		}
	}
}

// TestParentImages: a recipe builds only on a parent the account can see:
// an AWS-managed image (by ARN, its AMI or a public SSM parameter), an
// AMI or parameter registered in Options, or an image this account built
// (AVAILABLE); anything else is refused naming parentImage.
func TestParentImages(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{AMIs: []string{"ami-0aaaaaaaaaaaaaaaa"}, SSMParameters: map[string]string{"/golden/base": "ami-0aaaaaaaaaaaaaaaa"}}, 1)
	managed, err := c.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(al2023)})
	if err != nil {
		t.Fatalf("GetImage of the managed parent: %v", err)
	}
	managedAMI := aws.ToString(managed.Image.OutputResources.Amis[0].Image)
	// An image of this account, built to AVAILABLE, whose AMI is then known.
	pipe := seedPipeline(t, c)
	run, err := c.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: aws.String(pipe)})
	if err != nil {
		t.Fatal(err)
	}
	built := aws.ToString(run.ImageBuildVersionArn)
	inFlight := func() string {
		t.Helper()
		again, err := c.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: aws.String(pipe)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(again.ImageBuildVersionArn)
	}()
	pollStates(t, c, built)
	img, err := c.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(built)})
	if err != nil {
		t.Fatal(err)
	}
	builtAMI := aws.ToString(img.Image.OutputResources.Amis[0].Image)

	cases := []struct {
		parent    string
		container bool
		want      string // "" accepted, else in the error
	}{
		{al2023, false, ""},
		{"arn:aws:imagebuilder:us-east-1:aws:image/ubuntu-server-22-lts-x86/x.x.x", false, ""},
		{"arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/2025.x.x", false, ""},
		{"arn:aws:imagebuilder:us-east-1:aws:image/no-such-os/x.x.x", false, "does not exist or is not shared"},
		{"arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.2.x", false, "semantic version"},
		{managedAMI, false, ""},
		{builtAMI, false, ""},
		{"ami-0aaaaaaaaaaaaaaaa", false, ""},
		{"ami-0123456789abcdef0", false, "The AMI 'ami-0123456789abcdef0' does not exist"},
		{"ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", false, ""},
		{"ssm:arn:aws:ssm:us-east-1::parameter/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id", false, ""},
		{"ssm:/golden/base", false, ""},
		{"ssm:/golden/missing", false, "SSM parameter '/golden/missing' does not exist"},
		{"arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0", false, ""},
		{"arn:aws:imagebuilder:us-east-1:123456789012:image/web/x.x.x", false, ""},
		{"arn:aws:imagebuilder:us-east-1:123456789012:image/base-linux/1.0.0", false, "no image of that recipe version was built"},
		{inFlight, false, "a parent image must be AVAILABLE"},
		{"arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/web/1.0.0", false, "not an Image Builder image ARN"},
		{"amazonlinux:2023", false, "not an AMI id, an image ARN or an ssm: parameter"},
		{"amazonlinux:2023", true, ""},
		{al2023, true, ""},
		{managedAMI, true, "does not exist"},
	}
	for i, tc := range cases {
		name := aws.String(fmt.Sprintf("child-%d", i))
		var err error
		if tc.container {
			_, err = c.CreateContainerRecipe(ctx, &imagebuilder.CreateContainerRecipeInput{Name: name, SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(tc.parent),
				ContainerType: types.ContainerTypeDocker, DockerfileTemplateData: aws.String("FROM {{{ imagebuilder:parentImage }}}"),
				TargetRepository: &types.TargetContainerRepository{Service: types.ContainerRepositoryServiceEcr, RepositoryName: aws.String("app")}})
		} else {
			_, err = c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: name, SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(tc.parent)})
		}
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("parent %s (container %v): %v, want accepted", tc.parent, tc.container, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "parentImage")):
			t.Errorf("parent %s (container %v): %v, want an error naming parentImage with %q", tc.parent, tc.container, err, tc.want)
		}
	}
}

// TestManagedComponents: AWS-managed components are listed with owner
// Amazon and may be used in a recipe; an unknown one is refused.
func TestManagedComponents(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{}, 1)
	list, err := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{Owner: types.OwnershipAmazon})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range list.ComponentVersionList {
		if aws.ToString(v.Name) == "update-linux" && strings.HasPrefix(aws.ToString(v.Arn), "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/") {
			found = true
		}
	}
	if !found {
		t.Errorf("ListComponents owner=Amazon has no update-linux: %+v", list.ComponentVersionList)
	}
	images, err := c.ListImages(ctx, &imagebuilder.ListImagesInput{Owner: types.OwnershipAmazon, ByName: true})
	if err != nil || len(images.ImageVersionList) < 5 {
		t.Fatalf("ListImages owner=Amazon: %v %v", images, err)
	}
	if self, _ := c.ListImages(ctx, &imagebuilder.ListImagesInput{}); len(self.ImageVersionList) != 0 {
		t.Errorf("ListImages (owner Self) of a new account lists %d images", len(self.ImageVersionList))
	}
	recipe := func(name, comp string) error {
		_, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String(name), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(al2023),
			Components: []types.ComponentConfiguration{{ComponentArn: aws.String(comp)}}})
		return err
	}
	if err := recipe("with-update", "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"); err != nil {
		t.Errorf("a recipe with the managed update-linux: %v", err)
	}
	if err := recipe("with-unknown", "arn:aws:imagebuilder:us-east-1:aws:component/no-such-component/x.x.x"); apiCode(err) != "InvalidParameterValueException" || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("a recipe with an unknown managed component: %v, want InvalidParameterValueException ... does not exist", err)
	}
}

// TestAMINameUnique: EC2 AMI names are unique per account and Region. A
// distribution with a fixed name distributes the first build and fails
// the next at DistributeImage with EC2's error; in a Region where the name
// carries {{ imagebuilder:buildDate }}, and for another name, builds go on.
func TestAMINameUnique(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{}, 1)
	p := seededPipeline(t, c)
	dist := func(name string, amiNames ...string) *string {
		var ds []types.Distribution
		for i, n := range amiNames {
			region := []string{"us-east-1", "eu-west-1"}[i]
			ds = append(ds, types.Distribution{Region: aws.String(region), AmiDistributionConfiguration: &types.AmiDistributionConfiguration{Name: aws.String(n)}})
		}
		out, err := c.CreateDistributionConfiguration(ctx, &imagebuilder.CreateDistributionConfigurationInput{Name: aws.String(name), Distributions: ds})
		if err != nil {
			t.Fatal(err)
		}
		return out.DistributionConfigurationArn
	}
	build := func(distArn *string) (types.ImageStatus, *types.Image) {
		t.Helper()
		out, err := c.CreateImage(ctx, &imagebuilder.CreateImageInput{ImageRecipeArn: p.ImageRecipeArn, InfrastructureConfigurationArn: p.InfrastructureConfigurationArn, DistributionConfigurationArn: distArn})
		if err != nil {
			t.Fatal(err)
		}
		states := pollStates(t, c, aws.ToString(out.ImageBuildVersionArn))
		img, err := c.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: out.ImageBuildVersionArn})
		if err != nil {
			t.Fatal(err)
		}
		return states[len(states)-1], img.Image
	}
	fixed := dist("fixed", "golden-base", "golden-{{ imagebuilder:buildDate }}")
	st, first := build(fixed)
	if st != types.ImageStatusAvailable || aws.ToString(first.OutputResources.Amis[0].Name) != "golden-base" {
		t.Fatalf("first build: %s %+v, want AVAILABLE with AMI golden-base", st, first.OutputResources)
	}
	st, second := build(fixed)
	reason := aws.ToString(second.State.Reason)
	if st != types.ImageStatusFailed || !strings.Contains(reason, "DistributeImage") || !strings.Contains(reason, "InvalidAMIName.Duplicate: AMI name golden-base is already in use by AMI "+aws.ToString(first.OutputResources.Amis[0].Image)) {
		t.Fatalf("second build with the same fixed name: %s %q, want FAILED at DistributeImage with InvalidAMIName.Duplicate", st, reason)
	}
	// Another fixed name is free; a name in another Region is another name.
	if st, _ := build(dist("other", "golden-other")); st != types.ImageStatusAvailable {
		t.Errorf("another fixed name: %s, want AVAILABLE", st)
	}
	if st, _ := build(dist("per-build", "golden-{{ imagebuilder:buildDate }}", "golden-base")); st != types.ImageStatusAvailable {
		t.Errorf("golden-base in eu-west-1 only, per-build name in us-east-1: %s, want AVAILABLE", st)
	}
}

// TestLoseResponses: the fault applies the write, then loses the answer
// (a 500, or a dropped connection); the same call with the same token
// then answers what the write made, and only once per operation.
func TestLoseResponses(t *testing.T) {
	for _, drop := range []bool{false, true} {
		fake, c := newFake(t, Options{}, 1)
		ctx := context.Background()
		fake.SetFaults(Faults{LoseResponses: []string{"CreateComponent"}, DropConnection: drop})
		in := &imagebuilder.CreateComponentInput{Name: aws.String("hello"), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux, Data: aws.String(doc), ClientToken: aws.String("tok")}
		if _, err := c.CreateComponent(ctx, in); err == nil || (!drop && apiCode(err) != "ServiceException") {
			t.Fatalf("drop=%v: the lost answer: %v, want an error (ServiceException when not dropped)", drop, err)
		}
		builds, err := c.ListComponentBuildVersions(ctx, &imagebuilder.ListComponentBuildVersionsInput{ComponentVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:component/hello/1.0.0")})
		if err != nil || len(builds.ComponentSummaryList) != 1 {
			t.Fatalf("drop=%v: after the lost answer: %v %v, want the build applied", drop, builds, err)
		}
		again, err := c.CreateComponent(ctx, in)
		if err != nil || aws.ToString(again.ComponentBuildVersionArn) != aws.ToString(builds.ComponentSummaryList[0].Arn) {
			t.Errorf("drop=%v: the retry with the same token: %v %v, want %s", drop, again, err, aws.ToString(builds.ComponentSummaryList[0].Arn))
		}
	}
}

// seededPipeline seeds a pipeline (seedPipeline) and reads it back.
func seededPipeline(t *testing.T, c *imagebuilder.Client) *types.ImagePipeline {
	t.Helper()
	got, err := c.GetImagePipeline(context.Background(), &imagebuilder.GetImagePipelineInput{ImagePipelineArn: aws.String(seedPipeline(t, c))})
	if err != nil {
		t.Fatal(err)
	}
	return got.ImagePipeline
}
