package gitlab

import "github.com/ibgitops/ibgitops/runner/vcs"

func init() { vcs.Register(Provider{}) }

// Provider is GitLab CI behind the vcs provider seam.
type Provider struct{}

func (Provider) Name() string { return "gitlab" }

func (Provider) Detect(getenv func(string) string) bool { return Detected(getenv) }

func (Provider) Context(getenv func(string) string) (*vcs.Context, []string) {
	return DetectContext(getenv)
}

// Open opens the host runner/vcs/gitlabhost registers (ibgitops-full).
func (Provider) Open(ci *vcs.Context, env vcs.Env) (vcs.Host, error) {
	return vcs.OpenHost("gitlab", ci, env)
}
