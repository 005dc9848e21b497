// Package aws is the EC2 Image Builder backend: it turns a planned recipe
// version into Image Builder resources and builds, idempotently and with
// provenance. Components and recipes are created only when absent (a
// content hash tag decides "same version, same content: reuse" against
// "same version, other content: refuse, raise the version"); infrastructure
// and distribution configurations and pipelines are created or updated
// when their hash differs; builds run through StartImagePipelineExecution
// or CreateImage and are polled with backoff, the workflow steps reported
// as progress. The Image Builder client is declared as API, in the SDK's
// own method shapes, so tests drive the real SDK against internal/ibfake.
package aws

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ibgitops/ibgitops/internal/lazyre"
	"github.com/ibgitops/ibgitops/internal/version"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// Options configure the backend. The zero value loads everything from the
// standard AWS chain.
type Options struct {
	// Region overrides the chain's region (ibgitops.yaml aws.region).
	Region string
	// Client and STS replace the clients built from the AWS chain (tests
	// pass SDK clients pointed at the fake). Region is then required.
	Client API
	STS    STSAPI
	// Account and Partition skip the STS lookup when both are set.
	Account, Partition string
	// PollInterval is the first wait between GetImage polls (default
	// 20s); it grows by half each poll up to MaxPollInterval (default 2m).
	PollInterval, MaxPollInterval time.Duration
	// CancelTimeout bounds the CancelImageCreation calls made after an
	// interrupt (default 1m).
	CancelTimeout time.Duration
	// RetryMaxAttempts and RetryMaxBackoff configure the retryer of
	// clients built from the chain (defaults 10 and 20s).
	RetryMaxAttempts int
	RetryMaxBackoff  time.Duration
	// RetryBackoff replaces the retry delay (tests).
	RetryBackoff retry.BackoffDelayer
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Backend builds on EC2 Image Builder. It is safe for concurrent Builds:
// resource changes are serialized, waits overlap.
type Backend struct {
	opts   Options
	api    API
	sts    STSAPI
	region string

	identityMu sync.Mutex
	account    string
	partition  string

	applyMu sync.Mutex // serializes the create/update phase of Builds

	mu         sync.Mutex
	components map[string]string                   // name@version -> ARN verified or created by this process
	recipes    map[string]string                   // kind/name@version -> ARN
	mutable    map[recipes.Kind]map[string]*remote // listed once per kind
	inflight   map[string]bool                     // image ARNs this process started and has not seen finish
}

// remote is a mutable resource as Image Builder holds it.
type remote struct {
	arn, hash string
}

var (
	_ backend.Backend   = (*Backend)(nil)
	_ backend.Canceller = (*Backend)(nil)
)

// New returns a backend. Without opts.Client it loads region, credentials
// and endpoints from the standard AWS chain and fails early, with what to
// do, when there is no region or no usable credentials.
func New(ctx context.Context, opts Options) (*Backend, error) {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 20 * time.Second
	}
	if opts.MaxPollInterval <= 0 {
		opts.MaxPollInterval = 2 * time.Minute
	}
	if opts.CancelTimeout <= 0 {
		opts.CancelTimeout = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	b := &Backend{opts: opts, api: opts.Client, sts: opts.STS, region: opts.Region,
		components: map[string]string{}, recipes: map[string]string{},
		mutable: map[recipes.Kind]map[string]*remote{}, inflight: map[string]bool{}}
	if b.api == nil {
		cfg, err := LoadConfig(ctx, opts.Region, func() aws.Retryer {
			return NewRetryer(opts.RetryMaxAttempts, opts.RetryMaxBackoff, opts.RetryBackoff)
		})
		if err != nil {
			return nil, err
		}
		b.api = imagebuilder.NewFromConfig(cfg)
		if b.sts == nil {
			b.sts = sts.NewFromConfig(cfg)
		}
		b.region = cfg.Region
	}
	if b.region == "" {
		return nil, errors.New("aws backend: no region: set aws.region in ibgitops.yaml or AWS_REGION")
	}
	if opts.Account != "" && opts.Partition != "" {
		b.account, b.partition = opts.Account, opts.Partition
	}
	return b, nil
}

// Name implements backend.Backend.
func (b *Backend) Name() string { return "aws" }

// Region the backend works in.
func (b *Backend) Region() string { return b.region }

// identify learns the account and partition once (sts:GetCallerIdentity).
// A failure is not remembered: the next Build tries again.
func (b *Backend) identify(ctx context.Context) error {
	b.identityMu.Lock()
	defer b.identityMu.Unlock()
	if b.account != "" {
		return nil
	}
	if b.sts == nil {
		return errors.New("aws backend: no STS client to learn the account: set Options.Account and Options.Partition")
	}
	out, err := b.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		err = fmt.Errorf("identify the AWS account: %w", explain("GetCallerIdentity", "", err))
		if os.Getenv("AWS_ENDPOINT_URL_IMAGEBUILDER") != "" && os.Getenv("AWS_ENDPOINT_URL") == "" {
			// The account comes from STS, which the Image Builder endpoint
			// variable does not redirect.
			err = fmt.Errorf("%w; when pointing at a fake or another endpoint set AWS_ENDPOINT_URL (all services), not only AWS_ENDPOINT_URL_IMAGEBUILDER", err)
		}
		return err
	}
	b.partition = "aws"
	if parts := strings.SplitN(aws.ToString(out.Arn), ":", 3); len(parts) == 3 && parts[1] != "" {
		b.partition = parts[1]
	}
	b.account = aws.ToString(out.Account)
	return nil
}

