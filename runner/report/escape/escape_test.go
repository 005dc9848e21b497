package escape

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ibgitops/ibgitops/runner/report/escape/escapetest"
)

// hostile are strings a fork controls: names, paths, messages, log lines.
var hostile = []string{
	"evil\n::error file=x.yaml,line=1::INJECTED\n::stop-commands::abc",
	"::add-mask::secret",
	"  \t::warning::indented",
	"\u00a0\u2003::error::unicode spaces",
	"x\r::error::carriage return",
	"\x1b[2J\x1b[1;1Hcleared",
	"nul\x00byte",
	"bell\a and backspace\b",
	"c1 \u009b31m csi",
	"bidi \u202egnp.exe",
	"line\u2028separator",
	"##[error]legacy command",
	"a ###[x",
	"invalid \xff\xfe utf-8",
	"| a | b |",
	"`code` and ``more``",
	"@security-team please look",
	"<img src=x onerror=alert(1)>",
	"",
}

// assertNoCommand fails when out has a line the GitHub runner would read as
// a workflow command, or a raw control character.
func assertNoCommand(t *testing.T, sink, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q: invalid UTF-8", sink, in, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::") {
			t.Fatalf("%s(%q) has a workflow-command line %q", sink, in, line)
		}
		if strings.Contains(line, "##[") {
			t.Fatalf("%s(%q) has a legacy command %q", sink, in, line)
		}
		for _, r := range line {
			if isControl(r) && r != '\t' {
				t.Fatalf("%s(%q) = %q: raw control %U", sink, in, out, r)
			}
		}
	}
}

func TestTerm(t *testing.T) {
	cases := map[string]string{
		"plain-name_1.0":                   "plain-name_1.0",
		"größe 日本":                         "größe 日本",
		"a\nb":                             `a\nb`,
		"::error::x":                       `\x3a:error::x`,
		"  ::error::x":                     `  \x3a:error::x`,
		"arn:aws:iam::123456789012:role/x": "arn:aws:iam::123456789012:role/x",
		"\x1b[31mred":                      `\x1b[31mred`,
		"##[group]x":                       `#\x23[group]x`,
		"bad\xffbyte":                      `bad\xffbyte`,
		"\u202e":                           `\u202e`,
		"tab\there":                        `tab\there`,
		"C#":                               `C\x23`,
		":":                                `\x3a`,
	}
	for in, want := range cases {
		if got := Term(in); got != want {
			t.Errorf("Term(%q) = %q, want %q", in, got, want)
		}
	}
	for _, in := range hostile {
		assertNoCommand(t, "Term", in, Term(in))
		if strings.Contains(Term(in), "\n") {
			t.Errorf("Term(%q) spans lines", in)
		}
		assertNoCommand(t, "TermLines", in, TermLines(in))
	}
	if got := TermLines("ok\n::error::x\r\nlast"); got != "ok\n\\x3a:error::x\nlast" {
		t.Errorf("TermLines = %q", got)
	}
}

func TestGitHubCommandEscapes(t *testing.T) {
	if got := GitHubData("50% done\r\nnext\x1b[0m"); got != `50%25 done%0D%0Anext\x1b[0m` {
		t.Errorf("GitHubData = %q", got)
	}
	if got := GitHubProperty("a:b,c%\n"); got != "a%3Ab%2Cc%25%0A" {
		t.Errorf("GitHubProperty = %q", got)
	}
	for _, in := range hostile {
		line := "::error file=" + GitHubProperty(in) + ",title=" + GitHubProperty(in) + "::" + GitHubData(in)
		if strings.Count(line, "\n") > 0 || strings.Count(line, "\r") > 0 {
			t.Errorf("command for %q spans lines: %q", in, line)
		}
		if props := strings.SplitN(strings.TrimPrefix(line, "::error "), "::", 2)[0]; strings.Count(props, ",") != 1 || strings.Count(props, ":") != 0 {
			t.Errorf("properties for %q leak a separator: %q", in, props)
		}
	}
}

