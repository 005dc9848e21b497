package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/runner"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

func newRunCmd() *cobra.Command {
	var o runner.Options
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Do what the CI event calls for: lint + plan on pull requests, build on the default branch, release on tags; then report",
		Long: "run is the one command a CI step calls. It reads the CI context (GitHub Actions, GitLab CI, or none) and:\n" +
			"  pull/merge request   lint + plan (+ --test-components: the changed recipes built and tested locally, not distributed)\n" +
			"  push to the default branch, or no CI   lint + plan + build, test, distribute\n" +
			"  tag                  release the recipe version the tag names\n" +
			"  anything else        lint + plan, and says what was skipped and why\n" +
			"Then it reports: a terminal summary, report.md and report.json in the run's folder, and on a CI host commit\n" +
			"statuses, one sticky comment, the step summary / report artifacts and step outputs.\n" +
			"--only lint or --only plan stops after that step whatever the event, and reports the same way.\n" +
			"Exit codes: 0 passed, 1 findings (per --fail-on) or a failed build, 2 could not run.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := wireRun(cmd, &o); err != nil {
				return err
			}
			if err := applyActionCommand(cmd, os.Getenv, &o); err != nil {
				return withCode(exitCannot, err)
			}
			return outcome(runner.Run(cmd.Context(), o))
		},
	}
	addRunFlags(cmd, &o)
	cmd.Flags().BoolVar(&o.TestComponents, "test-components", false, "on pull/merge requests, build and test the changed recipes on the local backend (nothing is distributed)")
	cmd.Flags().StringVar(&o.Only, "only", "", "stop after lint or plan, whatever the event calls for: lint or plan")
	cmd.Flags().BoolVar(&o.BuildAnyBranch, "build", false, "outside CI: build and distribute even on a branch other than the default branch (otherwise it lints and plans only)")
	return cmd
}

// applyActionCommand reads the action's `command` input: run does what the
// event calls for, lint and plan stop there, release runs on tag events
// only. All of them go through run, so every command reports the same way.
func applyActionCommand(cmd *cobra.Command, getenv func(string) string, o *runner.Options) error {
	if cmd.Flags().Changed("only") {
		return nil
	}
	switch c := vcs.Input(getenv, "command"); c {
	case "", "run":
	case "lint", "plan":
		o.Only = c
	case "release":
		o.TagOnly = true
	default:
		return fmt.Errorf("action input command: %q: use run, lint, plan or release (the composite action also runs any other ibgitops command)", c)
	}
	return nil
}

func addRunFlags(cmd *cobra.Command, o *runner.Options) {
	f := cmd.Flags()
	f.StringVar(&o.Root, "root", "", rootFlagUsage)
	f.StringVar(&o.BackendName, "backend", "", "build backend: local or aws (default: backend in ibgitops.yaml, else local)")
	f.StringVar(&o.Base, "base", "", "base ref to plan against (default: from the CI event, else the merge base with the default branch)")
	f.StringVar(&o.Head, "head", "", "head ref (default: the checked-out commit)")
	f.StringVar(&o.FailOn, "fail-on", "error", "lint findings that fail the run: error, warning or never")
	f.StringVar(&o.ReportDir, "report-dir", "", "folder for report.md, report.json and host artifacts (default: <root>/.ibgitops/runs/<time>-<commit>)")
	f.IntVar(&o.Parallel, "parallel", runner.DefaultParallel, "independent recipes built at once")
	f.BoolVar(&o.Force, "force", false, "rebuild even when an identical image exists")
	f.BoolVar(&o.KeepOnFailure, "keep-on-failure", false, "keep the build container of a failed local build for inspection")
	f.StringVar(&o.AWSRegion, "aws-region", "", "AWS region for the aws backend (default: aws.region in ibgitops.yaml, then the AWS SDK's chain)")
	f.StringVar(&o.CIName, "ci", "auto", "CI host: auto (from the environment), "+strings.Join(vcs.Names(), ", "))
}

// actionInputs are the action.yml inputs that map to flags of the same
// name; only the command and the root are passed as arguments.
var actionInputs = []string{"root", "backend", "aws-region", "test-components", "fail-on"}

// applyActionInputs reads the CI's command inputs (the GitHub Action's
// `with:`) for the flags the command line did not set.
func applyActionInputs(cmd *cobra.Command, getenv func(string) string) error {
	for _, name := range actionInputs {
		f := cmd.Flags().Lookup(name)
		if f == nil || f.Changed {
			continue
		}
		v := vcs.Input(getenv, name)
		if v == "" {
			continue
		}
		if err := cmd.Flags().Set(name, v); err != nil {
			return fmt.Errorf("action input %s: %q: %w", name, v, err)
		}
	}
	return nil
}
