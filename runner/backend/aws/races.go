package aws

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/ibgitops/ibgitops/recipes"
)

// Two runs started at once on the same repository meet in Image Builder.
// What keeps them from making a resource version twice:
//
//   - Creates that the service refuses for an existing name (recipes,
//     infrastructure and distribution configurations, pipelines) answer
//     ResourceAlreadyExistsException to the slower run, which then reads
//     what the other run created and applies the same content-hash
//     decision as when a resource is found at first.
//   - CreateComponent never refuses (same name and version makes the next
//     build), so it carries a deterministic client token derived from the
//     name, version and content hash: an identical concurrent create gets
//     the same build back, one with other provenance tags gets
//     IdempotentParameterMismatchException and re-reads. After a create the
//     builds of the version are listed: the first build wins.
//   - Builds carry a deterministic client token derived from the pipeline
//     or recipe ARN, version, build hash and the number of builds of that
//     hash already seen, plus a per-run ibgitops:run-id tag, so the second
//     run's start is a token mismatch: it finds the other run's image by
//     its build hash and waits for it.

// TagRunID marks the images a run started, so that two runs starting the
// same build with the same token tell their calls apart.
const TagRunID = "ibgitops:run-id"

// maxClientToken is the longest client token Image Builder is documented
// to accept: the API reference gives clientToken "Length Constraints:
// Minimum length of 1. Maximum length of 36." (CreateComponent and every
// other call with a token), although botocore's current model allows 64.
// The tighter limit holds on whichever endpoint enforces it.
const maxClientToken = 36

// clientToken is a deterministic idempotency token of maxClientToken
// characters: "ibgitops-" and 27 hex digits (108 bits) of the sha256 of
// parts, enough that two different calls never share a token.
func clientToken(parts ...string) string {
	const prefix = "ibgitops-"
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return prefix + hex.EncodeToString(sum[:])[:maxClientToken-len(prefix)]
}

// newRunID is a random id for one Build call.
func newRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// raced reports whether a create failed because another caller made the
// same resource first: the name exists, or the deterministic client token
// was used with other parameters (other provenance tags).
func raced(err error) bool {
	switch apiCode(err) {
	case "ResourceAlreadyExistsException", "IdempotentParameterMismatchException":
		return true
	}
	return false
}

// componentBuilds lists the builds of a component version, oldest first.
func (r *run) componentBuilds(ctx context.Context, versionARN string) ([]types.ComponentSummary, error) {
	var out []types.ComponentSummary
	p := imagebuilder.NewListComponentBuildVersionsPaginator(r.b.api, &imagebuilder.ListComponentBuildVersionsInput{
		ComponentVersionArn: ptr(versionARN), MaxResults: ptr(int32(25))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, explain("ListComponentBuildVersions", versionARN, err)
		}
		out = append(out, page.ComponentSummaryList...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return buildNumber(aws.ToString(out[i].Arn)) < buildNumber(aws.ToString(out[j].Arn))
	})
	return out, nil
}

// firstBuild checks, after this run created build mine of a component
// version, that no other build came first. The first build decides: same
// content, it is used (and this run's build, if another, is named as a
// duplicate); other content, the version is refused. found is false when
// mine is not listed at all (the service answered a reused token with a
// build that no longer exists).
func (r *run) firstBuild(ctx context.Context, c *recipes.Component, hash, versionARN, mine string) (arn string, found bool, err error) {
	builds, err := r.componentBuilds(ctx, versionARN)
	if err != nil {
		return "", false, err
	}
	for _, s := range builds {
		if aws.ToString(s.Arn) == mine {
			found = true
		}
	}
	if !found || len(builds) == 0 || aws.ToString(builds[0].Arn) == mine {
		return mine, found, nil
	}
	first := builds[0]
	firstARN := aws.ToString(first.Arn)
	have := first.Tags[TagContentHash]
	same := have == hash
	if have == "" {
		got, err := r.b.api.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: ptr(firstARN)})
		if err != nil {
			return "", true, explain("GetComponent", firstARN, err)
		}
		same = got.Component != nil && aws.ToString(got.Component.Data) == c.Data && string(got.Component.Platform) == c.Platform
	}
	if !same {
		return "", true, &refusal{fmt.Sprintf("%s: component %s version %s was created at the same time by another run with other content (%s, content-sha256 %s, the repository's %s; this run's build %s has the repository's content); "+
			"Image Builder versions are immutable: raise the version", location(&c.Meta), c.Name, c.Version, firstARN, orNone(have), hash, mine)}
	}
	r.emit("apply", "component %s@%s: another run created build %s with the same content first: using it (this run's build %s is a duplicate with the same content; delete it with DeleteComponent if unwanted)",
		c.Name, c.Version, firstARN, mine)
	return firstARN, true, nil
}

// awaitOther finds the image another run started for this build hash (the
// start call met that run's client token) and returns it, or false when
// there is none in flight or AVAILABLE (the token's earlier build failed or
// was deleted: the caller starts a new one). Listing may lag behind the
// other run's start: it looks a few times, PollInterval apart.
func (r *run) awaitOther(ctx context.Context, name, ver, hash string) (types.ImageSummary, bool, error) {
	for attempt := 0; ; attempt++ {
		list, err := r.images(ctx, name, ver)
		if err != nil {
			return types.ImageSummary{}, false, err
		}
		if img, ok := pickInFlight(list, hash); ok {
			return img, true, nil
		}
		if img, ok := pick(list, hash, types.ImageStatusAvailable); ok {
			return img, true, nil
		}
		if attempt == 2 {
			return types.ImageSummary{}, false, nil
		}
		if err := sleepCtx(ctx, r.b.opts.PollInterval); err != nil {
			return types.ImageSummary{}, false, err
		}
	}
}

// buildsOf counts the images of a build hash in any state: the attempt
// number in a build's client token, so that runs which saw the same
// history use the same token, and a retry after a failure a new one.
func buildsOf(list []types.ImageSummary, hash string) int {
	n := 0
	for _, img := range list {
		if img.Tags[TagBuildHash] == hash {
			n++
		}
	}
	return n
}

// sleepCtx waits d, or less when ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
