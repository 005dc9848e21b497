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

	"github.com/ibgitops/ibgitops/runner/backend"
)

// TestAcceptanceRealAWS runs against real EC2 Image Builder, only when
// IBGITOPS_ACC=1. It uses the standard AWS chain (AWS_PROFILE, AWS_REGION,
// ...) and IBGITOPS_ACC_INSTANCE_PROFILE (default
// EC2InstanceProfileForImageBuilder). Without IBGITOPS_ACC_BUILD=1 it
// checks create, reuse, refusal, update and dry run and stops before
// starting a build (a real build takes 30+ minutes and costs EC2 time);
// with it, it also builds the image and waits for it. Everything it
// creates is deleted at the end, in reverse dependency order.
func TestAcceptanceRealAWS(t *testing.T) {
	if os.Getenv("IBGITOPS_ACC") != "1" {
		t.Skip("real-AWS acceptance test: set IBGITOPS_ACC=1 (and AWS credentials and region) to run it")
	}
	ctx := context.Background()
	timeout := 10 * time.Minute
	if os.Getenv("IBGITOPS_ACC_BUILD") == "1" {
		timeout = 2 * time.Hour
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	b, err := New(ctx, Options{PollInterval: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	client := b.api.(*imagebuilder.Client)
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	id := "ibgitops-acc-" + hex.EncodeToString(suffix[:])
	repo := repoFixture(1)
	rename := func(old, new string) string { return strings.Replace(old, "web", new, 1) }
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
	inf.InstanceProfileName = os.Getenv("IBGITOPS_ACC_INSTANCE_PROFILE")
	if inf.InstanceProfileName == "" {
		inf.InstanceProfileName = "EC2InstanceProfileForImageBuilder"
	}
	repo.Infrastructures[inf.Name] = inf
	delete(repo.Distributions, "two-regions")
	p := repo.Pipelines["web-pipeline"]
	delete(repo.Pipelines, "web-pipeline")
	p.Name, p.ImageRecipe, p.InfrastructureConfiguration, p.DistributionConfiguration = rename(p.Name, id), rec.Name, inf.Name, ""
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
	if err != nil || res.Status != backend.StatusSkipped || len(res.Steps) != 5 {
		t.Fatalf("dry run: %v %+v", err, res)
	}
	if os.Getenv("IBGITOPS_ACC_BUILD") != "1" {
		// Create the resources without building: no pipeline named.
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
		comp.Data += "# changed\n"
		comp.ContentHash = sha(comp.Data)
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
	again, err := b.Build(ctx, req, nil)
	if err != nil || again.Status != backend.StatusSkipped {
		t.Fatalf("re-run: %v %+v", err, again)
	}
}
