package aws

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// killSwitch passes requests to the fake until the Nth answered call of
// an operation; after it every connection is dropped, as if the process
// running ibgitops was killed (nothing it sends arrives any more, not even
// a CancelImageCreation).
type killSwitch struct {
	next  http.Handler
	op    string
	after int

	mu     sync.Mutex
	seen   int
	killed bool
}

func (k *killSwitch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	killed := k.killed
	k.mu.Unlock()
	if killed {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		http.Error(w, "killed", http.StatusServiceUnavailable)
		return
	}
	k.next.ServeHTTP(w, r)
	if r.URL.Path == "/"+k.op {
		k.mu.Lock()
		k.seen++
		k.killed = k.seen >= k.after
		k.mu.Unlock()
	}
}

func TestKillAndRerunCreatesNoDuplicate(t *testing.T) {
	for _, tc := range []struct {
		name       string
		op         string
		after      int
		wantRerun  string // mutating calls of the re-run
		wantResume bool
	}{
		{"killed after the second component", "CreateComponent", 2,
			"CreateComponent=1 CreateDistributionConfiguration=1 CreateImagePipeline=1 CreateImageRecipe=1 CreateInfrastructureConfiguration=1 StartImagePipelineExecution=1", false},
		{"killed after the pipeline was created", "CreateImagePipeline", 1, "StartImagePipelineExecution=1", false},
		{"killed while the image builds", "StartImagePipelineExecution", 1, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, ibfake.Options{})
			ks := httptest.NewServer(&killSwitch{next: e.fake, op: tc.op, after: tc.after})
			defer ks.Close()
			repo := repoFixture(3)
			req := request(repo, "web", "web-pipeline")
			if _, err := e.backendAt(t, ks.URL).Build(context.Background(), req, nil); err == nil {
				t.Fatal("the killed run reported no error")
			}
			e.fake.ResetCalls()
			res, rec := runBuild(t, e.backend(t), req)
			if res.Status != backend.StatusSucceeded || !strings.HasSuffix(res.Image, "image/web/1.0.0/1") {
				t.Fatalf("re-run: %+v\n%s", res, rec.text())
			}
			if got := formatCalls(mutating(e.fake.Calls())); got != tc.wantRerun {
				t.Errorf("re-run mutations:\n got %s\nwant %s", got, tc.wantRerun)
			}
			if tc.wantResume != strings.Contains(rec.text(), "was started by an earlier run; waiting for it") {
				t.Errorf("resume reported %v, want %v:\n%s", !tc.wantResume, tc.wantResume, rec.text())
			}
			c := e.client()
			for _, name := range []string{"comp-1", "comp-2", "comp-3"} {
				out, err := c.ListComponentBuildVersions(context.Background(), &imagebuilder.ListComponentBuildVersionsInput{
					ComponentVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:component/" + name + "/1.0.0")})
				if err != nil || len(out.ComponentSummaryList) != 1 {
					t.Errorf("%s builds: %v %v", name, out, err)
				}
			}
			images, err := c.ListImageBuildVersions(context.Background(), &imagebuilder.ListImageBuildVersionsInput{ImageVersionArn: aws.String("arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0")})
			if err != nil || len(images.ImageSummaryList) != 1 {
				t.Errorf("images: %v %v", images, err)
			}
		})
	}
}
