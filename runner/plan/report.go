package plan

import "github.com/ibgitops/ibgitops/runner/report"

// Report is the plan as the one result model, for the report printers:
// `ibgitops plan` prints it as text, markdown (the pull-request comment
// body) or its plan's JSON. Lint did not run; the warnings are its notes.
func (r *Result) Report(tool string) *report.Report {
	head := r.HeadRef
	if r.WorkTree {
		head = "the work tree"
	}
	return &report.Report{
		Tool: tool, Event: "plan of " + head + " against " + r.BaseRef, Action: "plan",
		Commit: r.HeadCommit, Base: r.BaseCommit, Plan: &r.Plan,
		Notes: append([]string(nil), r.Warnings...),
	}
}
