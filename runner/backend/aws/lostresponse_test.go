package aws

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// TestLostResponsesConverge: every write the backend makes is applied by
// Image Builder and its answer lost (a 500, or the connection dropped as a
// timeout drops it). The SDK retries each call with the same client token,
// the service answers the retry with the first call's result, and the
// build converges: one component build, one recipe, one of each mutable
// resource, one image, and the run succeeds without noticing.
func TestLostResponsesConverge(t *testing.T) {
	writes := []string{"CreateComponent", "CreateImageRecipe", "CreateInfrastructureConfiguration", "CreateDistributionConfiguration", "CreateImagePipeline", "StartImagePipelineExecution"}
	for _, drop := range []bool{false, true} {
		name := "500 after the write"
		if drop {
			name = "connection dropped after the write"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, ibfake.Options{})
			e.fake.SetFaults(ibfake.Faults{LoseResponses: writes, DropConnection: drop})
			res, rec := runBuild(t, e.backend(t), request(repoFixture(2), "web", "web-pipeline"))
			if res.Status != backend.StatusSucceeded {
				t.Fatalf("%s %s\n%s", res.Status, res.Message, rec.text())
			}
			calls := e.fake.Calls()
			for _, op := range writes {
				if calls[op] < 2 {
					t.Errorf("%s called %d times: the lost answer was not retried", op, calls[op])
				}
			}
			ctx := context.Background()
			c := e.client()
			for _, comp := range []string{"comp-1", "comp-2"} {
				builds, err := c.ListComponentBuildVersions(ctx, &imagebuilder.ListComponentBuildVersionsInput{ComponentVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:component/" + comp + "/1.0.0")})
				if err != nil || len(builds.ComponentSummaryList) != 1 {
					t.Errorf("%s builds: %v %v, want exactly 1", comp, builds, err)
				}
			}
			images, err := c.ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{ImageVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0")})
			if err != nil || len(images.ImageSummaryList) != 1 {
				t.Errorf("images: %v %v, want exactly 1", images, err)
			}
			recipes, err := c.ListImageRecipes(ctx, &imagebuilder.ListImageRecipesInput{})
			if err != nil || len(recipes.ImageRecipeSummaryList) != 1 {
				t.Errorf("recipes: %v %v, want exactly 1", recipes, err)
			}
			infras, err := c.ListInfrastructureConfigurations(ctx, &imagebuilder.ListInfrastructureConfigurationsInput{})
			if err != nil || len(infras.InfrastructureConfigurationSummaryList) != 1 {
				t.Errorf("infrastructure configurations: %v %v, want exactly 1", infras, err)
			}
			dists, err := c.ListDistributionConfigurations(ctx, &imagebuilder.ListDistributionConfigurationsInput{})
			if err != nil || len(dists.DistributionConfigurationSummaryList) != 1 {
				t.Errorf("distribution configurations: %v %v, want exactly 1", dists, err)
			}
			pipes, err := c.ListImagePipelines(ctx, &imagebuilder.ListImagePipelinesInput{})
			if err != nil || len(pipes.ImagePipelineList) != 1 {
				t.Errorf("pipelines: %v %v, want exactly 1", pipes, err)
			}
			if strings.Contains(rec.text(), "another run") {
				t.Errorf("a retried write was taken for another run's:\n%s", rec.text())
			}
		})
	}
}
