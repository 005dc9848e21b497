package report

import (
	"bytes"
	"embed"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/report/escape"
)

//go:embed templates/*.md.tmpl
var templateFS embed.FS

// templates are parsed on first use, not at start: every command,
// `ibgitops version` too, would pay for them.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").
		Option("missingkey=error").
		Funcs(template.FuncMap{
			"inline":  escape.Inline,
			"code":    escape.Code,
			"cell":    escape.CellCode,
			"fenced":  escape.Block,
			"short":   ShortSHA,
			"url":     safeURL,
			"isURL":   isHTTPURL,
			"sub":     func(a, b int) int { return a - b },
			"loc":     location,
			"version": versionCell,
			"status":  statusCell,
			"took":    took,
			"planned": func(builds []recipes.Build, max int) string {
				return plannedBuilds(builds, max, escape.Code, escape.Inline)
			},
		}).
		ParseFS(templateFS, "templates/*.md.tmpl"))
})

// MarkdownOptions shape the comment for one host.
type MarkdownOptions struct {
	// Limit is the host's limit in characters (runes): 65,536 on GitHub,
	// 1,000,000 on GitLab. Zero means no limit.
	Limit int
	// HostName names the host in the "cut" note.
	HostName string
	// Marker, when set, is the first line: the sticky comment's marker
	// (StickyMarker).
	Marker string
	// LogURL links the full report and log (the CI job).
	LogURL string
	// Annotated, when set, is a line about annotations ("10 errors and 10
	// warnings are annotated on their lines; 35 more are listed here.").
	Annotated string
}

// Rendering budget steps, from generous to tight. The summary, the plan
// table and the build table are always kept; findings and log tails shrink
// first, then whole sections go.
var budgets = []struct{ findings, tail, rows int }{
	{200, 6000, 1000},
	{100, 3000, 1000},
	{50, 1500, 500},
	{20, 600, 300},
	{10, 200, 200},
	{0, 0, 100},
}

// Markdown renders the report as markdown (the comment, the step summary
// and report.md), cut to opts.Limit runes.
func Markdown(r *Report, opts MarkdownOptions) (string, error) {
	var last string
	for i, b := range budgets {
		s, err := renderMarkdown(r, opts, b.findings, b.tail, b.rows, true, i > 0)
		if err != nil {
			return "", err
		}
		if opts.Limit == 0 || utf8.RuneCountInString(s) <= opts.Limit {
			return s, nil
		}
		last = s
	}
	// Still too long with everything optional shrunk: drop the optional
	// sections entirely.
	s, err := renderMarkdown(r, opts, 0, 0, 50, false, true)
	if err != nil {
		return "", err
	}
	if utf8.RuneCountInString(s) <= opts.Limit {
		return s, nil
	}
	_ = last
	// A plan so large that 50 rows do not fit: keep the header and a note.
	s, err = renderMarkdown(r, opts, 0, 0, 0, false, true)
	if err != nil {
		return "", err
	}
	if utf8.RuneCountInString(s) > opts.Limit {
		return Truncate(s, opts.Limit), nil
	}
	return s, nil
}

type headerData struct {
	R      *Report
	Marker string
}

type planData struct {
	R       *Report
	MaxRows int
	LogURL  string
}

type findingsData struct {
	Errors, Warnings int
	Shown            []diag.Finding
	More             int
	LogURL           string
	Annotated        string
}

type failuresData struct {
	Steps []failureView
}

type failureView struct {
	Recipe string
	Step   backend.StepResult
	Tail   string
}

type footerData struct {
	R         *Report
	Cut       bool
	HostName  string
	LimitText string
	LogURL    string
}

