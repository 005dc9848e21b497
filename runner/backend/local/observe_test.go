package local

import (
	"context"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/runner/backend"
)

// A version is never moved to other content (as in Image Builder): a
// build of the same version with another component document fails with
// version-taken unless --force; Observe says the same before any build.
func TestVersionTakenLocally(t *testing.T) {
	repo, root := demoRepo(t)
	repo.ImageRecipes["enginetest-web"].LocalParentImage = "localhost/base:1"
	b := newFakeBackend(Options{}, newFakeEngine())
	req := backend.Request{Repo: repo, Root: root, Recipe: "enginetest-web", Version: "2.0.0", Provenance: backend.Provenance{Commit: "abc1234-dirty"}}
	if res, err := b.Build(context.Background(), req, nil); err != nil || res.Status != backend.StatusSucceeded {
		t.Fatalf("first build: %v %+v", err, res)
	}
	status := func() backend.Observed {
		a, err := b.Observe(context.Background(), backend.ObserveRequest{Repo: repo, Root: root})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range a.Resources {
			if o.Name == "enginetest-web" {
				return o
			}
		}
		t.Fatalf("no enginetest-web in %+v", a.Resources)
		return backend.Observed{}
	}
	if o := status(); o.Have != o.Want || len(o.Images) != 1 || o.Images[0].Content != o.WantImage || o.Images[0].Commit != "abc1234-dirty" {
		t.Errorf("after the build: %+v", o)
	}
	// Other content, same version.
	for _, c := range repo.Components {
		c.Data += "\n# changed\n"
		c.ContentHash += "-changed"
	}
	if o := status(); o.Have == o.Want {
		t.Errorf("after the change the version should read as taken: %+v", o)
	}
	res, err := b.Build(context.Background(), req, nil)
	if err != nil || res.Status != backend.StatusFailed || !strings.Contains(res.Message, "version-taken: enginetest-web 2.0.0 is already in the local store with other content (build 1, commit abc1234-dirty") {
		t.Fatalf("same version, other content: %v %s %q", err, res.Status, res.Message)
	}
	req.Force = true
	if res, err := b.Build(context.Background(), req, nil); err != nil || res.Status != backend.StatusSucceeded {
		t.Fatalf("--force replaces it: %v %+v", err, res)
	}
}
