package runner

// The CI hosts --ci can name and `auto` detects. Each registers itself
// with vcs.Register; a new host is one package and one line here, and its
// reporting host (the API client) one line in runner/full.
import (
	_ "github.com/ibgitops/ibgitops/runner/vcs/github"
	_ "github.com/ibgitops/ibgitops/runner/vcs/gitlab"
	_ "github.com/ibgitops/ibgitops/runner/vcs/none"
)
