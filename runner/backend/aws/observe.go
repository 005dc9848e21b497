package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// ObserveAPI is the part of the Image Builder client Observe calls beyond
// API: the List operations that find resources no file names.
type ObserveAPI interface {
	API
	ListComponents(context.Context, *imagebuilder.ListComponentsInput, ...func(*imagebuilder.Options)) (*imagebuilder.ListComponentsOutput, error)
	ListImageRecipes(context.Context, *imagebuilder.ListImageRecipesInput, ...func(*imagebuilder.Options)) (*imagebuilder.ListImageRecipesOutput, error)
	ListContainerRecipes(context.Context, *imagebuilder.ListContainerRecipesInput, ...func(*imagebuilder.Options)) (*imagebuilder.ListContainerRecipesOutput, error)
}

var (
	_ ObserveAPI       = (*imagebuilder.Client)(nil)
	_ backend.Observer = (*Backend)(nil)
	_ backend.Applier  = (*Backend)(nil)
)

// Observe reads what Image Builder holds for the repository: at most one
// Get (or List of one resource's builds) per resource of the repository,
// plus the pages of one List per resource type. It never writes.
//
//   - components: GetComponent of the file's version (the content hash tag);
//   - recipes: Get*Recipe of the file's version (hash tag and component
//     ARNs, the same decision as a build makes);
//   - images: every build in the account from one ListImageBuildVersions,
//     matched to recipe versions by ARN;
//   - infrastructure and distribution configurations: listed, then one Get
//     each for the live fields; pipelines: listed (the list carries every
//     field);
//   - components and recipes no file names: one Get of the newest version
//     of a listed component name for its tags; recipes from the list's tags.
func (b *Backend) Observe(ctx context.Context, req backend.ObserveRequest) (*backend.Actual, error) {
	if req.Repo == nil {
		return nil, errors.New("aws backend: observe: no repository")
	}
	api, ok := b.api.(ObserveAPI)
	if !ok {
		return nil, errors.New("aws backend: the Image Builder client cannot list components and recipes (internal error)")
	}
	if err := b.identify(ctx); err != nil {
		return nil, err
	}
	o := &observer{b: b, api: api, repo: req.Repo, actual: &backend.Actual{Backend: b.Name(),
		Kinds: []recipes.Kind{recipes.KindComponent, recipes.KindImageRecipe, recipes.KindContainerRecipe,
			recipes.KindInfrastructure, recipes.KindDistribution, recipes.KindPipeline}}}
	steps := []func(context.Context) error{o.images, o.components, o.recipes, o.mutables}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(o.actual.Untracked, func(i, j int) bool {
		a, c := o.actual.Untracked[i], o.actual.Untracked[j]
		if a.Kind != c.Kind {
			return a.Kind < c.Kind
		}
		return a.Name < c.Name
	})
	return o.actual, nil
}

type observer struct {
	b      *Backend
	api    ObserveAPI
	repo   *recipes.Repo
	actual *backend.Actual
	// byVersion holds the builds of each image version ARN.
	byVersion map[string][]backend.Image
}

func (o *observer) read()     { o.actual.Reads++ }
func (o *observer) listPage() { o.actual.Reads++; o.actual.Lists++ }

// problem records a resource that could not be read; the error says which
// permission is missing (explain). Context errors stop the observation.
func (o *observer) problem(kind recipes.Kind, name, op, what string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return explain(op, what, err)
	}
	o.actual.Problems = append(o.actual.Problems, backend.ReadProblem{Kind: kind, Name: name, Op: op, Message: explain(op, what, err).Error()})
	return nil
}

func hasOwnTags(tags map[string]string) bool {
	for k := range tags {
		if strings.HasPrefix(k, "ibgitops:") {
			return true
		}
	}
	return false
}

