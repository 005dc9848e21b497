package main

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/ibgitops/ibgitops/internal/version"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/plan"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/ibgitops/ibgitops/runner/workspace"
	"github.com/spf13/cobra"
)

type lintOptions struct {
	root   string
	format string
	output string
	base   string // compare with this ref: version-not-raised, version-lowered
	// allowEmpty accepts a repository without any resource (no-resources).
	allowEmpty bool
}

func newLintCmd() *cobra.Command {
	var opts lintOptions
	cmd := &cobra.Command{
		Use:   "lint [DIR]",
		Short: "Check every resource of the repository against Image Builder's and AWSTOE's rules",
		Long: "lint loads every resource under the root (DIR, --root, or the folder found from the current one) and reports\n" +
			"each problem with its rule, file:line:col (relative to the git top level) and how to fix it.\n" +
			"Exit codes: 0 no errors (warnings allowed), 1 error findings, 2 could not run.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if cmd.Flags().Changed("root") && args[0] != opts.root {
					return withCode(exitCannot, fmt.Errorf("give the folder once: lint %s or lint --root %s", args[0], opts.root))
				}
				opts.root = args[0] // `lint DIR` is `lint --root DIR`
			}
			return runLint(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.root, "root", "", rootFlagUsage)
	cmd.Flags().StringVar(&opts.format, "format", "text", "output format: "+strings.Join(report.FindingFormats, ", "))
	cmd.Flags().StringVarP(&opts.output, "output", "o", "", "write the report to this file instead of stdout")
	cmd.Flags().StringVar(&opts.base, "base", "", "also compare with this ref (its merge base with HEAD): a changed component or recipe must raise its version")
	cmd.Flags().BoolVar(&opts.allowEmpty, "allow-empty", false, "accept a repository with no resource at all (otherwise: no-resources, exit 1)")
	return cmd
}

func runLint(cmd *cobra.Command, opts lintOptions) error {
	if !validFormat(opts.format) {
		return withCode(exitCannot, fmt.Errorf("--format %q: use one of %s", opts.format, strings.Join(report.FindingFormats, ", ")))
	}
	st, err := os.Stat(opts.root)
	if err != nil || !st.IsDir() {
		return withCode(exitCannot, fmt.Errorf("--root %s is not a readable folder: give the repository's root folder", opts.root))
	}
	repo, findings, err := recipes.Load(os.DirFS(opts.root))
	if err != nil {
		return withCode(exitCannot, fmt.Errorf("lint %s: %w", opts.root, err))
	}
	if !opts.allowEmpty {
		findings = append(findings, recipes.NoResources(repo, findings, opts.root)...)
	}
	if opts.base != "" {
		// The plan of the work tree against base: its versions are the
		// fixes version-not-raised suggests, the ones bump writes.
		res, err := plan.Compute(cmd.Context(), withFetchAuth(plan.Options{Root: opts.root, Base: opts.base, KeepGoing: true}))
		if err != nil {
			return withCode(exitCannot, fmt.Errorf("lint --base %s: %w", opts.base, err))
		}
		// The plan's other warnings (work tree included, files that do not
		// load) are about planning; lint reports those files itself.
		if res.Fetched {
			fmt.Fprintf(cmd.ErrOrStderr(), "ibgitops lint: warning: the clone lacked history to compare with %s; fetched it from origin (set fetch-depth: 0 / GIT_DEPTH: 0 to skip this)\n", escape.Term(opts.base))
		}
		findings = append(findings, recipes.LintAgainstBase(res.Base, repo, res.Plan)...)
	}
	// Hosts attach findings to their diff by paths from the top level.
	prefix := workspace.Prefix(opts.root)
	workspace.PrefixFindings(prefix, findings)
	files := make([]string, len(repo.Files))
	for i, f := range repo.Files {
		files[i] = path.Join(prefix, f)
	}
	return printLint(cmd, opts, files, findings)
}

// printLint writes findings in the chosen format and turns them into the
// exit code.
func printLint(cmd *cobra.Command, opts lintOptions, files []string, findings []diag.Finding) error {
	diag.Sort(findings)
	docs := map[string]string{}
	for _, d := range append(append([]recipes.RuleDoc(nil), recipes.RuleDocs...), recipes.BaseRuleDocs...) {
		docs[d.ID] = d.Summary
	}
	for _, r := range awstoe.Rules {
		docs[r.ID] = r.Description
	}
	result := &report.Lint{Findings: findings, Files: files, RuleDocs: docs, ToolVersion: version.String()}
	var buf bytes.Buffer
	if err := report.WriteFindings(&buf, opts.format, result); err != nil {
		return withCode(exitCannot, err)
	}
	if opts.output != "" {
		if err := os.WriteFile(opts.output, buf.Bytes(), 0o644); err != nil {
			return withCode(exitCannot, fmt.Errorf("write --output %s: %w", opts.output, err))
		}
		s := result.Summary()
		fmt.Fprintf(cmd.ErrOrStderr(), "ibgitops lint: %s checked: %s (report in %s)\n", diag.Counted(s.Files, "file"), diag.Summary(s.Errors, s.Warnings), escape.Term(opts.output))
	} else if _, err := cmd.OutOrStdout().Write(buf.Bytes()); err != nil {
		return withCode(exitCannot, err)
	}
	if errs, _ := diag.Count(findings); errs > 0 {
		return withCode(exitFindings, nil)
	}
	return nil
}

func validFormat(f string) bool {
	for _, v := range report.FindingFormats {
		if v == f {
			return true
		}
	}
	return false
}
