package githubhost

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	gh "github.com/google/go-github/v84/github"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/vcs"
	"github.com/sethvargo/go-githubactions"
)

// Limits of GitHub that shape what is sent.
const (
	CommentLimit    = 65536   // characters in an issue comment body
	SummaryLimit    = 1 << 20 // bytes of a step summary; over it the whole summary is dropped
	summaryBudget   = SummaryLimit - 48<<10
	AnnotationLimit = report.GitHubAnnotationLimit // per severity per step
	botLogin        = "github-actions[bot]"
)

// Options configure the host.
type Options struct {
	Getenv func(string) string
	// Stdout receives workflow commands (masks, annotations).
	Stdout io.Writer
	// HTTPClient, when set, replaces the retrying client (tests).
	HTTPClient *http.Client
}

// Host reports to GitHub.
type Host struct {
	ci     *vcs.Context
	getenv func(string) string
	stdout io.Writer // workflow commands: annotations
	action *githubactions.Action
	token  string
	client *gh.Client
	owner  string
	repo   string

	refused vcs.Refusals // set after the API refused the token: stop trying
	setup   string       // why the API cannot be used, found while setting up

	mu      sync.Mutex
	authors map[string]bool
}

var _ vcs.Host = (*Host)(nil)

// New returns the GitHub host for ci. The token comes from the action's
// `token` input or GITHUB_TOKEN; without one, only the step summary,
// annotations and outputs are written.
func New(ci *vcs.Context, opts Options) (*Host, error) {
	getenv := opts.Getenv
	stdout := opts.Stdout
	if stdout == nil {
		stdout = io.Discard
	}
	h := &Host{ci: ci, getenv: getenv, stdout: stdout,
		action: githubactions.New(githubactions.WithGetenv(getenv), githubactions.WithWriter(opts.Stdout))}
	h.token = strings.TrimSpace(h.action.GetInput("token"))
	if h.token == "" {
		h.token = strings.TrimSpace(getenv("GITHUB_TOKEN"))
	}
	if owner, repo, ok := strings.Cut(ci.Repository, "/"); ok {
		h.owner, h.repo = owner, repo
	}
	if h.token == "" || h.owner == "" {
		return h, nil
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = vcs.NewHTTPClient([]string{h.token})
	}
	api := getenv("GITHUB_API_URL")
	if api == "" {
		api = "https://api.github.com"
	}
	base, err := url.Parse(strings.TrimRight(api, "/") + "/")
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") {
		// Reporting problems never stop the run: say so and carry on
		// with the step summary and annotations.
		h.setup = fmt.Sprintf("GITHUB_API_URL %q is not a URL: no commit statuses or comment; unset it (github.com) or set it to your GitHub Enterprise API URL, e.g. https://github.example.com/api/v3", api)
		return h, nil
	}
	h.client = gh.NewClient(hc).WithAuthToken(h.token)
	h.client.BaseURL = base
	return h, nil
}

func (h *Host) Name() string      { return "GitHub" }
func (h *Host) CommentLimit() int { return CommentLimit }

// Prepare masks the token before anything else can print it and says what
// this run cannot do.
func (h *Host) Prepare(ctx context.Context) []string {
	var notes []string
	if h.token != "" {
		if err := protect(func() { h.action.AddMask(h.token) }); err != nil {
			notes = append(notes, "could not mask the token: "+err.Error())
		}
	}
	switch {
	case h.setup != "":
		notes = append(notes, h.setup)
	case h.token == "":
		notes = append(notes, "no GitHub token (the action's `token` input or GITHUB_TOKEN): no commit statuses or pull-request comment; the step summary, annotations and outputs carry the report. Pass `token: ${{ github.token }}` and grant `statuses: write` and `pull-requests: write`")
	case h.owner == "":
		notes = append(notes, "GITHUB_REPOSITORY is not set: no commit statuses or pull-request comment")
	case h.ci.Fork:
		notes = append(notes, "pull request from a fork: GitHub gives it a read-only token, so statuses and the comment may be refused; the step summary and annotations carry the report")
	}
	return notes
}

func (h *Host) api() (*gh.Client, error) {
	if h.client == nil {
		return nil, nil
	}
	return h.client, h.refused.Err()
}

