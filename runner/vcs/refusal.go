package vcs

import (
	"fmt"
	"net/http"
	"sync"
)

// Refusals remembers the first time a host refused the token (HTTP 401 or
// 403), so that the host's later calls are skipped with that reason instead
// of repeating the same failure. The zero value is ready to use.
type Refusals struct {
	mu  sync.Mutex
	err error
}

// Err is the reason to skip further calls, or nil while nothing was refused.
func (r *Refusals) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Note remembers e as the reason to skip further calls when code says the
// token was refused; the first refusal stays.
func (r *Refusals) Note(code int, e error) {
	if code != http.StatusUnauthorized && code != http.StatusForbidden {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = fmt.Errorf("skipped after an earlier refusal: %w", e)
	}
}