// images lists every image build of the account once.
func (o *observer) images(ctx context.Context) error {
	o.byVersion = map[string][]backend.Image{}
	p := imagebuilder.NewListImageBuildVersionsPaginator(o.api, &imagebuilder.ListImageBuildVersionsInput{MaxResults: ptr(int32(25))})
	for p.HasMorePages() {
		o.listPage()
		page, err := p.NextPage(ctx)
		if err != nil {
			return o.problem(recipes.KindImageRecipe, "", "ListImageBuildVersions", "(every image build)", err)
		}
		for _, s := range page.ImageSummaryList {
			arn := aws.ToString(s.Arn)
			img := backend.Image{ID: arn, Content: s.Tags[TagContentHash], Commit: s.Tags[TagCommit], RunURL: s.Tags[TagRunURL]}
			if s.State != nil {
				img.Status, img.Reason = string(s.State.Status), aws.ToString(s.State.Reason)
				img.State = imageState(s.State.Status)
			}
			if t, err := time.Parse(time.RFC3339, aws.ToString(s.DateCreated)); err == nil {
				img.Created = t
			}
			version := reBuildNode.ReplaceAllString(arn, "$1")
			o.byVersion[version] = append(o.byVersion[version], img)
		}
	}
	for _, list := range o.byVersion {
		sort.SliceStable(list, func(i, j int) bool { return buildNumber(list[i].ID) > buildNumber(list[j].ID) })
	}
	return nil
}

func imageState(s types.ImageStatus) backend.ImageState {
	switch s {
	case types.ImageStatusAvailable:
		return backend.ImageAvailable
	case types.ImageStatusFailed:
		return backend.ImageFailed
	case types.ImageStatusCancelled:
		return backend.ImageCancelled
	case types.ImageStatusPending, types.ImageStatusCreating, types.ImageStatusBuilding, types.ImageStatusTesting, types.ImageStatusDistributing, types.ImageStatusIntegrating:
		return backend.ImageInProgress
	}
	return backend.ImageOther
}

// components reads each of the repository's component versions, and the
// newest version of every listed component name no file defines.
func (o *observer) components(ctx context.Context) error {
	listed := map[string]string{} // name -> newest version ARN
	p := imagebuilder.NewListComponentsPaginator(o.api, &imagebuilder.ListComponentsInput{Owner: types.OwnershipSelf, MaxResults: ptr(int32(25))})
	for p.HasMorePages() {
		o.listPage()
		page, err := p.NextPage(ctx)
		if err != nil {
			if perr := o.problem(recipes.KindComponent, "", "ListComponents", "(owner Self)", err); perr != nil {
				return perr
			}
			break
		}
		for _, c := range page.ComponentVersionList {
			name := aws.ToString(c.Name)
			if cur, ok := listed[name]; !ok || versionLess(versionOf(cur), aws.ToString(c.Version)) {
				listed[name] = aws.ToString(c.Arn)
			}
		}
	}
	for _, name := range sortedNames(o.repo.Components) {
		c := o.repo.Components[name]
		arn := o.b.arn("component", c.Name, c.Version)
		obs := backend.Observed{Kind: recipes.KindComponent, Name: c.Name, Version: c.Version, Want: contentHash(&c.Meta, componentFields(c))}
		o.read()
		got, err := o.api.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: ptr(arn)})
		switch {
		case err == nil && got.Component != nil:
			obs.Exists, obs.ID = true, aws.ToString(got.Component.Arn)
			obs.Have = got.Component.Tags[TagContentHash]
			if obs.Have == "" && aws.ToString(got.Component.Data) == c.Data && string(got.Component.Platform) == c.Platform {
				// Made before ibgitops tagged content: same data is same content.
				obs.Have = obs.Want
			}
		case err == nil || isNotFound(err):
			if _, ok := listed[name]; ok && listedVersion(listed[name], c.Version) {
				obs.Note = "deleted while it was read"
			}
		default:
			if perr := o.problem(recipes.KindComponent, c.Name, "GetComponent", arn, err); perr != nil {
				return perr
			}
			continue
		}
		o.actual.Resources = append(o.actual.Resources, obs)
	}
	for _, name := range sortedKeys(listed) {
		if _, ok := o.repo.Components[name]; ok {
			continue
		}
		o.read()
		got, err := o.api.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: ptr(listed[name])})
		switch {
		case err == nil && got.Component != nil:
			if hasOwnTags(got.Component.Tags) {
				o.actual.Untracked = append(o.actual.Untracked, backend.Untracked{Kind: recipes.KindComponent, Name: name,
					Version: aws.ToString(got.Component.Version), ID: listed[name], Repository: got.Component.Tags[TagRepository]})
			}
		case err == nil || isNotFound(err):
			// Deleted since it was listed: nothing to list.
		default:
			if perr := o.problem(recipes.KindComponent, name, "GetComponent", listed[name], err); perr != nil {
				return perr
			}
		}
	}
	return nil
}

