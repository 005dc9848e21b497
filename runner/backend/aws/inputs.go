package aws

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/ibgitops/ibgitops/recipes"
)

// Tags ibgitops puts on what it creates.
const (
	TagContentHash = "ibgitops:content-sha256" // the resource's content (components, recipes, mutable resources)
	TagBuildHash   = "ibgitops:build-sha256"   // what an image was built from (recipe + pipeline + infrastructure + distribution)
	TagRepository  = "ibgitops:repository"
	TagCommit      = "ibgitops:commit"
	TagRunURL      = "ibgitops:run-url"
	TagTool        = "ibgitops:tool-version"
)

// decodeInto converts lowerCamelCase API fields (as the repository holds
// them) into an SDK input or type: encoding/json matches keys to the
// SDK's exported PascalCase field names case-insensitively.
func decodeInto(fields map[string]any, out any) error {
	raw, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// hashOf is the sha256 of v's canonical JSON (map keys sorted).
func hashOf(v any) string {
	raw, _ := json.Marshal(v)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

func merge(dst map[string]any, spec map[string]any) map[string]any {
	for k, v := range spec {
		if _, set := dst[k]; !set {
			dst[k] = v
		}
	}
	return dst
}

func setIf(m map[string]any, key string, v string) {
	if v != "" {
		m[key] = v
	}
}

// componentFields is the CreateComponent body for a component, without
// name, version, tags and client token.
func componentFields(c *recipes.Component) map[string]any {
	m := map[string]any{"platform": c.Platform, "data": c.Data}
	setIf(m, "description", c.Description)
	setIf(m, "changeDescription", c.ChangeDescription)
	setIf(m, "kmsKeyId", c.KmsKeyID)
	if len(c.SupportedOsVersions) > 0 {
		m["supportedOsVersions"] = c.SupportedOsVersions
	}
	return m
}

// recipeFields is the Create*Recipe body without name, version, tags and
// client token. comps are the resolved component configurations.
func recipeFields(r *recipes.Recipe, kind recipes.Kind, parentImage string, comps []types.ComponentConfiguration, cr *recipes.ContainerRecipe) map[string]any {
	m := map[string]any{"parentImage": parentImage}
	setIf(m, "description", r.Description)
	setIf(m, "workingDirectory", r.WorkingDirectory)
	if len(comps) > 0 {
		list := make([]any, len(comps))
		for i, c := range comps {
			entry := map[string]any{"componentArn": *c.ComponentArn}
			if len(c.Parameters) > 0 {
				var ps []any
				for _, p := range c.Parameters {
					ps = append(ps, map[string]any{"name": *p.Name, "value": p.Value})
				}
				entry["parameters"] = ps
			}
			list[i] = entry
		}
		m["components"] = list
	}
	if kind == recipes.KindContainerRecipe && cr != nil {
		containerType := cr.ContainerType
		if containerType == "" {
			containerType = "DOCKER"
		}
		m["containerType"] = containerType
		m["dockerfileTemplateData"] = cr.DockerfileTemplate
		m["targetRepository"] = map[string]any{"service": cr.TargetRepository.Service, "repositoryName": cr.TargetRepository.RepositoryName}
	}
	return merge(m, r.Spec)
}

func infrastructureFields(inf *recipes.Infrastructure) map[string]any {
	m := map[string]any{"instanceProfileName": inf.InstanceProfileName}
	setIf(m, "description", inf.Description)
	return merge(m, inf.Spec)
}

func distributionFields(d *recipes.Distribution) map[string]any {
	list := make([]any, len(d.Distributions))
	for i, e := range d.Distributions {
		list[i] = e
	}
	m := map[string]any{"distributions": list}
	setIf(m, "description", d.Description)
	return m
}

func pipelineFields(p *recipes.Pipeline, recipeKind recipes.Kind, recipeARN, infraARN, distARN string) map[string]any {
	m := map[string]any{"infrastructureConfigurationArn": infraARN}
	if recipeKind == recipes.KindContainerRecipe {
		m["containerRecipeArn"] = recipeARN
	} else {
		m["imageRecipeArn"] = recipeARN
	}
	setIf(m, "distributionConfigurationArn", distARN)
	setIf(m, "description", p.Description)
	setIf(m, "status", p.Status)
	if s := p.Schedule; s != nil {
		sched := map[string]any{"scheduleExpression": s.ScheduleExpression}
		setIf(sched, "timezone", s.Timezone)
		setIf(sched, "pipelineExecutionStartCondition", s.PipelineExecutionStartCondition)
		m["schedule"] = sched
	}
	return merge(m, p.Spec)
}

// componentParams turns a recipe's parameter map into the API's list,
// sorted by name so that the request (and its hash) is stable.
func componentParams(params map[string][]string) []types.ComponentParameter {
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]types.ComponentParameter, 0, len(names))
	for _, n := range names {
		out = append(out, types.ComponentParameter{Name: ptr(n), Value: params[n]})
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// arnName is the ARN segment of a resource name: lower case, spaces as '-'.
func arnName(name string) string { return strings.ToLower(strings.ReplaceAll(name, " ", "-")) }

// location names a resource's file and line for user-facing messages.
func location(m *recipes.Meta) string {
	line := m.VersionPos.Line
	if line == 0 {
		line = m.NamePos.Line
	}
	if m.File == "" {
		return fmt.Sprintf("%s %s", m.Kind, m.Name)
	}
	if line == 0 {
		return m.File
	}
	return fmt.Sprintf("%s:%d", m.File, line)
}

// contentHash is the repository's content hash of a versioned resource,
// or the hash of the API body when the loader did not compute one.
func contentHash(m *recipes.Meta, body map[string]any) string {
	if m.ContentHash != "" {
		return m.ContentHash
	}
	return hashOf(body)
}

// tagValue fits a value into Image Builder's 256-character tag limit.
func tagValue(s string) string {
	if len([]rune(s)) <= 256 {
		return s
	}
	return string([]rune(s)[:256])
}
