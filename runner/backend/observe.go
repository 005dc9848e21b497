package backend

import (
	"context"
	"fmt"
	"time"

	"github.com/ibgitops/ibgitops/recipes"
)

// Observer is implemented by backends that can say what they hold: the
// actual state that runner/reconcile compares with the repository (the
// desired state). It only reads.
type Observer interface {
	Observe(ctx context.Context, req ObserveRequest) (*Actual, error)
}

// Applier is implemented by backends that hold mutable resources
// (infrastructure and distribution configurations, pipelines) and can
// create or update one in place, without building an image.
type Applier interface {
	ApplyMutable(ctx context.Context, req ApplyRequest) (*ApplyResult, error)
}

// ObserveRequest names the repository whose resources to look up.
type ObserveRequest struct {
	Repo *recipes.Repo
	Root string // absolute repository root (the local store lives under it)
}

// Actual is what a backend holds for a repository.
type Actual struct {
	Backend string
	// Kinds the backend holds at all (the local backend keeps no
	// pipelines or configurations): other kinds are not compared.
	Kinds []recipes.Kind
	// Resources has one entry per resource of the repository whose kind
	// the backend holds, found or not.
	Resources []Observed
	// Untracked are resources carrying ibgitops' tags that no file of the
	// repository defines. They are listed, never deleted.
	Untracked []Untracked
	// Problems are resources that could not be read; the comparison of
	// those resources is unknown.
	Problems []ReadProblem
	// Reads counts the backend calls made (List pages included), Lists
	// the List pages among them: the cost of one observation.
	Reads, Lists int
}

// Holds reports whether the backend keeps resources of kind k.
func (a *Actual) Holds(k recipes.Kind) bool {
	for _, h := range a.Kinds {
		if h == k {
			return true
		}
	}
	return false
}

// Observed is one resource of the repository as the backend holds it.
// Hashes are opaque to the comparison: only equality matters.
type Observed struct {
	Kind    recipes.Kind `json:"kind"`
	Name    string       `json:"name"`
	Version string       `json:"version,omitempty"` // the repository's version (versioned kinds)
	// Exists is false when the backend holds nothing under this name (and
	// version, for versioned kinds).
	Exists bool   `json:"exists"`
	ID     string `json:"id,omitempty"` // ARN or local reference
	// Have is the content the backend holds for this version, Want the
	// content it would create from the repository now (versioned kinds).
	Have string `json:"have,omitempty"`
	Want string `json:"want,omitempty"`
	// Images are the builds of this recipe version, newest first;
	// WantImage is the content an image built from the repository now
	// carries (recipes).
	Images    []Image `json:"images,omitempty"`
	WantImage string  `json:"wantImage,omitempty"`
	// Live and Desired are a mutable resource's fields as the backend
	// holds them and as the repository says, in the API's lowerCamelCase
	// terms, with the backend's own defaults already normalised.
	Live    map[string]any `json:"live,omitempty"`
	Desired map[string]any `json:"desired,omitempty"`
	// Note says something the comparison should repeat (a parent image
	// the engine lacks, a resource deleted while it was read).
	Note string `json:"note,omitempty"`
}

// ImageState is where a build of a recipe version is.
type ImageState string

const (
	ImageAvailable  ImageState = "available"
	ImageFailed     ImageState = "failed"
	ImageCancelled  ImageState = "cancelled"
	ImageInProgress ImageState = "in progress"
	ImageOther      ImageState = "other" // deprecated, disabled, deleted
)

// Image is one build of a recipe version.
type Image struct {
	ID      string     `json:"id"`
	State   ImageState `json:"state"`
	Status  string     `json:"status,omitempty"` // the backend's own word (FAILED, succeeded)
	Content string     `json:"content,omitempty"`
	Reason  string     `json:"reason,omitempty"`
	Created time.Time  `json:"created"`
	// Which run made it, from the provenance the backend recorded.
	Commit string `json:"commit,omitempty"`
	RunURL string `json:"runUrl,omitempty"`
	// Distribution is the distribution configuration the image was
	// distributed with ("" unknown or none).
	Distribution string `json:"distribution,omitempty"`
}

// Run names the run that made the image: its URL, else its commit.
func (i Image) Run() string {
	switch {
	case i.RunURL != "":
		return i.RunURL
	case i.Commit != "":
		return "commit " + shortCommit(i.Commit)
	}
	return "an unknown run"
}

func shortCommit(c string) string {
	if len(c) > 7 {
		return c[:7]
	}
	return c
}

// Untracked is a resource with ibgitops' tags and no file.
type Untracked struct {
	Kind    recipes.Kind `json:"kind"`
	Name    string       `json:"name"`
	Version string       `json:"version,omitempty"`
	ID      string       `json:"id"`
	// Repository is the repository its tags name, when they do.
	Repository string `json:"repository,omitempty"`
}

// ReadProblem is a resource the backend could not read, with the
// permission (or other fix) it needs.
type ReadProblem struct {
	Kind    recipes.Kind `json:"kind,omitempty"`
	Name    string       `json:"name,omitempty"`
	Op      string       `json:"op"`
	Message string       `json:"message"`
}

func (p ReadProblem) Error() string {
	if p.Name == "" {
		return fmt.Sprintf("%s: %s", p.Op, p.Message)
	}
	return fmt.Sprintf("%s %s: %s: %s", p.Kind, p.Name, p.Op, p.Message)
}

// ApplyRequest is one mutable resource to create or update in place.
type ApplyRequest struct {
	Repo       *recipes.Repo
	Root       string
	Kind       recipes.Kind
	Name       string
	Provenance Provenance
	DryRun     bool
}

// ApplyResult says what ApplyMutable did: the calls it made (or would
// make in a dry run).
type ApplyResult struct {
	Kind  recipes.Kind `json:"kind"`
	Name  string       `json:"name"`
	ID    string       `json:"id,omitempty"`
	Calls []string     `json:"calls,omitempty"`
}

// Exporter is implemented by backends that can describe what they hold
// as repository resources: `ibgitops import`.
type Exporter interface {
	Export(ctx context.Context, f ExportFilter) ([]Exported, error)
	// Adopt marks what the repository's files now describe as ibgitops'
	// (the content tags a build would set), so that status compares them
	// and builds reuse them. It returns one line per resource it marked.
	Adopt(ctx context.Context, repo *recipes.Repo) ([]string, error)
}

// ExportFilter selects what to export: names starting with NamePrefix
// (empty: all), resources carrying every tag of Tags.
type ExportFilter struct {
	NamePrefix string
	Tags       map[string]string
}

// Exported is one resource as a repository file would hold it: its
// fields in the repository's lowerCamelCase terms (name, kind and
// version included) and, for a component, its AWSTOE document.
type Exported struct {
	Kind     recipes.Kind
	Name     string
	Fields   map[string]any
	Document string
}
