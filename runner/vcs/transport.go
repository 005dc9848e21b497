package vcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Transport wraps the hosts' API clients: a bounded retry that honours
// Retry-After and rate-limit reset headers (GitHub's secondary limits and
// GitLab's RateLimit-Reset), and errors scrubbed of every secret so that
// a token never shows in a message.
type Transport struct {
	Base    http.RoundTripper
	Secrets []string
	// MaxRetries bounds the retries of one request (default 3).
	MaxRetries int
	// MaxWait is the longest single wait; a host that asks for more is
	// not waited for and the request fails with a clear message (default 60s).
	MaxWait time.Duration
	// Sleep waits (tests replace it); it returns early when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
}

// NewHTTPClient returns an *http.Client with the retrying, scrubbing
// transport and a per-request timeout.
func NewHTTPClient(secrets []string) *http.Client {
	return &http.Client{Transport: &Transport{Base: http.DefaultTransport, Secrets: secrets}, Timeout: 30 * time.Second}
}

func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	maxRetries := t.MaxRetries
	if maxRetries == 0 {
		maxRetries = 3
	}
	maxWait := t.MaxWait
	if maxWait == 0 {
		maxWait = 60 * time.Second
	}
	sleep := t.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			r = req.Clone(req.Context())
			if req.Body != nil && req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, t.scrub(err)
				}
				r.Body = body
			}
		}
		resp, err := base.RoundTrip(r)
		if err != nil {
			return nil, t.scrub(err)
		}
		wait, retry := retryAfter(resp, attempt)
		if !retry || attempt >= maxRetries || (req.Body != nil && req.GetBody == nil) {
			return resp, nil
		}
		if wait > maxWait {
			// Too long to wait inside a CI job: hand the response back so
			// the caller reports the limit.
			return resp, nil
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		if err := sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// retryAfter decides whether a response is a rate limit or a transient
// failure worth retrying, and how long to wait first.
func retryAfter(resp *http.Response, attempt int) (time.Duration, bool) {
	h := resp.Header
	limited := resp.StatusCode == http.StatusTooManyRequests ||
		(resp.StatusCode == http.StatusForbidden && (h.Get("Retry-After") != "" || h.Get("X-Ratelimit-Remaining") == "0"))
	if limited {
		if s := h.Get("Retry-After"); s != "" {
			if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
				return time.Duration(n) * time.Second, true
			}
			if at, err := http.ParseTime(s); err == nil {
				return max(time.Until(at), 0), true
			}
		}
		for _, name := range []string{"X-Ratelimit-Reset", "Ratelimit-Reset"} {
			if s := h.Get(name); s != "" {
				if n, err := strconv.ParseInt(s, 10, 64); err == nil {
					return max(time.Until(time.Unix(n, 0)), 0) + time.Second, true
				}
			}
		}
		// GitHub's advice for a secondary limit without headers: wait at
		// least a minute.
		return time.Minute, true
	}
	switch resp.StatusCode {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return time.Duration(1<<attempt) * time.Second, true
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

func (t *Transport) scrub(err error) error {
	msg := Scrub(err.Error(), t.Secrets)
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, cause: errors.Unwrap(err)}
}

// scrubbedError keeps context cancellation visible to errors.Is but shows
// only the scrubbed text.
type scrubbedError struct {
	msg   string
	cause error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Is(target error) bool {
	return (target == context.Canceled || target == context.DeadlineExceeded) && errors.Is(e.cause, target)
}

// Scrub replaces every secret in s with "***".
func Scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// ScrubError returns err with every secret replaced, or nil.
func ScrubError(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := Scrub(err.Error(), secrets)
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// HTTPStatusError describes a failed API call in words that say what to do
// ("post status ibgitops/lint: HTTP 403 from GitHub (...): the token ...").
func HTTPStatusError(host, what string, code int, msg string) error {
	hint := ""
	switch code {
	case http.StatusUnauthorized:
		hint = ": the token is missing or invalid"
	case http.StatusForbidden:
		hint = ": the token may not do this (check its permissions or scopes; pull requests from forks get a read-only token)"
	case http.StatusNotFound:
		hint = ": not found (check the repository and the token's access to it)"
	case http.StatusTooManyRequests:
		hint = ": rate limited; try again later"
	case http.StatusUnprocessableEntity:
		hint = ": the host refused the content"
	}
	if msg != "" {
		msg = " (" + msg + ")"
	}
	return fmt.Errorf("%s: HTTP %d from %s%s%s", what, code, host, msg, hint)
}
