package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/report/escape"
)

// FindingFormats are the output formats of `ibgitops lint`.
var FindingFormats = []string{"text", "json", "github", "gitlab", "sarif", "junit"}

// LintSummary is the "summary" object of the JSON format.
type LintSummary struct {
	Files    int `json:"files"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// String is the last line of the text formats: "3 files checked: 1
// error, 0 warnings".
func (s LintSummary) String() string {
	return diag.Counted(s.Files, "file") + " checked: " + diag.Summary(s.Errors, s.Warnings)
}

// LintSummary counts the files lint examined and its findings.
func (r *Report) LintSummary() LintSummary {
	e, w := r.Counts()
	return LintSummary{Files: len(r.Files), Errors: e, Warnings: w}
}

// toolVersion is the version in r.Tool ("ibgitops v1.2.3" -> "v1.2.3"),
// for the formats that name the tool and its version apart (SARIF).
func toolVersion(r *Report) string {
	return strings.TrimPrefix(r.Tool, "ibgitops ")
}

// WriteFindings prints the findings of r (and the files lint examined) in
// one of FindingFormats: `lint`'s output, and the artifacts hosts publish.
func WriteFindings(w io.Writer, format string, l *Report) error {
	switch format {
	case "text", "":
		return findingsText(w, l)
	case "json":
		return findingsJSON(w, l)
	case "github":
		return findingsGitHub(w, l)
	case "gitlab":
		return findingsGitLab(w, l)
	case "sarif":
		return findingsSARIF(w, l)
	case "junit":
		return findingsJUnit(w, l)
	}
	return fmt.Errorf("unknown format %q: use one of %s", format, strings.Join(FindingFormats, ", "))
}

func findingsText(w io.Writer, l *Report) error {
	var b strings.Builder
	for _, f := range l.Findings {
		b.WriteString(findingLine(f) + "\n")
	}
	s := l.LintSummary()
	b.WriteString(s.String() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func findingsJSON(w io.Writer, l *Report) error {
	out := struct {
		Findings []diag.Finding `json:"findings"`
		Summary  LintSummary    `json:"summary"`
	}{Findings: l.Findings, Summary: l.LintSummary()}
	if out.Findings == nil {
		out.Findings = []diag.Finding{}
	}
	return escape.EncodeJSON(w, out)
}

// findingLine is a finding on one terminal line: file:line:col: severity:
// message [rule], every field escaped for a terminal or CI log.
func findingLine(f diag.Finding) string {
	t := escape.Term
	msg := t(oneLine(f.Message))
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s: %s [%s]", t(f.File), f.Line, f.Column, t(string(f.Severity)), msg, t(f.Rule))
	}
	return fmt.Sprintf("%s: %s: %s [%s]", t(f.File), t(string(f.Severity)), msg, t(f.Rule))
}

// GitHubAnnotationLimit: GitHub shows at most this many annotations per
// severity and step and drops the rest silently.
const GitHubAnnotationLimit = 10

// WriteAnnotations prints the first GitHubAnnotationLimit findings of each
// severity as GitHub workflow commands and returns the rest, which the
// caller lists some other way. It is the one annotation printer: lint
// --format github and the GitHub host both use it.
func WriteAnnotations(w io.Writer, fs []diag.Finding) ([]diag.Finding, error) {
	var b strings.Builder
	shown := map[diag.Severity]int{}
	var rest []diag.Finding
	for _, f := range fs {
		if shown[f.Severity] >= GitHubAnnotationLimit {
			rest = append(rest, f)
			continue
		}
		shown[f.Severity]++
		cmd := "error"
		if f.Severity == diag.Warning {
			cmd = "warning"
		}
		props := []string{"file=" + escape.GitHubProperty(f.File)}
		if f.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", f.Line))
			if f.Column > 0 {
				props = append(props, fmt.Sprintf("col=%d", f.Column))
			}
		}
		props = append(props, "title="+escape.GitHubProperty("ibgitops "+f.Rule))
		fmt.Fprintf(&b, "::%s %s::%s\n", cmd, strings.Join(props, ","), escape.GitHubData(f.Message))
	}
	_, err := io.WriteString(w, b.String())
	return rest, err
}

func findingsGitHub(w io.Writer, l *Report) error {
	rest, err := WriteAnnotations(w, l.Findings)
	if err != nil {
		return err
	}
	var b strings.Builder
	if len(rest) > 0 {
		fmt.Fprintf(&b, "%s not annotated (GitHub shows %d errors and %d warnings per step):\n",
			diag.Counted(len(rest), "more finding"), GitHubAnnotationLimit, GitHubAnnotationLimit)
		for _, f := range rest {
			b.WriteString(findingLine(f) + "\n")
		}
	}
	s := l.LintSummary()
	b.WriteString(s.String() + "\n")
	_, err = io.WriteString(w, b.String())
	return err
}

type codeQualityIssue struct {
	Description string `json:"description"`
	CheckName   string `json:"check_name"`
	Fingerprint string `json:"fingerprint"`
	Severity    string `json:"severity"`
	Location    struct {
		Path  string `json:"path"`
		Lines struct {
			Begin int `json:"begin"`
		} `json:"lines"`
	} `json:"location"`
}

// findingsGitLab writes a GitLab Code Quality report. Fingerprints are
// unique per finding (identical findings get an occurrence counter), since
// GitLab collapses findings that share one.
func findingsGitLab(w io.Writer, l *Report) error {
	issues := make([]codeQualityIssue, 0, len(l.Findings))
	seen := map[string]int{}
	for _, f := range l.Findings {
		var is codeQualityIssue
		is.Description = f.Message
		is.CheckName = "ibgitops/" + f.Rule
		is.Severity = "major"
		if f.Severity == diag.Warning {
			is.Severity = "minor"
		}
		is.Location.Path = f.File
		is.Location.Lines.Begin = max(f.Line, 1)
		key := fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%s", f.Rule, f.File, f.Line, f.Column, f.Message)
		n := seen[key]
		seen[key] = n + 1
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d", key, n)))
		is.Fingerprint = hex.EncodeToString(sum[:16])
		issues = append(issues, is)
	}
	return escape.EncodeJSON(w, issues)
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool struct {
		Driver struct {
			Name           string      `json:"name"`
			Version        string      `json:"version,omitempty"`
			InformationURI string      `json:"informationUri"`
			Rules          []sarifRule `json:"rules"`
		} `json:"driver"`
	} `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifRule struct {
	ID               string `json:"id"`
	ShortDescription struct {
		Text string `json:"text"`
	} `json:"shortDescription"`
}

type sarifResult struct {
	RuleID    string `json:"ruleId"`
	RuleIndex int    `json:"ruleIndex"`
	Level     string `json:"level"`
	Message   struct {
		Text string `json:"text"`
	} `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region *sarifRegion `json:"region,omitempty"`
	} `json:"physicalLocation"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

func findingsSARIF(w io.Writer, l *Report) error {
	var run sarifRun
	run.Tool.Driver.Name = "ibgitops"
	run.Tool.Driver.Version = toolVersion(l)
	run.Tool.Driver.InformationURI = "https://github.com/ibgitops/ibgitops"
	index := map[string]int{}
	var ids []string
	for _, f := range l.Findings {
		if _, ok := index[f.Rule]; !ok {
			index[f.Rule] = 0
			ids = append(ids, f.Rule)
		}
	}
	sort.Strings(ids)
	run.Tool.Driver.Rules = make([]sarifRule, 0, len(ids))
	for i, id := range ids {
		index[id] = i
		var r sarifRule
		r.ID = id
		r.ShortDescription.Text = l.RuleDocs[id]
		if r.ShortDescription.Text == "" {
			r.ShortDescription.Text = id
		}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, r)
	}
	run.Results = make([]sarifResult, 0, len(l.Findings))
	for _, f := range l.Findings {
		var r sarifResult
		r.RuleID = f.Rule
		r.RuleIndex = index[f.Rule]
		r.Level = "error"
		if f.Severity == diag.Warning {
			r.Level = "warning"
		}
		r.Message.Text = f.Message
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation.URI = f.File
		if f.Line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Column}
		}
		r.Locations = []sarifLocation{loc}
		run.Results = append(run.Results, r)
	}
	return escape.EncodeJSON(w, sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Tests   int          `xml:"tests,attr"`
	Fails   int          `xml:"failures,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name  string      `xml:"name,attr"`
	Tests int         `xml:"tests,attr"`
	Fails int         `xml:"failures,attr"`
	Cases []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// findingsJUnit writes one test case per examined file: it fails when the
// file has error findings; warnings go to system-out.
func findingsJUnit(w io.Writer, l *Report) error {
	byFile := map[string][]diag.Finding{}
	files := append([]string{}, l.Files...)
	known := map[string]bool{}
	for _, f := range files {
		known[f] = true
	}
	for _, f := range l.Findings {
		if !known[f.File] {
			known[f.File] = true
			files = append(files, f.File)
		}
		byFile[f.File] = append(byFile[f.File], f)
	}
	sort.Strings(files)
	suite := junitSuite{Name: "ibgitops lint"}
	for _, file := range files {
		c := junitCase{Name: file, Classname: "ibgitops.lint"}
		var errs, warns []string
		for _, f := range byFile[file] {
			// A junit file is printed to a CI log too (lint --format
			// junit): one finding per line, each escaped.
			line := findingLine(f)
			if f.Severity == diag.Error {
				errs = append(errs, line)
			} else {
				warns = append(warns, line)
			}
		}
		if len(errs) > 0 {
			c.Failure = &junitFailure{Message: diag.Counted(len(errs), "lint error"), Type: "lint", Text: strings.Join(errs, "\n")}
			suite.Fails++
		}
		if len(warns) > 0 {
			c.SystemOut = strings.Join(warns, "\n")
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	return writeJUnit(w, junitSuites{Name: "ibgitops", Tests: suite.Tests, Fails: suite.Fails, Suites: []junitSuite{suite}})
}

// writeJUnit writes a JUnit document, safe for a CI log.
func writeJUnit(w io.Writer, s junitSuites) error {
	data, err := xml.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, xml.Header+string(escape.XML(data))+"\n")
	return err
}
