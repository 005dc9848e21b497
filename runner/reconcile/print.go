package reconcile

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ibgitops/ibgitops/runner/report/escape"
)

// Every name, message and field value here came from the repository or the
// backend (a console edit can put anything into a live field), so each
// printer sends them through the escaping layer of its sink: tprintf for
// terminal text, escape.Inline/CellCode for markdown, EncodeJSON for JSON.

// tprintf is Fprintf for a terminal or CI log: the format is ibgitops' own,
// every string argument is escaped so that it stays on its line and can
// start no workflow command.
func tprintf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format, escape.Args(args)...)
}

// statusOrder is how the summary line counts states.
var statusOrder = []State{InSync, Missing, Drifted, VersionTaken, NotInGit, Unreadable}

// Summary is one line: how many resources are in each state.
func (s *Status) Summary() string {
	c := s.Counts()
	var parts []string
	for _, st := range statusOrder {
		if c[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[st], st))
		}
	}
	if len(parts) == 0 {
		return "nothing to compare: the repository defines no resource the " + s.Backend + " backend holds"
	}
	return strings.Join(parts, ", ")
}

// WriteText prints one line per resource, the fields of drifted ones
// indented under it, and the summary.
func WriteText(w io.Writer, s *Status) error {
	for _, e := range s.Entries {
		name := e.Name
		if e.Version != "" {
			name += " " + e.Version
		}
		tprintf(w, "%-13s %-28s %-32s %s\n", string(e.State), string(e.Kind), name, e.Message)
		for _, f := range e.Fields {
			tprintf(w, "%-13s   %s: %s -> %s (file)\n", "", f.Field, show(f.Live), show(f.Desired))
		}
	}
	tprintf(w, "\n%s backend: %s (%d reads, %d of them list pages)\n", s.Backend, s.Summary(), s.Reads, s.Lists)
	return nil
}

// WriteJSON prints the status as indented JSON.
func WriteJSON(w io.Writer, s *Status) error {
	return escape.EncodeJSON(w, struct {
		*Status
		InSync  bool          `json:"inSync"`
		Summary string        `json:"summary"`
		Counts  map[State]int `json:"counts"`
	}{s, s.InSync(), s.Summary(), s.Counts()})
}

// WriteMarkdown prints a table of the resources that are not in sync
// (every resource when all are) and the drifted fields.
func WriteMarkdown(w io.Writer, s *Status) error {
	fmt.Fprintf(w, "### ibgitops status: %s backend\n\n%s\n\n", escape.Inline(s.Backend), escape.Inline(s.Summary()))
	rows := s.Entries
	if !s.InSync() {
		rows = nil
		for _, e := range s.Entries {
			if e.State != InSync {
				rows = append(rows, e)
			}
		}
	}
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w, "| state | resource | version | where | why |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, e := range rows {
		why := escape.Inline(e.Message)
		for _, f := range e.Fields {
			why += fmt.Sprintf("<br>%s: %s → %s", escape.CellCode(f.Field), escape.CellCode(show(f.Live)), escape.CellCode(show(f.Desired)))
		}
		fmt.Fprintf(w, "| %s | %s %s | %s | %s | %s |\n", escape.Inline(string(e.State)), escape.Inline(string(e.Kind)), escape.CellCode(e.Name),
			escape.Inline(orDash(e.Version)), escape.Inline(orDash(where(e))), why)
	}
	return nil
}

func where(e Entry) string {
	if e.File == "" {
		return e.ID
	}
	return e.Where()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// show prints a field value compactly: strings as they are, the rest as
// JSON, an absent value as (none).
func show(v any) string {
	if v == nil {
		return "(none)"
	}
	if s, ok := v.(string); ok {
		return s
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}

// WritePlanText prints what a reconciling run does.
func WritePlanText(w io.Writer, p *Plan) error {
	if p.Empty() {
		fmt.Fprintln(w, "reconcile: nothing to do: every recipe version has an available image of its content and every mutable resource matches its file")
	}
	for _, b := range p.Builds {
		line := fmt.Sprintf("build   %s %s", b.Name, b.Version)
		if r := p.Retries[b.Name]; r != "" {
			line += " (" + r + ")"
		}
		fmt.Fprintln(w, escape.Term(line))
	}
	for i, u := range append(append([]Entry{}, p.Updates...), p.AfterBuilds...) {
		verb, after := "update ", ""
		if u.State == Missing {
			verb = "create "
		}
		if i >= len(p.Updates) {
			after = " (after its recipe is built)"
		}
		tprintf(w, "%s %s %s%s: %s\n", verb, string(u.Kind), u.Name, after, u.Message)
		for _, f := range u.Fields {
			tprintf(w, "          %s: %s -> %s\n", f.Field, show(f.Live), show(f.Desired))
		}
	}
	for _, b := range p.Blocked {
		tprintf(w, "blocked %s %s: %s: %s\n", string(b.Kind), b.Name, string(b.State), b.Message)
	}
	for _, u := range p.Unreached {
		tprintf(w, "note    image %s of %s %s was distributed before distribution %s changed; this run does not redistribute it: %s\n",
			u.Image, u.Recipe, u.Version, u.Distribution, u.Command)
	}
	return nil
}
