package gitlab

import (
	"testing"

	"github.com/ibgitops/ibgitops/runner/vcs"
)

func TestDetectContext(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want vcs.Context
	}{
		{"merge request", map[string]string{"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "5",
			"CI_MERGE_REQUEST_DIFF_BASE_SHA": "base", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feat",
			"CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "9", "CI_MERGE_REQUEST_PROJECT_ID": "1"},
			vcs.Context{Event: vcs.EventPullRequest, Name: "merge_request_event", Number: 5, Base: "base", Branch: "feat", Fork: true, ChangeRef: "merge request !5"}},
		{"push to the default branch", map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "CI_COMMIT_BEFORE_SHA": "before"},
			vcs.Context{Event: vcs.EventPush, Name: "push", Branch: "main", Ref: "refs/heads/main", Base: "before"}},
		{"new branch: all-zero before", map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "topic", "CI_COMMIT_BEFORE_SHA": zeroSHA},
			vcs.Context{Event: vcs.EventPushBranch, Name: "push", Branch: "topic", Ref: "refs/heads/topic"}},
		{"tag", map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_TAG": "web/v1.2.3"},
			vcs.Context{Event: vcs.EventTag, Name: "push", Tag: "web/v1.2.3", Ref: "refs/tags/web/v1.2.3"}},
		{"schedule", map[string]string{"CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_BRANCH": "main"},
			vcs.Context{Event: vcs.EventOther, Name: "schedule", Branch: "main", Ref: "refs/heads/main"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"GITLAB_CI": "true", "CI_COMMIT_SHA": "head", "CI_DEFAULT_BRANCH": "main",
				"CI_PROJECT_PATH": "acme/images", "CI_JOB_URL": "https://gitlab.example/acme/images/-/jobs/1"}
			for k, v := range c.env {
				env[k] = v
			}
			got, _ := DetectContext(func(k string) string { return env[k] })
			w := c.want
			w.Host, w.SHA, w.DefaultBranch, w.Repository, w.RunURL = "GitLab", "head", "main", "acme/images", "https://gitlab.example/acme/images/-/jobs/1"
			// What git and plan read instead of the environment.
			w.BaseBranch, w.LogSections, w.FetchUser, w.HistoryFix = "main", true, "gitlab-ci-token", "set `GIT_DEPTH: 0` in the job's variables"
			if *got != w {
				t.Errorf("\n got %+v\nwant %+v", *got, w)
			}
		})
	}
}

// A clean merge request lists every examined file as a passing test case
// (#16 item 8: it showed tests="0").
