package gitlabhost

import "github.com/ibgitops/ibgitops/runner/vcs"

// The host runner/vcs/gitlab's provider opens: linking this package is what
// lets a run report to GitLab.
func init() {
	vcs.RegisterHost("gitlab", func(ci *vcs.Context, env vcs.Env) (vcs.Host, error) {
		h, err := New(ci, Options{Getenv: env.Getenv})
		if err != nil {
			return nil, err
		}
		return h, nil
	})
}
