package ibfake

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/smithy-go"
)

// newFake starts the fake and returns it with a real SDK client pointed at
// it. maxAttempts 1 disables retries so tests see every error.
func newFake(t *testing.T, opts Options, maxAttempts int) (*Server, *imagebuilder.Client) {
	t.Helper()
	fake, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	client := Client(srv.URL, retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	}))
	return fake, client
}

// al2023 is an AWS-managed parent image every Region of the fake knows.
const al2023 = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x"

const doc = `name: hello
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
`

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestComponentLifecycleThroughSDK(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{}, 1)
	out, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{
		Name: aws.String("Hello World"), SemanticVersion: aws.String("1.2.3"), Platform: types.PlatformLinux,
		Data: aws.String(doc), Tags: map[string]string{"team": "platform"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "arn:aws:imagebuilder:us-east-1:123456789012:component/hello-world/1.2.3/1"
	if got := aws.ToString(out.ComponentBuildVersionArn); got != want {
		t.Fatalf("arn = %s, want %s", got, want)
	}
	if got := aws.ToString(out.LatestVersionReferences.LatestMinorVersionArn); !strings.HasSuffix(got, "component/hello-world/1.2.3") {
		t.Errorf("latest minor = %s", got)
	}
	// November 2025 auto-versioning: same name and version -> next build.
	out2, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{
		Name: aws.String("Hello World"), SemanticVersion: aws.String("1.2.3"), Platform: types.PlatformLinux, Data: aws.String(doc),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out2.ComponentBuildVersionArn); !strings.HasSuffix(got, "/1.2.3/2") {
		t.Fatalf("second create = %s, want build 2", got)
	}
	get, err := c.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String(strings.TrimSuffix(want, "/1"))})
	if err != nil {
		t.Fatal(err)
	}
	comp := get.Component
	if aws.ToString(comp.Arn) != strings.TrimSuffix(want, "/1")+"/2" || comp.Type != types.ComponentTypeBuild ||
		len(comp.Parameters) != 1 || aws.ToString(comp.Parameters[0].Name) != "greeting" || comp.Parameters[0].DefaultValue[0] != "hi" {
		t.Fatalf("GetComponent by version ARN = %+v", comp)
	}
	wild, err := c.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:component/hello-world/1.x.x")})
	if err != nil || !strings.HasSuffix(aws.ToString(wild.Component.Arn), "/2") {
		t.Fatalf("wildcard get = %v %v", wild, err)
	}
	builds, err := c.ListComponentBuildVersions(ctx, &imagebuilder.ListComponentBuildVersionsInput{ComponentVersionArn: aws.String(strings.TrimSuffix(want, "/1"))})
	if err != nil || len(builds.ComponentSummaryList) != 2 || builds.ComponentSummaryList[0].Tags["team"] != "platform" {
		t.Fatalf("build versions = %+v %v", builds, err)
	}
	list, err := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{})
	if err != nil || len(list.ComponentVersionList) != 1 {
		t.Fatalf("ListComponents = %+v %v", list, err)
	}
	// Delete while a recipe uses it.
	if _, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{
		Name: aws.String("recipe-1"), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(al2023),
		Components: []types.ComponentConfiguration{{ComponentArn: aws.String(want)}},
	}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: aws.String(want)})
	if apiCode(err) != "ResourceDependencyException" {
		t.Fatalf("delete used component: %v", err)
	}
	if _, err := c.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: aws.String(strings.TrimSuffix(want, "/1") + "/2")}); err != nil {
		t.Fatalf("delete unused build: %v", err)
	}
}

func TestValidationErrors(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{}, 1)
	cases := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"bad name pattern", func() error {
			_, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("a!"), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux, Data: aws.String(doc)})
			return err
		}, "InvalidParameterValueException", "'name'"},
		{"wildcard component version", func() error {
			_, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("abc"), SemanticVersion: aws.String("1.0.x"), Platform: types.PlatformLinux, Data: aws.String(doc)})
			return err
		}, "InvalidParameterValueException", "semanticVersion"},
		{"enum", func() error {
			_, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("abc"), SemanticVersion: aws.String("1.0.0"), Platform: "Plan9", Data: aws.String(doc)})
			return err
		}, "InvalidParameterValueException", "enum"},
		{"data and uri", func() error {
			_, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("abc"), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux, Data: aws.String(doc), Uri: aws.String("s3://b/k")})
			return err
		}, "InvalidParameterCombinationException", "exactly one"},
		{"version out of range", func() error {
			_, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("abc"), SemanticVersion: aws.String("1.0.1073741824"), Platform: types.PlatformLinux, Data: aws.String(doc)})
			return err
		}, "InvalidVersionNumberException", "1073741823"},
		{"aws: tag key", func() error {
			_, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("abc"), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux, Data: aws.String(doc), Tags: map[string]string{"aws:x": "y"}})
			return err
		}, "InvalidParameterValueException", "tags"},
		{"maxResults over 25", func() error {
			_, err := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{MaxResults: aws.Int32(26)})
			return err
		}, "InvalidParameterValueException", "maxResults"},
		{"not found", func() error {
			_, err := c.GetImageRecipe(ctx, &imagebuilder.GetImageRecipeInput{ImageRecipeArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/nope/1.0.0")})
			return err
		}, "ResourceNotFoundException", "nope"},
		{"bad pagination token", func() error {
			_, err := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{NextToken: aws.String("garbage")})
			return err
		}, "InvalidPaginationTokenException", "garbage"},
		{"undefined component parameter", func() error {
			if _, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("param-comp"), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux, Data: aws.String(doc)}); err != nil {
				return err
			}
			_, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("recipe-p"), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String(al2023),
				Components: []types.ComponentConfiguration{{ComponentArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:component/param-comp/1.0.0/1"),
					Parameters: []types.ComponentParameter{{Name: aws.String("nope"), Value: []string{"v"}}}}}})
			return err
		}, "InvalidParameterCombinationException", "not defined in the provided component: nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if apiCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %s mentioning %q", err, tc.code, tc.msg)
			}
		})
	}
}

