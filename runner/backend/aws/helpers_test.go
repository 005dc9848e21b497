package aws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
)

var noDelay = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })

// env is a fake Image Builder with an HTTP server in front.
type env struct {
	fake *ibfake.Server
	srv  *httptest.Server
}

func newEnv(t testing.TB, opts ibfake.Options) *env {
	t.Helper()
	fake, err := ibfake.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &env{fake: fake, srv: srv}
}

// client is a real SDK client pointed at the fake, with the backend's
// retryer (no backoff delay).
func (e *env) client() *imagebuilder.Client { return clientAt(e.srv.URL) }

func clientAt(url string) *imagebuilder.Client {
	return ibfake.Client(url, NewRetryer(10, time.Millisecond, noDelay))
}

func (e *env) sts() *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDFAKE", "fakesecret", "")})
}

// backend is a fresh backend (a new process, as far as caches go).
func (e *env) backend(t testing.TB) *Backend { return e.backendAt(t, e.srv.URL) }

func (e *env) backendAt(t testing.TB, url string) *Backend {
	t.Helper()
	b, err := New(context.Background(), Options{Region: "us-east-1", Client: clientAt(url), STS: e.sts(),
		PollInterval: time.Millisecond, MaxPollInterval: 5 * time.Millisecond, CancelTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mutating reports the create, update, tag, start and cancel calls.
func mutating(calls map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range calls {
		for _, p := range []string{"Create", "Update", "Tag", "Untag", "Start", "Cancel", "Delete"} {
			if strings.HasPrefix(op, p) {
				out[op] = n
			}
		}
	}
	return out
}

func formatCalls(calls map[string]int) string {
	ops := make([]string, 0, len(calls))
	for op := range calls {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var b strings.Builder
	for _, op := range ops {
		fmt.Fprintf(&b, "%s=%d ", op, calls[op])
	}
	return strings.TrimSpace(b.String())
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

const docBuild = `name: hello
schemaVersion: 1.0
parameters:
  - greeting:
      type: string
      default: hi
phases:
  - name: build
    steps:
      - name: Say
        action: ExecuteBash
        inputs:
          commands: ["echo {{ greeting }}"]
  - name: test
    steps:
      - name: Check
        action: ExecuteBash
        inputs:
          commands: ["true"]
`

// managedParent is an AWS-managed parent image the fake knows (as every
// Region of the service does).
const managedParent = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x"

// repoFixture is a small repository: components comp-1..comp-N, recipe "web"
// using them, infrastructure "build", distribution "two-regions" and
// pipeline "web-pipeline".
func repoFixture(nComponents int) *recipes.Repo {
	repo := recipes.NewRepo()
	r := recipes.Recipe{Meta: recipes.Meta{Kind: recipes.KindImageRecipe, Name: "web", Version: "1.0.0", File: "recipes/web.yaml", VersionPos: pos(3)},
		ParentImage: managedParent}
	for i := 1; i <= nComponents; i++ {
		name := fmt.Sprintf("comp-%d", i)
		doc := strings.Replace(docBuild, "name: hello", "name: "+name, 1)
		repo.Components[name] = &recipes.Component{
			Meta:     recipes.Meta{Kind: recipes.KindComponent, Name: name, Version: "1.0.0", File: "components/" + name + ".yaml", VersionPos: pos(3), ContentHash: sha(doc)},
			Platform: "Linux", Data: doc,
		}
		ref := recipes.ComponentRef{Name: name}
		if i == 1 {
			ref.Parameters = map[string][]string{"greeting": {"bonjour"}}
		}
		r.Components = append(r.Components, ref)
	}
	r.ContentHash = sha(fmt.Sprint(r.ParentImage, r.Components))
	repo.ImageRecipes["web"] = &recipes.ImageRecipe{Recipe: r}
	repo.Infrastructures["build"] = &recipes.Infrastructure{Meta: recipes.Meta{Kind: recipes.KindInfrastructure, Name: "build", File: "infrastructure/build.yaml"},
		InstanceProfileName: "ImageBuilderRole", Spec: map[string]any{"instanceTypes": []any{"t3.medium"}, "terminateInstanceOnFailure": true,
			"logging": map[string]any{"s3Logs": map[string]any{"s3BucketName": "build-logs", "s3KeyPrefix": "ib/"}}}}
	repo.Distributions["two-regions"] = &recipes.Distribution{Meta: recipes.Meta{Kind: recipes.KindDistribution, Name: "two-regions", File: "distribution/two.yaml"},
		Distributions: []map[string]any{
			{"region": "us-east-1", "amiDistributionConfiguration": map[string]any{"name": "web-{{ imagebuilder:buildDate }}"}},
			{"region": "eu-west-1"},
		}}
	repo.Pipelines["web-pipeline"] = &recipes.Pipeline{Meta: recipes.Meta{Kind: recipes.KindPipeline, Name: "web-pipeline", File: "pipelines/web.yaml"},
		ImageRecipe: "web", InfrastructureConfiguration: "build", DistributionConfiguration: "two-regions", Status: "ENABLED",
		Schedule: &recipes.Schedule{ScheduleExpression: "cron(0 3 ? * MON *)", PipelineExecutionStartCondition: "EXPRESSION_MATCH_ONLY"},
		Spec:     map[string]any{"imageTestsConfiguration": map[string]any{"imageTestsEnabled": true, "timeoutMinutes": 90}}}
	return repo
}

func request(repo *recipes.Repo, recipe string, pipelines ...string) backend.Request {
	return backend.Request{Repo: repo, Recipe: recipe, Kind: recipes.KindImageRecipe, Version: repo.ImageRecipes[recipe].Version, Pipelines: pipelines,
		Provenance: backend.Provenance{Repository: "https://github.com/acme/images", Commit: "0123456789abcdef0123456789abcdef01234567",
			RunURL: "https://github.com/acme/images/actions/runs/1", Tool: "v0.0.0-test"}}
}

// recorder collects progress events from any goroutine.
type recorder struct {
	mu  sync.Mutex
	all []backend.Event
}

func (r *recorder) add(ev backend.Event) { r.mu.Lock(); r.all = append(r.all, ev); r.mu.Unlock() }

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, ev := range r.all {
		fmt.Fprintf(&b, "[%s] %s\n", ev.Stage, ev.Message)
	}
	return b.String()
}

func runBuild(t testing.TB, b *Backend, req backend.Request) (*backend.Result, *recorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rec := &recorder{}
	res, err := b.Build(ctx, req, rec.add)
	if err != nil {
		t.Fatalf("Build: %v\nprogress:\n%s", err, rec.text())
	}
	return res, rec
}

func pos(line int) diag.Pos { return diag.Pos{Line: line, Column: 10} }

type backendRequest = backend.Request

func componentRef(arn string) recipes.ComponentRef { return recipes.ComponentRef{ARN: arn} }

// failingSTS answers like STS does for a revoked access key.
type failingSTS struct{}

func (failingSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
}
