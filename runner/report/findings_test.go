package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/internal/testutil"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/report/escape/escapetest"
)

func sampleLint() *Report {
	return &Report{
		Findings: []diag.Finding{
			{Rule: "unknown-key", Severity: diag.Error, File: "recipes/web, 1.yaml", Line: 7, Column: 3,
				Message: "unknown key \"parentimage\" in ImageRecipe; did you mean \"parentImage\"?"},
			{Rule: "schedule", Severity: diag.Error, File: "pipelines/nightly.yaml", Line: 9, Column: 23,
				Message: "schedule \"cron(0 0 * * *)\" has 5 fields: 100% wrong\nadd the year field"},
			{Rule: "dockerfile-template", Severity: diag.Warning, File: "recipes/app.yaml", Line: 8, Column: 21,
				Message: "the Dockerfile template has no {{{ imagebuilder:components }}} placeholder; add it"},
			{Rule: "file-too-large", Severity: diag.Error, File: "big.yaml", Message: "the file is larger than 1 MiB; split it <now> & \"soon\""},
		},
		Files:    []string{"big.yaml", "components/clean.yaml", "pipelines/nightly.yaml", "recipes/app.yaml", "recipes/web, 1.yaml"},
		RuleDocs: map[string]string{"unknown-key": "a key the kind does not have"},
		Tool:     "ibgitops v1.2.3",
	}
}

func findingsGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", "findings", name), got, *update)
}

func TestFindingPrinters(t *testing.T) {
	for _, format := range FindingFormats {
		for _, c := range []struct {
			name string
			lint *Report
		}{{"findings", sampleLint()}, {"clean", &Report{Files: []string{"a.yaml", "b.yaml"}}}} {
			t.Run(format+"/"+c.name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := WriteFindings(&buf, format, c.lint); err != nil {
					t.Fatal(err)
				}
				findingsGolden(t, c.name+"."+format, buf.Bytes())
				switch format {
				case "json", "gitlab", "sarif":
					if !json.Valid(buf.Bytes()) {
						t.Fatal("not valid JSON")
					}
				case "junit":
					var v junitSuites
					if err := xml.Unmarshal(buf.Bytes(), &v); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	}
	if err := WriteFindings(&bytes.Buffer{}, "yaml", sampleLint()); err == nil || !strings.Contains(err.Error(), "use one of") {
		t.Fatalf("unknown format: %v", err)
	}
}

func TestFindingsJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteFindings(&buf, "json", sampleLint()); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Findings []map[string]any `json:"findings"`
		Summary  map[string]int   `json:"summary"`
	}
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	if len(v.Findings) != 4 || len(v.Findings[0]) != 6 {
		t.Fatalf("findings shape: %v", v.Findings)
	}
	for _, k := range []string{"rule", "severity", "file", "line", "column", "message"} {
		if _, ok := v.Findings[0][k]; !ok {
			t.Errorf("finding lacks %q", k)
		}
	}
	if v.Summary["files"] != 5 || v.Summary["errors"] != 3 || v.Summary["warnings"] != 1 || len(v.Summary) != 3 {
		t.Errorf("summary: %v", v.Summary)
	}
}

func TestGitHubAnnotationsEscapeAndCap(t *testing.T) {
	l := &Report{}
	for i := 0; i < 12; i++ {
		l.Findings = append(l.Findings, diag.Finding{Rule: "r", Severity: diag.Error, File: "a,b:c.yaml", Line: i + 1, Column: 1, Message: "50% bad\r\nfix"})
	}
	var buf bytes.Buffer
	if err := WriteFindings(&buf, "github", l); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := strings.Count(out, "::error "); n != 10 {
		t.Errorf("%d annotations, want 10", n)
	}
	if !strings.Contains(out, "::error file=a%2Cb%3Ac.yaml,line=1,col=1,title=ibgitops r::50%25 bad%0D%0Afix\n") {
		t.Errorf("escaping:\n%s", out)
	}
	if !strings.Contains(out, "2 more findings not annotated") {
		t.Errorf("no note about the findings past the limit:\n%s", out)
	}
}

func TestGitLabFingerprintsUnique(t *testing.T) {
	f := diag.Finding{Rule: "r", Severity: diag.Error, File: "a.yaml", Line: 1, Column: 1, Message: "same"}
	var buf bytes.Buffer
	if err := WriteFindings(&buf, "gitlab", &Report{Findings: []diag.Finding{f, f}}); err != nil {
		t.Fatal(err)
	}
	var issues []codeQualityIssue
	if err := json.Unmarshal(buf.Bytes(), &issues); err != nil {
		t.Fatal(err)
	}
	if len(issues) != 2 || issues[0].Fingerprint == issues[1].Fingerprint {
		t.Fatalf("fingerprints not unique: %+v", issues)
	}
}

func hostileLint(s string) *Report {
	l := &Report{Tool: "ibgitops v1"}
	// More than GitHub annotates, so the overflow lines are printed too.
	for i := range 12 {
		l.Findings = append(l.Findings,
			diag.Finding{Rule: "name-pattern" + s, Severity: diag.Error, File: s + ".yaml", Line: i + 1, Column: 1, Message: s},
			diag.Finding{Rule: s, Severity: diag.Warning, File: s, Message: "name " + s})
		l.Files = append(l.Files, s)
	}
	return l
}

// checkFindingSinks prints l in every format and checks the ones read as a
// CI log (all of them can be printed to stdout).
func checkFindingSinks(t *testing.T, l *Report) {
	t.Helper()
	for _, format := range FindingFormats {
		var buf bytes.Buffer
		if err := WriteFindings(&buf, format, l); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		var own *regexp.Regexp
		if format == "github" {
			own = escapetest.Own
		}
		escapetest.AssertClean(t, buf.String(), own)
	}
}

func TestFindingPrintersEscapeHostileText(t *testing.T) {
	for _, s := range escapetest.Hostile {
		checkFindingSinks(t, hostileLint(s))
	}
}

func FuzzFindingPrinters(f *testing.F) {
	for _, s := range escapetest.Hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkFindingSinks(t, hostileLint(s)) })
}