func TestRecipeVersionsAndIdempotency(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{}, 1)
	in := func(v string) *imagebuilder.CreateImageRecipeInput {
		return &imagebuilder.CreateImageRecipeInput{Name: aws.String("web"), SemanticVersion: aws.String(v), ParentImage: aws.String(al2023), ClientToken: aws.String("tok-" + v)}
	}
	if _, err := c.CreateImageRecipe(ctx, in("1.0.0")); err != nil {
		t.Fatal(err)
	}
	// Same token, same body: the same answer, no second recipe.
	again, err := c.CreateImageRecipe(ctx, in("1.0.0"))
	if err != nil || !strings.HasSuffix(aws.ToString(again.ImageRecipeArn), "/web/1.0.0") {
		t.Fatalf("replay = %v %v", again, err)
	}
	// Same token, other body.
	other := in("1.0.0")
	other.Description = aws.String("changed")
	if _, err := c.CreateImageRecipe(ctx, other); apiCode(err) != "IdempotentParameterMismatchException" {
		t.Fatalf("mismatch = %v", err)
	}
	// Other token, same version: already exists.
	dup := in("1.0.0")
	dup.ClientToken = aws.String("fresh")
	var exists *types.ResourceAlreadyExistsException
	if _, err := c.CreateImageRecipe(ctx, dup); !errors.As(err, &exists) {
		t.Fatalf("duplicate = %v", err)
	}
	// Wildcard versions pick the next free one.
	for _, want := range []string{"1.0.1", "1.0.2"} {
		out, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("web"), SemanticVersion: aws.String("1.0.x"), ParentImage: aws.String(al2023)})
		if err != nil || !strings.HasSuffix(aws.ToString(out.ImageRecipeArn), "/web/"+want) {
			t.Fatalf("1.0.x = %v %v, want %s", out, err, want)
		}
	}
	out, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("web"), SemanticVersion: aws.String("1.x.x"), ParentImage: aws.String(al2023)})
	if err != nil || !strings.HasSuffix(aws.ToString(out.ImageRecipeArn), "/web/1.1.0") {
		t.Fatalf("1.x.x = %v %v", out, err)
	}
	if _, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("web"), SemanticVersion: aws.String("x.2.x"), ParentImage: aws.String(al2023)}); apiCode(err) != "InvalidVersionNumberException" {
		t.Fatalf("x.2.x = %v", err)
	}
}

func TestPagination(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t, Options{}, 1)
	for i := range 30 {
		name := "comp-" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		if _, err := c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String(name), SemanticVersion: aws.String("1.0.0"), Platform: types.PlatformLinux, Data: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	p := imagebuilder.NewListComponentsPaginator(c, &imagebuilder.ListComponentsInput{MaxResults: aws.Int32(7)})
	pages, total := 0, 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		total += len(page.ComponentVersionList)
	}
	if pages != 5 || total != 30 {
		t.Fatalf("pages=%d total=%d, want 5 and 30", pages, total)
	}
	filtered, err := c.ListComponents(ctx, &imagebuilder.ListComponentsInput{Filters: []types.Filter{{Name: aws.String("name"), Values: []string{"comp-ab"}}}})
	if err != nil || len(filtered.ComponentVersionList) != 1 {
		t.Fatalf("filter = %+v %v", filtered, err)
	}
}

// TestWireFormat checks what the SDK cannot show: the raw status, the
// X-Amzn-ErrorType header and the JSON error body, and query binding.
func TestWireFormat(t *testing.T) {
	fake, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cases := []struct {
		method, path, body string
		status             int
		errType, message   string
	}{
		{"PUT", "/CreateInfrastructureConfiguration", `{"name":"infra","clientToken":"t1"}`, 400, "InvalidRequestException", "instanceProfileName"},
		{"GET", "/GetImage?imageBuildVersionArn=arn%3Aaws%3Aimagebuilder%3Aus-east-1%3A123456789012%3Aimage%2Fx%2F1.0.0%2F1", "", 404, "ResourceNotFoundException", "image/x/1.0.0/1"},
		{"GET", "/tags/arn%3Aaws%3Aimagebuilder%3Aus-east-1%3A123456789012%3Aimage-pipeline%2Fnope", "", 404, "ResourceNotFoundException", "image-pipeline/nope"},
		{"POST", "/ListComponents", `{"maxResults":0}`, 400, "InvalidParameterValueException", "maxResults"},
		{"PATCH", "/ListComponents", ``, 404, "UnknownOperationException", "PATCH"},
		{"POST", "/ListComponents", `not json`, 400, "SerializationException", "JSON"},
		// The API reference caps clientToken at 36 characters (botocore's
		// model says 64): 36 passes, 37 is refused.
		{"PUT", "/CreateInfrastructureConfiguration", `{"name":"infra36","instanceProfileName":"R","clientToken":"` + strings.Repeat("t", 36) + `"}`, 200, "", ""},
		{"PUT", "/CreateInfrastructureConfiguration", `{"name":"infra37","instanceProfileName":"R","clientToken":"` + strings.Repeat("t", 37) + `"}`, 400, "InvalidParameterValueException", "clientToken"},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("X-Amzn-ErrorType") != tc.errType || !strings.Contains(body["message"], tc.message) {
			t.Errorf("%s %s: status %d type %q body %v; want %d %s mentioning %q", tc.method, tc.path, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body, tc.status, tc.errType, tc.message)
		}
	}
}