// recipes reads each of the repository's recipe versions and matches its
// builds; recipes no file defines come from the List's tags.
func (o *observer) recipes(ctx context.Context) error {
	type row struct {
		kind recipes.Kind
		arn  string
		tags map[string]string
	}
	listed := map[recipes.Key]row{} // newest version per name
	add := func(kind recipes.Kind, name, arn string, tags map[string]string) {
		k := recipes.Key{Kind: kind, Name: name}
		if cur, ok := listed[k]; !ok || versionLess(versionOf(cur.arn), versionOf(arn)) {
			listed[k] = row{kind, arn, tags}
		}
	}
	ip := imagebuilder.NewListImageRecipesPaginator(o.api, &imagebuilder.ListImageRecipesInput{Owner: types.OwnershipSelf, MaxResults: ptr(int32(25))})
	for ip.HasMorePages() {
		o.listPage()
		page, err := ip.NextPage(ctx)
		if err != nil {
			if perr := o.problem(recipes.KindImageRecipe, "", "ListImageRecipes", "(owner Self)", err); perr != nil {
				return perr
			}
			break
		}
		for _, s := range page.ImageRecipeSummaryList {
			add(recipes.KindImageRecipe, aws.ToString(s.Name), aws.ToString(s.Arn), s.Tags)
		}
	}
	cp := imagebuilder.NewListContainerRecipesPaginator(o.api, &imagebuilder.ListContainerRecipesInput{Owner: types.OwnershipSelf, MaxResults: ptr(int32(25))})
	for cp.HasMorePages() {
		o.listPage()
		page, err := cp.NextPage(ctx)
		if err != nil {
			if perr := o.problem(recipes.KindContainerRecipe, "", "ListContainerRecipes", "(owner Self)", err); perr != nil {
				return perr
			}
			break
		}
		for _, s := range page.ContainerRecipeSummaryList {
			add(recipes.KindContainerRecipe, aws.ToString(s.Name), aws.ToString(s.Arn), s.Tags)
		}
	}
	for _, name := range recipeNames(o.repo) {
		r, kind, _ := o.repo.Recipe(name)
		obs, err := o.recipe(ctx, r, kind)
		if err != nil {
			return err
		}
		if obs != nil {
			o.actual.Resources = append(o.actual.Resources, *obs)
		}
	}
	keys := make([]recipes.Key, 0, len(listed))
	for k := range listed {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Name < keys[j].Name })
	for _, k := range keys {
		if _, _, ok := o.repo.Recipe(k.Name); ok || !hasOwnTags(listed[k].tags) {
			continue
		}
		o.actual.Untracked = append(o.actual.Untracked, backend.Untracked{Kind: k.Kind, Name: k.Name, Version: versionOf(listed[k].arn),
			ID: listed[k].arn, Repository: listed[k].tags[TagRepository]})
	}
	return nil
}

// recipe reads one recipe version; nil when it could not be read (a
// problem is recorded).
func (o *observer) recipe(ctx context.Context, r *recipes.Recipe, kind recipes.Kind) (*backend.Observed, error) {
	b := o.b
	typ, op := "image-recipe", "GetImageRecipe"
	if kind == recipes.KindContainerRecipe {
		typ, op = "container-recipe", "GetContainerRecipe"
	}
	arn := b.arn(typ, r.Name, r.Version)
	want := desiredComponentARNs(b, o.repo, r)
	obs := &backend.Observed{Kind: kind, Name: r.Name, Version: r.Version, Want: recipeContent(r.ContentHash, want), WantImage: r.ContentHash,
		Images: o.byVersion[b.arn("image", r.Name, r.Version)]}
	var (
		tags  map[string]string
		comps []types.ComponentConfiguration
		found bool
		err   error
	)
	o.read()
	if kind == recipes.KindContainerRecipe {
		var out *imagebuilder.GetContainerRecipeOutput
		if out, err = o.api.GetContainerRecipe(ctx, &imagebuilder.GetContainerRecipeInput{ContainerRecipeArn: ptr(arn)}); err == nil && out.ContainerRecipe != nil {
			tags, comps, found = out.ContainerRecipe.Tags, out.ContainerRecipe.Components, true
		}
	} else {
		var out *imagebuilder.GetImageRecipeOutput
		if out, err = o.api.GetImageRecipe(ctx, &imagebuilder.GetImageRecipeInput{ImageRecipeArn: ptr(arn)}); err == nil && out.ImageRecipe != nil {
			tags, comps, found = out.ImageRecipe.Tags, out.ImageRecipe.Components, true
		}
	}
	switch {
	case found:
		obs.Exists, obs.ID = true, arn
		obs.Have = recipeContent(tags[TagContentHash], componentARNs(comps))
	case err == nil || isNotFound(err):
		if len(obs.Images) > 0 {
			obs.Note = "the recipe version is gone but builds of it remain"
		}
	default:
		return nil, o.problem(kind, r.Name, op, arn, err)
	}
	return obs, nil
}

