package ibfake

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

func TestModelPatternsCompile(t *testing.T) {
	m, err := LoadModel()
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range m.Shapes {
		if s.patternErr != nil {
			t.Errorf("shape %s: %v", name, s.patternErr)
		}
	}
	if len(m.Operations) != 77 {
		t.Errorf("%d operations, want 77", len(m.Operations))
	}
	// Every operation the fake implements is bound in the model.
	for op := range handlers {
		if m.Operations[op] == nil {
			t.Errorf("handler for %s, which the model does not have", op)
		}
	}
}

// responseChecker validates every successful response body against the
// operation's output shape, so the fake never answers what the service
// could not.
type responseChecker struct {
	fake *Server
	mu   sync.Mutex
	errs []string
	seen map[string]bool
}

// Members the service itself fills outside their model: the CLI examples
// show image versions as "1.0.0/1", and an untagged resource lists
// `"tags": {}` although TagMap has min 1.
var knownOffModel = []string{"'image.version'", "'imageSummaryList[0].version'", "'imageSummaryList[1].version'", "'tags' is not valid. Member must have greater than or equal to 1 entries"}

func (c *responseChecker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	c.fake.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
	if rec.Code != http.StatusOK {
		return
	}
	op, _ := c.fake.route(r)
	if op == nil || op.Output == nil {
		return
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		c.add(op.Name + ": response is not a JSON object: " + err.Error())
		return
	}
	c.mu.Lock()
	c.seen[op.Name] = true
	c.mu.Unlock()
	if err := c.fake.model.Validate(op.Output.Shape, body, ""); err != nil {
		for _, ok := range knownOffModel {
			if strings.Contains(err.Error(), ok) {
				return
			}
		}
		c.add(op.Name + ": " + err.Error())
	}
}

func (c *responseChecker) add(s string) { c.mu.Lock(); c.errs = append(c.errs, s); c.mu.Unlock() }

