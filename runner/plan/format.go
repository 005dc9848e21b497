package plan

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/report/escape"
)

// Summary is the one-line summary of a plan.
func Summary(r *Result) string {
	base := fmt.Sprintf("%s (%s)", r.BaseRef, short(r.BaseCommit))
	head := r.HeadRef
	if !r.WorkTree {
		head += " (" + short(r.HeadCommit) + ")"
	}
	if len(r.Plan.Changes) == 0 {
		return "no resource changed between " + base + " and " + head + "."
	}
	span := base + " → " + head
	counts := map[string]int{}
	for _, c := range r.Plan.Changes {
		counts[c.Change]++
	}
	var parts []string
	for _, k := range []string{recipes.ChangeAdded, recipes.ChangeModified, recipes.ChangeRenamed, recipes.ChangeDeleted, recipes.ChangeAffected} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	builds := "nothing to build"
	if n := len(r.Plan.Builds); n > 0 {
		var names []string
		for _, b := range r.Plan.Builds {
			names = append(names, b.Name+" "+b.Version)
		}
		builds = fmt.Sprintf("%d recipe version%s to build (%s)", n, plural(n), strings.Join(names, ", "))
	}
	return fmt.Sprintf("%s; %s, %s.", builds, strings.Join(parts, ", "), span)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func short(h string) string {
	if len(h) > 7 {
		return h[:7]
	}
	return h
}

func versionCell(from, to string) string {
	switch {
	case from == "" && to == "":
		return "–"
	case from == "":
		return to
	case to == "" || from == to:
		return from
	}
	return from + " → " + to
}

// Report is the plan as the one result model, for the report printers
// (markdown: the pull-request comment body of `plan --format markdown`).
// Lint did not run; the warnings are its notes.
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

// WriteText writes the plan for a terminal.
func WriteText(w io.Writer, r *Result) error {
	// Names, paths, reasons (commit subjects) and warnings come from the
	// repository: each field goes through the terminal escaping.
	t := escape.Term
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "plan: %s\n", t(Summary(r)))
	if len(r.Plan.Changes) > 0 {
		buf.WriteString("\n")
		tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  CHANGE\tKIND\tNAME\tVERSION\tBUMP\tWHY")
		for _, c := range r.Plan.Changes {
			v := versionCell(c.FromVersion, c.ToVersion)
			v = strings.ReplaceAll(v, "→", "->")
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", t(c.Change), t(string(c.Kind)), t(c.Name), t(v), t(c.Bump), t(c.Reason))
		}
		tw.Flush()
	}
	if len(r.Plan.Builds) > 0 {
		buf.WriteString("\nbuilds:\n")
		for _, b := range r.Plan.Builds {
			ps := "no pipeline: built from the recipe"
			if len(b.Pipelines) > 0 {
				ps = "pipelines " + strings.Join(b.Pipelines, ", ")
			}
			fmt.Fprintf(&buf, "  %s %s %s (%s)\n", t(string(b.Kind)), t(b.Name), t(b.Version), t(ps))
		}
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(&buf, "\nwarning: %s\n", escape.TermLines(warn))
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteJSON writes the plan in its public JSON shape.
func WriteJSON(w io.Writer, r *Result) error {
	return escape.EncodeJSON(w, r.Plan)
}
