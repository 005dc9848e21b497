package aws

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// barrier holds requests of the named operations until two of them have
// arrived (or a second has passed), then lets both through: two runs that
// both saw a resource absent send their creates at the same moment.
type barrier struct {
	next http.Handler
	ops  map[string]bool

	mu      sync.Mutex
	waiting map[string]chan struct{}
	met     map[string]int // pairs that met, by operation
}

func newBarrier(next http.Handler, ops ...string) *barrier {
	b := &barrier{next: next, ops: map[string]bool{}, waiting: map[string]chan struct{}{}, met: map[string]int{}}
	for _, op := range ops {
		b.ops[op] = true
	}
	return b
}

func (b *barrier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.URL.Path, "/")
	if b.ops[op] {
		b.mu.Lock()
		if ch, ok := b.waiting[op]; ok {
			delete(b.waiting, op)
			b.met[op]++
			close(ch)
			b.mu.Unlock()
		} else {
			ch := make(chan struct{})
			b.waiting[op] = ch
			b.mu.Unlock()
			select {
			case <-ch:
			case <-time.After(time.Second):
				b.mu.Lock()
				if b.waiting[op] == ch {
					delete(b.waiting, op)
				}
				b.mu.Unlock()
			}
		}
	}
	b.next.ServeHTTP(w, r)
}

func (b *barrier) pairs(op string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.met[op]
}

// accountState counts what the fake holds for the fixture's recipe "web".
func accountState(t *testing.T, c *imagebuilder.Client, components ...string) string {
	t.Helper()
	ctx := context.Background()
	var parts []string
	for _, name := range components {
		out, err := c.ListComponentBuildVersions(ctx, &imagebuilder.ListComponentBuildVersionsInput{
			ComponentVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:component/" + name + "/1.0.0")})
		if err != nil {
			t.Fatalf("ListComponentBuildVersions %s: %v", name, err)
		}
		parts = append(parts, fmt.Sprintf("%s builds=%d", name, len(out.ComponentSummaryList)))
	}
	recipes, err := c.ListImageRecipes(ctx, &imagebuilder.ListImageRecipesInput{Owner: types.OwnershipSelf})
	if err != nil {
		t.Fatal(err)
	}
	parts = append(parts, fmt.Sprintf("recipes=%d", len(recipes.ImageRecipeSummaryList)))
	infra, err := c.ListInfrastructureConfigurations(ctx, &imagebuilder.ListInfrastructureConfigurationsInput{})
	if err != nil {
		t.Fatal(err)
	}
	dist, err := c.ListDistributionConfigurations(ctx, &imagebuilder.ListDistributionConfigurationsInput{})
	if err != nil {
		t.Fatal(err)
	}
	pipes, err := c.ListImagePipelines(ctx, &imagebuilder.ListImagePipelinesInput{})
	if err != nil {
		t.Fatal(err)
	}
	parts = append(parts, fmt.Sprintf("infrastructure=%d distribution=%d pipelines=%d",
		len(infra.InfrastructureConfigurationSummaryList), len(dist.DistributionConfigurationSummaryList), len(pipes.ImagePipelineList)))
	images, err := c.ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{ImageVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0")})
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, img := range images.ImageSummaryList {
		states = append(states, string(img.State.Status))
	}
	parts = append(parts, fmt.Sprintf("images=%v", states))
	return strings.Join(parts, "; ")
}

// TestTwoRunsAtOnce starts two Builds of the same request at the same
// moment: as two processes (two backends, every create and the build
// start held until both runs send it) and as two goroutines of one
// process. Whatever the provenance tags, the account ends as after one
// run, both succeed with the same image, and the run that did not start
// the build says it waited for the other run's image.
func TestTwoRunsAtOnce(t *testing.T) {
	creates := []string{"CreateComponent", "CreateImageRecipe", "CreateInfrastructureConfiguration",
		"CreateDistributionConfiguration"}
	for _, tc := range []struct {
		name        string
		processes   int // 2: two backends; 1: one backend, two goroutines
		otherRunURL bool
		pipeline    bool
		held        []string // operations held until both runs send them
	}{
		{"two processes, same provenance, pipeline", 2, false, true, append(creates, "CreateImagePipeline", "StartImagePipelineExecution")},
		{"two processes, other run URL, pipeline", 2, true, true, append(creates, "CreateImagePipeline", "StartImagePipelineExecution")},
		{"two processes, other run URL, CreateImage", 2, true, false, append(creates, "CreateImage")},
		{"one process, two goroutines, pipeline", 1, true, true, []string{"StartImagePipelineExecution"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, ibfake.Options{PollsPerState: 2})
			gate := newBarrier(e.fake, tc.held...)
			srv := httptest.NewServer(gate)
			defer srv.Close()
			repo := repoFixture(3)
			var pipes []string
			if tc.pipeline {
				pipes = []string{"web-pipeline"}
			}
			reqs := []backend.Request{request(repo, "web", pipes...), request(repo, "web", pipes...)}
			if tc.otherRunURL {
				reqs[1].Provenance.RunURL = "https://github.com/acme/images/actions/runs/2"
			}
			backends := []*Backend{e.backendAt(t, srv.URL), e.backendAt(t, srv.URL)}
			if tc.processes == 1 {
				backends[1] = backends[0]
			}
			results := make([]*backend.Result, 2)
			recs := []*recorder{{}, {}}
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					defer cancel()
					results[i], errs[i] = backends[i].Build(ctx, reqs[i], recs[i].add)
				}()
			}
			wg.Wait()
			for i := range 2 {
				if errs[i] != nil {
					t.Fatalf("run %d: %v\n%s", i, errs[i], recs[i].text())
				}
				if results[i].Status != backend.StatusSucceeded {
					t.Errorf("run %d: %s %s\n%s", i, results[i].Status, results[i].Message, recs[i].text())
				}
			}
			if results[0].Image == "" || results[0].Image != results[1].Image {
				t.Errorf("images: %q and %q, want one image", results[0].Image, results[1].Image)
			}
			want := "comp-1 builds=1; comp-2 builds=1; comp-3 builds=1; recipes=1; infrastructure=1 distribution=1 pipelines=1; images=[AVAILABLE]"
			if !tc.pipeline {
				want = strings.Replace(want, "pipelines=1", "pipelines=0", 1)
			}
			if got := accountState(t, e.client(), "comp-1", "comp-2", "comp-3"); got != want {
				t.Errorf("account after two runs:\n got %s\nwant %s", got, want)
			}
			for _, op := range tc.held {
				if gate.pairs(op) == 0 {
					t.Errorf("%s: the two runs never sent it at the same moment", op)
				}
			}
			// Exactly one run started the image; the other names it.
			waited := 0
			for i := range 2 {
				text := recs[i].text()
				if strings.Contains(text, "waiting for the build another run started, image "+results[i].Image) {
					waited++
				}
			}
			if waited != 1 {
				t.Errorf("%d runs said they waited for the other run's image %s, want 1:\n--- run 0:\n%s--- run 1:\n%s", waited, results[0].Image, recs[0].text(), recs[1].text())
			}
			if testing.Verbose() {
				t.Logf("--- run 0:\n%s--- run 1:\n%s", recs[0].text(), recs[1].text())
			}
			if tc.processes == 2 {
				both := recs[0].text() + recs[1].text()
				for _, what := range []string{"CreateComponent", "CreateImageRecipe"} {
					if !strings.Contains(both, what) || !strings.Contains(both, "another run created") {
						t.Errorf("no run said another run created the %s resource:\n%s", what, both)
					}
				}
			}
		})
	}
}

