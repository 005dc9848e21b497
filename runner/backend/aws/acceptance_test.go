package aws

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// TestAcceptanceRealAWS runs against real EC2 Image Builder, only when
// IBGITOPS_ACC=1 (docs/aws.md says what a maintainer sets up, runs and
// pays). It uses the standard AWS chain (AWS_PROFILE, AWS_REGION, ...) and
// IBGITOPS_ACC_INSTANCE_PROFILE (default EC2InstanceProfileForImageBuilder).
// Without IBGITOPS_ACC_BUILD=1 it checks create, reuse, refusal and dry
// run and stops before starting a build (a real build takes 30+ minutes
// and costs EC2 time); with it, it also builds, distributes and checks
// what only the service can show. Everything it creates in Image Builder
// is deleted at the end, in reverse dependency order; the AMI a build
// makes is logged for the maintainer to deregister.
func TestAcceptanceRealAWS(t *testing.T) {
	if os.Getenv("IBGITOPS_ACC") != "1" {
		t.Skip("real-AWS acceptance test: set IBGITOPS_ACC=1 (and AWS credentials and region) to run it; see docs/aws.md")
	}
	runAcceptance(t, acceptance{poll: 30 * time.Second, build: os.Getenv("IBGITOPS_ACC_BUILD") == "1", instanceProfile: os.Getenv("IBGITOPS_ACC_INSTANCE_PROFILE")})
}

// TestAcceptanceAgainstFake runs the same steps against the fake through
// the standard AWS chain (AWS_ENDPOINT_URL), in both modes, so that the
// real-AWS test, which CI cannot run, stays runnable: a change that breaks
// its steps or its cleanup fails here first.
func TestAcceptanceAgainstFake(t *testing.T) {
	for _, build := range []bool{false, true} {
		t.Run(map[bool]string{false: "apply only", true: "build"}[build], func(t *testing.T) {
			isolateAWSEnv(t)
			e := newEnv(t, ibfake.Options{})
			for k, v := range map[string]string{"AWS_ENDPOINT_URL": e.srv.URL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDFAKE", "AWS_SECRET_ACCESS_KEY": "fakesecret"} {
				t.Setenv(k, v)
			}
			// Registered first, so it runs after the acceptance cleanup.
			t.Cleanup(func() {
				c := e.client()
				ctx := context.Background()
				recipes, _ := c.ListImageRecipes(ctx, &imagebuilder.ListImageRecipesInput{})
				infras, _ := c.ListInfrastructureConfigurations(ctx, &imagebuilder.ListInfrastructureConfigurationsInput{})
				dists, _ := c.ListDistributionConfigurations(ctx, &imagebuilder.ListDistributionConfigurationsInput{})
				pipes, _ := c.ListImagePipelines(ctx, &imagebuilder.ListImagePipelinesInput{})
				comps, _ := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{})
				images, _ := c.ListImages(ctx, &imagebuilder.ListImagesInput{})
				if n := len(recipes.ImageRecipeSummaryList) + len(infras.InfrastructureConfigurationSummaryList) + len(dists.DistributionConfigurationSummaryList) +
					len(pipes.ImagePipelineList) + len(comps.ComponentVersionList) + len(images.ImageVersionList); n != 0 {
					t.Errorf("the acceptance cleanup left %d resources", n)
				}
			})
			runAcceptance(t, acceptance{poll: time.Millisecond, build: build})
		})
	}
}

type acceptance struct {
	poll            time.Duration
	build           bool
	instanceProfile string
}

