// Package gitlab is GitLab CI behind the vcs provider seam: it detects the
// CI and reads the run's context from the predefined CI_* variables. The
// host that reports back through the GitLab REST API (commit statuses, one
// sticky merge-request note, Code Quality, JUnit and dotenv report
// artifacts) is runner/vcs/gitlabhost: it links the API client, which only
// ibgitops-full carries.
package gitlab

import (
	"fmt"
	"strconv"

	"github.com/ibgitops/ibgitops/runner/vcs"
)

const zeroSHA = "0000000000000000000000000000000000000000"

// Detected reports whether the process runs in GitLab CI.
func Detected(getenv func(string) string) bool { return getenv("GITLAB_CI") == "true" }

// DetectContext reads the predefined CI_* variables.
func DetectContext(getenv func(string) string) (*vcs.Context, []string) {
	var notes []string
	c := &vcs.Context{
		Host: "GitLab", Name: getenv("CI_PIPELINE_SOURCE"), SHA: getenv("CI_COMMIT_SHA"),
		DefaultBranch: getenv("CI_DEFAULT_BRANCH"), Repository: getenv("CI_PROJECT_PATH"),
		RunURL: getenv("CI_JOB_URL"), LogSections: true,
		BaseBranch: getenv("CI_DEFAULT_BRANCH"),
		FetchUser:  "gitlab-ci-token", FetchToken: getenv("CI_JOB_TOKEN"),
		HistoryFix: "set `GIT_DEPTH: 0` in the job's variables",
	}
	if c.RunURL == "" {
		c.RunURL = getenv("CI_PIPELINE_URL")
	}
	switch {
	case getenv("CI_COMMIT_TAG") != "":
		c.Event, c.Tag = vcs.EventTag, getenv("CI_COMMIT_TAG")
		c.Ref = "refs/tags/" + c.Tag
	case c.Name == "merge_request_event":
		c.Event = vcs.EventPullRequest
		c.Number, _ = strconv.Atoi(getenv("CI_MERGE_REQUEST_IID"))
		c.ChangeRef = fmt.Sprintf("merge request !%d", c.Number)
		if b := getenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"); b != "" {
			c.BaseBranch = b
		}
		if c.Number == 0 {
			notes = append(notes, "CI_MERGE_REQUEST_IID is not set: no merge-request note (run the job in a merge-request pipeline: rules: - if: $CI_PIPELINE_SOURCE == \"merge_request_event\")")
		}
		c.Base = getenv("CI_MERGE_REQUEST_DIFF_BASE_SHA")
		c.Branch = getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
		src, dst := getenv("CI_MERGE_REQUEST_SOURCE_PROJECT_ID"), getenv("CI_MERGE_REQUEST_PROJECT_ID")
		c.Fork = src != "" && dst != "" && src != dst
	default:
		c.Branch = getenv("CI_COMMIT_BRANCH")
		if c.Branch != "" {
			c.Ref = "refs/heads/" + c.Branch
		}
		if before := getenv("CI_COMMIT_BEFORE_SHA"); before != "" && before != zeroSHA {
			c.Base = before
		}
		switch {
		case c.Name != "push" && c.Name != "":
			c.Event = vcs.EventOther
		case c.Branch != "" && c.Branch == c.DefaultBranch:
			c.Event = vcs.EventPush
		default:
			c.Event = vcs.EventPushBranch
		}
	}
	return c, notes
}
