package importer_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	awsbackend "github.com/ibgitops/ibgitops/runner/backend/aws"
	"github.com/ibgitops/ibgitops/runner/importer"
	"github.com/ibgitops/ibgitops/runner/reconcile"
)

const doc = `name: %s
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Say
        action: ExecuteBash
        inputs:
          commands:
            - echo %s
`

// account is an Image Builder account made by hand (the console, another
// tool): no ibgitops tags. Components tools and web; recipes base (tools,
// web) and app (web, parent: base's image); one infrastructure, one
// distribution, a pipeline per recipe; one available image each.
func account(t *testing.T) (*imagebuilder.Client, *awsbackend.Backend) {
	t.Helper()
	fake, err := ibfake.New(ibfake.Options{AMIs: []string{"ami-0123456789abcdef0"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cl := ibfake.Client(srv.URL, nil)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	comp := map[string]string{}
	for _, name := range []string{"tools", "web"} {
		out, err := cl.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String(name), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux,
			Data: aws.String(strings.NewReplacer("%s", name).Replace(doc)), Description: aws.String(name + " component"), ClientToken: aws.String("tok-" + name)})
		must(err)
		comp[name] = regexp.MustCompile(`/[0-9]+$`).ReplaceAllString(aws.ToString(out.ComponentBuildVersionArn), "")
	}
	infra, err := cl.CreateInfrastructureConfiguration(ctx, &imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("small"),
		InstanceProfileName: aws.String("ImageBuilderRole"), InstanceTypes: []string{"t3.medium"}, ClientToken: aws.String("tok-infra"),
		ResourceTags: map[string]string{"Purpose": "build"}})
	must(err)
	dist, err := cl.CreateDistributionConfiguration(ctx, &imagebuilder.CreateDistributionConfigurationInput{Name: aws.String("two-regions"), ClientToken: aws.String("tok-dist"),
		Distributions: []types.Distribution{{Region: aws.String("us-east-1"), AmiDistributionConfiguration: &types.AmiDistributionConfiguration{Name: aws.String("golden-{{ imagebuilder:buildDate }}")}}, {Region: aws.String("eu-west-1")}}})
	must(err)
	build := func(name string, parent string, comps ...string) string {
		var cc []types.ComponentConfiguration
		for _, c := range comps {
			cc = append(cc, types.ComponentConfiguration{ComponentArn: aws.String(comp[c])})
		}
		r, err := cl.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String(name), SemanticVersion: aws.String("2.0.0"), ParentImage: aws.String(parent),
			Components: cc, ClientToken: aws.String("tok-r-" + name)})
		must(err)
		p, err := cl.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{Name: aws.String(name + "-nightly"), ImageRecipeArn: r.ImageRecipeArn,
			InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn, DistributionConfigurationArn: dist.DistributionConfigurationArn,
			Schedule: &types.Schedule{ScheduleExpression: aws.String("cron(0 3 * * ? *)")}, ClientToken: aws.String("tok-p-" + name)})
		must(err)
		img, err := cl.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: p.ImagePipelineArn, ClientToken: aws.String("tok-i-" + name)})
		must(err)
		for i := 0; ; i++ {
			got, err := cl.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: img.ImageBuildVersionArn})
			must(err)
			if got.Image.State.Status == types.ImageStatusAvailable {
				break
			}
			if i > 50 {
				t.Fatalf("image of %s stuck in %s", name, got.Image.State.Status)
			}
		}
		return regexp.MustCompile(`/[0-9]+$`).ReplaceAllString(aws.ToString(img.ImageBuildVersionArn), "")
	}
	baseImage := build("base", "ami-0123456789abcdef0", "tools", "web")
	build("app", baseImage, "web")
	be, err := awsbackend.New(ctx, awsbackend.Options{Region: "us-east-1", Client: cl, PollInterval: time.Millisecond,
		STS: sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("AKIDFAKE", "fakesecret", "")})})
	must(err)
	return cl, be
}

func load(t *testing.T, dir string) *recipes.Repo {
	t.Helper()
	repo, findings, err := recipes.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if f.Severity == diag.Error {
			t.Errorf("the imported repository does not lint clean: %s", f)
		}
	}
	return repo
}

