// Package recipes is the pure model of a user's ibgitops repository: it
// loads and validates every resource kind, runs the lint rules, builds the
// dependency graph, maps changed paths to affected resources and decides
// version bumps. It does no network, process or git I/O: callers hand it
// file contents and changed paths.
package recipes

import "github.com/ibgitops/ibgitops/recipes/diag"

// Kind is the `kind:` of a resource file.
type Kind string

const (
	KindComponent       Kind = "Component"
	KindImageRecipe     Kind = "ImageRecipe"
	KindContainerRecipe Kind = "ContainerRecipe"
	KindInfrastructure  Kind = "InfrastructureConfiguration"
	KindDistribution    Kind = "DistributionConfiguration"
	KindPipeline        Kind = "ImagePipeline"
)

// Kinds lists every resource kind in dependency order: a kind only refers
// to kinds before it. Backends create resources in this order.
var Kinds = []Kind{KindComponent, KindImageRecipe, KindContainerRecipe, KindInfrastructure, KindDistribution, KindPipeline}

// Versioned reports whether resources of this kind carry an immutable
// semantic version in Image Builder.
func (k Kind) Versioned() bool {
	return k == KindComponent || k == KindImageRecipe || k == KindContainerRecipe
}

// Meta is what every resource has: where it came from and who it is.
type Meta struct {
	Kind    Kind     `json:"kind"`
	Name    string   `json:"name"`
	Version string   `json:"version,omitempty"` // empty for unversioned kinds
	File    string   `json:"file"`              // relative to the repository root, forward slashes
	NamePos diag.Pos `json:"-"`
	// VersionPos is the position of the version scalar, used by `bump --write`
	// to rewrite exactly that scalar.
	VersionPos  diag.Pos          `json:"-"`
	Description string            `json:"description,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	// ContentHash is the sha256 (hex) of the resource's canonical content,
	// version excluded, so that "content changed but version not raised" and
	// the backends' "same version, same content" checks agree.
	ContentHash string `json:"contentHash,omitempty"`
}

// Key identifies a resource: names are unique per kind.
type Key struct {
	Kind Kind
	Name string
}

func (m *Meta) Key() Key { return Key{m.Kind, m.Name} }

// Component is an AWSTOE component document with Image Builder metadata.
type Component struct {
	Meta
	Platform            string   `json:"platform"` // Linux | Windows | macOS
	ChangeDescription   string   `json:"changeDescription,omitempty"`
	SupportedOsVersions []string `json:"supportedOsVersions,omitempty"`
	KmsKeyID            string   `json:"kmsKeyId,omitempty"`
	// DocumentFile is the path of the separate AWSTOE file, relative to the
	// repository root, when the component uses `documentFile:`.
	DocumentFile string `json:"documentFile,omitempty"`
	// Data is the AWSTOE document as YAML text, exactly as sent to Image
	// Builder's `data` field (inline documents are re-encoded).
	Data string `json:"-"`
	// Parameters declared by the document, in order.
	Parameters []Parameter `json:"parameters,omitempty"`
}

// Parameter is a parameter declared by a component document.
type Parameter struct {
	Name        string  `json:"name"`
	Type        string  `json:"type"` // string | integer | boolean | stringList (AWSTOE spelling)
	Default     *string `json:"default,omitempty"`
	Description string  `json:"description,omitempty"`
}

// ComponentRef is one entry of a recipe's `components:` list.
type ComponentRef struct {
	// Name is set for a component of this repository; ARN for an AWS-managed
	// or shared component. Exactly one is set.
	Name string `json:"name,omitempty"`
	ARN  string `json:"arn,omitempty"`
	// Version pins a repository component ("1.2.3", "1.x.x"); empty means
	// the component's current version in the repository.
	Version    string              `json:"version,omitempty"`
	VersionPos diag.Pos            `json:"-"`
	Parameters map[string][]string `json:"parameters,omitempty"`
	Pos        diag.Pos            `json:"-"`
}

// Recipe holds the fields image and container recipes share.
type Recipe struct {
	Meta
	// ParentImage as written: ami-..., an image ARN, ssm:..., or recipe:<name>.
	ParentImage      string         `json:"parentImage"`
	ParentImagePos   diag.Pos       `json:"-"`
	Components       []ComponentRef `json:"components,omitempty"`
	WorkingDirectory string         `json:"workingDirectory,omitempty"`
	// LocalParentImage is `local.parentImage`: the container image the local
	// backend starts from.
	LocalParentImage string `json:"localParentImage,omitempty"`
	// Spec holds the remaining API fields (blockDeviceMappings,
	// additionalInstanceConfiguration, amiTags, ...) decoded as plain values,
	// in the API's lowerCamelCase, for backends to pass through.
	Spec map[string]any `json:"spec,omitempty"`
}

// ParentRecipe returns the name in a `recipe:<name>` parent, or "".
func (r *Recipe) ParentRecipe() string {
	const p = "recipe:"
	if len(r.ParentImage) > len(p) && r.ParentImage[:len(p)] == p {
		return r.ParentImage[len(p):]
	}
	return ""
}

// ImageRecipe is an AMI recipe.
type ImageRecipe struct {
	Recipe
}

// ContainerRecipe is a Docker image recipe.
type ContainerRecipe struct {
	Recipe
	ContainerType string `json:"containerType"` // DOCKER
	// DockerfileTemplate is the template text (inline or read from
	// DockerfileTemplateFile).
	DockerfileTemplate     string `json:"-"`
	DockerfileTemplateFile string `json:"dockerfileTemplateFile,omitempty"`
	TargetRepository       struct {
		Service        string `json:"service"`
		RepositoryName string `json:"repositoryName"`
	} `json:"targetRepository"`
}

// Infrastructure is an infrastructure configuration (mutable, unversioned).
type Infrastructure struct {
	Meta
	InstanceProfileName string `json:"instanceProfileName"`
	// Spec holds every API field (instanceTypes, subnetId, logging, ...) as
	// decoded plain values, keyed by the API's lowerCamelCase names.
	Spec map[string]any `json:"spec,omitempty"`
}

// Distribution is a distribution configuration (mutable, unversioned).
type Distribution struct {
	Meta
	// Distributions is the API's `distributions` list as plain values.
	Distributions []map[string]any `json:"distributions,omitempty"`
	// Local maps local-backend targets to image names: the `local:` section.
	Local *LocalDistribution `json:"local,omitempty"`
}

// LocalDistribution is how the local backend distributes an image.
type LocalDistribution struct {
	// Images are names to tag the built image with, e.g.
	// "registry.example.com/base:{{version}}".
	Images []string `json:"images,omitempty"`
	// Registry, when set, is pushed to after tagging.
	Registry string `json:"registry,omitempty"`
	// Export writes an OCI archive into the local store.
	Export bool `json:"export,omitempty"`
}

// Pipeline is an image pipeline (mutable, unversioned).
type Pipeline struct {
	Meta
	// Exactly one of ImageRecipe and ContainerRecipe is set: a recipe name
	// of this repository.
	ImageRecipe                 string    `json:"imageRecipe,omitempty"`
	ContainerRecipe             string    `json:"containerRecipe,omitempty"`
	InfrastructureConfiguration string    `json:"infrastructureConfiguration"`
	DistributionConfiguration   string    `json:"distributionConfiguration,omitempty"`
	Schedule                    *Schedule `json:"schedule,omitempty"`
	Status                      string    `json:"status,omitempty"` // ENABLED | DISABLED
	// Spec holds the remaining API fields as plain values.
	Spec map[string]any `json:"spec,omitempty"`
}

// RecipeName is the recipe the pipeline builds, whichever kind it is.
func (p *Pipeline) RecipeName() string {
	if p.ImageRecipe != "" {
		return p.ImageRecipe
	}
	return p.ContainerRecipe
}

// Schedule of a pipeline.
type Schedule struct {
	ScheduleExpression              string `json:"scheduleExpression"`
	Timezone                        string `json:"timezone,omitempty"`
	PipelineExecutionStartCondition string `json:"pipelineExecutionStartCondition,omitempty"`
}

// Config is ibgitops.yaml. Every key is optional; Defaults fills them.
type Config struct {
	Root    string `json:"root"`
	Backend string `json:"backend"` // local | aws
	AWS     struct {
		Region string `json:"region,omitempty"`
	} `json:"aws"`
	Local struct {
		Engine string `json:"engine"` // auto | podman | docker
		Store  string `json:"store"`
		// Components maps an ARN pattern (path.Match syntax) to a local
		// stand-in document path, for AWS-managed components.
		Components map[string]string `json:"components,omitempty"`
	} `json:"local"`
	Versioning struct {
		Bump      string `json:"bump"` // conventional | patch | minor | major
		Propagate bool   `json:"propagate"`
	} `json:"versioning"`
	Release struct {
		TagPattern string `json:"tagPattern"`
	} `json:"release"`
	Report struct {
		Comment  string `json:"comment"`  // sticky | off
		Statuses string `json:"statuses"` // per-recipe | off
	} `json:"report"`
}

// DefaultConfig returns the configuration used when ibgitops.yaml is absent
// or silent.
func DefaultConfig() Config {
	var c Config
	c.Root = "."
	c.Backend = "local"
	c.Local.Engine = "auto"
	c.Local.Store = ".ibgitops"
	c.Versioning.Bump = "conventional"
	c.Versioning.Propagate = true
	c.Release.TagPattern = "{name}/v{version}"
	c.Report.Comment = "sticky"
	c.Report.Statuses = "per-recipe"
	return c
}

// Repo is every resource of a repository, loaded and validated.
type Repo struct {
	Config           Config
	Components       map[string]*Component
	ImageRecipes     map[string]*ImageRecipe
	ContainerRecipes map[string]*ContainerRecipe
	Infrastructures  map[string]*Infrastructure
	Distributions    map[string]*Distribution
	Pipelines        map[string]*Pipeline
	// Files lists every file Load examined (relative to the repository
	// root, sorted): resources, documentFile targets, ibgitops.yaml.
	Files []string
}

// NewRepo returns an empty repository with default configuration.
func NewRepo() *Repo {
	return &Repo{
		Config:           DefaultConfig(),
		Components:       map[string]*Component{},
		ImageRecipes:     map[string]*ImageRecipe{},
		ContainerRecipes: map[string]*ContainerRecipe{},
		Infrastructures:  map[string]*Infrastructure{},
		Distributions:    map[string]*Distribution{},
		Pipelines:        map[string]*Pipeline{},
	}
}

// Recipe returns the image or container recipe of that name.
func (r *Repo) Recipe(name string) (*Recipe, Kind, bool) {
	if ir, ok := r.ImageRecipes[name]; ok {
		return &ir.Recipe, KindImageRecipe, true
	}
	if cr, ok := r.ContainerRecipes[name]; ok {
		return &cr.Recipe, KindContainerRecipe, true
	}
	return nil, "", false
}