func renderMarkdown(r *Report, opts MarkdownOptions, maxFindings, maxTail, maxRows int, optional, cut bool) (string, error) {
	var sections []string
	add := func(name string, data any) error {
		var buf bytes.Buffer
		if err := templates().ExecuteTemplate(&buf, name, data); err != nil {
			return fmt.Errorf("render %s: %w", name, err)
		}
		sections = append(sections, strings.TrimSpace(buf.String()))
		return nil
	}
	if err := add("header.md.tmpl", headerData{R: r, Marker: opts.Marker}); err != nil {
		return "", err
	}
	if r.Plan != nil {
		if err := add("plan.md.tmpl", planData{R: r, MaxRows: maxRows, LogURL: opts.LogURL}); err != nil {
			return "", err
		}
	}
	if len(r.Builds) > 0 {
		if err := add("builds.md.tmpl", struct{ Builds []backend.Result }{r.SortedBuilds()}); err != nil {
			return "", err
		}
	}
	if optional && len(r.Findings) > 0 {
		e, w := r.Counts()
		shown := r.Findings
		if len(shown) > maxFindings {
			shown = shown[:maxFindings]
		}
		d := findingsData{Errors: e, Warnings: w, Shown: shown, More: len(r.Findings) - len(shown), LogURL: opts.LogURL, Annotated: opts.Annotated}
		if err := add("findings.md.tmpl", d); err != nil {
			return "", err
		}
	} else if len(r.Findings) > 0 {
		e, w := r.Counts()
		d := findingsData{Errors: e, Warnings: w, More: len(r.Findings), LogURL: opts.LogURL, Annotated: opts.Annotated}
		if err := add("findings.md.tmpl", d); err != nil {
			return "", err
		}
	}
	if fs := r.FailingSteps(); len(fs) > 0 && optional {
		var views []failureView
		for _, f := range fs {
			views = append(views, failureView{Recipe: f.Recipe, Step: f.Step, Tail: TailRunes(f.Step.LogTail, maxTail)})
		}
		if err := add("failures.md.tmpl", failuresData{Steps: views}); err != nil {
			return "", err
		}
	}
	limitText := ""
	if opts.Limit > 0 {
		limitText = thousands(opts.Limit)
	}
	if err := add("footer.md.tmpl", footerData{R: r, Cut: cut, HostName: hostOr(opts.HostName), LimitText: limitText, LogURL: opts.LogURL}); err != nil {
		return "", err
	}
	return strings.Join(sections, "\n\n") + "\n", nil
}

func hostOr(s string) string {
	if s == "" {
		return "the host"
	}
	return s
}

func thousands(n int) string {
	s := itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// safeURL keeps only http(s) links, escaped for a markdown link target.
func safeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "#"
	}
	out := u.String()
	out = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(out)
	return out
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func location(f diag.Finding) string {
	if f.Line == 0 {
		return f.File
	}
	if f.Column == 0 {
		return fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
}

func versionCell(from, to string) string {
	switch {
	case from == "" && to == "":
		return ""
	case from == "" || from == to:
		return escape.Inline(to)
	case to == "":
		return escape.Inline(from)
	default:
		return escape.Inline(from) + " → " + escape.Inline(to)
	}
}

func statusCell(s backend.Status) string {
	switch s {
	case backend.StatusSucceeded:
		return "✅ succeeded"
	case backend.StatusSkipped:
		return "⏭️ already built"
	case backend.StatusCancelled:
		return "⏹️ cancelled"
	case backend.StatusFailed:
		return "❌ failed"
	}
	return escape.Inline(string(s))
}

// plannedBuilds lists the recipe versions a plan builds and the pipelines
// that build them, at most max of them: one list for every format, name
// and version quoted by the format's own escaping.
func plannedBuilds(builds []recipes.Build, max int, name, text func(string) string) string {
	var parts []string
	for i, b := range builds {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(builds)-i))
			break
		}
		p := name(b.Name) + " " + text(b.Version)
		if len(b.Pipelines) > 0 {
			var ps []string
			for _, pipeline := range b.Pipelines {
				ps = append(ps, name(pipeline))
			}
			p += " (pipeline " + strings.Join(ps, ", ") + ")"
		} else {
			p += " (no pipeline: built from the recipe)"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func took(start, end time.Time) string {
	if start.IsZero() || end.IsZero() {
		return ""
	}
	return Duration(end.Sub(start))
}
