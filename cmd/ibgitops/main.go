// Command ibgitops is GitOps for EC2 Image Builder: the command users and
// pre-commit hooks run. It links neither the AWS SDK nor the GitHub/GitLab
// API clients nor the AWSTOE executor, so that it starts fast (issue #15);
// the commands that need them (run, build, release, status, import,
// toe run, plan --backend) run in ibgitops-full, installed beside it.
// The command tree is internal/cli.
package main

import "github.com/ibgitops/ibgitops/internal/cli"

func main() { cli.Main(nil) }
