// Package gitlabhost reports runs to GitLab CI and the GitLab REST API:
// commit statuses, one sticky merge-request note, and Code Quality, JUnit
// and dotenv report artifacts. runner/vcs/gitlab detects the CI and reads
// the context; this package registers the host it opens. It links the
// GitLab client, so only ibgitops-full imports it (issue #15).
package gitlabhost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/vcs"
	gl "gitlab.com/gitlab-org/api/client-go"
)

// Limits of GitLab that shape what is sent.
const (
	NoteLimit     = 1000000 // characters in a note body
	dotenvLimit   = 5 << 10 // bytes of a dotenv artifact
	CodeQuality   = "gl-code-quality-report.json"
	JUnit         = "junit.xml"        // lint findings
	JUnitBuilds   = "junit-builds.xml" // build steps and image tests
	Dotenv        = "ibgitops.env"
	tokenHowToFix = "create a project access token with the api scope and store it as a masked CI/CD variable named IBGITOPS_GITLAB_TOKEN"
)

// Options configure the host.
type Options struct {
	Getenv func(string) string
	// HTTPClient, when set, replaces the retrying client (tests).
	HTTPClient *http.Client
}

// Host reports to GitLab.
type Host struct {
	ci        *vcs.Context
	getenv    func(string) string
	token     string
	jobToken  bool // only CI_JOB_TOKEN: cannot post
	client    *gl.Client
	project   string
	pipeline  int64
	refused   vcs.Refusals // set after the API refused the token: stop trying
	setup     string       // why the API cannot be used, found while setting up
	mu        sync.Mutex   // guards userID and userKnown
	userID    int64
	userKnown bool
}

var _ vcs.Host = (*Host)(nil)

// New returns the GitLab host for ci.
func New(ci *vcs.Context, opts Options) (*Host, error) {
	getenv := opts.Getenv
	h := &Host{ci: ci, getenv: getenv, project: getenv("CI_PROJECT_ID")}
	h.pipeline, _ = strconv.ParseInt(getenv("CI_PIPELINE_ID"), 10, 64)
	h.token = strings.TrimSpace(getenv("IBGITOPS_GITLAB_TOKEN"))
	if h.token == "" {
		h.token = strings.TrimSpace(getenv("GITLAB_TOKEN"))
	}
	if h.token == "" {
		h.jobToken = getenv("CI_JOB_TOKEN") != ""
		return h, nil
	}
	api := getenv("CI_API_V4_URL")
	if api == "" {
		h.setup = "CI_API_V4_URL is not set: no commit statuses or merge-request note; ibgitops reads it from GitLab CI's predefined variables: set it to https://<gitlab host>/api/v4 when running elsewhere"
		return h, nil
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = vcs.NewHTTPClient([]string{h.token})
	}
	client, err := gl.NewClient(h.token, gl.WithBaseURL(api), gl.WithHTTPClient(hc), gl.WithoutRetries())
	if err != nil {
		h.setup = fmt.Sprintf("GitLab API %s: %v: no commit statuses or merge-request note", api, vcs.ScrubError(err, []string{h.token}))
		return h, nil
	}
	h.client = client
	return h, nil
}

func (h *Host) Name() string      { return "GitLab" }
func (h *Host) CommentLimit() int { return NoteLimit }

// Prepare says what this run cannot do. GitLab masks only variables that
// are declared masked; a program cannot add a mask, so the token is never
// printed at all.
func (h *Host) Prepare(ctx context.Context) []string {
	switch {
	case h.setup != "":
		return []string{h.setup}
	case h.client == nil && h.jobToken:
		return []string{"only CI_JOB_TOKEN is available, and GitLab does not let it post merge-request notes or commit statuses: " + tokenHowToFix + " (or GITLAB_TOKEN); the report artifacts are still written"}
	case h.client == nil:
		return []string{"no GitLab token: no commit statuses or merge-request note: " + tokenHowToFix + "; the report artifacts are still written"}
	case h.project == "":
		return []string{"CI_PROJECT_ID is not set: no commit statuses or merge-request note"}
	case h.ci.Fork:
		return []string{"merge request from a fork: its pipeline may not see the token, so statuses and the note may be refused; the report artifacts carry the report (run the pipeline in the parent project to post)"}
	}
	return nil
}

func (h *Host) api() (*gl.Client, error) {
	if h.client == nil || h.project == "" {
		return nil, nil
	}
	return h.client, h.refused.Err()
}

func (h *Host) fail(what string, err error) error {
	err = vcs.ScrubError(err, []string{h.token})
	var er *gl.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		code := er.Response.StatusCode
		e := vcs.HTTPStatusError("GitLab", what, code, er.Message)
		if code == http.StatusUnauthorized || code == http.StatusForbidden {
			e = fmt.Errorf("%w; %s", e, tokenHowToFix)
		}
		h.refused.Note(code, e)
		return e
	}
	return fmt.Errorf("%s on GitLab: %w", what, err)
}

func glState(s vcs.State) gl.BuildStateValue {
	switch s {
	case vcs.StatePending:
		return gl.Running
	case vcs.StateSuccess:
		return gl.Success
	default:
		return gl.Failed
	}
}