// recipeContent is what decides "same recipe version": its content hash
// and its components at version level (a build's ensureRecipe decides
// the same way).
func recipeContent(hash string, componentARNs []string) string {
	return hashOf([]string{hash, strings.Join(componentARNs, " ")})
}

// desiredComponentARNs are the version-level component ARNs a build of
// the recipe would put into it.
func desiredComponentARNs(b *Backend, repo *recipes.Repo, r *recipes.Recipe) []string {
	var out []string
	for _, ref := range r.Components {
		if ref.Name == "" {
			out = append(out, reBuildNode.ReplaceAllString(ref.ARN, "$1"))
			continue
		}
		v := ref.Version
		if c, ok := repo.Components[ref.Name]; ok && v == "" {
			v = c.Version
		}
		out = append(out, b.arn("component", ref.Name, v))
	}
	return out
}

// mutables lists infrastructure and distribution configurations and
// pipelines once each, and reads the repository's configurations.
func (o *observer) mutables(ctx context.Context) error {
	listed, err := o.listMutables(ctx)
	if err != nil {
		return err
	}
	for _, kind := range []recipes.Kind{recipes.KindInfrastructure, recipes.KindDistribution, recipes.KindPipeline} {
		if listed[kind] == nil {
			continue // the List failed: a problem is recorded
		}
		for _, name := range o.mutableNames(kind) {
			obs := backend.Observed{Kind: kind, Name: name}
			desired, err := o.b.desiredFields(o.repo, kind, name)
			if err != nil {
				obs.Note = err.Error()
			}
			obs.Desired = desired
			row, ok := listed[kind][name]
			if ok {
				obs.Exists, obs.ID = true, row.arn
				live := row.live
				if live == nil {
					if live, err = o.getLive(ctx, kind, row.arn); err != nil {
						var gone *goneError
						if !errors.As(err, &gone) {
							if perr := o.problem(kind, name, "Get"+string(kind), row.arn, err); perr != nil {
								return perr
							}
							continue
						}
						obs.Exists, obs.Note = false, "deleted while it was read"
					}
				}
				if obs.Exists {
					obs.Live = comparable(kind, live, desired)
				}
			}
			o.actual.Resources = append(o.actual.Resources, obs)
		}
		for _, name := range sortedKeys(listed[kind]) {
			if o.defined(kind, name) || !hasOwnTags(listed[kind][name].tags) {
				continue
			}
			row := listed[kind][name]
			o.actual.Untracked = append(o.actual.Untracked, backend.Untracked{Kind: kind, Name: name, ID: row.arn, Repository: row.tags[TagRepository]})
		}
	}
	return nil
}

type listedMutable struct {
	arn  string
	tags map[string]string
	live any // the List's full object (pipelines), else nil
}

