// Command ibgitops-full is ibgitops with the AWS SDK, the GitHub/GitLab
// API clients and the AWSTOE executor linked in: ibgitops runs it for the
// commands that need them, with the same command tree and flags
// (internal/cli). It is installed beside ibgitops; it also runs inside the
// local backend's build containers (IBGITOPS_BINARY).
package main

import (
	"github.com/ibgitops/ibgitops/internal/cli"
	"github.com/ibgitops/ibgitops/runner/full"
)

func main() { cli.Main(&cli.Full{ToeRun: full.ToeRun}) }