// arn builds an ARN of this account: typ/name-segment[/parts...].
func (b *Backend) arn(typ, name string, parts ...string) string {
	a := fmt.Sprintf("arn:%s:imagebuilder:%s:%s:%s/%s", b.partition, b.region, b.account, typ, arnName(name))
	for _, p := range parts {
		a += "/" + p
	}
	return a
}

// run is the state of one Build call.
type run struct {
	b        *Backend
	req      backend.Request
	progress func(backend.Event)
	planned  []string // dry run: the calls it would make
	applied  []string // the creates and updates this call made, for the interrupt message
	runID    string   // tags the images this call starts (TagRunID)
}

func (r *run) emit(stage, format string, args ...any) {
	r.progress(backend.Event{Time: r.b.opts.Now(), Recipe: r.req.Recipe, Stage: stage, Message: fmt.Sprintf(format, args...)})
}

// mutate makes a mutating call, or in a dry run records that it would.
// It reports whether the call was made.
func (r *run) mutate(op, what string, call func() error) (bool, error) {
	if r.req.DryRun {
		r.planned = append(r.planned, op+" "+what)
		r.emit("dry-run", "would call %s %s", op, what)
		return false, nil
	}
	if err := call(); err != nil {
		return false, explain(op, what, err)
	}
	if strings.HasPrefix(op, "Create") || strings.HasPrefix(op, "Update") {
		r.applied = append(r.applied, op+" "+what)
	}
	r.emit("apply", "%s %s", op, what)
	return true, nil
}

// tags are the provenance tags plus the resource's own and its hash.
func (r *run) tags(own map[string]string, hashKey, hash string) map[string]string {
	t := map[string]string{}
	for k, v := range own {
		t[k] = v
	}
	p := r.req.Provenance
	for k, v := range map[string]string{TagRepository: p.Repository, TagCommit: p.Commit, TagRunURL: p.RunURL, TagTool: p.Tool} {
		if v != "" {
			t[k] = tagValue(v)
		}
	}
	if t[TagTool] == "" {
		t[TagTool] = version.String()
	}
	if hash != "" {
		t[hashKey] = hash
	}
	return t
}

// refusal is a content conflict the author must fix; Build reports it as
// a failed result, not an error.
type refusal struct{ msg string }

func (e *refusal) Error() string { return e.msg }

// Build implements backend.Backend.
func (b *Backend) Build(ctx context.Context, req backend.Request, progress func(backend.Event)) (*backend.Result, error) {
	if progress == nil {
		progress = func(backend.Event) {}
	}
	r := &run{b: b, req: req, progress: progress, runID: newRunID()}
	res := &backend.Result{Recipe: req.Recipe, Kind: req.Kind, Version: req.Version, Started: b.opts.Now()}
	finish := func(status backend.Status, msg string) (*backend.Result, error) {
		res.Status, res.Message, res.Finished = status, msg, b.opts.Now()
		return res, nil
	}
	if req.Repo == nil {
		return nil, errors.New("aws backend: the request carries no repository")
	}
	recipe, kind, ok := req.Repo.Recipe(req.Recipe)
	if !ok {
		return nil, fmt.Errorf("aws backend: recipe %q is not in the repository: check the plan", req.Recipe)
	}
	if res.Kind == "" {
		res.Kind = kind
	}
	ver := req.Version
	if ver == "" {
		ver = recipe.Version
		res.Version = ver
	}
	if err := b.identify(ctx); err != nil {
		return nil, err
	}

	b.applyMu.Lock()
	targets, recipeARN, err := r.apply(ctx, recipe, kind, ver)
	b.applyMu.Unlock()
	var ref *refusal
	if errors.As(err, &ref) {
		return finish(backend.StatusFailed, ref.msg)
	}
	if err != nil {
		return nil, err
	}

	// Which targets already have an image of this content?
	existing, err := r.images(ctx, recipe.Name, ver)
	if err != nil {
		return nil, err
	}
	var builds []*build
	var skipped []types.ImageSummary
	for _, t := range targets {
		if img, ok := pick(existing, t.hash, types.ImageStatusAvailable); ok && !req.Force {
			skipped = append(skipped, img)
			r.emit("skip", "%s: image %s (AVAILABLE) already has this content", t.name, aws.ToString(img.Arn))
			continue
		}
		if img, ok := pickInFlight(existing, t.hash); ok {
			// An earlier run (killed half-way) or another run at the same
			// time started this build: finish the job instead of starting
			// a duplicate.
			r.emit("resume", "%s: image %s (%s) was started by an earlier run; waiting for it (another run may be building it now)", t.name, aws.ToString(img.Arn), img.State.Status)
			builds = append(builds, &build{target: t.name, arn: aws.ToString(img.Arn)})
			continue
		}
		if req.DryRun {
			r.mutate(t.op, t.what, nil)
			continue
		}
		// The token is the same for every run that saw the same history
		// of this build hash: a second run starting it at the same time
		// meets the first one's token (its own run-id tag makes the
		// parameters differ) instead of starting a duplicate.
		token := clientToken(t.op, t.scope, ver, t.hash, strconv.Itoa(buildsOf(existing, t.hash)))
		arn, err := t.start(ctx, token)
		if raced(err) {
			img, ok, ferr := r.awaitOther(ctx, recipe.Name, ver, t.hash)
			if ferr != nil {
				r.cancelStarted(builds)
				return nil, ferr
			}
			if ok {
				r.emit("wait", "%s: another run started this build at the same time (%s answered %s): waiting for the build another run started, image %s (%s)",
					t.name, t.op, apiCode(err), aws.ToString(img.Arn), img.State.Status)
				builds = append(builds, &build{target: t.name, arn: aws.ToString(img.Arn)})
				continue
			}
			r.emit("start", "%s: client token %s was used by a build that is no longer running or available: starting with a new token", t.name, token)
			arn, err = t.start(ctx, "")
		}
		if err != nil {
			r.cancelStarted(builds)
			return nil, err
		}
		b.mu.Lock()
		b.inflight[arn] = true
		b.mu.Unlock()
		r.emit("start", "%s: %s %s started image %s", t.name, t.op, t.what, arn)
		builds = append(builds, &build{target: t.name, arn: arn, started: true})
	}
	for _, img := range skipped {
		if res.Image == "" {
			res.Image = aws.ToString(img.Arn)
			res.BuildNumber = buildNumber(res.Image)
		}
		res.Outputs = append(res.Outputs, outputs(img.OutputResources)...)
	}
	if req.DryRun {
		for _, call := range r.planned {
			res.Steps = append(res.Steps, backend.StepResult{Phase: "dry-run", Step: call, Status: "planned"})
		}
		if len(r.planned) == 0 {
			return finish(backend.StatusSkipped, "dry run: nothing to do: every resource and image is up to date")
		}
		return finish(backend.StatusSkipped, fmt.Sprintf("dry run: would make %d call(s), changed nothing: %s", len(r.planned), strings.Join(r.planned, "; ")))
	}
	if len(builds) == 0 {
		return finish(backend.StatusSkipped, fmt.Sprintf("an AVAILABLE image with the same content already exists: %s (recipe %s)", res.Image, recipeARN))
	}
	return r.wait(ctx, res, recipe, builds)
}

