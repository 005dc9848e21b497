package vcs

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestTransportRetriesRateLimits(t *testing.T) {
	cases := []struct {
		name     string
		headers  map[string]string
		status   int
		wantWait time.Duration
		retried  bool
	}{
		{"secondary limit with Retry-After", map[string]string{"Retry-After": "7"}, 403, 7 * time.Second, true},
		{"429 with Retry-After", map[string]string{"Retry-After": "2"}, 429, 2 * time.Second, true},
		{"primary limit with reset", map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "RESET+10"}, 403, 10 * time.Second, true},
		{"GitLab RateLimit-Reset", map[string]string{"RateLimit-Reset": "RESET+3"}, 429, 3 * time.Second, true},
		{"service unavailable", nil, 503, time.Second, true},
		{"plain forbidden is not retried", nil, 403, 0, false},
		{"wait longer than allowed is not waited for", map[string]string{"Retry-After": "3600"}, 429, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if string(body) != "payload" {
					t.Errorf("attempt %d lost the body: %q", calls.Load()+1, body)
				}
				if calls.Add(1) == 1 {
					for k, v := range c.headers {
						if strings.HasPrefix(v, "RESET+") {
							n, _ := strconv.Atoi(strings.TrimPrefix(v, "RESET+"))
							v = strconv.FormatInt(time.Now().Add(time.Duration(n)*time.Second).Unix(), 10)
						}
						w.Header().Set(k, v)
					}
					w.WriteHeader(c.status)
					return
				}
				w.WriteHeader(200)
			}))
			defer srv.Close()
			var waited time.Duration
			tr := &Transport{Sleep: func(_ context.Context, d time.Duration) error { waited += d; return nil }}
			req, _ := http.NewRequest("POST", srv.URL, strings.NewReader("payload"))
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := calls.Load() == 2; got != c.retried {
				t.Fatalf("retried=%v, want %v (calls %d)", got, c.retried, calls.Load())
			}
			if c.retried && (waited < c.wantWait-time.Second || waited > c.wantWait+2*time.Second) {
				t.Errorf("waited %s, want about %s", waited, c.wantWait)
			}
		})
	}
}

func TestTransportBoundsRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(429)
	}))
	defer srv.Close()
	tr := &Transport{MaxRetries: 2, Sleep: func(context.Context, time.Duration) error { return nil }}
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || calls.Load() != 3 {
		t.Errorf("status %d after %d calls, want 429 after 3", resp.StatusCode, calls.Load())
	}
}

type failingRT struct{ msg string }

func (f failingRT) RoundTrip(*http.Request) (*http.Response, error) { return nil, errors.New(f.msg) }

func TestTransportScrubsSecretsFromErrors(t *testing.T) {
	const token = "ghp_secretsecretsecret"
	tr := &Transport{Base: failingRT{"dial https://x-access-token:" + token + "@github.com: refused"}, Secrets: []string{token}}
	_, err := (&http.Client{Transport: tr}).Get("https://api.example/")
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "***") {
		t.Errorf("error %v", err)
	}
	if got := Scrub("a "+token+" b", []string{token}); got != "a *** b" {
		t.Errorf("Scrub = %q", got)
	}
}