// SetStatus posts a commit status, attached to this pipeline.
func (h *Host) SetStatus(ctx context.Context, s vcs.Status) error {
	c, err := h.api()
	if c == nil || err != nil {
		return err
	}
	opt := &gl.SetCommitStatusOptions{
		State: glState(s.State), Name: gl.Ptr(s.Name),
		Description: gl.Ptr(vcs.ClampDescription(s.Description)),
	}
	if s.TargetURL != "" {
		opt.TargetURL = gl.Ptr(s.TargetURL)
	}
	if h.pipeline != 0 {
		opt.PipelineID = gl.Ptr(h.pipeline)
	}
	if h.ci.Branch != "" && h.ci.Event != vcs.EventPullRequest {
		opt.Ref = gl.Ptr(h.ci.Branch)
	}
	_, _, err = c.Commits.SetCommitStatus(h.project, h.ci.SHA, opt, gl.WithContext(ctx))
	if err != nil {
		var er *gl.ErrorResponse
		if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusBadRequest &&
			strings.Contains(strings.ToLower(er.Message), "cannot transition status") {
			// Already reported in this state (a re-run): not a failure.
			return nil
		}
		return h.fail("post status "+s.Name, err)
	}
	return nil
}

// UpsertComment edits the sticky note (by the token's user, its first line
// the context's CommentMarker) in place or creates it, searching every
// page of notes (vcs.UpsertSticky).
func (h *Host) UpsertComment(ctx context.Context, body string) error {
	c, err := h.api()
	if c == nil || err != nil {
		return err
	}
	return vcs.UpsertSticky(ctx, h.ci, body, NoteLimit, &notes{h: h, c: c, mr: int64(h.ci.Number)})
}

// notes is the merge request's notes behind vcs.Comments.
type notes struct {
	h  *Host
	c  *gl.Client
	mr int64
}

func (t *notes) Page(ctx context.Context, page int) ([]vcs.Comment, int, error) {
	me, err := t.h.currentUser(ctx, t.c)
	if err != nil {
		return nil, 0, err
	}
	opt := &gl.ListMergeRequestNotesOptions{ListOptions: gl.ListOptions{PerPage: 100, Page: int64(page)}}
	list, resp, err := t.c.Notes.ListMergeRequestNotes(t.h.project, t.mr, opt, gl.WithContext(ctx))
	if err != nil {
		return nil, 0, t.h.fail("list merge-request notes", err)
	}
	out := make([]vcs.Comment, len(list))
	for i, n := range list {
		out[i] = vcs.Comment{ID: n.ID, Body: n.Body, Ours: !n.System && n.Author.ID == me}
	}
	next := 0
	if resp != nil {
		next = int(resp.NextPage)
	}
	return out, next, nil
}

func (t *notes) Edit(ctx context.Context, id int64, body string) error {
	if _, _, err := t.c.Notes.UpdateMergeRequestNote(t.h.project, t.mr, id, &gl.UpdateMergeRequestNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx)); err != nil {
		return t.h.fail("edit the merge-request note", err)
	}
	return nil
}

func (t *notes) Create(ctx context.Context, body string) error {
	if _, _, err := t.c.Notes.CreateMergeRequestNote(t.h.project, t.mr, &gl.CreateMergeRequestNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx)); err != nil {
		return t.h.fail("add the merge-request note", err)
	}
	return nil
}

func (h *Host) currentUser(ctx context.Context, c *gl.Client) (int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.userKnown {
		return h.userID, nil
	}
	u, _, err := c.Users.CurrentUser(gl.WithContext(ctx))
	if err != nil {
		return 0, h.fail("read the token's user (GET /user) to find the note again", err)
	}
	h.userID, h.userKnown = u.ID, true
	return u.ID, nil
}

// Publish writes the Code Quality, JUnit and dotenv artifacts into dir.
func (h *Host) Publish(ctx context.Context, r *report.Report, dir string) error {
	// The run's report is the lint result too: one JUnit test case per
	// examined file, so a clean merge request shows its files passing
	// rather than tests="0".
	var errs []error
	for _, a := range []struct{ file, format string }{{CodeQuality, "gitlab"}, {JUnit, "junit"}} {
		var buf bytes.Buffer
		if err := report.WriteFindings(&buf, a.format, r); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", a.file, err))
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, a.file), buf.Bytes(), 0o644); err != nil {
			errs = append(errs, err)
		}
	}
	var builds bytes.Buffer
	if err := report.WriteBuildsJUnit(&builds, r); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", JUnitBuilds, err))
	} else if err := os.WriteFile(filepath.Join(dir, JUnitBuilds), builds.Bytes(), 0o644); err != nil {
		errs = append(errs, err)
	}
	// The dotenv variables carry what fits GitLab's limits; the outputs
	// file carries every item and is named in IBGITOPS_OUTPUTS_FILE.
	outputsPath := filepath.Join(dir, Outputs)
	if js, err := outputsJSON(r); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", Outputs, err))
	} else if err := os.WriteFile(outputsPath, js, 0o644); err != nil {
		errs = append(errs, err)
	}
	if err := os.WriteFile(filepath.Join(dir, Dotenv), []byte(DotenvOutputs(r, outputsPath)), 0o644); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
