package githubhost

import "github.com/ibgitops/ibgitops/runner/vcs"

// The host runner/vcs/github's provider opens: linking this package is what
// lets a run report to GitHub.
func init() {
	vcs.RegisterHost("github", func(ci *vcs.Context, env vcs.Env) (vcs.Host, error) {
		h, err := New(ci, Options{Getenv: env.Getenv, Stdout: env.Stdout})
		if err != nil {
			return nil, err
		}
		return h, nil
	})
}