// refused records that the token may not do this, so that later calls do
// not repeat the same failure.
func (h *Host) fail(what string, err error) error {
	err = vcs.ScrubError(err, []string{h.token})
	var er *gh.ErrorResponse
	var rl *gh.RateLimitError
	var al *gh.AbuseRateLimitError
	switch {
	case errors.As(err, &rl):
		return fmt.Errorf("%s: GitHub's rate limit is exhausted until %s: the report is in the step summary; re-run the job later", what, rl.Rate.Reset.Format("15:04 MST"))
	case errors.As(err, &al):
		return fmt.Errorf("%s: GitHub's secondary rate limit refused the request: re-run the job later", what)
	case errors.As(err, &er) && er.Response != nil:
		e := vcs.HTTPStatusError("GitHub", what, er.Response.StatusCode, er.Message)
		h.refused.Note(er.Response.StatusCode, e)
		return e
	}
	return fmt.Errorf("%s: %w", what, err)
}

// SetStatus posts a commit status on the pull request's head commit (or the
// pushed commit).
func (h *Host) SetStatus(ctx context.Context, s vcs.Status) error {
	c, err := h.api()
	if c == nil || err != nil {
		return err
	}
	if h.ci.SHA == "" {
		return errors.New("no commit to post a status on (GITHUB_SHA is empty)")
	}
	st := gh.RepoStatus{
		State:       gh.Ptr(string(s.State)),
		Context:     gh.Ptr(s.Name),
		Description: gh.Ptr(vcs.ClampDescription(s.Description)),
	}
	if s.TargetURL != "" {
		st.TargetURL = gh.Ptr(s.TargetURL)
	}
	if _, _, err := c.Repositories.CreateStatus(ctx, h.owner, h.repo, h.ci.SHA, st); err != nil {
		return h.fail("post status "+s.Name, err)
	}
	return nil
}

// UpsertComment edits the sticky comment (a comment by our own author
// whose first line is the context's CommentMarker) in place, or creates
// it, searching every page of comments (vcs.UpsertSticky).
func (h *Host) UpsertComment(ctx context.Context, body string) error {
	c, err := h.api()
	if c == nil || err != nil {
		return err
	}
	return vcs.UpsertSticky(ctx, h.ci, body, CommentLimit, &comments{h: h, c: c})
}

// comments is the pull request's issue comments behind vcs.Comments.
type comments struct {
	h       *Host
	c       *gh.Client
	authors map[string]bool
}

func (t *comments) Page(ctx context.Context, page int) ([]vcs.Comment, int, error) {
	if t.authors == nil {
		t.authors = t.h.commentAuthors(ctx, t.c)
	}
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100, Page: page}}
	list, resp, err := t.c.Issues.ListComments(ctx, t.h.owner, t.h.repo, t.h.ci.Number, opts)
	if err != nil {
		return nil, 0, t.h.fail("list pull-request comments", err)
	}
	out := make([]vcs.Comment, len(list))
	for i, cm := range list {
		out[i] = vcs.Comment{ID: cm.GetID(), Body: cm.GetBody(), Ours: t.authors[cm.GetUser().GetLogin()]}
	}
	return out, resp.NextPage, nil
}

func (t *comments) Edit(ctx context.Context, id int64, body string) error {
	if _, _, err := t.c.Issues.EditComment(ctx, t.h.owner, t.h.repo, id, &gh.IssueComment{Body: gh.Ptr(body)}); err != nil {
		return t.h.fail("edit the pull-request comment", err)
	}
	return nil
}

func (t *comments) Create(ctx context.Context, body string) error {
	if _, _, err := t.c.Issues.CreateComment(ctx, t.h.owner, t.h.repo, t.h.ci.Number, &gh.IssueComment{Body: gh.Ptr(body)}); err != nil {
		return t.h.fail("comment on the pull request", err)
	}
	return nil
}

// commentAuthors are the logins whose marked comment is ours: the bot of
// GITHUB_TOKEN, and the token's own user when it is a personal token.
// Without the author check, anyone quoting the marker would hijack it.
func (h *Host) commentAuthors(ctx context.Context, c *gh.Client) map[string]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.authors != nil {
		return h.authors
	}
	h.authors = map[string]bool{botLogin: true}
	// A GitHub App token posts as <app>[bot], which /user cannot tell:
	// IBGITOPS_COMMENT_AUTHOR names it.
	if extra := strings.TrimSpace(h.getenv("IBGITOPS_COMMENT_AUTHOR")); extra != "" {
		h.authors[extra] = true
	}
	// GITHUB_TOKEN may not read /user (403); that is expected.
	if u, _, err := c.Users.Get(ctx, ""); err == nil && u.GetLogin() != "" {
		h.authors[u.GetLogin()] = true
	}
	return h.authors
}

