package ibfake

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
)

// TestClientTokens: a token answers its first successful call again for
// the same body, refuses another body, is scoped per operation, is not
// taken by a failed call, and is forgotten after TokenTTL.
func TestClientTokens(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	_, c := newFake(t, Options{Now: clock, TokenTTL: time.Hour}, 1)
	ctx := context.Background()
	comp := func(token, runURL string) (*imagebuilder.CreateComponentOutput, error) {
		return c.CreateComponent(ctx, &imagebuilder.CreateComponentInput{Name: aws.String("hello"), SemanticVersion: aws.String("1.0.0"),
			Platform: types.PlatformLinux, Data: aws.String(doc), ClientToken: aws.String(token), Tags: map[string]string{"run-url": runURL}})
	}

	first, err := comp("tok", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := comp("tok", "run-1")
	if err != nil || aws.ToString(again.ComponentBuildVersionArn) != aws.ToString(first.ComponentBuildVersionArn) {
		t.Fatalf("same token, same body: %v %v, want %s again", again, err, aws.ToString(first.ComponentBuildVersionArn))
	}
	if _, err := comp("tok", "run-2"); apiCode(err) != "IdempotentParameterMismatchException" {
		t.Errorf("same token, other tags: %v, want IdempotentParameterMismatchException", err)
	}

	// Scope per operation: the same token on CreateImageRecipe is new.
	recipe := func(token string) (*imagebuilder.CreateImageRecipeOutput, error) {
		return c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("web"), SemanticVersion: aws.String("1.0.0"),
			ParentImage: aws.String(al2023), ClientToken: aws.String(token),
			Components: []types.ComponentConfiguration{{ComponentArn: first.ComponentBuildVersionArn}}})
	}
	if _, err := recipe("tok"); err != nil {
		t.Errorf("the token of a CreateComponent on CreateImageRecipe: %v, want a new recipe", err)
	}
	// A failed call does not take its token: the same token works once
	// the cause is gone.
	if _, err := c.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{Name: aws.String("web"), SemanticVersion: aws.String("1.0.0"),
		ParentImage: aws.String(al2023), ClientToken: aws.String("tok-2"),
		Components: []types.ComponentConfiguration{{ComponentArn: first.ComponentBuildVersionArn}}}); apiCode(err) != "ResourceAlreadyExistsException" {
		t.Fatalf("second recipe 1.0.0: %v, want ResourceAlreadyExistsException", err)
	}
	if _, err := c.DeleteImageRecipe(ctx, &imagebuilder.DeleteImageRecipeInput{ImageRecipeArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/web/1.0.0")}); err != nil {
		t.Fatal(err)
	}
	if _, err := recipe("tok-2"); err != nil {
		t.Errorf("a token whose call failed, reused: %v, want the recipe created", err)
	}

	// Expiry: after TokenTTL the token is new again, and (auto-versioning)
	// the same create makes the next build.
	advance(time.Hour)
	later, err := comp("tok", "run-2")
	if err != nil {
		t.Fatalf("expired token: %v", err)
	}
	if got := aws.ToString(later.ComponentBuildVersionArn); got != "arn:aws:imagebuilder:us-east-1:123456789012:component/hello/1.0.0/2" {
		t.Errorf("expired token made %s, want build 2", got)
	}
}

// TestConcurrentSameToken: many identical creates with one token at once
// make one build and all answer it.
func TestConcurrentSameToken(t *testing.T) {
	_, c := newFake(t, Options{}, 1)
	const n = 8
	arns := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := c.CreateComponent(context.Background(), &imagebuilder.CreateComponentInput{Name: aws.String("hello"), SemanticVersion: aws.String("1.0.0"),
				Platform: types.PlatformLinux, Data: aws.String(doc), ClientToken: aws.String("same")})
			if err != nil {
				t.Error(err)
				return
			}
			arns[i] = aws.ToString(out.ComponentBuildVersionArn)
		}()
	}
	wg.Wait()
	for i, a := range arns {
		if a != arns[0] || a == "" {
			t.Errorf("call %d answered %q, call 0 %q", i, a, arns[0])
		}
	}
	list, err := c.ListComponentBuildVersions(context.Background(), &imagebuilder.ListComponentBuildVersionsInput{
		ComponentVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:component/hello/1.0.0")})
	if err != nil || len(list.ComponentSummaryList) != 1 {
		t.Errorf("builds: %v %v, want 1", list, err)
	}
}
