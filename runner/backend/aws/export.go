package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

var _ backend.Exporter = (*Backend)(nil)

// Export describes the account's own resources as repository files: the
// newest version of every component and recipe, every infrastructure and
// distribution configuration and pipeline, that pass the filter. Own
// components are named (with a version pin when a recipe uses another
// version than the newest), AWS-managed and shared ones kept as ARNs; a
// parent image built by an exported recipe becomes recipe:<name>.
func (b *Backend) Export(ctx context.Context, f backend.ExportFilter) ([]backend.Exported, error) {
	api, ok := b.api.(ObserveAPI)
	if !ok {
		return nil, fmt.Errorf("aws backend: the Image Builder client cannot list components and recipes (internal error)")
	}
	if err := b.identify(ctx); err != nil {
		return nil, err
	}
	x := &exporter{b: b, api: api, f: f, newest: map[string]string{}, recipeNames: map[string]bool{}}
	for _, step := range []func(context.Context) error{x.components, x.recipes, x.mutables} {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	return x.out, nil
}

type exporter struct {
	b           *Backend
	api         ObserveAPI
	f           backend.ExportFilter
	out         []backend.Exported
	newest      map[string]string // component name -> newest version exported
	recipeNames map[string]bool
}

func (x *exporter) selected(name string, tags map[string]string) bool {
	if !strings.HasPrefix(name, x.f.NamePrefix) {
		return false
	}
	for k, v := range x.f.Tags {
		if tags[k] != v {
			return false
		}
	}
	return true
}

// ownTags drops the tags ibgitops and AWS set: a build sets them again.
func ownTags(tags map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range tags {
		if strings.HasPrefix(k, "ibgitops:") || strings.HasPrefix(k, "aws:") {
			continue
		}
		out[k] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// fieldsOf is an SDK object as repository fields (lowerCamelCase, empty
// values dropped), without drop.
func fieldsOf(v any, drop ...string) map[string]any {
	raw, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	out, _ := lowerKeys(m).(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	for _, k := range drop {
		delete(out, k)
	}
	return out
}

func (x *exporter) add(kind recipes.Kind, name string, fields map[string]any, doc string) {
	fields["kind"], fields["name"] = string(kind), name
	x.out = append(x.out, backend.Exported{Kind: kind, Name: name, Fields: fields, Document: doc})
}

func (x *exporter) components(ctx context.Context) error {
	listed := map[string]string{}
	p := imagebuilder.NewListComponentsPaginator(x.api, &imagebuilder.ListComponentsInput{Owner: types.OwnershipSelf, MaxResults: ptr(int32(25))})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return explain("ListComponents", "(owner Self)", err)
		}
		for _, c := range page.ComponentVersionList {
			name := aws.ToString(c.Name)
			if cur, ok := listed[name]; !ok || versionLess(versionOf(cur), aws.ToString(c.Version)) {
				listed[name] = aws.ToString(c.Arn)
			}
		}
	}
	for _, name := range sortedKeys(listed) {
		if !strings.HasPrefix(name, x.f.NamePrefix) {
			continue
		}
		got, err := x.api.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: ptr(listed[name])})
		if isNotFound(err) {
			continue // deleted since it was listed
		}
		if err != nil {
			return explain("GetComponent", listed[name], err)
		}
		c := got.Component
		if c == nil || !x.selected(name, c.Tags) {
			continue
		}
		fields := fieldsOf(c, "arn", "name", "type", "owner", "dateCreated", "encrypted", "parameters", "state", "data", "tags", "publisher", "obfuscate", "productCodes", "instructions", "componentType")
		fields["version"] = aws.ToString(c.Version)
		fields["documentFile"] = "documents/" + name + ".yaml"
		if t := ownTags(c.Tags); t != nil {
			fields["tags"] = t
		}
		x.newest[name] = aws.ToString(c.Version)
		x.add(recipes.KindComponent, name, fields, aws.ToString(c.Data))
	}
	return nil
}

