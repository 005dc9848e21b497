// Package report holds the one result model of an `ibgitops run` and its
// printers: a terminal summary (text), the pull-request comment and step
// summary (markdown, from embedded templates) and report.json. The lint
// finding printers (github, gitlab code quality, sarif, junit) live beside
// them in findings*.go.
package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// Report is everything one run did, in the shape every printer reads. Its
// JSON names are a public contract (report.json).
type Report struct {
	Tool       string    `json:"tool"`           // "ibgitops v1.2.3"
	Host       string    `json:"host,omitempty"` // GitHub | GitLab | "" (local)
	Event      string    `json:"event"`          // "pull request #12", "push to main", "local run"
	Action     string    `json:"action"`         // what the event called for: "lint + plan", ...
	Repository string    `json:"repository,omitempty"`
	Commit     string    `json:"commit,omitempty"`
	Base       string    `json:"base,omitempty"`
	RunURL     string    `json:"runUrl,omitempty"`
	Started    time.Time `json:"started"`
	Finished   time.Time `json:"finished"`

	// Linted says lint ran (Findings then holds all it found, maybe none).
	Linted   bool           `json:"linted"`
	Findings []diag.Finding `json:"findings"`
	// Files are the files lint examined, relative to the repository root:
	// JUnit lists one test case per file, passing or not.
	Files []string `json:"files,omitempty"`
	// RuleDocs maps rule ids to one-line descriptions (SARIF metadata).
	RuleDocs map[string]string `json:"-"`
	Plan     *recipes.Plan     `json:"plan,omitempty"`
	Builds   []backend.Result  `json:"builds"`
	// Skipped says what the run did not do and why ("build: pull request,
	// builds run after merge").
	Skipped []string `json:"skipped,omitempty"`
	// Notes are problems that did not change the outcome, such as a
	// reporting failure or a component skipped locally.
	Notes []string `json:"notes,omitempty"`

	Failed bool `json:"failed"`
	// FailOn is the severity that fails the run: error | warning | never.
	FailOn string `json:"failOn"`
	// Error is set when the run could not finish (a step returned an error).
	Error string `json:"error,omitempty"`
}

// Counts returns the number of error and warning findings.
func (r *Report) Counts() (errors, warnings int) { return diag.Count(r.Findings) }

// Changed reports whether the plan changes anything.
func (r *Report) Changed() bool { return r.Plan != nil && len(r.Plan.Changes) > 0 }

// Versions maps each planned recipe to its version, for the `versions` output.
func (r *Report) Versions() map[string]string {
	v := map[string]string{}
	if r.Plan != nil {
		for _, b := range r.Plan.Builds {
			v[b.Name] = b.Version
		}
	}
	return v
}

// Image is one built image, for the `images` output.
type Image struct {
	Recipe  string   `json:"recipe"`
	Version string   `json:"version"`
	Image   string   `json:"image"`
	Outputs []string `json:"outputs,omitempty"`
}

// Images lists what the run built (or found already built).
func (r *Report) Images() []Image {
	out := []Image{}
	for _, b := range r.Builds {
		if b.Image == "" || (b.Status != backend.StatusSucceeded && b.Status != backend.StatusSkipped) {
			continue
		}
		out = append(out, Image{Recipe: b.Recipe, Version: b.Version, Image: b.Image, Outputs: b.Outputs})
	}
	return out
}

// BuildCounts returns how many builds succeeded (or were already built) and failed.
func (r *Report) BuildCounts() (ok, failed int) {
	for _, b := range r.Builds {
		switch b.Status {
		case backend.StatusSucceeded, backend.StatusSkipped:
			ok++
		default:
			failed++
		}
	}
	return ok, failed
}

// LintFails reports whether the findings fail the run under FailOn.
func (r *Report) LintFails() bool {
	e, w := r.Counts()
	switch r.FailOn {
	case "never":
		return false
	case "warning":
		return e+w > 0
	default:
		return e > 0
	}
}

// LintState is "success" or "failure" for the lint commit status.
func (r *Report) LintState() string {
	if r.LintFails() || (r.Error != "" && r.Findings == nil) {
		return "failure"
	}
	return "success"
}

// LintDescription is the one-line lint status description.
func (r *Report) LintDescription() string {
	e, w := r.Counts()
	switch {
	case r.Error != "" && r.Findings == nil:
		return Truncate("could not lint: "+r.Error, 140)
	case e+w == 0:
		return "no findings"
	default:
		return diag.Summary(e, w)
	}
}

// BuildDescription is the one-line status description of a build.
func BuildDescription(b backend.Result) string {
	d := fmt.Sprintf("%s %s", b.Version, b.Status)
	if b.Message != "" {
		d += ": " + oneLine(b.Message)
	} else if b.Image != "" {
		d += ": " + b.Image
	}
	if !b.Finished.IsZero() && !b.Started.IsZero() {
		d += fmt.Sprintf(" (%s)", Duration(b.Finished.Sub(b.Started)))
	}
	return Truncate(d, 140)
}

// Summary is the one-line verdict every printer starts with.
func (r *Report) Summary() string {
	var parts []string
	e, w := r.Counts()
	if r.Linted || r.Findings != nil {
		if e+w == 0 {
			parts = append(parts, "lint clean")
		} else {
			parts = append(parts, "lint: "+diag.Summary(e, w))
		}
	}
	if r.Plan != nil {
		if len(r.Plan.Builds) == 0 {
			parts = append(parts, "no recipe to build")
		} else {
			parts = append(parts, diag.Counted(len(r.Plan.Builds), "recipe")+" planned")
		}
	}
	if len(r.Builds) > 0 {
		ok, failed := r.BuildCounts()
		s := fmt.Sprintf("%d built", ok)
		if failed > 0 {
			s += fmt.Sprintf(", %d failed", failed)
		}
		parts = append(parts, s)
	}
	if r.Error != "" {
		parts = append(parts, "could not finish")
	}
	verdict := "passed"
	if r.Failed {
		verdict = "failed"
	}
	return fmt.Sprintf("ibgitops %s: %s", verdict, strings.Join(parts, "; "))
}

// FailingSteps lists every failed step and test of every build, in build order.
func (r *Report) FailingSteps() []FailingStep {
	var out []FailingStep
	for _, b := range r.Builds {
		for _, s := range append(append([]backend.StepResult{}, b.Steps...), b.Tests...) {
			if isFailure(s.Status) {
				out = append(out, FailingStep{Recipe: b.Recipe, Step: s})
			}
		}
	}
	return out
}

// FailingStep is a failed step with the recipe it belongs to.
type FailingStep struct {
	Recipe string
	Step   backend.StepResult
}

func isFailure(status string) bool {
	switch strings.ToLower(status) {
	case "failed", "failure", "error", "timedout", "timed out":
		return true
	}
	return false
}

// SortedBuilds returns the builds ordered by recipe name.
func (r *Report) SortedBuilds() []backend.Result {
	out := append([]backend.Result(nil), r.Builds...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Recipe < out[j].Recipe })
	return out
}

// Duration prints d rounded for people: 850ms, 12s, 3m04s, 1h02m.
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// Truncate cuts s to at most n runes, ending with "…" when cut.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return string(r[:n])
	}
	return string(r[:n-1]) + "…"
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// ShortSHA returns the first 7 characters of a commit id.
func ShortSHA(s string) string {
	if len(s) > 7 {
		return s[:7]
	}
	return s
}