func status(t *testing.T, be *awsbackend.Backend, repo *recipes.Repo) *reconcile.Status {
	t.Helper()
	a, err := be.Observe(context.Background(), backend.ObserveRequest{Repo: repo})
	if err != nil {
		t.Fatal(err)
	}
	return reconcile.Compare(repo, a)
}

func describe(s *reconcile.Status) string {
	var b strings.Builder
	for _, e := range s.Entries {
		b.WriteString("\n  " + string(e.State) + " " + string(e.Kind) + " " + e.Name + ": " + e.Message)
		for _, f := range e.Fields {
			b.WriteString("\n      " + f.Field)
		}
	}
	return b.String()
}

// Import, status in sync with nothing to build, change one component:
// the plan builds exactly the recipes using it.
func TestImportRoundTrip(t *testing.T) {
	_, be := account(t)
	ctx := context.Background()
	exported, err := be.Export(ctx, backend.ExportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	written, err := importer.Write(exported, importer.Options{Root: dir, Config: "backend: aws\naws:\n  region: us-east-1\n"})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(written)
	want := "components/documents/tools.yaml components/documents/web.yaml components/tools.yaml components/web.yaml distribution/two-regions.yaml ibgitops.yaml infrastructure/small.yaml pipelines/app-nightly.yaml pipelines/base-nightly.yaml recipes/app.yaml recipes/base.yaml"
	if got := strings.Join(written, " "); got != want {
		t.Errorf("written:\n%s\nwant\n%s", got, want)
	}
	app, _ := os.ReadFile(filepath.Join(dir, "recipes", "app.yaml"))
	if !strings.Contains(string(app), "parentImage: recipe:base") || !strings.Contains(string(app), "- name: web") {
		t.Errorf("recipes/app.yaml:\n%s", app)
	}
	for _, f := range []string{"recipes/app.yaml", "infrastructure/small.yaml", "pipelines/base-nightly.yaml", "components/tools.yaml"} {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		t.Logf("%s:\n%s", f, data)
	}
	repo := load(t, dir)
	adopted, err := be.Adopt(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("adopted:\n%s", strings.Join(adopted, "\n"))
	s := status(t, be, repo)
	if !s.InSync() {
		t.Fatalf("status right after the import:%s", describe(s))
	}
	if p := reconcile.PlanFrom(repo, s); !p.Empty() {
		t.Errorf("the plan after an import builds %v, updates %v", p.Builds, p.Updates)
	}

	// Importing again refuses to overwrite, and writes nothing.
	if _, err := importer.Write(exported, importer.Options{Root: dir}); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("a second import over the files: %v", err)
	}

	// Change tools (a new version) and raise base, which uses it.
	edit := func(path, from, to string) {
		p := filepath.Join(dir, path)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), from) {
			t.Fatalf("%s has no %q:\n%s", path, from, data)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(data), from, to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("components/documents/tools.yaml", "echo tools", "echo tools jq")
	edit("components/tools.yaml", "version: 1.0.0", "version: 1.0.1")
	edit("recipes/base.yaml", "version: 2.0.0", "version: 2.0.1")
	repo = load(t, dir)
	p := reconcile.PlanFrom(repo, status(t, be, repo))
	var builds []string
	for _, b := range p.Builds {
		builds = append(builds, b.Name+" "+b.Version)
	}
	if got := strings.Join(builds, ", "); got != "base 2.0.1" {
		t.Errorf("after changing tools the plan builds %q, want base 2.0.1 only", got)
	}
}

// --name-prefix and --tag select what is imported.
func TestExportFilters(t *testing.T) {
	cl, be := account(t)
	ctx := context.Background()
	arn := "arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/small"
	if _, err := cl.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "platform"}}); err != nil {
		t.Fatal(err)
	}
	names := func(f backend.ExportFilter) string {
		ex, err := be.Export(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range ex {
			out = append(out, e.Name)
		}
		return strings.Join(out, " ")
	}
	if got := names(backend.ExportFilter{NamePrefix: "base"}); got != "base base-nightly" {
		t.Errorf("--name-prefix base: %q", got)
	}
	if got := names(backend.ExportFilter{Tags: map[string]string{"team": "platform"}}); got != "small" {
		t.Errorf("--tag team=platform: %q", got)
	}
}