func (o *observer) listMutables(ctx context.Context) (map[recipes.Kind]map[string]listedMutable, error) {
	out := map[recipes.Kind]map[string]listedMutable{}
	fail := func(kind recipes.Kind, op string, err error) error {
		delete(out, kind)
		return o.problem(kind, "", op, "", err)
	}
	out[recipes.KindInfrastructure] = map[string]listedMutable{}
	ip := imagebuilder.NewListInfrastructureConfigurationsPaginator(o.api, &imagebuilder.ListInfrastructureConfigurationsInput{MaxResults: ptr(int32(25))})
	for ip.HasMorePages() {
		o.listPage()
		page, err := ip.NextPage(ctx)
		if err != nil {
			if perr := fail(recipes.KindInfrastructure, "ListInfrastructureConfigurations", err); perr != nil {
				return nil, perr
			}
			break
		}
		for _, s := range page.InfrastructureConfigurationSummaryList {
			out[recipes.KindInfrastructure][aws.ToString(s.Name)] = listedMutable{arn: aws.ToString(s.Arn), tags: s.Tags}
		}
	}
	out[recipes.KindDistribution] = map[string]listedMutable{}
	dp := imagebuilder.NewListDistributionConfigurationsPaginator(o.api, &imagebuilder.ListDistributionConfigurationsInput{MaxResults: ptr(int32(25))})
	for dp.HasMorePages() {
		o.listPage()
		page, err := dp.NextPage(ctx)
		if err != nil {
			if perr := fail(recipes.KindDistribution, "ListDistributionConfigurations", err); perr != nil {
				return nil, perr
			}
			break
		}
		for _, s := range page.DistributionConfigurationSummaryList {
			out[recipes.KindDistribution][aws.ToString(s.Name)] = listedMutable{arn: aws.ToString(s.Arn), tags: s.Tags}
		}
	}
	out[recipes.KindPipeline] = map[string]listedMutable{}
	pp := imagebuilder.NewListImagePipelinesPaginator(o.api, &imagebuilder.ListImagePipelinesInput{MaxResults: ptr(int32(25))})
	for pp.HasMorePages() {
		o.listPage()
		page, err := pp.NextPage(ctx)
		if err != nil {
			if perr := fail(recipes.KindPipeline, "ListImagePipelines", err); perr != nil {
				return nil, perr
			}
			break
		}
		for _, s := range page.ImagePipelineList {
			out[recipes.KindPipeline][aws.ToString(s.Name)] = listedMutable{arn: aws.ToString(s.Arn), tags: s.Tags, live: s}
		}
	}
	return out, nil
}

type goneError struct{ err error }

func (e *goneError) Error() string { return e.err.Error() }

// getLive reads one configuration's live object.
func (o *observer) getLive(ctx context.Context, kind recipes.Kind, arn string) (any, error) {
	o.read()
	var (
		live any
		err  error
	)
	switch kind {
	case recipes.KindInfrastructure:
		var out *imagebuilder.GetInfrastructureConfigurationOutput
		if out, err = o.api.GetInfrastructureConfiguration(ctx, &imagebuilder.GetInfrastructureConfigurationInput{InfrastructureConfigurationArn: ptr(arn)}); err == nil {
			live = out.InfrastructureConfiguration
		}
	case recipes.KindDistribution:
		var out *imagebuilder.GetDistributionConfigurationOutput
		if out, err = o.api.GetDistributionConfiguration(ctx, &imagebuilder.GetDistributionConfigurationInput{DistributionConfigurationArn: ptr(arn)}); err == nil {
			live = out.DistributionConfiguration
		}
	case recipes.KindPipeline:
		var out *imagebuilder.GetImagePipelineOutput
		if out, err = o.api.GetImagePipeline(ctx, &imagebuilder.GetImagePipelineInput{ImagePipelineArn: ptr(arn)}); err == nil {
			live = out.ImagePipeline
		}
	}
	if isNotFound(err) {
		return nil, &goneError{err}
	}
	return live, err
}

func (o *observer) mutableNames(kind recipes.Kind) []string {
	switch kind {
	case recipes.KindInfrastructure:
		return sortedNames(o.repo.Infrastructures)
	case recipes.KindDistribution:
		return sortedNames(o.repo.Distributions)
	}
	return sortedNames(o.repo.Pipelines)
}

func (o *observer) defined(kind recipes.Kind, name string) bool {
	switch kind {
	case recipes.KindInfrastructure:
		_, ok := o.repo.Infrastructures[name]
		return ok
	case recipes.KindDistribution:
		_, ok := o.repo.Distributions[name]
		return ok
	}
	_, ok := o.repo.Pipelines[name]
	return ok
}

// desiredFields is the Update body a build would send for the resource,
// with the ARNs the referenced resources have (or will have) in this
// account, in the comparable form.
func (b *Backend) desiredFields(repo *recipes.Repo, kind recipes.Kind, name string) (map[string]any, error) {
	fields, err := b.rawFields(repo, kind, name)
	if err != nil {
		return nil, err
	}
	return normalise(kind, fields)
}