// target is one build to run: a pipeline, or CreateImage.
type target struct {
	name, op, what, hash string
	scope                string // the pipeline or recipe ARN, for the client token
	// start starts the build with this client token ("": the SDK's).
	start func(ctx context.Context, token string) (string, error)
}

func tokenPtr(token string) *string {
	if token == "" {
		return nil
	}
	return &token
}

// apply creates or updates, in dependency order, what the recipe version
// needs, and returns the builds to run.
func (r *run) apply(ctx context.Context, recipe *recipes.Recipe, kind recipes.Kind, ver string) ([]target, string, error) {
	comps, err := r.ensureComponents(ctx, recipe)
	if err != nil {
		return nil, "", err
	}
	recipeARN, recipeHash, err := r.ensureRecipe(ctx, recipe, kind, ver, comps)
	if err != nil {
		return nil, "", err
	}
	repo := r.req.Repo
	var targets []target
	provTags := func(hash string) map[string]string {
		t := r.tags(nil, TagBuildHash, hash)
		t[TagContentHash] = recipeHash
		t[TagRunID] = r.runID
		return t
	}
	for _, name := range r.req.Pipelines {
		p, ok := repo.Pipelines[name]
		if !ok {
			return nil, "", fmt.Errorf("aws backend: pipeline %q is not in the repository: check the plan", name)
		}
		if p.RecipeName() != recipe.Name {
			return nil, "", fmt.Errorf("%s: pipeline %s builds recipe %q, not %q: fix the plan or the pipeline", location(&p.Meta), name, p.RecipeName(), recipe.Name)
		}
		infraARN, infraHash, distARN, distHash, err := r.ensureInfraDist(ctx, p.InfrastructureConfiguration, p.DistributionConfiguration, &p.Meta)
		if err != nil {
			return nil, "", err
		}
		fields := pipelineFields(p, kind, recipeARN, infraARN, distARN)
		pipeARN, pipeHash, err := r.ensureMutable(ctx, recipes.KindPipeline, p.Name, p.Tags, fields)
		if err != nil {
			return nil, "", err
		}
		hash := hashOf([]string{recipeHash, recipeARN, pipeHash, infraHash, distHash})
		targets = append(targets, target{name: "pipeline " + name, op: "StartImagePipelineExecution", what: "pipeline=" + name, hash: hash, scope: pipeARN,
			start: func(ctx context.Context, token string) (string, error) {
				out, err := r.b.api.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{
					ImagePipelineArn: ptr(pipeARN), Tags: provTags(hash), ClientToken: tokenPtr(token)})
				if err != nil {
					return "", explain("StartImagePipelineExecution", "pipeline="+name, err)
				}
				return aws.ToString(out.ImageBuildVersionArn), nil
			}})
	}
	if len(r.req.Pipelines) > 0 {
		return targets, recipeARN, nil
	}
	// No pipeline named: CreateImage needs an infrastructure configuration,
	// taken from a pipeline of the repository that builds this recipe, or
	// the repository's only one.
	infraName, distName, via := "", "", ""
	var names []string
	for n, p := range repo.Pipelines {
		if p.RecipeName() == recipe.Name {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) > 0 {
		p := repo.Pipelines[names[0]]
		infraName, distName, via = p.InfrastructureConfiguration, p.DistributionConfiguration, "pipeline "+p.Name
	} else if len(repo.Infrastructures) == 1 {
		for n := range repo.Infrastructures {
			infraName, via = n, "the repository's only infrastructure configuration"
		}
	} else {
		return nil, "", &refusal{fmt.Sprintf("%s: recipe %s is built by no pipeline and the repository has %d infrastructure configurations: "+
			"CreateImage needs one: add an ImagePipeline for the recipe (its infrastructureConfiguration is used)", location(&recipe.Meta), recipe.Name, len(repo.Infrastructures))}
	}
	infraARN, infraHash, distARN, distHash, err := r.ensureInfraDist(ctx, infraName, distName, &recipe.Meta)
	if err != nil {
		return nil, "", err
	}
	hash := hashOf([]string{recipeHash, recipeARN, "CreateImage", infraHash, distHash})
	in := &imagebuilder.CreateImageInput{InfrastructureConfigurationArn: ptr(infraARN), Tags: provTags(hash)}
	if distARN != "" {
		in.DistributionConfigurationArn = ptr(distARN)
	}
	if kind == recipes.KindContainerRecipe {
		in.ContainerRecipeArn = ptr(recipeARN)
	} else {
		in.ImageRecipeArn = ptr(recipeARN)
	}
	targets = append(targets, target{name: "recipe " + recipe.Name, op: "CreateImage", what: fmt.Sprintf("recipe=%s@%s infrastructure=%s (%s)", recipe.Name, ver, infraName, via), hash: hash, scope: recipeARN,
		start: func(ctx context.Context, token string) (string, error) {
			call := *in
			call.ClientToken = tokenPtr(token)
			out, err := r.b.api.CreateImage(ctx, &call)
			if err != nil {
				return "", explain("CreateImage", "recipe="+recipe.Name, err)
			}
			return aws.ToString(out.ImageBuildVersionArn), nil
		}})
	return targets, recipeARN, nil
}

