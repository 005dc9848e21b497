package aws

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// TestParentRecipeMustBeBuilt: a recipe whose parentImage is recipe:<name>
// builds on the parent's image, which Image Builder refuses when it was
// never built. Building the child alone fails naming the file and line and
// what to run; a dry run only says so; once the parent is built the child
// builds on it.
func TestParentRecipeMustBeBuilt(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(1)
	app := *repo.ImageRecipes["web"]
	app.Name, app.File, app.ParentImage = "app", "recipes/app.yaml", "recipe:web"
	app.ParentImagePos = pos(5)
	app.ContentHash = sha("app on web")
	repo.ImageRecipes["app"] = &app
	repo.Pipelines = map[string]*recipes.Pipeline{}

	dry := request(repo, "app")
	dry.DryRun = true
	res, rec := runBuild(t, e.backend(t), dry)
	if res.Status != backend.StatusSkipped || !strings.Contains(rec.text(), "recipe:web 1.0.0, which has no AVAILABLE image yet") {
		t.Errorf("dry run of the child: %s %s\n%s", res.Status, res.Message, rec.text())
	}

	res, rec = runBuild(t, e.backend(t), request(repo, "app"))
	want := "recipes/app.yaml:5: parentImage recipe:web: Image Builder has no AVAILABLE image of web 1.0.0 to build app on (it has no image): build web first (ibgitops build --only web,app"
	if res.Status != backend.StatusFailed || !strings.Contains(res.Message, want) {
		t.Fatalf("the child alone: %s %q, want failed with %q\n%s", res.Status, res.Message, want, rec.text())
	}
	if calls := mutating(e.fake.Calls()); calls["CreateImageRecipe"] != 0 || calls["CreateImage"] != 0 {
		t.Errorf("the refused child created %s", formatCalls(calls))
	}

	if res, rec := runBuild(t, e.backend(t), request(repo, "web")); res.Status != backend.StatusSucceeded {
		t.Fatalf("the parent: %s %s\n%s", res.Status, res.Message, rec.text())
	}
	res, rec = runBuild(t, e.backend(t), request(repo, "app"))
	if res.Status != backend.StatusSucceeded || !strings.HasSuffix(res.Image, "image/app/1.0.0/1") {
		t.Fatalf("the child after its parent: %s %s %s\n%s", res.Status, res.Image, res.Message, rec.text())
	}

	// A run that raises both (the file still says web 1.0.0) builds the
	// child on the parent's planned version, never on the file's.
	planned := map[string]string{"web": "1.0.1", "app": "1.0.1"}
	child := request(repo, "app")
	child.Version, child.Versions = "1.0.1", planned
	if res, _ := runBuild(t, e.backend(t), child); res.Status != backend.StatusFailed || !strings.Contains(res.Message, "no AVAILABLE image of web 1.0.1") {
		t.Fatalf("the raised child before its raised parent: %s %q, want refused naming web 1.0.1", res.Status, res.Message)
	}
	parent := request(repo, "web")
	parent.Version, parent.Versions = "1.0.1", planned
	if res, rec := runBuild(t, e.backend(t), parent); res.Status != backend.StatusSucceeded {
		t.Fatalf("the raised parent: %s %s\n%s", res.Status, res.Message, rec.text())
	}
	res, rec = runBuild(t, e.backend(t), child)
	if res.Status != backend.StatusSucceeded {
		t.Fatalf("the raised child: %s %s\n%s", res.Status, res.Message, rec.text())
	}
	got, err := e.client().GetImageRecipe(context.Background(), &imagebuilder.GetImageRecipeInput{ImageRecipeArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/app/1.0.1")})
	if err != nil || aws.ToString(got.ImageRecipe.ParentImage) != "arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.1" {
		t.Fatalf("app 1.0.1's parent: %v %v, want image/web/1.0.1", got, err)
	}
}