// TestTwoRunsAtOnceOtherContent: two runs create the same component
// version with different content at once. Auto-versioning makes that two
// builds; the run whose build came second is refused with "raise the
// version" and names both builds.
func TestTwoRunsAtOnceOtherContent(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	gate := newBarrier(e.fake, "CreateComponent")
	srv := httptest.NewServer(gate)
	defer srv.Close()
	repos := []*recipes.Repo{repoFixture(1), repoFixture(1)}
	c := repos[1].Components["comp-1"]
	c.Data = strings.Replace(c.Data, "echo", "printf", 1)
	c.ContentHash = sha(c.Data)
	results := make([]*backend.Result, 2)
	recs := []*recorder{{}, {}}
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.backendAt(t, srv.URL).Build(context.Background(), request(repos[i], "web", "web-pipeline"), recs[i].add)
			if err != nil {
				t.Errorf("run %d: %v", i, err)
				return
			}
			results[i] = res
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	refused := 0
	for i, res := range results {
		if res.Status == backend.StatusFailed {
			refused++
			if !strings.Contains(res.Message, "created at the same time by another run with other content") || !strings.Contains(res.Message, "raise the version") ||
				!strings.Contains(res.Message, "component/comp-1/1.0.0/1") || !strings.Contains(res.Message, "component/comp-1/1.0.0/2") {
				t.Errorf("run %d refusal does not name both builds and the fix: %s", i, res.Message)
			}
		} else if res.Status != backend.StatusSucceeded {
			t.Errorf("run %d: %s %s\n%s", i, res.Status, res.Message, recs[i].text())
		}
	}
	if refused != 1 {
		t.Errorf("%d runs refused, want 1: %s / %s", refused, results[0].Message, results[1].Message)
	}
}