// ensureComponents resolves each component of the recipe to an ARN,
// creating the repository's component versions that are absent.
func (r *run) ensureComponents(ctx context.Context, recipe *recipes.Recipe) ([]types.ComponentConfiguration, error) {
	var out []types.ComponentConfiguration
	for _, ref := range recipe.Components {
		arn := ref.ARN
		if ref.Name != "" {
			c, ok := r.req.Repo.Components[ref.Name]
			if !ok {
				return nil, &refusal{fmt.Sprintf("%s:%d: recipe %s uses component %q, which is not in the repository: add it or use its ARN", recipe.File, ref.Pos.Line, recipe.Name, ref.Name)}
			}
			switch {
			case ref.Version == "" || ref.Version == c.Version:
				var err error
				if arn, err = r.ensureComponent(ctx, c); err != nil {
					return nil, err
				}
			case strings.Contains(ref.Version, "x"):
				if _, err := r.ensureComponent(ctx, c); err != nil {
					return nil, err
				}
				arn = r.b.arn("component", c.Name, ref.Version)
			default:
				// An older version, created by an earlier run.
				arn = r.b.arn("component", c.Name, ref.Version)
			}
		}
		cc := types.ComponentConfiguration{ComponentArn: ptr(arn)}
		if len(ref.Parameters) > 0 {
			cc.Parameters = componentParams(ref.Parameters)
		}
		out = append(out, cc)
	}
	return out, nil
}

// ensureComponent returns the ARN of the component's version, creating it
// when absent and refusing when it exists with other content.
func (r *run) ensureComponent(ctx context.Context, c *recipes.Component) (string, error) {
	b := r.b
	key := c.Name + "@" + c.Version
	b.mu.Lock()
	cached, ok := b.components[key]
	b.mu.Unlock()
	if ok {
		return cached, nil
	}
	fields := componentFields(c)
	hash := contentHash(&c.Meta, fields)
	versionARN := b.arn("component", c.Name, c.Version)
	// found applies the content decision to the version as it exists.
	found := func(comp *types.Component) (string, error) {
		have := comp.Tags[TagContentHash]
		same := have == hash || (have == "" && aws.ToString(comp.Data) == c.Data && string(comp.Platform) == c.Platform)
		if !same {
			return "", &refusal{fmt.Sprintf("%s: component %s version %s already exists in Image Builder (%s) with other content (content-sha256 %s, the repository's %s); "+
				"Image Builder versions are immutable: raise the version", location(&c.Meta), c.Name, c.Version, aws.ToString(comp.Arn), orNone(have), hash)}
		}
		return aws.ToString(comp.Arn), nil
	}
	got, err := b.api.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: ptr(versionARN)})
	var arn string
	switch {
	case err == nil && got.Component != nil:
		if arn, err = found(got.Component); err != nil {
			return "", err
		}
	case isNotFound(err):
		in := &imagebuilder.CreateComponentInput{}
		if err := decodeInto(fields, in); err != nil {
			return "", fmt.Errorf("%s: component %s: %w", location(&c.Meta), c.Name, err)
		}
		in.Name, in.SemanticVersion, in.Tags = ptr(c.Name), ptr(c.Version), r.tags(c.Tags, TagContentHash, hash)
		// Same version and content: same token, so a concurrent identical
		// create returns the same build instead of making the next one.
		in.ClientToken = ptr(clientToken("CreateComponent", b.account, c.Name, c.Version, hash))
		if arn, err = r.createComponent(ctx, c, in, hash, versionARN, found); err != nil {
			return "", err
		}
	default:
		return "", explain("GetComponent", versionARN, err)
	}
	if !r.req.DryRun {
		b.mu.Lock()
		b.components[key] = arn
		b.mu.Unlock()
	}
	return arn, nil
}

