package vcs

// FetchAuth is what fetching missing history (a shallow checkout) needs
// from the CI host: its name, so an error names the host's own fix, and the
// token and user name the host gives the job. Outside CI all are empty
// (anonymous fetch, generic fix).
func FetchAuth(getenv func(string) string) (host, user, token string) {
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		token = getenv("GITHUB_TOKEN")
		if token == "" {
			token = getenv("INPUT_TOKEN") // the action's `token` input
		}
		return "GitHub", "x-access-token", token
	case getenv("GITLAB_CI") == "true":
		return "GitLab", "gitlab-ci-token", getenv("CI_JOB_TOKEN")
	}
	return "", "", ""
}