// rawFields is the body a build sends for a mutable resource (its hash is
// the content tag a build sets), with this account's ARNs.
func (b *Backend) rawFields(repo *recipes.Repo, kind recipes.Kind, name string) (map[string]any, error) {
	var fields map[string]any
	switch kind {
	case recipes.KindInfrastructure:
		fields = infrastructureFields(repo.Infrastructures[name])
	case recipes.KindDistribution:
		fields = distributionFields(repo.Distributions[name])
	case recipes.KindPipeline:
		p := repo.Pipelines[name]
		r, rkind, ok := repo.Recipe(p.RecipeName())
		if !ok {
			return nil, fmt.Errorf("%s: pipeline %s builds recipe %q, which the repository does not define", location(&p.Meta), name, p.RecipeName())
		}
		typ := "image-recipe"
		if rkind == recipes.KindContainerRecipe {
			typ = "container-recipe"
		}
		dist := ""
		if p.DistributionConfiguration != "" {
			dist = b.arn("distribution-configuration", p.DistributionConfiguration)
		}
		fields = pipelineFields(p, rkind, b.arn(typ, r.Name, r.Version), b.arn("infrastructure-configuration", p.InfrastructureConfiguration), dist)
	}
	return fields, nil
}

// updateInput is the SDK Update input of a mutable kind: the fields both
// sides are compared on are exactly the ones an update can set.
func updateInput(kind recipes.Kind) any {
	switch kind {
	case recipes.KindInfrastructure:
		return &imagebuilder.UpdateInfrastructureConfigurationInput{}
	case recipes.KindDistribution:
		return &imagebuilder.UpdateDistributionConfigurationInput{}
	}
	return &imagebuilder.UpdateImagePipelineInput{}
}

// selfARN are the Update input fields naming the resource itself.
var selfARN = map[string]bool{"infrastructureConfigurationArn": true, "distributionConfigurationArn": true, "imagePipelineArn": true, "clientToken": true}

// normalise passes v (the repository's fields, or an SDK object) through
// the kind's SDK Update input and back to a map with lowerCamelCase keys,
// with empty values dropped: both sides then spell every field the same.
func normalise(kind recipes.Kind, v any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	in := updateInput(kind)
	if err := json.Unmarshal(raw, in); err != nil {
		return nil, err
	}
	if raw, err = json.Marshal(in); err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	out, _ := lowerKeys(m).(map[string]any)
	for k := range out {
		if selfARN[k] && !(kind == recipes.KindPipeline && (k == "infrastructureConfigurationArn" || k == "distributionConfigurationArn")) {
			delete(out, k)
		}
	}
	if out == nil {
		out = map[string]any{}
	}
	return out, nil
}

// userMaps are the fields whose values are maps with the user's keys.
var userMaps = map[string]bool{"tags": true, "resourceTags": true, "amiTags": true, "containerTags": true}

// lowerKeys lower-cases the first letter of every key and drops nulls,
// empty strings (an SDK enum left unset), empty lists and empty maps.
func lowerKeys(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			key := strings.ToLower(k[:1]) + k[1:]
			if userMaps[key] {
				// Tag maps: the keys are the user's, kept as they are.
				if m, ok := val.(map[string]any); !ok || len(m) == 0 {
					continue
				}
				out[key] = val
				continue
			}
			val = lowerKeys(val)
			if val == nil {
				continue
			}
			out[key] = val
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(x) == 0 {
			return nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = lowerKeys(e)
		}
		return out
	}
	return v
}

// serviceDefaults are the values Image Builder sets when a request leaves
// a field out: a live value equal to its default is no drift when the file
// does not set the field.
var serviceDefaults = map[recipes.Kind]map[string]any{
	recipes.KindPipeline: {
		"status":                       "ENABLED",
		"enhancedImageMetadataEnabled": true,
		"imageTestsConfiguration":      map[string]any{"imageTestsEnabled": true, "timeoutMinutes": float64(720)},
	},
	recipes.KindInfrastructure: {
		"terminateInstanceOnFailure": true,
	},
}