func TestResponsesMatchModel(t *testing.T) {
	fake, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	checker := &responseChecker{fake: fake, seen: map[string]bool{}}
	srv := httptest.NewServer(checker)
	defer srv.Close()
	c := Client(srv.URL, nil)
	ctx := context.Background()
	pipe := seedPipeline(t, c)
	if _, err := c.CreateContainerRecipe(ctx, &imagebuilder.CreateContainerRecipeInput{Name: aws.String("app"), SemanticVersion: aws.String("1.0.0"),
		ContainerType: types.ContainerTypeDocker, ParentImage: aws.String("amazonlinux:2023"), DockerfileTemplateData: aws.String("FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}"),
		TargetRepository: &types.TargetContainerRepository{Service: types.ContainerRepositoryServiceEcr, RepositoryName: aws.String("app")},
		Components:       []types.ComponentConfiguration{{ComponentArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:component/hello/1.0.0/1")}}}); err != nil {
		t.Fatal(err)
	}
	run, err := c.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: aws.String(pipe)})
	if err != nil {
		t.Fatal(err)
	}
	pollStates(t, c, aws.ToString(run.ImageBuildVersionArn))
	calls := []func() error{
		func() error { _, err := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{}); return err },
		func() error {
			_, err := c.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:component/hello/x.x.x")})
			return err
		},
		func() error { _, err := c.ListImageRecipes(ctx, &imagebuilder.ListImageRecipesInput{}); return err },
		func() error {
			_, err := c.ListContainerRecipes(ctx, &imagebuilder.ListContainerRecipesInput{})
			return err
		},
		func() error {
			_, err := c.GetImageRecipe(ctx, &imagebuilder.GetImageRecipeInput{ImageRecipeArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/web/1.0.0")})
			return err
		},
		func() error {
			_, err := c.GetContainerRecipe(ctx, &imagebuilder.GetContainerRecipeInput{ContainerRecipeArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:container-recipe/app/1.0.0")})
			return err
		},
		func() error {
			_, err := c.ListInfrastructureConfigurations(ctx, &imagebuilder.ListInfrastructureConfigurationsInput{})
			return err
		},
		func() error {
			_, err := c.ListDistributionConfigurations(ctx, &imagebuilder.ListDistributionConfigurationsInput{})
			return err
		},
		func() error {
			_, err := c.GetDistributionConfiguration(ctx, &imagebuilder.GetDistributionConfigurationInput{DistributionConfigurationArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:distribution-configuration/dist")})
			return err
		},
		func() error { _, err := c.ListImagePipelines(ctx, &imagebuilder.ListImagePipelinesInput{}); return err },
		func() error { _, err := c.ListImages(ctx, &imagebuilder.ListImagesInput{}); return err },
		func() error {
			_, err := c.ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{})
			return err
		},
		func() error {
			_, err := c.ListImagePipelineImages(ctx, &imagebuilder.ListImagePipelineImagesInput{ImagePipelineArn: aws.String(pipe)})
			return err
		},
		func() error {
			_, err := c.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: run.ImageBuildVersionArn})
			return err
		},
		func() error {
			_, err := c.UpdateInfrastructureConfiguration(ctx, &imagebuilder.UpdateInfrastructureConfigurationInput{
				InfrastructureConfigurationArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/infra"), InstanceProfileName: aws.String("Other")})
			return err
		},
		func() error {
			_, err := c.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: aws.String(pipe), Tags: map[string]string{"a": "b"}})
			return err
		},
		func() error {
			_, err := c.UntagResource(ctx, &imagebuilder.UntagResourceInput{ResourceArn: aws.String(pipe), TagKeys: []string{"a"}})
			return err
		},
		func() error {
			_, err := c.ListTagsForResource(ctx, &imagebuilder.ListTagsForResourceInput{ResourceArn: aws.String(pipe)})
			return err
		},
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	for _, e := range checker.errs {
		t.Error(e)
	}
	if len(checker.seen) < 25 {
		t.Errorf("only %d operations checked", len(checker.seen))
	}
}

// TestTimeAndSimulatedWork: with StateDuration, states advance with the
// clock; a `sleep` in a document holds the build that long.
func TestTimeAndSimulatedWork(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	_, c := newFake(t, Options{StateDuration: time.Minute, Now: clock}, 1)
	ctx := context.Background()
	slow := strings.Replace(doc, `commands: ["echo {{ greeting }}"]`, `commands: ["sleep 600"]`, 1)
	comp, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("slow"), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux, Data: aws.String(slow)})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("slow-recipe"), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(al2023),
		Components: []types.ComponentConfiguration{{ComponentArn: comp.ComponentBuildVersionArn}}})
	infra, _ := c.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("infra"), InstanceProfileName: aws.String("Role")})
	img, err := c.CreateImage(ctx, &imagebuilder.CreateImageInput{ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn})
	if err != nil {
		t.Fatal(err)
	}
	status := func() types.ImageStatus {
		out, err := c.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: img.ImageBuildVersionArn})
		if err != nil {
			t.Fatal(err)
		}
		return out.Image.State.Status
	}
	steps := []struct {
		after time.Duration
		want  types.ImageStatus
	}{
		{0, types.ImageStatusPending},
		{30 * time.Second, types.ImageStatusPending},
		{31 * time.Second, types.ImageStatusCreating},
		{time.Minute, types.ImageStatusBuilding},
		{5 * time.Minute, types.ImageStatusBuilding}, // sleep 600 holds the build
		{5 * time.Minute, types.ImageStatusTesting},
		{time.Minute, types.ImageStatusDistributing},
		{time.Minute, types.ImageStatusIntegrating},
		{time.Minute, types.ImageStatusAvailable},
	}
	for i, s := range steps {
		advance(s.after)
		if got := status(); got != s.want {
			t.Fatalf("step %d (+%v): %s, want %s", i, s.after, got, s.want)
		}
	}
}
