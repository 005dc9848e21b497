package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
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
	verdict := paint("32;1", "✔ "+r.Summary())
	if r.Failed {
		verdict = paint("31;1", "✘ "+r.Summary())
	}
	fmt.Fprintln(ew, verdict)
	fmt.Fprintf(ew, "  %s · %s", r.Event, r.Action)
	if r.Commit != "" {
		fmt.Fprintf(ew, " · commit %s", ShortSHA(r.Commit))
	}
	if r.Base != "" {
		fmt.Fprintf(ew, " · base %s", ShortSHA(r.Base))
	}
	fmt.Fprintln(ew)
	if r.Error != "" {
		fmt.Fprintf(ew, "  could not finish: %s\n", r.Error)
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
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", c.Change, c.Kind, c.Name, versionText(c.FromVersion, c.ToVersion), c.Bump, oneLine(c.Reason))
			}
			tw.Flush()
		}
	}
	if len(r.Builds) > 0 {
		fmt.Fprintln(ew)
		fmt.Fprintln(ew, "Builds:")
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  RECIPE\tVERSION\tSTATUS\tIMAGE\tTIME")
		for _, b := range r.SortedBuilds() {
			st := string(b.Status)
			if b.Status == "failed" {
				st = paint("31", st)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", b.Recipe, b.Version, st, b.Image, took(b.Started, b.Finished))
		}
		tw.Flush()
		for _, b := range r.SortedBuilds() {
			if b.Message != "" {
				fmt.Fprintf(ew, "  %s: %s\n", b.Recipe, oneLine(b.Message))
			}
			for _, wmsg := range b.Warnings {
				fmt.Fprintf(ew, "  %s: warning: %s\n", b.Recipe, oneLine(wmsg))
			}
			for _, o := range b.Outputs {
				fmt.Fprintf(ew, "  %s: → %s\n", b.Recipe, o)
			}
		}
	}
	if len(r.Findings) > 0 {
		e, wn := r.Counts()
		fmt.Fprintln(ew)
		fmt.Fprintf(ew, "Lint: %s, %s\n", countOf(e, "error"), countOf(wn, "warning"))
		for i, f := range r.Findings {
			if i == textFindingsLimit {
				fmt.Fprintf(ew, "  … and %d more in report.json and report.md\n", len(r.Findings)-i)
				break
			}
			fmt.Fprintf(ew, "  %s\n", f)
		}
	}
	if fs := r.FailingSteps(); len(fs) > 0 {
		fmt.Fprintln(ew)
		fmt.Fprintln(ew, "Failing steps:")
		for _, f := range fs {
			fmt.Fprintf(ew, "  %s · %s · %s", f.Recipe, f.Step.Phase, f.Step.Step)
			if f.Step.ExitCode != 0 {
				fmt.Fprintf(ew, " (exit %d)", f.Step.ExitCode)
			}
			fmt.Fprintln(ew)
			if f.Step.Message != "" {
				fmt.Fprintf(ew, "    %s\n", oneLine(f.Step.Message))
			}
			if t := strings.TrimRight(TailRunes(f.Step.LogTail, 2000), "\n"); t != "" {
				for _, line := range strings.Split(t, "\n") {
					fmt.Fprintf(ew, "    | %s\n", line)
				}
			}
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(ew, "skipped: %s\n", s)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(ew, "note: %s\n", n)
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

// WriteJSON writes report.json.
func WriteJSON(w io.Writer, r *Report) error {
	out := *r
	if out.Findings == nil {
		out.Findings = []diag.Finding{}
	}
	if out.Builds == nil {
		out.Builds = []backend.Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&out)
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
