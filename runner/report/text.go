package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/report/escape"
)

// textFindingsLimit keeps a terminal readable: the files have them all.
const textFindingsLimit = 200

// WriteText prints the terminal summary: the verdict, the plan, the builds
// as a table, findings and failing steps with their log tails. Colour is
// used only when color is set (the caller checks for a terminal).
func WriteText(w io.Writer, r *Report, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	ew := &errWriter{w: w}
	// Every field below may come from the repository: names, paths,
	// messages, log lines, branch names.
	t := escape.Term
	verdict := paint("32;1", "✔ "+r.Summary())
	if r.Failed {
		verdict = paint("31;1", "✘ "+r.Summary())
	}
	fmt.Fprintln(ew, verdict)
	fmt.Fprintf(ew, "  %s · %s", t(r.Event), t(r.Action))
	if r.Commit != "" {
		fmt.Fprintf(ew, " · commit %s", t(ShortSHA(r.Commit)))
	}
	if r.Base != "" {
		fmt.Fprintf(ew, " · base %s", t(ShortSHA(r.Base)))
	}
	fmt.Fprintln(ew)
	if r.Error != "" {
		fmt.Fprintf(ew, "  could not finish: %s\n", t(r.Error))
	}
	if r.Plan != nil {
		fmt.Fprintln(ew)
		if len(r.Plan.Changes) == 0 {
			fmt.Fprintln(ew, "Plan: no resource changed")
		} else {
			fmt.Fprintln(ew, "Plan:")
			tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "  CHANGE\tKIND\tNAME\tVERSION\tBUMP\tREASON")
			for _, c := range r.Plan.Changes {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", t(c.Change), t(string(c.Kind)), t(c.Name), t(versionText(c.FromVersion, c.ToVersion)), t(c.Bump), t(oneLine(c.Reason)))
			}
			tw.Flush()
			if len(r.Plan.Builds) > 0 {
				fmt.Fprintf(ew, "  To build: %s\n", plannedBuilds(r.Plan.Builds, len(r.Plan.Builds), t, t))
			}
		}
	}
	if len(r.Builds) > 0 {
		fmt.Fprintln(ew)
		fmt.Fprintln(ew, "Builds:")
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  RECIPE\tVERSION\tSTATUS\tIMAGE\tTIME")
		for _, b := range r.SortedBuilds() {
			st := t(string(b.Status))
			if b.Status == "failed" {
				st = paint("31", st)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", t(b.Recipe), t(b.Version), st, t(b.Image), took(b.Started, b.Finished))
		}
		tw.Flush()
		for _, b := range r.SortedBuilds() {
			if b.Message != "" {
				fmt.Fprintf(ew, "  %s: %s\n", t(b.Recipe), t(oneLine(b.Message)))
			}
			for _, wmsg := range b.Warnings {
				fmt.Fprintf(ew, "  %s: warning: %s\n", t(b.Recipe), t(oneLine(wmsg)))
			}
			for _, o := range b.Outputs {
				fmt.Fprintf(ew, "  %s: → %s\n", t(b.Recipe), t(o))
			}
		}
	}
	if len(r.Findings) > 0 {
		e, wn := r.Counts()
		fmt.Fprintln(ew)
		fmt.Fprintf(ew, "Lint: %s\n", diag.Summary(e, wn))
		for i, f := range r.Findings {
			if i == textFindingsLimit {
				fmt.Fprintf(ew, "  … and %d more in report.json and report.md\n", len(r.Findings)-i)
				break
			}
			fmt.Fprintf(ew, "  %s\n", findingLine(f))
		}
	}
	if fs := r.FailingSteps(); len(fs) > 0 {
		fmt.Fprintln(ew)
		fmt.Fprintln(ew, "Failing steps:")
		for _, f := range fs {
			fmt.Fprintf(ew, "  %s · %s · %s", t(f.Recipe), t(f.Step.Phase), t(f.Step.Step))
			if f.Step.ExitCode != 0 {
				fmt.Fprintf(ew, " (exit %d)", f.Step.ExitCode)
			}
			fmt.Fprintln(ew)
			if f.Step.Message != "" {
				fmt.Fprintf(ew, "    %s\n", t(oneLine(f.Step.Message)))
			}
			if tail := strings.TrimRight(TailRunes(f.Step.LogTail, 2000), "\n"); tail != "" {
				for _, line := range strings.Split(strings.ReplaceAll(tail, "\r\n", "\n"), "\n") {
					fmt.Fprintf(ew, "    | %s\n", t(line))
				}
			}
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(ew, "skipped: %s\n", t(s))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(ew, "note: %s\n", t(n))
	}
	return ew.err
}

func versionText(from, to string) string {
	switch {
	case from == "" || from == to:
		return to
	case to == "":
		return from
	default:
		return from + " → " + to
	}
}

// WritePlanJSON writes the plan command's JSON: the report's plan, the
// object report.json holds under "plan". Its shape is public.
func WritePlanJSON(w io.Writer, r *Report) error {
	if r.Plan == nil {
		return fmt.Errorf("the report holds no plan")
	}
	return escape.EncodeJSON(w, r.Plan)
}

// WriteJSON writes report.json.
func WriteJSON(w io.Writer, r *Report) error {
	out := *r
	if out.Findings == nil {
		out.Findings = []diag.Finding{}
	}
	if out.Builds == nil {
		out.Builds = []backend.Result{}
	}
	return escape.EncodeJSON(w, &out)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
