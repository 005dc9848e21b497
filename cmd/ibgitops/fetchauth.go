package main

import (
	"os"

	"github.com/ibgitops/ibgitops/runner/plan"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

// withFetchAuth gives a plan what it needs to fetch the history a shallow
// CI checkout lacks: the host's token, and the host's name for the fix
// when fetching is impossible.
func withFetchAuth(o plan.Options) plan.Options {
	o.Host, o.TokenUser, o.Token = vcs.FetchAuth(os.Getenv)
	if p, err := vcs.Find("auto", os.Getenv); err == nil {
		ci, _ := p.Context(os.Getenv)
		o.BaseBranch = ci.BaseBranch
	}
	return o
}