func TestInline(t *testing.T) {
	cases := map[string]string{
		"plain text":        "plain text",
		"a|b":               `a\|b`,
		"<b>x</b>":          "&lt;b&gt;x&lt;/b&gt;",
		"@team":             "@&#8203;team",
		"line\nbreak":       "line break",
		"[x](javascript:1)": `\[x\](javascript:1)`,
		"- item":            `\- item`,
		"a-b":               "a-b",
		"# heading":         `\# heading`,
		"esc\x1b[1m":        `esc\\x1b\[1m`,
	}
	for in, want := range cases {
		if got := Inline(in); got != want {
			t.Errorf("Inline(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Code("a`b"); got != "``a`b``" {
		t.Errorf("Code = %q", got)
	}
	if got := CellCode("recipes/a|b.yaml"); got != "`recipes/a\\|b.yaml`" {
		t.Errorf("CellCode = %q", got)
	}
}

func checkMarkdownRow(t *testing.T, in string) {
	t.Helper()
	row := "| " + Inline(in) + " | " + CellCode(in) + " |"
	if strings.Contains(row, "\n") {
		t.Fatalf("row for %q spans lines: %q", in, row)
	}
	if n := escapetest.TableSeparators(row); n != 3 {
		t.Fatalf("row for %q has %d separators, want 3: %q", in, n, row)
	}
	if strings.Contains(Inline(in), "<") || strings.Contains(strings.ReplaceAll(Inline(in), "@&#8203;", ""), "@") {
		t.Fatalf("Inline(%q) = %q opens HTML or mentions", in, Inline(in))
	}
	for _, r := range row {
		if isControl(r) {
			t.Fatalf("row for %q has a raw control %U: %q", in, r, row)
		}
	}
	block := Block(in)
	lines := strings.Split(block, "\n")
	fence := lines[0][:strings.Index(lines[0], "text")]
	for _, l := range lines[1 : len(lines)-1] {
		if strings.HasPrefix(strings.TrimSpace(l), fence) {
			t.Fatalf("Block(%q) is closed early by %q", in, l)
		}
	}
}

func TestMarkdownTableRows(t *testing.T) {
	for _, in := range hostile {
		checkMarkdownRow(t, in)
	}
}

// The fuzz targets: any string in, no line starting a workflow command and
// no raw control character out, for every sink.
func FuzzTerm(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Term(in)
		assertNoCommand(t, "Term", in, out)
		if strings.Contains(out, "\n") {
			t.Fatalf("Term(%q) spans lines", in)
		}
		assertNoCommand(t, "TermLines", in, TermLines(in))
		// Fields that meet never form a command.
		assertNoCommand(t, "Term twice", in, Term(in)+Term(in))
		for _, other := range []string{"#", "#[", "[", ":", ":error::x", "##"} {
			assertNoCommand(t, "Term joined", in, Term(in)+Term(other))
			assertNoCommand(t, "Term joined", in, Term(other)+Term(in))
		}
	})
}

func FuzzGitHubCommand(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		line := "::warning file=" + GitHubProperty(in) + ",title=" + GitHubProperty(in) + "::" + GitHubData(in)
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("command for %q spans lines: %q", in, line)
		}
		props, data, _ := strings.Cut(strings.TrimPrefix(line, "::warning "), "::")
		if strings.Count(props, ",") != 1 || strings.Contains(props, ":") {
			t.Fatalf("properties for %q leak a separator: %q", in, props)
		}
		for _, r := range data {
			if isControl(r) {
				t.Fatalf("data for %q has a raw control %U", in, r)
			}
		}
	})
}

func FuzzMarkdown(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) { checkMarkdownRow(t, in) })
}

// TestMarkdownCodeIsCleanInLogs: markdown reaches CI logs too (plan and
// status --format markdown print to stdout), and code spans and blocks
// cannot hold markdown escapes, so they must break workflow commands
// themselves.
func TestMarkdownCodeIsCleanInLogs(t *testing.T) {
	for _, h := range append(escapetest.Hostile, "::error::x\n  ::warning::y", "a\n##[group]b") {
		escapetest.AssertClean(t, Code(h)+"\n"+CellCode(h)+"\n"+Block(h)+"\n"+Inline(h), nil)
	}
}
