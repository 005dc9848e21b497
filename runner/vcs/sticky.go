package vcs

import (
	"context"
	"errors"

	"github.com/ibgitops/ibgitops/runner/report"
)

// Comment is one comment of a pull or merge request, as the search for
// the sticky comment sees it.
type Comment struct {
	ID   int64
	Body string
	// Ours: posted by ibgitops' own author (the CI bot or the token's
	// user), not by a person or the host itself. Without it, anyone
	// quoting the marker would take the comment over.
	Ours bool
}

// Comments is one host's comment thread of a pull or merge request: all
// a host implements for UpsertSticky.
type Comments interface {
	// Page returns the comments of page (1 is the first) and the next
	// page, 0 after the last.
	Page(ctx context.Context, page int) (comments []Comment, next int, err error)
	Edit(ctx context.Context, id int64, body string) error
	Create(ctx context.Context, body string) error
}

// UpsertSticky is the sticky-comment flow every host shares: cut body to
// the host's limit, check it starts with the Context's marker, search
// every page for our comment whose first line is that marker, and edit it
// in place, or create it.
func UpsertSticky(ctx context.Context, ci *Context, body string, limit int, thread Comments) error {
	if ci.Number == 0 {
		return errors.New("the event names no pull or merge request (no number in the CI context): cannot comment")
	}
	body = report.Truncate(body, limit)
	marker, err := StickyBody(ci, body)
	if err != nil {
		return err
	}
	for page := 1; page != 0; {
		comments, next, err := thread.Page(ctx, page)
		if err != nil {
			return err
		}
		for _, c := range comments {
			if c.Ours && report.IsSticky(c.Body, marker) {
				return thread.Edit(ctx, c.ID, body)
			}
		}
		page = next
	}
	return thread.Create(ctx, body)
}

// StickyBody returns the marker the sticky comment of ci is found by, and
// checks that body starts with it: a comment posted without its marker
// could never be found again, and a second would follow on every run.
func StickyBody(ci *Context, body string) (string, error) {
	if ci.CommentMarker == "" {
		return "", errors.New("the CI context has no comment identity (vcs.Context.CommentMarker): cannot find the comment again")
	}
	if !report.IsSticky(body, ci.CommentMarker) {
		return "", errors.New("the comment body does not start with its marker (vcs.Context.CommentMarker): cannot find it again")
	}
	return ci.CommentMarker, nil
}