// Publish writes the annotations, the step summary and the outputs.
func (h *Host) Publish(ctx context.Context, r *report.Report, dir string) error {
	var errs []error
	if err := h.annotate(r.Findings); err != nil {
		errs = append(errs, fmt.Errorf("annotations: %w", err))
	}
	if h.getenv("GITHUB_STEP_SUMMARY") != "" {
		md, err := stepSummary(r, h.ci.RunURL, h.AnnotationNote(r.Findings))
		if err == nil {
			err = protect(func() { h.action.AddStepSummary(md) })
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("step summary: %w", err))
		}
	}
	if h.getenv("GITHUB_OUTPUT") != "" {
		if err := h.outputs(r); err != nil {
			errs = append(errs, fmt.Errorf("step outputs: %w", err))
		}
	}
	return errors.Join(errs...)
}

// AnnotationNote says how many findings are annotated and how many are
// only listed, since GitHub drops annotations past 10 per severity.
func (h *Host) AnnotationNote(fs []diag.Finding) string {
	e, w := diag.Count(fs)
	ae, aw := min(e, AnnotationLimit), min(w, AnnotationLimit)
	if ae+aw == 0 {
		return ""
	}
	line := fmt.Sprintf("%s and %s are annotated on their lines (GitHub shows at most %d of each per step)", diag.Counted(ae, "error"), diag.Counted(aw, "warning"), AnnotationLimit)
	if more := e + w - ae - aw; more > 0 {
		line += fmt.Sprintf("; %d more are listed here only", more)
	}
	return line + "."
}

// annotate marks the first findings of each severity on their lines with
// the one annotation printer; GitHub drops everything past 10 per severity
// per step, and the comment and summary list them all.
func (h *Host) annotate(fs []diag.Finding) error {
	_, err := report.WriteAnnotations(h.stdout, fs)
	return err
}

// stepSummary renders the report within the step summary's byte budget.
func stepSummary(r *report.Report, logURL, annotated string) (string, error) {
	for _, limit := range []int{summaryBudget, summaryBudget / 4, CommentLimit} {
		md, err := report.Markdown(r, report.MarkdownOptions{Limit: limit, HostName: "the GitHub step summary", LogURL: logURL, Annotated: annotated})
		if err != nil {
			return "", err
		}
		if len(md) <= summaryBudget {
			return md, nil
		}
	}
	return "", errors.New("the report does not fit the step summary")
}

// outputs appends the step outputs to GITHUB_OUTPUT as heredocs with a
// random delimiter (never the deprecated ::set-output).
func (h *Host) outputs(r *report.Report) error {
	plan := r.Plan
	planJSON := []byte("null")
	if plan != nil {
		var err error
		if planJSON, err = json.Marshal(plan); err != nil {
			return err
		}
	}
	images, err := json.Marshal(r.Images())
	if err != nil {
		return err
	}
	versions, err := json.Marshal(r.Versions())
	if err != nil {
		return err
	}
	outs := []struct{ name, value string }{
		{"changed", fmt.Sprint(r.Changed())},
		{"plan", string(planJSON)},
		{"images", string(images)},
		{"versions", string(versions)},
		{"failed", fmt.Sprint(r.Failed)},
	}
	var errs []error
	for _, o := range outs {
		msg, err := heredoc(o.name, o.value)
		if err == nil {
			err = protect(func() { h.action.IssueFileCommand(&githubactions.Command{Name: "output", Message: msg}) })
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", o.name, err))
		}
	}
	return errors.Join(errs...)
}

// heredoc formats one output as name<<DELIM / value / DELIM with a random
// delimiter that is not in the value.
func heredoc(name, value string) (string, error) {
	for range 5 {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		delim := "ghadelimiter_" + hex.EncodeToString(b[:])
		if !strings.Contains(value, delim) && !strings.Contains(name, delim) {
			return name + "<<" + delim + "\n" + value + "\n" + delim, nil
		}
	}
	return "", errors.New("could not pick a delimiter")
}

// protect turns a panic of go-githubactions (which panics when a file
// command cannot be written) into an error.
func protect(f func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if e, ok := p.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("%v", p)
			}
		}
	}()
	f()
	return nil
}
