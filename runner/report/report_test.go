package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ibgitops/ibgitops/internal/testutil"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/report/escape/escapetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", name), []byte(got), *update)
}

var t0 = time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)

func cleanReport() *Report {
	return &Report{
		Tool: "ibgitops v1.0.0", Host: "GitHub", Event: "pull request #12", Action: "lint + plan",
		Repository: "acme/images", Commit: "0123456789abcdef", Base: "fedcba9876543210",
		RunURL: "https://github.com/acme/images/actions/runs/42", Started: t0, Finished: t0.Add(3 * time.Second),
		Linted: true, Findings: []diag.Finding{}, Files: []string{"components/nginx.yaml", "recipes/web.yaml"},
		Plan: &recipes.Plan{Base: "fedcba9876543210", Head: "0123456789abcdef",
			Changes: []recipes.Change{
				{Kind: recipes.KindComponent, Name: "nginx", File: "components/nginx.yaml", Change: "modified", FromVersion: "1.0.0", ToVersion: "1.1.0", Bump: "minor", Reason: "feat: add gzip"},
				{Kind: recipes.KindImageRecipe, Name: "web-server", File: "recipes/web.yaml", Change: "affected", FromVersion: "2.0.0", ToVersion: "2.0.1", Bump: "patch", Reason: "uses component nginx"},
			},
			Builds: []recipes.Build{{Kind: recipes.KindImageRecipe, Name: "web-server", Version: "2.0.1", Pipelines: []string{"web"}}}},
		Skipped: []string{"build: pull requests are built after merge"},
		FailOn:  "error",
	}
}

func failedReport() *Report {
	r := cleanReport()
	r.Event, r.Action = "push to main", "lint + plan + build"
	r.Findings = []diag.Finding{
		{Rule: "version-not-raised", Severity: diag.Error, File: "components/nginx.yaml", Line: 3, Column: 10, Message: "content changed but version 1.0.0 was not raised | <script>alert(1)</script> @security-team"},
		{Rule: "unused-component", Severity: diag.Warning, File: "components/old.yaml", Line: 1, Column: 1, Message: "component old is used by no recipe"},
	}
	r.Skipped = nil
	r.Builds = []backend.Result{
		{Recipe: "web-server", Kind: recipes.KindImageRecipe, Version: "2.0.1", Status: backend.StatusFailed, Message: "component nginx failed in phase build",
			LogURL:  "https://console.aws.amazon.com/cloudwatch/home#logs:group=/aws/imagebuilder/web-server",
			Started: t0, Finished: t0.Add(95 * time.Second),
			Steps: []backend.StepResult{
				{Phase: "build", Component: "nginx", Step: "Install", Status: "success"},
				{Phase: "build", Component: "nginx", Step: "Configure", Status: "failed", ExitCode: 2, Message: "command exited 2",
					LogTail: "line 1\n```\n</details><img src=x onerror=alert(1)>\n@everyone [click](javascript:alert(1))\nfatal: no such file"},
			}},
		{Recipe: "base", Kind: recipes.KindImageRecipe, Version: "1.0.0", Status: backend.StatusSucceeded, Image: "localhost/base:1.0.0",
			Outputs: []string{"registry.local/base:1.0.0"}, LogURL: ".ibgitops/builds/base/1", Started: t0, Finished: t0.Add(40 * time.Second)},
	}
	r.Failed = true
	return r
}

// planReport is what `ibgitops plan` prints: a plan only (plan.Result's
// Report), with a recipe built by no pipeline and a warning.
func planReport() *Report {
	r := cleanReport()
	r.Host, r.Repository, r.RunURL, r.Started, r.Finished = "", "", "", time.Time{}, time.Time{}
	r.Event, r.Action, r.Linted, r.Findings, r.Files, r.Skipped, r.FailOn = "plan of HEAD against main", "plan", false, nil, nil, nil, ""
	r.Plan.Builds = append(r.Plan.Builds, recipes.Build{Kind: recipes.KindContainerRecipe, Name: "api", Version: "0.3.0"})
	r.Notes = []string{"the work tree has uncommitted changes under the root: planned them"}
	return r
}

