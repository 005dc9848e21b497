package vcs

import (
	"errors"
	"strings"
	"testing"
)

func TestRefusalsRememberFirstTokenRefusal(t *testing.T) {
	var r Refusals
	r.Note(404, errors.New("not found"))
	r.Note(500, errors.New("server error"))
	if err := r.Err(); err != nil {
		t.Fatalf("a 404 or 500 is not a refusal of the token, got %v", err)
	}
	first := errors.New("post status: HTTP 403")
	r.Note(403, first)
	r.Note(401, errors.New("second"))
	err := r.Err()
	if !errors.Is(err, first) || !strings.Contains(err.Error(), "skipped after an earlier refusal") {
		t.Fatalf("want the first refusal wrapped, got %v", err)
	}
}
