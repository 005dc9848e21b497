// Package vcs holds what the flow needs from a CI host: the context a run
// starts in (which event, which commits) and a Host that reports back
// (commit statuses, one sticky comment, host files such as the step summary
// or report artifacts). The github and gitlab packages implement it.
package vcs

import (
	"context"
	"fmt"
	"strings"

	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/report"
)

// EventKind is what triggered the run, reduced to what decides the action.
type EventKind string

const (
	EventLocal       EventKind = "local"        // no CI: a terminal or a script
	EventPullRequest EventKind = "pull-request" // pull request or merge request
	EventPush        EventKind = "push"         // push to the default branch
	EventPushBranch  EventKind = "push-branch"  // push to another branch
	EventTag         EventKind = "tag"          // a tag was pushed
	EventOther       EventKind = "other"        // schedule, manual, ...
)

// Context is the CI context of a run.
type Context struct {
	Host  string    // "GitHub", "GitLab" or "" outside CI
	Event EventKind // what decides the action
	// Name is the host's own name of the event ("pull_request",
	// "merge_request_event", "schedule"), for messages.
	Name string
	// SHA is the commit the run reports on: the pull request's head commit
	// on GitHub (not the test merge commit), CI_COMMIT_SHA on GitLab.
	SHA string
	// Base is the commit to diff against: the pull request's base, the
	// push's "before" (empty when unknown: new branch), or "".
	Base          string
	Ref           string // refs/heads/main, refs/tags/web/v1.0.0
	Branch        string // branch name from the environment (checkouts are detached)
	Tag           string // tag name on tag events
	DefaultBranch string
	Number        int    // pull request number or merge request IID
	Repository    string // owner/name or group/project path
	RunURL        string // link to the run or job: the statuses' target and the "full log"
	Fork          bool   // pull request from a fork: no secrets, read-only token

	// What the rest of ibgitops needs to know about the host, so that no
	// package outside runner/vcs reads a CI variable:

	// BaseBranch is the branch a change is planned against when no base
	// commit is given: the pull/merge request's target (GitLab: else the
	// default branch). Empty: the repository's default branch.
	BaseBranch string
	// ChangeRef is the host's spelling of the change: "merge request !7";
	// empty: "pull request #7".
	ChangeRef string
	// LogSections says the job log folds GitLab-style section markers.
	LogSections bool
	// NoEngineHint is the host's own fix when a job needs a container
	// engine its image lacks by design (component tests on a pull
	// request); empty when the host has nothing to add.
	NoEngineHint string
	// HistoryFix is the host's setting that checks out the whole history
	// ("set `fetch-depth: 0` on the actions/checkout step"), named first
	// when a shallow clone lacks the commits a plan compares; empty: the
	// generic fix names both hosts'.
	HistoryFix string
	// FetchUser and FetchToken fetch the history a shallow checkout lacks
	// from the host ("x-access-token" and the job's token on GitHub);
	// empty outside CI (an anonymous fetch). The token is a secret: it is
	// never printed.
	FetchUser, FetchToken string

	// CommentMarker is the identity of this ibgitops set-up's sticky
	// comment: the hidden first line (report.StickyMarker of the config
	// root) the comment starts with and the hosts find it again by. Two
	// set-ups in one repository (two roots) keep a comment each. Detect
	// sets it from Env.ConfigRoot.
	CommentMarker string
}

// Describe says in a few words what happened, for the report.
func (c *Context) Describe() string {
	switch c.Event {
	case EventLocal:
		return "local run"
	case EventPullRequest:
		if c.ChangeRef != "" {
			return c.ChangeRef
		}
		return fmt.Sprintf("pull request #%d", c.Number)
	case EventPush, EventPushBranch:
		if c.Branch == "" {
			return "push"
		}
		return "push to " + c.Branch
	case EventTag:
		return "tag " + c.Tag
	default:
		return c.Name + " event"
	}
}

// State of a commit status.
type State string

const (
	StatePending State = "pending"
	StateSuccess State = "success"
	StateFailure State = "failure"
)

// Status is one commit status: ibgitops/lint or ibgitops/<recipe>.
type Status struct {
	Name        string // "ibgitops/lint"
	State       State
	Description string // at most 140 characters (the host rejects more)
	TargetURL   string
}

// Host reports a run back to where people look. Every method's failure is
// a reporting failure: the flow notes it and never changes the outcome.
type Host interface {
	// Name is "GitHub" or "GitLab".
	Name() string
	// Prepare is called once at the start (masks secrets, checks tokens).
	// Returned notes (e.g. "cannot post notes with CI_JOB_TOKEN") go into
	// the report.
	Prepare(ctx context.Context) []string
	// SetStatus posts one commit status on Context().SHA.
	SetStatus(ctx context.Context, s Status) error
	// CommentLimit is the host's comment size limit in characters.
	CommentLimit() int
	// UpsertComment creates the sticky comment or edits it in place.
	UpsertComment(ctx context.Context, body string) error
	// Publish writes the host's files for the report: step summary,
	// annotations and outputs on GitHub; Code Quality, JUnit and dotenv
	// artifacts on GitLab (into dir).
	Publish(ctx context.Context, r *report.Report, dir string) error
}

// Annotator is implemented by hosts that show findings as annotations on
// their lines and show only some of them: the note says how many, for the
// comment.
type Annotator interface {
	AnnotationNote(fs []diag.Finding) string
}

// StatusName is the commit status name for a recipe or "lint".
func StatusName(what string) string { return "ibgitops/" + what }

// ClampDescription keeps a status description within the host's 140
// characters and on one line.
func ClampDescription(s string) string {
	return report.Truncate(strings.Join(strings.Fields(s), " "), 140)
}
