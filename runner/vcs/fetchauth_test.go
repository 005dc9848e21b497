package vcs

import "testing"

func TestFetchAuth(t *testing.T) {
	for _, tc := range []struct {
		env               map[string]string
		host, user, token string
	}{
		{map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_TOKEN": "gh"}, "GitHub", "x-access-token", "gh"},
		{map[string]string{"GITHUB_ACTIONS": "true", "INPUT_TOKEN": "in"}, "GitHub", "x-access-token", "in"},
		{map[string]string{"GITLAB_CI": "true", "CI_JOB_TOKEN": "gl", "GITHUB_TOKEN": "stray"}, "GitLab", "gitlab-ci-token", "gl"},
		{map[string]string{"GITHUB_TOKEN": "local"}, "", "", ""},
	} {
		host, user, token := FetchAuth(func(k string) string { return tc.env[k] })
		if host != tc.host || user != tc.user || token != tc.token {
			t.Errorf("FetchAuth(%v) = %q, %q, %q; want %q, %q, %q", tc.env, host, user, token, tc.host, tc.user, tc.token)
		}
	}
}
