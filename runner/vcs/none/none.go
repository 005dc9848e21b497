// Package none is the CI provider of a run outside CI (a terminal or a
// script): a local event, nothing to report back to. It is registered
// like any host and proves the provider seam.
package none

import "github.com/ibgitops/ibgitops/runner/vcs"

func init() { vcs.Register(Provider{}) }

// Provider is the no-CI provider.
type Provider struct{}

func (Provider) Name() string { return vcs.Fallback }

// Detect is false: none is chosen when no other provider detects its CI.
func (Provider) Detect(func(string) string) bool { return false }

func (Provider) Context(func(string) string) (*vcs.Context, []string) {
	return &vcs.Context{Event: vcs.EventLocal}, nil
}

func (Provider) Open(*vcs.Context, vcs.Env) (vcs.Host, error) { return nil, nil }