func (x *exporter) recipes(ctx context.Context) error {
	type row struct {
		kind recipes.Kind
		arn  string
	}
	listed := map[string]row{}
	add := func(kind recipes.Kind, name, arn string) {
		if cur, ok := listed[name]; !ok || versionLess(versionOf(cur.arn), versionOf(arn)) {
			listed[name] = row{kind, arn}
		}
	}
	ip := imagebuilder.NewListImageRecipesPaginator(x.api, &imagebuilder.ListImageRecipesInput{Owner: types.OwnershipSelf, MaxResults: ptr(int32(25))})
	for ip.HasMorePages() {
		page, err := ip.NextPage(ctx)
		if err != nil {
			return explain("ListImageRecipes", "(owner Self)", err)
		}
		for _, s := range page.ImageRecipeSummaryList {
			if x.selected(aws.ToString(s.Name), s.Tags) {
				add(recipes.KindImageRecipe, aws.ToString(s.Name), aws.ToString(s.Arn))
			}
		}
	}
	cp := imagebuilder.NewListContainerRecipesPaginator(x.api, &imagebuilder.ListContainerRecipesInput{Owner: types.OwnershipSelf, MaxResults: ptr(int32(25))})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return explain("ListContainerRecipes", "(owner Self)", err)
		}
		for _, s := range page.ContainerRecipeSummaryList {
			if x.selected(aws.ToString(s.Name), s.Tags) {
				add(recipes.KindContainerRecipe, aws.ToString(s.Name), aws.ToString(s.Arn))
			}
		}
	}
	for name := range listed {
		x.recipeNames[name] = true
	}
	for _, name := range sortedKeys(listed) {
		r := listed[name]
		var (
			fields map[string]any
			comps  []types.ComponentConfiguration
			tags   map[string]string
			parent string
		)
		if r.kind == recipes.KindContainerRecipe {
			got, err := x.api.GetContainerRecipe(ctx, &imagebuilder.GetContainerRecipeInput{ContainerRecipeArn: ptr(r.arn)})
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return explain("GetContainerRecipe", r.arn, err)
			}
			cr := got.ContainerRecipe
			fields = fieldsOf(cr, "arn", "name", "owner", "dateCreated", "encrypted", "platform", "tags", "components", "parentImage", "dockerfileTemplateData")
			fields["dockerfileTemplate"] = aws.ToString(cr.DockerfileTemplateData)
			comps, tags, parent = cr.Components, cr.Tags, aws.ToString(cr.ParentImage)
		} else {
			got, err := x.api.GetImageRecipe(ctx, &imagebuilder.GetImageRecipeInput{ImageRecipeArn: ptr(r.arn)})
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return explain("GetImageRecipe", r.arn, err)
			}
			ir := got.ImageRecipe
			fields = fieldsOf(ir, "arn", "name", "owner", "dateCreated", "platform", "tags", "components", "parentImage", "type")
			comps, tags, parent = ir.Components, ir.Tags, aws.ToString(ir.ParentImage)
		}
		delete(fields, "version")
		fields["version"] = versionOf(r.arn)
		fields["parentImage"] = x.parent(parent)
		fields["components"] = x.componentRefs(comps)
		if t := ownTags(tags); t != nil {
			fields["tags"] = t
		}
		x.add(r.kind, name, fields, "")
	}
	return nil
}

// parent is recipe:<name> for an image of an exported recipe of this
// account, else the parent as it is.
func (x *exporter) parent(p string) string {
	prefix := fmt.Sprintf("arn:%s:imagebuilder:%s:%s:image/", x.b.partition, x.b.region, x.b.account)
	if rest, ok := strings.CutPrefix(p, prefix); ok {
		if name, _, _ := strings.Cut(rest, "/"); x.recipeNames[name] {
			return "recipe:" + name
		}
	}
	return p
}

// componentRefs names this account's components (pinned when the recipe
// uses another version than the exported one) and keeps other ARNs.
func (x *exporter) componentRefs(comps []types.ComponentConfiguration) []any {
	prefix := fmt.Sprintf("arn:%s:imagebuilder:%s:%s:component/", x.b.partition, x.b.region, x.b.account)
	out := []any{}
	for _, c := range comps {
		arn := aws.ToString(c.ComponentArn)
		ref := map[string]any{}
		if rest, ok := strings.CutPrefix(arn, prefix); ok {
			parts := strings.Split(rest, "/")
			if newest, exported := x.newest[parts[0]]; exported && len(parts) >= 2 {
				ref["name"] = parts[0]
				if parts[1] != newest {
					ref["version"] = parts[1]
				}
			}
		}
		if len(ref) == 0 {
			ref["arn"] = arn
		}
		if len(c.Parameters) > 0 {
			params := map[string]any{}
			for _, p := range c.Parameters {
				if len(p.Value) == 1 {
					params[aws.ToString(p.Name)] = p.Value[0]
				} else {
					params[aws.ToString(p.Name)] = p.Value
				}
			}
			ref["parameters"] = params
		}
		out = append(out, ref)
	}
	return out
}

