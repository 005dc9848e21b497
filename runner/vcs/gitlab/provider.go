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

func (Provider) Open(ci *vcs.Context, env vcs.Env) (vcs.Host, error) {
	h, err := New(ci, Options{Getenv: env.Getenv})
	if err != nil {
		return nil, err
	}
	return h, nil
}
