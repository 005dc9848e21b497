// Package backend declares what a build backend does: turn a planned recipe
// version into a built, tested and distributed image. The local (container
// engine) and aws (EC2 Image Builder) backends implement it, and the
// conformance suite in backendtest checks both the same way.
package backend

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ibgitops/ibgitops/recipes"
)

// Provenance is recorded on every output a backend creates.
type Provenance struct {
	Repository string `json:"repository,omitempty"`
	Commit     string `json:"commit,omitempty"`
	RunURL     string `json:"runUrl,omitempty"`
	Tool       string `json:"tool,omitempty"` // ibgitops version
}

// Request is one recipe version to build, with the repository it lives in
// (so the backend can resolve components, parents, pipelines).
type Request struct {
	Repo      *recipes.Repo
	Root      string // absolute path of the repository root on disk
	Recipe    string // recipe name
	Kind      recipes.Kind
	Version   string   // the planned version (already bumped)
	Pipelines []string // pipelines that build this recipe, if any
	// Versions are the planned versions of every recipe this run builds,
	// by name: a recipe:<name> parent is the parent's planned version
	// when the run builds it, else the version in its file.
	Versions      map[string]string
	Provenance    Provenance
	Force         bool // rebuild even if an identical image exists
	KeepOnFailure bool
	DryRun        bool
}

// Status of a build.
type Status string

const (
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	StatusSkipped   Status = "skipped" // identical image already built
	StatusCancelled Status = "cancelled"
)

// StepResult is one AWSTOE step or Image Builder workflow step that a report
// may show (failing ones with the tail of their log).
type StepResult struct {
	Phase     string `json:"phase"`
	Component string `json:"component,omitempty"`
	Step      string `json:"step"`
	Status    string `json:"status"`
	ExitCode  int    `json:"exitCode,omitempty"`
	Message   string `json:"message,omitempty"`
	LogTail   string `json:"logTail,omitempty"`
}

// Result is what a backend reports for one Request.
type Result struct {
	Recipe      string       `json:"recipe"`
	Kind        recipes.Kind `json:"kind"`
	Version     string       `json:"version"`
	BuildNumber int          `json:"buildNumber,omitempty"`
	Status      Status       `json:"status"`
	// Image is the built artefact: a local image reference or an Image
	// Builder image build-version ARN.
	Image string `json:"image,omitempty"`
	// Outputs are distributed artefacts: tags, pushed references, archive
	// paths, AMI ids, container URIs.
	Outputs  []string     `json:"outputs,omitempty"`
	Steps    []StepResult `json:"steps,omitempty"`
	Tests    []StepResult `json:"tests,omitempty"`
	Warnings []string     `json:"warnings,omitempty"`
	Message  string       `json:"message,omitempty"` // why it failed or was skipped
	LogURL   string       `json:"logUrl,omitempty"`
	Started  time.Time    `json:"started"`
	Finished time.Time    `json:"finished"`
}

// Event is progress a backend reports while it works.
type Event struct {
	Time    time.Time
	Recipe  string
	Stage   string // e.g. "build", "snapshot", "test", "distribute", or an Image Builder status
	Message string
}

// Backend builds, tests and distributes one recipe version. Implementations
// must be idempotent: building the same request twice yields StatusSkipped
// the second time unless Force is set.
type Backend interface {
	Name() string
	// Build runs build -> test -> distribute for one recipe version. An error
	// means the backend could not do its job (engine missing, credentials);
	// a build that ran and failed returns a Result with StatusFailed.
	Build(ctx context.Context, req Request, progress func(Event)) (*Result, error)
}

// Canceller is implemented by backends that can cancel work this process
// started, after ctx was cancelled. It is called with a fresh, bounded
// context.
type Canceller interface {
	Cleanup(ctx context.Context) error
}

// Config is what opening a backend may read: the repository's
// ibgitops.yaml and the command line's backend flags.
type Config struct {
	Repo recipes.Config
	// Region is --aws-region ("" = aws.region in ibgitops.yaml, then the
	// AWS chain).
	Region string
}

// Opener creates a backend from its configuration.
type Opener func(ctx context.Context, cfg Config) (Backend, error)

var (
	openersMu sync.RWMutex
	openers   = map[string]Opener{}
)

// Register makes a backend available to --backend and ibgitops.yaml's
// `backend`. Each backend package registers itself; runner/backends.go
// imports them. A second registration of a name is a programming error.
func Register(name string, open Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	if _, dup := openers[name]; dup {
		panic("backend: " + name + " registered twice")
	}
	openers[name] = open
}

// Names lists the registered backends, sorted.
func Names() []string {
	openersMu.RLock()
	defer openersMu.RUnlock()
	out := make([]string, 0, len(openers))
	for n := range openers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// DefaultName is the backend used when neither --backend nor
// ibgitops.yaml names one.
const DefaultName = "local"

// Open creates the named backend; "" means `backend` in ibgitops.yaml,
// else DefaultName. It is the one place a backend is chosen.
func Open(ctx context.Context, name string, cfg Config) (Backend, error) {
	if name == "" {
		name = cfg.Repo.Backend
	}
	if name == "" {
		name = DefaultName
	}
	openersMu.RLock()
	open, ok := openers[name]
	openersMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("--backend %q: use %s", name, strings.Join(Names(), " or "))
	}
	return open(ctx, cfg)
}