// TestRetryAfterFailedBuildStartsANewOne: the build token counts the
// builds of the hash already there, so a re-run after a failed build
// starts a new image instead of meeting the failed one's token.
func TestRetryAfterFailedBuildStartsANewOne(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(1)
	req := request(repo, "web", "web-pipeline")
	e.fake.SetFaults(ibfake.Faults{FailStep: "CreateOutputAMI"})
	if res, rec := runBuild(t, e.backend(t), req); res.Status != backend.StatusFailed {
		t.Fatalf("first run: %s %s\n%s", res.Status, res.Message, rec.text())
	}
	e.fake.SetFaults(ibfake.Faults{})
	res, rec := runBuild(t, e.backend(t), req)
	if res.Status != backend.StatusSucceeded || !strings.HasSuffix(res.Image, "image/web/1.0.0/2") {
		t.Fatalf("re-run: %s %s %s\n%s", res.Status, res.Image, res.Message, rec.text())
	}
	if strings.Contains(rec.text(), "new token") || strings.Contains(rec.text(), "another run") {
		t.Errorf("the re-run met an old token:\n%s", rec.text())
	}
}

// TestClientTokenShape: tokens fit the documented 1..36 characters (the
// fake refuses longer ones), are deterministic, and differ whenever any
// part differs, however long the parts are.
func TestClientTokenShape(t *testing.T) {
	long := strings.Repeat("f", 64)
	cases := []struct {
		name string
		a, b []string
	}{
		{"version", []string{"CreateComponent", "123456789012", "comp", "1.0.0", long}, []string{"CreateComponent", "123456789012", "comp", "1.0.1", long}},
		{"operation", []string{"CreateImage", "arn", "1.0.0", long, "0"}, []string{"StartImagePipelineExecution", "arn", "1.0.0", long, "0"}},
		{"attempt", []string{"CreateImage", "arn", "1.0.0", long, "0"}, []string{"CreateImage", "arn", "1.0.0", long, "1"}},
		{"part boundaries", []string{"ab", "c"}, []string{"a", "bc"}},
		{"long parts", []string{strings.Repeat("x", 2048)}, []string{strings.Repeat("x", 2047)}},
	}
	for _, c := range cases {
		a, b := clientToken(c.a...), clientToken(c.b...)
		for _, tok := range []string{a, b} {
			if len(tok) == 0 || len(tok) > 36 {
				t.Errorf("%s: token %q has %d characters, want 1..36", c.name, tok, len(tok))
			}
		}
		if a == b {
			t.Errorf("%s: %v and %v share token %q", c.name, c.a, c.b, a)
		}
		if again := clientToken(c.a...); again != a {
			t.Errorf("%s: token not deterministic: %q then %q", c.name, a, again)
		}
	}
}

// TestTokenOfDeletedComponentCreatesAnew: the deterministic CreateComponent
// token answers with the build it made; when that build was deleted since,
// the run creates the version again with a new token instead of using an
// ARN that no longer exists. The same holds for a deleted image.
func TestTokenOfDeletedComponentCreatesAnew(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	repo := repoFixture(1)
	req := request(repo, "web")
	if res, rec := runBuild(t, e.backend(t), req); res.Status != backend.StatusSucceeded {
		t.Fatalf("first run: %s %s\n%s", res.Status, res.Message, rec.text())
	}
	ctx := context.Background()
	c := e.client()
	const acct = "arn:aws:imagebuilder:us-east-1:123456789012:"
	if _, err := c.DeleteImage(ctx, &imagebuilder.DeleteImageInput{ImageBuildVersionArn: aws.String(acct + "image/web/1.0.0/1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteImageRecipe(ctx, &imagebuilder.DeleteImageRecipeInput{ImageRecipeArn: aws.String(acct + "image-recipe/web/1.0.0")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteComponent(ctx, &imagebuilder.DeleteComponentInput{ComponentBuildVersionArn: aws.String(acct + "component/comp-1/1.0.0/1")}); err != nil {
		t.Fatal(err)
	}
	res, rec := runBuild(t, e.backend(t), req)
	if res.Status != backend.StatusSucceeded {
		t.Fatalf("re-run: %s %s\n%s", res.Status, res.Message, rec.text())
	}
	// The image was deleted too: the build token (no build of the hash
	// left, attempt 0 again) meets the first run's, and nothing of it is
	// running: a new build starts.
	for _, want := range []string{"no longer exists: creating it with a new token", "no longer running or available: starting with a new token"} {
		if !strings.Contains(rec.text(), want) {
			t.Errorf("the re-run did not say %q:\n%s", want, rec.text())
		}
	}
	if !strings.HasPrefix(res.Image, acct+"image/web/1.0.0/") {
		t.Errorf("re-run image %q", res.Image)
	}
	out, err := c.ListComponentBuildVersions(ctx, &imagebuilder.ListComponentBuildVersionsInput{ComponentVersionArn: aws.String(acct + "component/comp-1/1.0.0")})
	if err != nil || len(out.ComponentSummaryList) != 1 {
		t.Fatalf("builds after the re-run: %v %v, want 1", out, err)
	}
}
