package plan

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"text/template"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/report/escape"
)

//go:embed templates/*.tmpl
var templates embed.FS

// mdTemplate is parsed on first use, not at start.
var mdTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("plan.md.tmpl").Option("missingkey=error").Funcs(template.FuncMap{
		"summary": Summary,
		"code":    code,
		"cell":    cell,
		"version": versionCell,
		"pipelines": func(ps []string) string {
			if len(ps) == 0 {
				return "none (build the recipe directly)"
			}
			var out []string
			for _, p := range ps {
				out = append(out, code(p))
			}
			return strings.Join(out, ", ")
		},
	}).ParseFS(templates, "templates/plan.md.tmpl"))
})

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

// cell makes text safe inside a markdown table cell or list item.
func cell(s string) string { return escape.Inline(s) }

func code(s string) string { return escape.CellCode(s) }

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

// WriteMarkdown writes the pull-request comment body.
func WriteMarkdown(w io.Writer, r *Result) error {
	var buf bytes.Buffer
	if err := mdTemplate().Execute(&buf, r); err != nil {
		return fmt.Errorf("render the markdown plan: %w", err)
	}
	buf.WriteString("\n")
	_, err := w.Write(buf.Bytes())
	return err
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