// createComponent creates the component version; when another run made it
// first it reads that one and applies found's content decision.
func (r *run) createComponent(ctx context.Context, c *recipes.Component, in *imagebuilder.CreateComponentInput, hash, versionARN string, found func(*types.Component) (string, error)) (string, error) {
	b := r.b
	key := c.Name + "@" + c.Version
	for attempt := 0; ; attempt++ {
		arn := versionARN + "/1"
		call := *in
		_, err := r.mutate("CreateComponent", key, func() error {
			out, err := b.api.CreateComponent(ctx, &call)
			if err == nil {
				arn = aws.ToString(out.ComponentBuildVersionArn)
			}
			return err
		})
		if raced(err) {
			r.emit("apply", "CreateComponent %s: another run created this version at the same time (%s): reading it", key, apiCode(err))
			got, gerr := b.api.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: ptr(versionARN)})
			if gerr != nil || got.Component == nil {
				return "", fmt.Errorf("%s: component %s version %s: another run created it, but reading it failed: %w; re-run", location(&c.Meta), c.Name, c.Version, explain("GetComponent", versionARN, gerr))
			}
			return found(got.Component)
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", location(&c.Meta), err)
		}
		if r.req.DryRun {
			return arn, nil
		}
		first, listed, err := r.firstBuild(ctx, c, hash, versionARN, arn)
		if err != nil || listed || attempt > 0 {
			if err == nil && !listed {
				return "", fmt.Errorf("%s: CreateComponent %s returned %s, which Image Builder does not list: re-run", location(&c.Meta), key, arn)
			}
			return first, err
		}
		// The token answered with a build that is gone (the version was
		// deleted since): create it afresh with the SDK's own token.
		r.emit("apply", "CreateComponent %s: client token %s answered with %s, which no longer exists: creating it with a new token", key, aws.ToString(in.ClientToken), arn)
		in.ClientToken = nil
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// ensureRecipe returns the ARN and content hash of the recipe version,
// creating it when absent and refusing when it exists with other content.
func (r *run) ensureRecipe(ctx context.Context, recipe *recipes.Recipe, kind recipes.Kind, ver string, comps []types.ComponentConfiguration) (string, string, error) {
	b := r.b
	parent := recipe.ParentImage
	if name := recipe.ParentRecipe(); name != "" {
		pr, _, ok := r.req.Repo.Recipe(name)
		if !ok {
			return "", "", &refusal{fmt.Sprintf("%s:%d: parentImage recipe:%s is not a recipe of the repository", recipe.File, recipe.ParentImagePos.Line, name)}
		}
		parent = b.arn("image", pr.Name, r.parentVersion(pr))
	}
	var cr *recipes.ContainerRecipe
	typ := "image-recipe"
	if kind == recipes.KindContainerRecipe {
		cr = r.req.Repo.ContainerRecipes[recipe.Name]
		typ = "container-recipe"
	}
	fields := recipeFields(recipe, kind, parent, comps, cr)
	hash := contentHash(&recipe.Meta, fields)
	key := string(kind) + "/" + recipe.Name + "@" + ver
	b.mu.Lock()
	cached, ok := b.recipes[key]
	b.mu.Unlock()
	if ok {
		return cached, hash, nil
	}
	arn := b.arn(typ, recipe.Name, ver)
	// read gets the recipe version as Image Builder holds it; decide
	// applies the content decision to it.
	var (
		tags     map[string]string
		haveARNs []string
	)
	read := func() error {
		var err error
		if kind == recipes.KindContainerRecipe {
			var out *imagebuilder.GetContainerRecipeOutput
			if out, err = b.api.GetContainerRecipe(ctx, &imagebuilder.GetContainerRecipeInput{ContainerRecipeArn: ptr(arn)}); err == nil && out.ContainerRecipe != nil {
				tags, haveARNs = out.ContainerRecipe.Tags, componentARNs(out.ContainerRecipe.Components)
			}
		} else {
			var out *imagebuilder.GetImageRecipeOutput
			if out, err = b.api.GetImageRecipe(ctx, &imagebuilder.GetImageRecipeInput{ImageRecipeArn: ptr(arn)}); err == nil && out.ImageRecipe != nil {
				tags, haveARNs = out.ImageRecipe.Tags, componentARNs(out.ImageRecipe.Components)
			}
		}
		return err
	}
	decide := func() error {
		have := tags[TagContentHash]
		if have != hash || strings.Join(haveARNs, " ") != strings.Join(componentARNs(comps), " ") {
			return &refusal{fmt.Sprintf("%s: %s %s version %s already exists in Image Builder (%s) with other content (content-sha256 %s, the repository's %s; components %v, the repository's %v); "+
				"Image Builder versions are immutable: raise the version", location(&recipe.Meta), kind, recipe.Name, ver, arn, orNone(have), hash, haveARNs, componentARNs(comps))}
		}
		return nil
	}
	err := read()
	switch {
	case err == nil:
		if err := decide(); err != nil {
			return "", "", err
		}
	case isNotFound(err):
		if err := r.parentBuilt(ctx, recipe); err != nil {
			return "", "", err
		}
		what := recipe.Name + "@" + ver
		tags := r.tags(recipe.Tags, TagContentHash, hash)
		var call func() error
		if kind == recipes.KindContainerRecipe {
			in := &imagebuilder.CreateContainerRecipeInput{}
			if err := decodeInto(fields, in); err != nil {
				return "", "", fmt.Errorf("%s: %w", location(&recipe.Meta), err)
			}
			in.Name, in.SemanticVersion, in.Tags = ptr(recipe.Name), ptr(ver), tags
			call = func() error {
				out, err := b.api.CreateContainerRecipe(ctx, in)
				if err == nil {
					arn = aws.ToString(out.ContainerRecipeArn)
				}
				return err
			}
			_, err = r.mutate("CreateContainerRecipe", what, call)
		} else {
			in := &imagebuilder.CreateImageRecipeInput{}
			if err := decodeInto(fields, in); err != nil {
				return "", "", fmt.Errorf("%s: %w", location(&recipe.Meta), err)
			}
			in.Name, in.SemanticVersion, in.Tags = ptr(recipe.Name), ptr(ver), tags
			call = func() error {
				out, err := b.api.CreateImageRecipe(ctx, in)
				if err == nil {
					arn = aws.ToString(out.ImageRecipeArn)
				}
				return err
			}
			_, err = r.mutate("CreateImageRecipe", what, call)
		}
		if raced(err) {
			// Another run created it between the read and the create.
			r.emit("apply", "Create%s %s: another run created this version at the same time (%s): reading it", kind, what, apiCode(err))
			arn = b.arn(typ, recipe.Name, ver)
			if rerr := read(); rerr != nil {
				return "", "", fmt.Errorf("%s: %s %s version %s: another run created it, but reading it failed: %w; re-run", location(&recipe.Meta), kind, recipe.Name, ver, explain("Get"+string(kind), arn, rerr))
			}
			err = decide()
			var ref *refusal
			if errors.As(err, &ref) {
				return "", "", err
			}
		}
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", location(&recipe.Meta), err)
		}
	default:
		return "", "", explain("Get"+string(kind), arn, err)
	}
	if !r.req.DryRun {
		b.mu.Lock()
		b.recipes[key] = arn
		b.mu.Unlock()
	}
	return arn, hash, nil
}

