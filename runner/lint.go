package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/plan"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
	"github.com/ibgitops/ibgitops/runner/workspace"
)

// LintOptions configure the `lint` command.
type LintOptions struct {
	Root string
	// Base, when set, also compares with this ref (its merge base with
	// HEAD): version-not-raised, version-lowered.
	Base   string
	Format string // one of report.FindingFormats
	// Output is a file to write the report to; "" writes it on Out.
	Output string
	// AllowEmpty accepts a repository without any resource (no-resources).
	AllowEmpty bool
	Out, Err   io.Writer
}

// Lint loads every resource under Root, prints the findings in Format and
// returns the exit code: exitcodes.Findings when there are errors. An
// error means lint could not run.
func Lint(ctx context.Context, o LintOptions) (int, error) {
	if err := checkFormat(o.Format); err != nil {
		return exitcodes.Cannot, err
	}
	if st, err := os.Stat(o.Root); err != nil || !st.IsDir() {
		return exitcodes.Cannot, fmt.Errorf("--root %s is not a readable folder: give the repository's root folder", o.Root)
	}
	repo, findings, err := recipes.Load(os.DirFS(o.Root))
	if err != nil {
		return exitcodes.Cannot, fmt.Errorf("lint %s: %w", o.Root, err)
	}
	if !o.AllowEmpty {
		findings = append(findings, recipes.NoResources(repo, findings, o.Root)...)
	}
	if o.Base != "" {
		// The plan of the work tree against base: its versions are the
		// fixes version-not-raised suggests, the ones bump writes.
		res, err := plan.Compute(ctx, plan.Options{Root: o.Root, Base: o.Base, KeepGoing: true})
		if err != nil {
			return exitcodes.Cannot, fmt.Errorf("lint --base %s: %w", o.Base, err)
		}
		// The plan's other warnings (work tree included, files that do not
		// load) are about planning; lint reports those files itself.
		if res.Fetched {
			fmt.Fprintf(o.Err, "ibgitops lint: warning: the clone lacked history to compare with %s; fetched it from origin (set fetch-depth: 0 / GIT_DEPTH: 0 to skip this)\n", escape.Term(o.Base))
		}
		findings = append(findings, recipes.LintAgainstBase(res.Base, repo, res.Plan)...)
	}
	// Hosts attach findings to their diff by paths from the top level.
	prefix := workspace.Prefix(o.Root)
	workspace.PrefixFindings(prefix, findings)
	files := make([]string, len(repo.Files))
	for i, f := range repo.Files {
		files[i] = path.Join(prefix, f)
	}
	var buf bytes.Buffer
	summary, err := writeFindings(&buf, o.Format, files, findings, lintRuleDocs())
	if err != nil {
		return exitcodes.Cannot, err
	}
	if o.Output != "" {
		if err := os.WriteFile(o.Output, buf.Bytes(), 0o644); err != nil {
			return exitcodes.Cannot, fmt.Errorf("write --output %s: %w", o.Output, err)
		}
		fmt.Fprintf(o.Err, "ibgitops lint: %s checked: %s (report in %s)\n", diag.Counted(summary.Files, "file"), diag.Summary(summary.Errors, summary.Warnings), escape.Term(o.Output))
	} else if _, err := o.Out.Write(buf.Bytes()); err != nil {
		return exitcodes.Cannot, err
	}
	return findingsCode(findings), nil
}

// ValidateDocuments checks AWSTOE documents with the same rules and
// printers as lint (`toe validate`).
// platform and allowMissing are `toe validate`'s --platform and
// --allow-missing-steps.
func ValidateDocuments(paths []string, format, platform string, allowMissing bool, out io.Writer) (int, error) {
	if len(paths) == 0 {
		return exitcodes.Cannot, fmt.Errorf("--documents is required: a comma-separated list of AWSTOE documents")
	}
	if err := checkFormat(format); err != nil {
		return exitcodes.Cannot, err
	}
	vo, err := toedoc.ValidateFor(platform, allowMissing)
	if err != nil {
		return exitcodes.Cannot, err
	}
	var all []diag.Finding
	for _, p := range paths {
		_, _, findings, err := toedoc.LoadDocumentFor(p, vo)
		if err != nil {
			return exitcodes.Cannot, err
		}
		all = append(all, findings...)
	}
	docs := map[string]string{}
	for _, r := range awstoe.Rules {
		docs[r.ID] = r.Description
	}
	if _, err := writeFindings(out, format, paths, all, docs); err != nil {
		return exitcodes.Cannot, err
	}
	return findingsCode(all), nil
}

func checkFormat(format string) error {
	if !slices.Contains(report.FindingFormats, format) {
		return fmt.Errorf("--format %q: use one of %s", format, strings.Join(report.FindingFormats, ", "))
	}
	return nil
}

// writeFindings prints findings, sorted, in one of report.FindingFormats.
func writeFindings(w io.Writer, format string, files []string, findings []diag.Finding, docs map[string]string) (report.LintSummary, error) {
	diag.Sort(findings)
	result := &report.Report{Tool: ToolName(), Linted: true, Findings: findings, Files: files, RuleDocs: docs}
	return result.LintSummary(), report.WriteFindings(w, format, result)
}

// lintRuleDocs are the one-line summaries of every rule lint applies.
func lintRuleDocs() map[string]string {
	docs := map[string]string{}
	for _, d := range append(append([]recipes.RuleDoc(nil), recipes.RuleDocs...), recipes.BaseRuleDocs...) {
		docs[d.ID] = d.Summary
	}
	for _, r := range awstoe.Rules {
		docs[r.ID] = r.Description
	}
	return docs
}

func findingsCode(findings []diag.Finding) int {
	if errs, _ := diag.Count(findings); errs > 0 {
		return exitcodes.Findings
	}
	return exitcodes.OK
}
