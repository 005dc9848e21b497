// Package full links what only ibgitops-full carries (issue #15): the aws
// backend (the AWS SDK's Image Builder client and credential chain), the
// GitHub and GitLab hosts (their API clients) and the AWSTOE executor
// (S3 and instance metadata). Importing it registers the backend and the
// hosts; ToeRun is the `toe run` entry. The ibgitops binary a pre-commit
// hook starts does not import it, so none of their init work runs there.
package full

import (
	_ "github.com/ibgitops/ibgitops/runner/backend/aws"
	_ "github.com/ibgitops/ibgitops/runner/vcs/githubhost"
	_ "github.com/ibgitops/ibgitops/runner/vcs/gitlabhost"

	"github.com/ibgitops/ibgitops/runner/toe"
)

// ToeRun is `ibgitops toe run` (internal/cli's Full.ToeRun).
var ToeRun = toe.RunCommand