// parentBuilt checks, before a recipe version with a recipe:<name> parent
// is created, that the parent recipe's version has an AVAILABLE image:
// Image Builder refuses a parent image that was never built, and the
// author's fix is to build the parent first, not to read an API error. A
// dry run only says so.
func (r *run) parentBuilt(ctx context.Context, recipe *recipes.Recipe) error {
	name := recipe.ParentRecipe()
	if name == "" {
		return nil
	}
	parent, _, ok := r.req.Repo.Recipe(name)
	if !ok {
		return nil // ensureRecipe refused it already
	}
	version := r.parentVersion(parent)
	builds, err := r.images(ctx, parent.Name, version)
	if err != nil {
		return err
	}
	var states []string
	for _, img := range builds {
		if img.State == nil {
			continue
		}
		if img.State.Status == types.ImageStatusAvailable {
			return nil
		}
		states = append(states, fmt.Sprintf("%s %s", aws.ToString(img.Arn), img.State.Status))
	}
	have := "it has no image"
	if len(states) > 0 {
		have = "its images are " + strings.Join(states, ", ")
	}
	if r.req.DryRun {
		r.emit("dry-run", "recipe %s builds on recipe:%s %s, which has no AVAILABLE image yet (%s): it must be built first", recipe.Name, parent.Name, version, have)
		return nil
	}
	return &refusal{fmt.Sprintf("%s:%d: parentImage recipe:%s: Image Builder has no AVAILABLE image of %s %s to build %s on (%s): build %s first (ibgitops build --only %s,%s builds both, the parent first)",
		recipe.File, recipe.ParentImagePos.Line, name, parent.Name, version, recipe.Name, have, parent.Name, parent.Name, recipe.Name)}
}

// parentVersion is the version of a parent recipe this build stands on:
// its planned version when this run builds it too, else its file's.
func (r *run) parentVersion(parent *recipes.Recipe) string {
	if v := r.req.Versions[parent.Name]; v != "" {
		return v
	}
	return parent.Version
}

// componentARNs lists a recipe's component ARNs at version level: the
// build node is dropped, since each component version's content is
// checked by its own hash and a later build of it has the same content.
func componentARNs(list []types.ComponentConfiguration) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = reBuildNode.ReplaceAllString(aws.ToString(c.ComponentArn), "$1")
	}
	return out
}

var reBuildNode = lazyre.New(`(/[0-9]+\.[0-9]+\.[0-9]+)/[0-9]+$`)

// ensureInfraDist ensures the named infrastructure and (optional)
// distribution configurations.
func (r *run) ensureInfraDist(ctx context.Context, infraName, distName string, from *recipes.Meta) (infraARN, infraHash, distARN, distHash string, err error) {
	repo := r.req.Repo
	inf, ok := repo.Infrastructures[infraName]
	if !ok {
		return "", "", "", "", &refusal{fmt.Sprintf("%s: infrastructure configuration %q is not in the repository: add it or fix the name", location(from), infraName)}
	}
	if infraARN, infraHash, err = r.ensureMutable(ctx, recipes.KindInfrastructure, inf.Name, inf.Tags, infrastructureFields(inf)); err != nil {
		return
	}
	if distName == "" {
		return
	}
	d, ok := repo.Distributions[distName]
	if !ok {
		return "", "", "", "", &refusal{fmt.Sprintf("%s: distribution configuration %q is not in the repository: add it or fix the name", location(from), distName)}
	}
	distARN, distHash, err = r.ensureMutable(ctx, recipes.KindDistribution, d.Name, d.Tags, distributionFields(d))
	return
}