// Each format has one printer; `run` writes text, markdown, report.json
// and JUnit, `plan` text, markdown and the plan's JSON.
func TestPrinters(t *testing.T) {
	cases := []struct {
		name string
		r    *Report
		plan bool // printed by the plan command
	}{
		{"clean", cleanReport(), false},
		{"failed", failedReport(), false},
		{"plan", planReport(), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			md, err := Markdown(c.r, MarkdownOptions{Limit: 65536, HostName: "GitHub", Marker: StickyMarker("."), LogURL: c.r.RunURL})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+".md", md)
			var txt bytes.Buffer
			if err := WriteText(&txt, c.r, false); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+".txt", txt.String())
			var js bytes.Buffer
			if err := WriteJSON(&js, c.r); err != nil {
				t.Fatal(err)
			}
			var pj bytes.Buffer
			if err := WritePlanJSON(&pj, c.r); err != nil {
				t.Fatal(err)
			}
			// The plan command's JSON is report.json's plan object.
			var full struct{ Plan json.RawMessage }
			if err := json.Unmarshal(js.Bytes(), &full); err != nil {
				t.Fatal(err)
			}
			var a, b bytes.Buffer
			if json.Compact(&a, full.Plan) != nil || json.Compact(&b, pj.Bytes()) != nil || a.String() != b.String() {
				t.Errorf("the plan JSON is not report.json's plan object:\n%s\nvs\n%s", b.String(), a.String())
			}
			if c.plan {
				golden(t, c.name+".json", pj.String())
				return
			}
			golden(t, c.name+".json", js.String())
			var ju bytes.Buffer
			if err := WriteBuildsJUnit(&ju, c.r); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+".junit.xml", ju.String())
		})
	}
}