func (x *exporter) mutables(ctx context.Context) error {
	listed, err := (&observer{b: x.b, api: x.api, actual: &backend.Actual{}}).listMutables(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{} // ARN -> name, to name the pipelines' references
	for _, kind := range []recipes.Kind{recipes.KindInfrastructure, recipes.KindDistribution} {
		for _, name := range sortedKeys(listed[kind]) {
			names[listed[kind][name].arn] = name
		}
	}
	for _, kind := range []recipes.Kind{recipes.KindInfrastructure, recipes.KindDistribution, recipes.KindPipeline} {
		for _, name := range sortedKeys(listed[kind]) {
			row := listed[kind][name]
			if !x.selected(name, row.tags) {
				continue
			}
			live := row.live
			if live == nil {
				o := &observer{b: x.b, api: x.api, actual: &backend.Actual{}}
				if live, err = o.getLive(ctx, kind, row.arn); err != nil {
					if _, gone := err.(*goneError); gone {
						continue
					}
					return explain("Get"+string(kind), row.arn, err)
				}
			}
			fields := fieldsOf(live, "arn", "name", "dateCreated", "dateUpdated", "tags", "regions", "timeoutMinutes", "platform", "dateLastRun", "dateNextRun", "lastRunStatus", "imageRecipeArn", "containerRecipeArn", "infrastructureConfigurationArn", "distributionConfigurationArn")
			if kind == recipes.KindPipeline {
				p := live.(types.ImagePipeline)
				if a := aws.ToString(p.ImageRecipeArn); a != "" {
					fields["imageRecipe"] = arnSegment(a, 1)
				}
				if a := aws.ToString(p.ContainerRecipeArn); a != "" {
					fields["containerRecipe"] = arnSegment(a, 1)
				}
				fields["infrastructureConfiguration"] = orSegment(names, aws.ToString(p.InfrastructureConfigurationArn))
				if a := aws.ToString(p.DistributionConfigurationArn); a != "" {
					fields["distributionConfiguration"] = orSegment(names, a)
				}
			}
			if t := ownTags(row.tags); t != nil {
				fields["tags"] = t
			}
			x.add(kind, name, fields, "")
		}
	}
	return nil
}

// arnSegment is the i-th "/"-separated part after the resource type.
func arnSegment(arn string, i int) string {
	parts := strings.Split(arn, "/")
	if i < len(parts) {
		return parts[i]
	}
	return arn
}

func orSegment(names map[string]string, arn string) string {
	if n, ok := names[arn]; ok {
		return n
	}
	return arnSegment(arn, 1)
}

// Adopt tags each of the repository's components and recipe versions (and
// their available images) and its configurations and pipelines with the
// content hash a build of these files would tag them with. Resources
// created outside ibgitops carry none, and a build refuses a version whose
// hash differs: after an import the files are the truth, so their hashes
// are recorded. Only tags change.
func (b *Backend) Adopt(ctx context.Context, repo *recipes.Repo) ([]string, error) {
	if err := b.identify(ctx); err != nil {
		return nil, err
	}
	var done []string
	tag := func(what, arn, hash string) error {
		_, err := b.api.TagResource(ctx, &imagebuilder.TagResourceInput{ResourceArn: ptr(arn), Tags: map[string]string{TagContentHash: hash}})
		if isNotFound(err) {
			return errAbsent // the file names something the account lacks: a build creates it
		}
		if err != nil {
			return explain("TagResource", arn, err)
		}
		done = append(done, fmt.Sprintf("%s: %s=%s", what, TagContentHash, hash[:12]))
		return nil
	}
	for _, name := range sortedNames(repo.Components) {
		c := repo.Components[name]
		got, err := b.api.GetComponent(ctx, &imagebuilder.GetComponentInput{ComponentBuildVersionArn: ptr(b.arn("component", c.Name, c.Version))})
		if isNotFound(err) || (err == nil && got.Component == nil) {
			continue
		}
		if err != nil {
			return done, explain("GetComponent", c.Name+"@"+c.Version, err)
		}
		if err := tag("component "+c.Name+" "+c.Version, aws.ToString(got.Component.Arn), contentHash(&c.Meta, componentFields(c))); err != nil {
			return done, err
		}
	}
	for _, name := range recipeNames(repo) {
		r, kind, _ := repo.Recipe(name)
		typ := "image-recipe"
		if kind == recipes.KindContainerRecipe {
			typ = "container-recipe"
		}
		hash := r.ContentHash
		if err := tag(string(kind)+" "+r.Name+" "+r.Version, b.arn(typ, r.Name, r.Version), hash); err != nil {
			if errors.Is(err, errAbsent) {
				continue
			}
			return done, err
		}
		imgs, err := (&run{b: b}).images(ctx, r.Name, r.Version)
		if err != nil {
			return done, err
		}
		for _, img := range imgs {
			if img.State != nil && img.State.Status == types.ImageStatusAvailable && img.Tags[TagContentHash] == "" {
				if err := tag("image "+aws.ToString(img.Arn), aws.ToString(img.Arn), hash); err != nil {
					return done, err
				}
			}
		}
	}
	noun := map[recipes.Kind]string{recipes.KindInfrastructure: "infrastructure-configuration", recipes.KindDistribution: "distribution-configuration", recipes.KindPipeline: "image-pipeline"}
	for _, kind := range []recipes.Kind{recipes.KindInfrastructure, recipes.KindDistribution, recipes.KindPipeline} {
		o := &observer{repo: repo}
		for _, name := range o.mutableNames(kind) {
			fields, err := b.rawFields(repo, kind, name)
			if err != nil {
				return done, err
			}
			if err := tag(string(kind)+" "+name, b.arn(noun[kind], name), hashOf(fields)); err != nil {
				if errors.Is(err, errAbsent) {
					continue
				}
				return done, err
			}
		}
	}
	return done, nil
}

var errAbsent = errors.New("absent")