// listed returns the mutable resources of a kind as Image Builder holds
// them, listing them once per backend (every page of one List call).
func (r *run) listed(ctx context.Context, kind recipes.Kind) (map[string]*remote, error) {
	b := r.b
	b.mu.Lock()
	m, ok := b.mutable[kind]
	b.mu.Unlock()
	if ok {
		return m, nil
	}
	m = map[string]*remote{}
	add := func(name, arn *string, tags map[string]string) {
		m[aws.ToString(name)] = &remote{arn: aws.ToString(arn), hash: tags[TagContentHash]}
	}
	switch kind {
	case recipes.KindInfrastructure:
		p := imagebuilder.NewListInfrastructureConfigurationsPaginator(b.api, &imagebuilder.ListInfrastructureConfigurationsInput{MaxResults: ptr(int32(25))})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, explain("ListInfrastructureConfigurations", "", err)
			}
			for _, s := range page.InfrastructureConfigurationSummaryList {
				add(s.Name, s.Arn, s.Tags)
			}
		}
	case recipes.KindDistribution:
		p := imagebuilder.NewListDistributionConfigurationsPaginator(b.api, &imagebuilder.ListDistributionConfigurationsInput{MaxResults: ptr(int32(25))})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, explain("ListDistributionConfigurations", "", err)
			}
			for _, s := range page.DistributionConfigurationSummaryList {
				add(s.Name, s.Arn, s.Tags)
			}
		}
	case recipes.KindPipeline:
		p := imagebuilder.NewListImagePipelinesPaginator(b.api, &imagebuilder.ListImagePipelinesInput{MaxResults: ptr(int32(25))})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, explain("ListImagePipelines", "", err)
			}
			for _, s := range page.ImagePipelineList {
				add(s.Name, s.Arn, s.Tags)
			}
		}
	}
	b.mu.Lock()
	b.mutable[kind] = m
	b.mu.Unlock()
	return m, nil
}

// ensureMutable creates or updates an infrastructure configuration,
// distribution configuration or pipeline whose hash tag differs from the
// desired content, and tags it with the new hash and provenance.
func (r *run) ensureMutable(ctx context.Context, kind recipes.Kind, name string, own map[string]string, fields map[string]any) (string, string, error) {
	return r.ensureMutableOnce(ctx, kind, name, own, fields, false)
}

// getMutable reads an infrastructure or distribution configuration or a
// pipeline by ARN, for its content hash tag.
func (r *run) getMutable(ctx context.Context, kind recipes.Kind, arn string) (*remote, error) {
	var tags map[string]string
	switch kind {
	case recipes.KindInfrastructure:
		out, err := r.b.api.GetInfrastructureConfiguration(ctx, &imagebuilder.GetInfrastructureConfigurationInput{InfrastructureConfigurationArn: ptr(arn)})
		if err != nil {
			return nil, explain("GetInfrastructureConfiguration", arn, err)
		}
		if out.InfrastructureConfiguration != nil {
			tags = out.InfrastructureConfiguration.Tags
		}
	case recipes.KindDistribution:
		out, err := r.b.api.GetDistributionConfiguration(ctx, &imagebuilder.GetDistributionConfigurationInput{DistributionConfigurationArn: ptr(arn)})
		if err != nil {
			return nil, explain("GetDistributionConfiguration", arn, err)
		}
		if out.DistributionConfiguration != nil {
			tags = out.DistributionConfiguration.Tags
		}
	case recipes.KindPipeline:
		out, err := r.b.api.GetImagePipeline(ctx, &imagebuilder.GetImagePipelineInput{ImagePipelineArn: ptr(arn)})
		if err != nil {
			return nil, explain("GetImagePipeline", arn, err)
		}
		if out.ImagePipeline != nil {
			tags = out.ImagePipeline.Tags
		}
	}
	return &remote{arn: arn, hash: tags[TagContentHash]}, nil
}

