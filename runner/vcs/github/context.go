// Package github reports runs to GitHub Actions and the GitHub REST API:
// the context from the event payload, commit statuses on the pull
// request's head commit, one sticky comment, the step summary,
// annotations and step outputs.
package github

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ibgitops/ibgitops/runner/vcs"
	"github.com/sethvargo/go-githubactions"
)

// Detected reports whether the process runs in GitHub Actions.
func Detected(getenv func(string) string) bool { return getenv("GITHUB_ACTIONS") == "true" }

const zeroSHA = "0000000000000000000000000000000000000000"

// DetectContext reads the run's context from the environment and the event
// payload. A missing or malformed payload is not fatal: the context falls
// back to the environment and the notes say what that costs.
func DetectContext(getenv func(string) string) (*vcs.Context, []string) {
	var notes []string
	a := githubactions.New(githubactions.WithGetenv(getenv))
	gc, err := a.Context()
	if err != nil {
		notes = append(notes, fmt.Sprintf("could not read the GitHub context (%v): falling back to the environment variables", err))
		gc = &githubactions.GitHubContext{
			EventName: getenv("GITHUB_EVENT_NAME"), SHA: getenv("GITHUB_SHA"), Ref: getenv("GITHUB_REF"),
			APIURL: getenv("GITHUB_API_URL"), ServerURL: getenv("GITHUB_SERVER_URL"),
		}
		gc.RunID, _ = strconv.ParseInt(getenv("GITHUB_RUN_ID"), 10, 64)
	}
	if gc.ServerURL == "" {
		gc.ServerURL = "https://github.com"
	}
	c := &vcs.Context{
		Host: "GitHub", Name: gc.EventName, SHA: gc.SHA, Ref: gc.Ref,
		Repository: getenv("GITHUB_REPOSITORY"),
		// A pull request's target; other events plan against the
		// repository's default branch.
		BaseBranch: getenv("GITHUB_BASE_REF"),
		// The Docker action's image has no container engine; the
		// composite action runs on the runner with its docker.
		FetchUser: "x-access-token", FetchToken: getenv("GITHUB_TOKEN"),
		HistoryFix:   "set `fetch-depth: 0` on the actions/checkout step (with: fetch-depth: 0)",
		NoEngineHint: "the Docker action's image has no container engine: use the composite action ibgitops/ibgitops/composite (same inputs), which runs on the runner with its docker, or drop test-components",
	}
	if c.FetchToken == "" {
		c.FetchToken = getenv("INPUT_TOKEN") // the action's `token` input
	}
	if c.Repository != "" && gc.RunID != 0 {
		c.RunURL = fmt.Sprintf("%s/%s/actions/runs/%d", strings.TrimRight(gc.ServerURL, "/"), c.Repository, gc.RunID)
		if att := getenv("GITHUB_RUN_ATTEMPT"); att != "" && att != "1" {
			c.RunURL += "/attempts/" + att
		}
	}
	ev := gc.Event
	if ev == nil && gc.EventPath != "" && err == nil {
		notes = append(notes, fmt.Sprintf("the event payload %s is missing: using the environment only", gc.EventPath))
	}
	c.DefaultBranch = str(ev, "repository", "default_branch")
	switch gc.EventName {
	case "pull_request", "pull_request_target":
		c.Event = vcs.EventPullRequest
		c.Branch = getenv("GITHUB_HEAD_REF")
		if n, ok := number(ev, "pull_request", "number"); ok {
			c.Number = n
		} else if n, ok := number(ev, "number"); ok {
			c.Number = n
		} else if parts := strings.Split(gc.Ref, "/"); len(parts) == 4 && parts[1] == "pull" {
			c.Number, _ = strconv.Atoi(parts[2])
		}
		// GITHUB_SHA is the test merge commit that nobody sees: statuses
		// go to the pull request's head commit.
		if head := str(ev, "pull_request", "head", "sha"); head != "" {
			c.SHA = head
		} else {
			notes = append(notes, "the pull_request payload has no head commit: statuses go to GITHUB_SHA (the test merge commit) and may not show on the pull request")
		}
		c.Base = str(ev, "pull_request", "base", "sha")
		headRepo := str(ev, "pull_request", "head", "repo", "full_name")
		baseRepo := str(ev, "pull_request", "base", "repo", "full_name")
		c.Fork = headRepo != "" && baseRepo != "" && headRepo != baseRepo
	case "push":
		if after := str(ev, "after"); after != "" && after != zeroSHA {
			c.SHA = after
		}
		if before := str(ev, "before"); before != zeroSHA {
			// A new branch has an all-zero "before": leave Base empty so
			// the planner falls back to the merge base with the default
			// branch.
			c.Base = before
		}
		fallthrough
	default:
		switch {
		case strings.HasPrefix(gc.Ref, "refs/tags/"):
			c.Event, c.Tag = vcs.EventTag, strings.TrimPrefix(gc.Ref, "refs/tags/")
		case strings.HasPrefix(gc.Ref, "refs/heads/"):
			c.Branch = strings.TrimPrefix(gc.Ref, "refs/heads/")
			switch {
			case gc.EventName != "push":
				c.Event = vcs.EventOther
			case c.DefaultBranch == "":
				c.Event = vcs.EventPushBranch
				notes = append(notes, "the push payload does not name the default branch: treating this push as a push to another branch (nothing is built)")
			case c.Branch == c.DefaultBranch:
				c.Event = vcs.EventPush
			default:
				c.Event = vcs.EventPushBranch
			}
		default:
			c.Event = vcs.EventOther
		}
	}
	return c, notes
}

func lookup(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func str(m map[string]any, path ...string) string {
	s, _ := lookup(m, path...).(string)
	return s
}

func number(m map[string]any, path ...string) (int, bool) {
	f, ok := lookup(m, path...).(float64)
	return int(f), ok && f > 0
}
