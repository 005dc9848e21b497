package vcs

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/ibgitops/ibgitops/runner/report"
)

// Provider is one CI host behind the seam every run goes through: it
// says whether the environment is its own (Detect), reads the run's
// Context from it, and opens the Host that reports back. Nothing outside
// runner/vcs reads a CI variable. A new host (Bitbucket, Azure DevOps,
// Gitea) is one package implementing Provider plus one import line in
// runner/providers.go.
type Provider interface {
	// Name is the value of --ci that selects it: "github", "gitlab".
	Name() string
	// Detect reports whether this process runs on the provider's CI.
	Detect(getenv func(string) string) bool
	// Context reads the event and commits from the environment; notes say
	// what it could not read (they go into the report).
	Context(getenv func(string) string) (*Context, []string)
	// Open returns the Host that reports back, or nil when there is
	// nothing to report to.
	Open(ci *Context, env Env) (Host, error)
}

// InputReader is implemented by providers whose CI passes command inputs
// in the environment (GitHub Action inputs): Input returns the raw value
// of the input named like a flag, "" when unset.
type InputReader interface {
	Input(getenv func(string) string, name string) string
}

// Env is what a provider reads and writes to.
type Env struct {
	Getenv func(string) string
	// Stdout receives workflow commands (GitHub's masks, annotations).
	Stdout io.Writer
	// ConfigRoot is the folder of ibgitops.yaml relative to the
	// repository's top level ("." for the top): the identity of the
	// sticky comment (Context.CommentMarker).
	ConfigRoot string
}

// Fallback is the provider used when no other detects its CI: a terminal
// or a script.
const Fallback = "none"

var (
	mu        sync.RWMutex
	providers = map[string]Provider{}
)

// Register adds a provider; a second one of the same name is a
// programming error.
func Register(p Provider) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := providers[p.Name()]; dup {
		panic("vcs: provider " + p.Name() + " registered twice")
	}
	providers[p.Name()] = p
}

// Names lists the registered providers, sorted, for --ci's help and errors.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(providers))
	for n := range providers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Find returns the provider --ci names: "auto" (or "") detects it from
// the environment, falling back to "none".
func Find(which string, getenv func(string) string) (Provider, error) {
	mu.RLock()
	defer mu.RUnlock()
	if which == "" || which == "auto" {
		for _, n := range sortedNames() {
			if n != Fallback && providers[n].Detect(getenv) {
				return providers[n], nil
			}
		}
		which = Fallback
	}
	if p, ok := providers[which]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("--ci %q: use auto, %s", which, strings.Join(sortedNames(), ", "))
}

// hostOpeners are the hosts registered by RegisterHost, by provider name.
var hostOpeners = map[string]func(*Context, Env) (Host, error){}

// RegisterHost adds the opener of a provider's Host. The hosts live in
// their own packages (runner/vcs/githubhost, runner/vcs/gitlabhost)
// because they link the hosts' API clients: the `ibgitops` binary a
// pre-commit hook starts detects the CI and reads its context without
// them, and only ibgitops-full, which runs the commands that report,
// links them (issue #15).
func RegisterHost(name string, open func(*Context, Env) (Host, error)) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := hostOpeners[name]; dup {
		panic("vcs: host " + name + " registered twice")
	}
	hostOpeners[name] = open
}

// OpenHost opens the Host RegisterHost registered for the provider name.
func OpenHost(name string, ci *Context, env Env) (Host, error) {
	mu.RLock()
	open := hostOpeners[name]
	mu.RUnlock()
	if open == nil {
		return nil, fmt.Errorf("reporting to %s is done by ibgitops-full, which runs `run` and `release`; this binary does not link the %s API client", ci.Host, name)
	}
	return open(ci, env)
}

func sortedNames() []string {
	out := make([]string, 0, len(providers))
	for n := range providers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Detect finds the provider, reads the Context and opens the Host: the
// one call a run makes to learn where it runs.
func Detect(which string, env Env) (*Context, Host, []string, error) {
	p, err := Find(which, env.Getenv)
	if err != nil {
		return nil, nil, nil, err
	}
	ci, notes := p.Context(env.Getenv)
	ci.CommentMarker = CommentMarker(env.ConfigRoot)
	h, err := p.Open(ci, env)
	if err != nil {
		return nil, nil, nil, err
	}
	return ci, h, notes, nil
}

// CommentMarker is the sticky comment's identity for the set-up whose
// config root is root, relative to the repository's top level ("" is the
// top).
func CommentMarker(root string) string {
	if root == "" {
		root = "."
	}
	return report.StickyMarker(root)
}

// Input reads a command input the CI passes in the environment (an
// Action's `with:`), "" outside such a CI or when unset.
func Input(getenv func(string) string, name string) string {
	p, err := Find("auto", getenv)
	if err != nil {
		return ""
	}
	if r, ok := p.(InputReader); ok {
		return r.Input(getenv, name)
	}
	return ""
}
