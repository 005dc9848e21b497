package github

import (
	"strings"

	"github.com/ibgitops/ibgitops/runner/vcs"
)

func init() { vcs.Register(Provider{}) }

// Provider is GitHub Actions behind the vcs provider seam.
type Provider struct{}

func (Provider) Name() string { return "github" }

func (Provider) Detect(getenv func(string) string) bool { return Detected(getenv) }

func (Provider) Context(getenv func(string) string) (*vcs.Context, []string) {
	return DetectContext(getenv)
}

// Open opens the host runner/vcs/githubhost registers (ibgitops-full).
func (Provider) Open(ci *vcs.Context, env vcs.Env) (vcs.Host, error) {
	return vcs.OpenHost("github", ci, env)
}

// Input reads an action.yml input. Hyphens stay: the runner names the
// `test-components` input INPUT_TEST-COMPONENTS.
func (Provider) Input(getenv func(string) string, name string) string {
	return strings.TrimSpace(getenv("INPUT_" + strings.ToUpper(name)))
}