func TestMarkdownEscapesUntrustedText(t *testing.T) {
	md, err := Markdown(failedReport(), MarkdownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	outside := stripFences(md)
	for _, bad := range []string{"<script>", "<img", "@security-team", "| <script", "[click]"} {
		if strings.Contains(outside, bad) {
			t.Errorf("markdown contains unescaped %q", bad)
		}
	}
	// The log tail holds a ``` line; the fence around it must be longer.
	if !strings.Contains(md, "````text\n") {
		t.Errorf("log fence is not longer than the backticks in the log:\n%s", md)
	}
	// Outside code blocks, no @mention survives.
	if strings.Contains(outside, "@everyone") || strings.Contains(outside, "@security") {
		t.Errorf("mention outside a code block:\n%s", outside)
	}
}

func stripFences(md string) string {
	var out []string
	in := ""
	for _, line := range strings.Split(md, "\n") {
		if in == "" && strings.HasPrefix(line, "```") {
			in = strings.TrimRight(line, "text")
			continue
		}
		if in != "" {
			if line == in {
				in = ""
			}
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func TestMarkdownCutToLimitKeepsSummaryAndTable(t *testing.T) {
	r := failedReport()
	long := strings.Repeat("x", 200) + "\n"
	r.Builds[0].Steps[1].LogTail = strings.Repeat(long, 2000) + "the last line"
	for i := 0; i < 3000; i++ {
		r.Findings = append(r.Findings, diag.Finding{Rule: "r", Severity: diag.Warning, File: "f.yaml", Line: i + 1, Column: 1, Message: strings.Repeat("m", 50)})
	}
	for _, limit := range []int{65536, 20000, 6000} {
		md, err := Markdown(r, MarkdownOptions{Limit: limit, HostName: "GitHub", Marker: StickyMarker("."), LogURL: r.RunURL})
		if err != nil {
			t.Fatal(err)
		}
		if n := utf8.RuneCountInString(md); n > limit {
			t.Errorf("limit %d: got %d characters", limit, n)
		}
		wants := []string{StickyMarker("."), "ibgitops failed", "| Change | Kind |", "| web-server |", r.RunURL}
		if limit < 65536 {
			wants = append(wants, "cut to fit GitHub's")
		}
		for _, want := range wants {
			if !strings.Contains(md, want) {
				t.Errorf("limit %d: cut comment lost %q", limit, want)
			}
		}
	}
	md, _ := Markdown(r, MarkdownOptions{Limit: 65536})
	if !strings.Contains(md, "the last line") {
		t.Errorf("log tail should keep the end of the log")
	}
}

func TestDescriptionsFit140(t *testing.T) {
	b := backend.Result{Version: "1.0.0", Status: backend.StatusFailed, Message: strings.Repeat("very long failure ", 30)}
	if n := utf8.RuneCountInString(BuildDescription(b)); n > 140 {
		t.Errorf("description has %d characters", n)
	}
	r := &Report{Error: strings.Repeat("e", 300)}
	if n := utf8.RuneCountInString(r.LintDescription()); n > 140 {
		t.Errorf("lint description has %d characters", n)
	}
}

// BenchmarkMarkdownCut renders a large failing report (3,000 findings, a
// 400 KB log tail, 500 plan rows) cut to GitHub's comment limit.
func BenchmarkMarkdownCut(b *testing.B) {
	r := failedReport()
	r.Builds[0].Steps[1].LogTail = strings.Repeat(strings.Repeat("y", 199)+"\n", 2000)
	for i := 0; i < 3000; i++ {
		r.Findings = append(r.Findings, diag.Finding{Rule: "r", Severity: diag.Warning, File: "f.yaml", Line: i + 1, Column: 1, Message: strings.Repeat("m", 60)})
	}
	for i := 0; i < 500; i++ {
		r.Plan.Changes = append(r.Plan.Changes, recipes.Change{Kind: recipes.KindComponent, Name: "c" + itoa(i), Change: "modified", FromVersion: "1.0.0", ToVersion: "1.0.1", Bump: "patch", Reason: "fix: something"})
	}
	b.ReportAllocs()
	for b.Loop() {
		md, err := Markdown(r, MarkdownOptions{Limit: 65536, HostName: "GitHub", Marker: StickyMarker("."), LogURL: r.RunURL})
		if err != nil || utf8.RuneCountInString(md) > 65536 {
			b.Fatalf("%v %d", err, len(md))
		}
	}
}

// hostileReport puts s in every field a repository or a build controls.
func hostileReport(s string) *Report {
	r := failedReport()
	r.Event, r.Action, r.Error = "push to "+s, s, "load "+s
	r.Commit, r.Base = s, s
	r.Plan.Changes = append(r.Plan.Changes, recipes.Change{Kind: recipes.KindComponent, Name: s, File: s, Change: s, FromVersion: s, ToVersion: s, Bump: s, Reason: s})
	r.Builds = append(r.Builds, backend.Result{Recipe: s, Version: s, Status: backend.StatusFailed, Image: s, Outputs: []string{s}, Warnings: []string{s}, Message: s,
		Steps: []backend.StepResult{{Phase: s, Step: s, Component: s, Status: "failed", Message: s, LogTail: s + "\n" + s + "\r\n" + s}}})
	r.Findings = append(r.Findings, diag.Finding{Rule: s, Severity: diag.Error, File: s, Line: 1, Column: 1, Message: s})
	r.Skipped = append(r.Skipped, s)
	r.Notes = append(r.Notes, s)
	return r
}

func checkReportSinks(t *testing.T, s string) {
	t.Helper()
	r := hostileReport(s)
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := WriteText(&buf, r, color); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if color {
			// ibgitops' own colours are the only escape sequences.
			out = strings.NewReplacer("\x1b[32;1m", "", "\x1b[31;1m", "", "\x1b[31m", "", "\x1b[0m", "").Replace(out)
		}
		escapetest.AssertClean(t, out, nil)
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	escapetest.AssertClean(t, js.String(), nil)
	var junit bytes.Buffer
	if err := WriteBuildsJUnit(&junit, r); err != nil {
		t.Fatal(err)
	}
	escapetest.AssertClean(t, junit.String(), nil)
}

func TestReportPrintersEscapeHostileText(t *testing.T) {
	for _, s := range escapetest.Hostile {
		checkReportSinks(t, s)
	}
}

func FuzzReportPrinters(f *testing.F) {
	for _, s := range escapetest.Hostile {
		f.Add(s)
	}
	f.Fuzz(checkReportSinks)
}

// assertTablesIntact checks that every row of every table in md has as
// many cells as its header (#12 item 8: a "|" in a path split the cells).
func assertTablesIntact(t *testing.T, md string) {
	t.Helper()
	header := 0
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = 0
			continue
		}
		if header == 0 {
			header = escapetest.TableSeparators(line)
			continue
		}
		if n := escapetest.TableSeparators(line); n != header {
			t.Fatalf("table row with %d separators under a header of %d: %q", n, header, line)
		}
	}
}

func TestMarkdownTablesSurviveHostileText(t *testing.T) {
	for _, s := range append(escapetest.Hostile, "recipes/a|b.yaml", "`a|b`", `a\|b`, "a\\", "x\n| forged | row |") {
		md, err := Markdown(hostileReport(s), MarkdownOptions{Limit: 65536, Marker: StickyMarker(".")})
		if err != nil {
			t.Fatal(err)
		}
		assertTablesIntact(t, md)
		if !strings.HasPrefix(md, StickyMarker(".")+"\n") {
			t.Fatalf("the marker is not the first line:\n%.200s", md)
		}
	}
}

// A finding reads the same in the run summary as in `lint`'s text: a
// file-level finding has no ":0:0", a message of several lines is one
// line.
func TestFindingLineIsTheSameInEveryTextPrinter(t *testing.T) {
	fs := []diag.Finding{
		{Rule: "no-resources", Severity: diag.Error, File: "ibgitops.yaml", Message: "no resource\nat all"},
		{Rule: "bad-version", Severity: diag.Warning, File: "c.yaml", Line: 3, Column: 9, Message: "version 1.2"},
	}
	r := &Report{Tool: "ibgitops v1", Linted: true, Findings: fs, Files: []string{"c.yaml"}}
	var run, lint bytes.Buffer
	if err := WriteText(&run, r, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteFindings(&lint, "text", r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ibgitops.yaml: error: no resource at all [no-resources]", "c.yaml:3:9: warning: version 1.2 [bad-version]"} {
		if !strings.Contains(run.String(), "  "+want+"\n") || !strings.Contains(lint.String(), want+"\n") {
			t.Errorf("%q is not a line of both:\n--- run ---\n%s--- lint ---\n%s", want, run.String(), lint.String())
		}
	}
}