func runAcceptance(t *testing.T, o acceptance) {
	ctx := context.Background()
	timeout := 10 * time.Minute
	if o.build {
		timeout = 2 * time.Hour
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	b, err := New(ctx, Options{PollInterval: o.poll, MaxPollInterval: max(o.poll, 2*time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	client := b.api.(*imagebuilder.Client)
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	id := "ibgitops-acc-" + hex.EncodeToString(suffix[:])
	repo := repoFixture(1)
	comp := repo.Components["comp-1"]
	delete(repo.Components, "comp-1")
	comp.Name = id + "-c1"
	repo.Components[comp.Name] = comp
	rec := repo.ImageRecipes["web"]
	delete(repo.ImageRecipes, "web")
	rec.Name = id
	rec.Components[0].Name = comp.Name
	rec.ParentImage = "arn:" + "aws:imagebuilder:" + b.Region() + ":aws:image/amazon-linux-2023-x86/x.x.x"
	repo.ImageRecipes[rec.Name] = rec
	inf := repo.Infrastructures["build"]
	delete(repo.Infrastructures, "build")
	inf.Name = id + "-infra"
	delete(inf.Spec, "logging")
	inf.InstanceProfileName = o.instanceProfile
	if inf.InstanceProfileName == "" {
		inf.InstanceProfileName = "EC2InstanceProfileForImageBuilder"
	}
	repo.Infrastructures[inf.Name] = inf
	delete(repo.Distributions, "two-regions")
	// One Region, an AMI name the service fills per build: what only the
	// service can show is that it does (the fake checks fixed names only).
	dist := &recipes.Distribution{Meta: recipes.Meta{Kind: recipes.KindDistribution, Name: id + "-dist", File: "distribution/acc.yaml"},
		Distributions: []map[string]any{{"region": b.Region(), "amiDistributionConfiguration": map[string]any{"name": id + "-{{ imagebuilder:buildDate }}"}}}}
	repo.Distributions[dist.Name] = dist
	p := repo.Pipelines["web-pipeline"]
	delete(repo.Pipelines, "web-pipeline")
	p.Name, p.ImageRecipe, p.InfrastructureConfiguration, p.DistributionConfiguration = id+"-pipeline", rec.Name, inf.Name, dist.Name
	p.Schedule = nil
	repo.Pipelines[p.Name] = p
	req := request(repo, rec.Name, p.Name)

	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer ccancel()
		_ = b.Cleanup(cctx)
		a := func(typ, name string, parts ...string) *string { return aws.String(b.arn(typ, name, parts...)) }
		steps := []func() error{
			func() error {
				_, err := client.DeleteImagePipeline(cctx, &imagebuilder.DeleteImagePipelineInput{ImagePipelineArn: a("image-pipeline", p.Name)})
				return err
			},
			func() error {
				out, err := client.ListImageBuildVersions(cctx, &imagebuilder.ListImageBuildVersionsInput{ImageVersionArn: a("image", rec.Name, rec.Version)})
				if err != nil {
					return err
				}
				for _, img := range out.ImageSummaryList {
					for _, ami := range outputs(img.OutputResources) {
						t.Logf("the build made %s: deregister it and delete its snapshot (docs/aws.md)", ami)
					}
					if _, err := client.DeleteImage(cctx, &imagebuilder.DeleteImageInput{ImageBuildVersionArn: img.Arn}); err != nil {
						return err
					}
				}
				return nil
			},
			func() error {
				_, err := client.DeleteImageRecipe(cctx, &imagebuilder.DeleteImageRecipeInput{ImageRecipeArn: a("image-recipe", rec.Name, rec.Version)})
				return err
			},
			func() error {
				_, err := client.DeleteComponent(cctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: a("component", comp.Name, comp.Version, "1")})
				return err
			},
			func() error {
				_, err := client.DeleteInfrastructureConfiguration(cctx, &imagebuilder.DeleteInfrastructureConfigurationInput{InfrastructureConfigurationArn: a("infrastructure-configuration", inf.Name)})
				return err
			},
			func() error {
				_, err := client.DeleteDistributionConfiguration(cctx, &imagebuilder.DeleteDistributionConfigurationInput{DistributionConfigurationArn: a("distribution-configuration", dist.Name)})
				return err
			},
		}
		for _, step := range steps {
			if err := step(); err != nil && !isNotFound(err) {
				t.Errorf("cleanup: %v (delete the %s* resources by hand)", err, id)
			}
		}
	})

	dry := req
	dry.DryRun = true
	res, err := b.Build(ctx, dry, nil)
	if err != nil || res.Status != backend.StatusSkipped || len(res.Steps) != 6 {
		t.Fatalf("dry run: %v %+v", err, res)
	}
	if !o.build {
		// Create the resources without building: no pipeline named. The
		// CreateComponent carries ibgitops' own 36-character client
		// token, so the endpoint accepting it is checked here too.
		noBuild := req
		noBuild.Pipelines = nil
		noBuild.DryRun = false
		applyOnly := func(b *Backend) error {
			if err := b.identify(ctx); err != nil {
				return err
			}
			r := &run{b: b, req: noBuild, progress: func(backend.Event) {}}
			b.applyMu.Lock()
			defer b.applyMu.Unlock()
			_, _, err := r.apply(ctx, &rec.Recipe, rec.Kind, rec.Version)
			return err
		}
		if err := applyOnly(b); err != nil {
			t.Fatalf("create: %v", err)
		}
		// A new process re-applies: nothing changes.
		b2, err := New(ctx, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := applyOnly(b2); err != nil {
			t.Fatalf("re-apply: %v", err)
		}
		// Same version, other content: refused.
		changed := *comp
		changed.Data += "# changed\n"
		changed.ContentHash = sha(changed.Data)
		repo.Components[comp.Name] = &changed
		defer func() { repo.Components[comp.Name] = comp }()
		b3, err := New(ctx, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := applyOnly(b3); err == nil || !strings.Contains(err.Error(), "raise the version") {
			t.Fatalf("changed content, same version: %v", err)
		}
		return
	}
	res, err = b.Build(ctx, req, func(ev backend.Event) { t.Logf("[%s] %s", ev.Stage, ev.Message) })
	if err != nil || res.Status != backend.StatusSucceeded {
		t.Fatalf("build: %v %+v", err, res)
	}
	// What the fake cannot vouch for: the service lists the image with the
	// tags the build was started with (the re-run decision reads them
	// there), and names its AMI from the distribution's template.
	list, err := client.ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{ImageVersionArn: aws.String(b.arn("image", rec.Name, rec.Version))})
	if err != nil || len(list.ImageSummaryList) != 1 {
		t.Fatalf("ListImageBuildVersions: %v %v", list, err)
	}
	sum := list.ImageSummaryList[0]
	for _, tag := range []string{TagBuildHash, TagContentHash, TagRunID, TagCommit, TagRepository} {
		if sum.Tags[tag] == "" {
			t.Errorf("ListImageBuildVersions summary lacks tag %s (tags %v): the backend could not recognise its own image on a re-run", tag, sum.Tags)
		}
	}
	img, err := client.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: sum.Arn})
	if err != nil || img.Image.OutputResources == nil || len(img.Image.OutputResources.Amis) == 0 {
		t.Fatalf("GetImage: %v %v", img, err)
	}
	name := aws.ToString(img.Image.OutputResources.Amis[0].Name)
	if !strings.HasPrefix(name, id+"-") || strings.Contains(name, "{{") {
		t.Errorf("AMI name %q: want %s-<build date>, the template filled", name, id)
	}
	again, err := b.Build(ctx, req, nil)
	if err != nil || again.Status != backend.StatusSkipped {
		t.Fatalf("re-run: %v %+v", err, again)
	}
}