// comparable is the live object in the desired fields' form, service
// defaults the file does not set dropped.
func comparable(kind recipes.Kind, live any, desired map[string]any) map[string]any {
	m, err := normalise(kind, live)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	for k, def := range serviceDefaults[kind] {
		if _, set := desired[k]; set {
			continue
		}
		if got, ok := m[k]; ok && jsonEqual(got, def) {
			delete(m, k)
		}
	}
	return m
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// ApplyMutable creates or updates one infrastructure or distribution
// configuration or pipeline in place, without starting a build. Unlike a
// build, which trusts the content hash tag, it updates whenever it is
// asked: the caller compared the live fields (drift made in the console
// leaves the tag as it was).
func (b *Backend) ApplyMutable(ctx context.Context, req backend.ApplyRequest) (*backend.ApplyResult, error) {
	if req.Repo == nil {
		return nil, errors.New("aws backend: apply: no repository")
	}
	if err := b.identify(ctx); err != nil {
		return nil, err
	}
	res := &backend.ApplyResult{Kind: req.Kind, Name: req.Name}
	r := &run{b: b, req: backend.Request{Repo: req.Repo, Root: req.Root, Provenance: req.Provenance, DryRun: req.DryRun},
		progress: func(e backend.Event) {
			if e.Stage == "apply" || e.Stage == "dry-run" {
				res.Calls = append(res.Calls, strings.TrimPrefix(e.Message, "would call "))
			}
		}, runID: newRunID()}
	// A listed resource whose tag matches would be left alone: forget the
	// tag so that ensureMutable compares nothing and updates.
	stale := func(kind recipes.Kind, name string) error {
		existing, err := r.listed(ctx, kind)
		if err != nil {
			return err
		}
		b.mu.Lock()
		if cur := existing[name]; cur != nil {
			cur.hash = ""
		}
		b.mu.Unlock()
		return nil
	}
	if err := stale(req.Kind, req.Name); err != nil {
		return nil, err
	}
	var err error
	switch req.Kind {
	case recipes.KindInfrastructure:
		inf, ok := req.Repo.Infrastructures[req.Name]
		if !ok {
			return nil, fmt.Errorf("infrastructure configuration %q is not in the repository", req.Name)
		}
		res.ID, _, err = r.ensureMutable(ctx, req.Kind, inf.Name, inf.Tags, infrastructureFields(inf))
	case recipes.KindDistribution:
		d, ok := req.Repo.Distributions[req.Name]
		if !ok {
			return nil, fmt.Errorf("distribution configuration %q is not in the repository", req.Name)
		}
		res.ID, _, err = r.ensureMutable(ctx, req.Kind, d.Name, d.Tags, distributionFields(d))
	case recipes.KindPipeline:
		res.ID, err = b.applyPipeline(ctx, r, req.Name)
	default:
		return nil, fmt.Errorf("%s %s is not a mutable resource: it is built, not updated", req.Kind, req.Name)
	}
	var ref *refusal
	if errors.As(err, &ref) {
		return nil, errors.New(ref.msg)
	}
	return res, err
}

// applyPipeline updates a pipeline whose recipe version already exists;
// its infrastructure and distribution are made to match first.
func (b *Backend) applyPipeline(ctx context.Context, r *run, name string) (string, error) {
	repo := r.req.Repo
	p, ok := repo.Pipelines[name]
	if !ok {
		return "", fmt.Errorf("pipeline %q is not in the repository", name)
	}
	recipe, kind, ok := repo.Recipe(p.RecipeName())
	if !ok {
		return "", fmt.Errorf("%s: pipeline %s builds recipe %q, which the repository does not define", location(&p.Meta), name, p.RecipeName())
	}
	typ := "image-recipe"
	if kind == recipes.KindContainerRecipe {
		typ = "container-recipe"
	}
	infraARN, _, distARN, _, err := r.ensureInfraDist(ctx, p.InfrastructureConfiguration, p.DistributionConfiguration, &p.Meta)
	if err != nil {
		return "", err
	}
	arn, _, err := r.ensureMutable(ctx, recipes.KindPipeline, p.Name, p.Tags, pipelineFields(p, kind, b.arn(typ, recipe.Name, recipe.Version), infraARN, distARN))
	return arn, err
}

func sortedNames[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedKeys[T any](m map[string]T) []string { return sortedNames(m) }

// versionOf is the x.y.z segment of a version-level ARN.
func versionOf(arn string) string {
	parts := strings.Split(arn, "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

func listedVersion(arn, version string) bool { return versionOf(arn) == version }

// versionLess compares x.y.z numerically.
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		var x, y int
		fmt.Sscan(pa[i], &x)
		fmt.Sscan(pb[i], &y)
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}

// recipeNames lists the image and container recipes' names, sorted.
func recipeNames(repo *recipes.Repo) []string {
	return append(sortedNames(repo.ImageRecipes), sortedNames(repo.ContainerRecipes)...)
}
