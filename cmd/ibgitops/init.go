package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/internal/starter"
	gitrepo "github.com/ibgitops/ibgitops/runner/git"
)

func newInitCmd() *cobra.Command {
	var host string
	var force bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter repository: ibgitops.yaml, one of each resource, and the CI workflow for your host",
		Long: "init writes ibgitops.yaml, a component, an image recipe, an infrastructure and a distribution configuration,\n" +
			"a pipeline (they lint clean and build locally) and the CI file for the host: .github/workflows/images.yml\n" +
			"for GitHub, .gitlab-ci.yml for GitLab, chosen from the origin remote's URL (--host to choose).\n" +
			"Existing files are kept (--force overwrites them). DIR defaults to the current folder.\n" +
			"Exit codes: 0 written (or kept), 2 could not write.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			if host == "" || host == "auto" {
				host = "none"
				if repo, err := gitrepo.Open(dir); err == nil {
					host = starter.HostOf(repo.RemoteURL("origin"))
					repo.Close()
				}
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return withCode(exitCannot, err)
			}
			written, err := starter.Write(dir, host, force)
			if err != nil {
				return withCode(exitCannot, fmt.Errorf("init %s: %w", dir, err))
			}
			out := cmd.OutOrStdout()
			kept := 0
			for _, f := range written {
				if f.Written {
					fmt.Fprintf(out, "  wrote %s\n", f.Path)
				} else {
					kept++
					fmt.Fprintf(out, "  kept  %s (it exists; --force overwrites)\n", f.Path)
				}
			}
			next := []string{"ibgitops lint", "ibgitops plan", "git add -A && git commit -m \"feat: image pipeline\""}
			switch host {
			case "github":
				next = append(next, "edit role-to-assume in .github/workflows/images.yml (docs/aws-credentials.md), then push")
			case "gitlab":
				next = append(next, "store IBGITOPS_GITLAB_TOKEN and edit AWS_ROLE_ARN in .gitlab-ci.yml (docs/gitlab.md), then push")
			default:
				next = append(next, "no GitHub or GitLab origin found: ibgitops init --host github|gitlab writes the CI file")
			}
			fmt.Fprintf(out, "next:\n  %s\n", strings.Join(next, "\n  "))
			return nil
		},
	}
	cmd.Flags().StringVar(&host, "host", "auto", "CI file to write: auto (from the origin remote), github, gitlab or none")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite files that exist")
	register(cmd, "host", fixed(append([]string{"auto"}, starter.Hosts...)))
	return cmd
}