// ensureMutableOnce is ensureMutable; reread is set on the second pass
// after a create met another run's.
func (r *run) ensureMutableOnce(ctx context.Context, kind recipes.Kind, name string, own map[string]string, fields map[string]any, reread bool) (string, string, error) {
	b := r.b
	hash := hashOf(fields)
	existing, err := r.listed(ctx, kind)
	if err != nil {
		return "", "", err
	}
	b.mu.Lock()
	cur := existing[name]
	b.mu.Unlock()
	if cur != nil && cur.hash == hash {
		return cur.arn, hash, nil
	}
	noun := map[recipes.Kind]string{recipes.KindInfrastructure: "infrastructure-configuration", recipes.KindDistribution: "distribution-configuration", recipes.KindPipeline: "image-pipeline"}[kind]
	op := string(kind)
	tags := r.tags(own, TagContentHash, hash)
	if cur == nil {
		arn := b.arn(noun, name)
		var call func() error
		switch kind {
		case recipes.KindInfrastructure:
			in := &imagebuilder.CreateInfrastructureConfigurationInput{}
			err = decodeInto(fields, in)
			in.Name, in.Tags = ptr(name), tags
			call = func() error {
				out, err := b.api.CreateInfrastructureConfiguration(ctx, in)
				if err == nil {
					arn = aws.ToString(out.InfrastructureConfigurationArn)
				}
				return err
			}
		case recipes.KindDistribution:
			in := &imagebuilder.CreateDistributionConfigurationInput{}
			err = decodeInto(fields, in)
			in.Name, in.Tags = ptr(name), tags
			call = func() error {
				out, err := b.api.CreateDistributionConfiguration(ctx, in)
				if err == nil {
					arn = aws.ToString(out.DistributionConfigurationArn)
				}
				return err
			}
		case recipes.KindPipeline:
			in := &imagebuilder.CreateImagePipelineInput{}
			err = decodeInto(fields, in)
			in.Name, in.Tags = ptr(name), tags
			call = func() error {
				out, err := b.api.CreateImagePipeline(ctx, in)
				if err == nil {
					arn = aws.ToString(out.ImagePipelineArn)
				}
				return err
			}
		}
		if err != nil {
			return "", "", fmt.Errorf("%s %s: %w", kind, name, err)
		}
		if _, err := r.mutate("Create"+op, name, call); err != nil {
			if !raced(err) || reread {
				return "", "", err
			}
			// Another run created it between the list and the create:
			// read it and decide again (same hash: use it; other: update).
			r.emit("apply", "Create%s %s: another run created it at the same time (%s): reading it", op, name, apiCode(err))
			got, gerr := r.getMutable(ctx, kind, arn)
			if gerr != nil {
				return "", "", fmt.Errorf("%s %s: another run created it, but reading it failed: %w; re-run", kind, name, gerr)
			}
			b.mu.Lock()
			existing[name] = got
			b.mu.Unlock()
			return r.ensureMutableOnce(ctx, kind, name, own, fields, true)
		}
		if !r.req.DryRun {
			b.mu.Lock()
			existing[name] = &remote{arn: arn, hash: hash}
			b.mu.Unlock()
		}
		return arn, hash, nil
	}
	var call func() error
	switch kind {
	case recipes.KindInfrastructure:
		in := &imagebuilder.UpdateInfrastructureConfigurationInput{}
		err = decodeInto(fields, in)
		in.InfrastructureConfigurationArn = ptr(cur.arn)
		call = func() error { _, err := b.api.UpdateInfrastructureConfiguration(ctx, in); return err }
	case recipes.KindDistribution:
		in := &imagebuilder.UpdateDistributionConfigurationInput{}
		err = decodeInto(fields, in)
		in.DistributionConfigurationArn = ptr(cur.arn)
		call = func() error { _, err := b.api.UpdateDistributionConfiguration(ctx, in); return err }
	case recipes.KindPipeline:
		in := &imagebuilder.UpdateImagePipelineInput{}
		err = decodeInto(fields, in)
		in.ImagePipelineArn = ptr(cur.arn)
		call = func() error { _, err := b.api.UpdateImagePipeline(ctx, in); return err }
	}
	if err != nil {
		return "", "", fmt.Errorf("%s %s: %w", kind, name, err)
	}
	if _, err := r.mutate("Update"+op, name, call); err != nil {
		return "", "", err
	}
	// Update carries no tags: record the new hash and provenance apart.
	if _, err := r.mutate("TagResource", name, func() error {
		_, err := b.api.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: ptr(cur.arn), Tags: tags})
		return err
	}); err != nil {
		return "", "", err
	}
	if !r.req.DryRun {
		b.mu.Lock()
		cur.hash = hash
		b.mu.Unlock()
	}
	return cur.arn, hash, nil
}

// images lists the builds of a recipe version (one List call, all pages).
func (r *run) images(ctx context.Context, name, ver string) ([]types.ImageSummary, error) {
	var out []types.ImageSummary
	p := imagebuilder.NewListImageBuildVersionsPaginator(r.b.api, &imagebuilder.ListImageBuildVersionsInput{
		ImageVersionArn: ptr(r.b.arn("image", name, ver)), MaxResults: ptr(int32(25))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if isNotFound(err) {
				return nil, nil
			}
			return nil, explain("ListImageBuildVersions", name+"@"+ver, err)
		}
		out = append(out, page.ImageSummaryList...)
	}
	return out, nil
}

// pick returns the newest image with this build hash in the given status.
func pick(list []types.ImageSummary, hash string, status types.ImageStatus) (types.ImageSummary, bool) {
	var best types.ImageSummary
	found := false
	for _, img := range list {
		if img.Tags[TagBuildHash] != hash || img.State == nil || img.State.Status != status {
			continue
		}
		if !found || buildNumber(aws.ToString(img.Arn)) > buildNumber(aws.ToString(best.Arn)) {
			best, found = img, true
		}
	}
	return best, found
}

func pickInFlight(list []types.ImageSummary, hash string) (types.ImageSummary, bool) {
	for _, st := range []types.ImageStatus{types.ImageStatusPending, types.ImageStatusCreating, types.ImageStatusBuilding, types.ImageStatusTesting, types.ImageStatusDistributing, types.ImageStatusIntegrating} {
		if img, ok := pick(list, hash, st); ok {
			return img, true
		}
	}
	return types.ImageSummary{}, false
}

func buildNumber(arn string) int {
	i := strings.LastIndexByte(arn, '/')
	n := 0
	for _, c := range arn[i+1:] {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func outputs(o *types.OutputResources) []string {
	if o == nil {
		return nil
	}
	var out []string
	for _, a := range o.Amis {
		out = append(out, fmt.Sprintf("%s (%s)", aws.ToString(a.Image), aws.ToString(a.Region)))
	}
	for _, c := range o.Containers {
		out = append(out, c.ImageUris...)
	}
	return out
}
