// Package refdoc renders the reference pages in docs/reference/ from the
// code that decides behaviour: the field tables of recipes (ibgitops.yaml
// and every resource kind), the lint rule lists with their failing cases
// from testdata/lint, and the cobra command tree. Tests compare the pages
// in the repository with a fresh rendering, so a change to a flag, a field
// or a rule that forgets the docs fails.
package refdoc

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// header starts every generated page; the regeneration command is named so
// that a reader who edits the page by hand knows where the text comes from.
func header(title, from, regen string) string {
	return "# " + title + "\n\n<!-- Generated from " + from + " by " + regen + ". Do not edit by hand. -->\n\n"
}

const regenRecipes = "`go test ./recipes -run TestReference -update`"

// Configuration renders every key of ibgitops.yaml from recipes.ConfigSchema().
func Configuration() string {
	var b strings.Builder
	b.WriteString(header("ibgitops.yaml keys", "recipes.ConfigSchema() (recipes/fields.go)", regenRecipes))
	b.WriteString("Every key is optional. Defaults and examples: [../configuration.md](../configuration.md).\n\n")
	fieldTable(&b, recipes.ConfigSchema())
	return b.String()
}

// Resources renders the fields of every resource kind from recipes.Schema.
func Resources() string {
	var b strings.Builder
	b.WriteString(header("Resource fields", "recipes.Schema (recipes/fields.go)", regenRecipes))
	b.WriteString("One resource per file, selected by `kind:`. A key path `a.b[].c` is key `c` of each item of the list `b` in the mapping `a`.\n")
	for _, k := range recipes.Kinds {
		f := recipes.Schema(k)
		fmt.Fprintf(&b, "\n## %s\n\n", k)
		if f.Doc != "" {
			b.WriteString(sentence(f.Doc) + "\n\n")
		}
		if groups := groupNotes(f); groups != "" {
			b.WriteString(groups + "\n\n")
		}
		fieldTable(&b, f)
	}
	return b.String()
}

// fieldTable writes one row per key path below f.
func fieldTable(b *strings.Builder, f *recipes.Field) {
	b.WriteString("| key | type | required | allowed values | meaning |\n|---|---|---|---|---|\n")
	walk(f, "", func(p string, c *recipes.Field) {
		req := ""
		if c.Required {
			req = "yes"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", p, typeName(c), req, cell(limits(c)), cell(docOf(c)))
	})
}

// walk visits every key below f in table order, with its dotted path.
func walk(f *recipes.Field, prefix string, visit func(string, *recipes.Field)) {
	for _, c := range f.Fields {
		p := c.Name
		if prefix != "" {
			p = prefix + "." + c.Name
		}
		visit(p, c)
		switch {
		case c.Type == recipes.TObject:
			walk(c, p, visit)
		case c.Type == recipes.TList && c.Elem != nil && c.Elem.Type == recipes.TObject:
			walk(c.Elem, p+"[]", visit)
		}
	}
}

// KeyPaths lists every key path of f, for tests that check a page
// mentions each.
func KeyPaths(f *recipes.Field) []string {
	var out []string
	walk(f, "", func(p string, _ *recipes.Field) { out = append(out, p) })
	return out
}

// LeafKeyPaths lists the key paths of f that hold values (not mappings).
func LeafKeyPaths(f *recipes.Field) []string {
	var out []string
	walk(f, "", func(p string, c *recipes.Field) {
		if c.Type != recipes.TObject {
			out = append(out, p)
		}
	})
	return out
}

func typeName(f *recipes.Field) string {
	switch f.Type {
	case recipes.TString:
		return "string"
	case recipes.TInt:
		return "integer"
	case recipes.TBool:
		return "boolean"
	case recipes.TObject:
		return "mapping"
	case recipes.TList:
		if f.Elem != nil && f.Elem.Type == recipes.TObject {
			return "list of mappings"
		}
		return "list of " + typeName(f.Elem) + "s"
	case recipes.TStringMap:
		return "mapping of strings"
	case recipes.TParamMap:
		return "mapping of strings or string lists"
	case recipes.TDocument:
		return "AWSTOE document"
	}
	return "value"
}

// limits says what values a field accepts: the enumeration, the range, the
// lengths and the pattern, as the strict decoder checks them.
func limits(f *recipes.Field) string {
	var parts []string
	if len(f.Enum) > 0 {
		q := make([]string, len(f.Enum))
		for i, e := range f.Enum {
			q[i] = "`" + e + "`"
		}
		parts = append(parts, strings.Join(q, ", "))
	}
	if f.HasRange {
		parts = append(parts, fmt.Sprintf("%d to %d", f.Min, f.Max))
	}
	unit := "characters"
	switch f.Type {
	case recipes.TList:
		unit = "items"
	case recipes.TStringMap, recipes.TParamMap:
		unit = "entries"
	}
	switch {
	case f.MinLen > 0 && f.MaxLen > 0:
		parts = append(parts, fmt.Sprintf("%d-%d %s", f.MinLen, f.MaxLen, unit))
	case f.MaxLen > 0:
		parts = append(parts, fmt.Sprintf("at most %d %s", f.MaxLen, unit))
	case f.MinLen > 1:
		parts = append(parts, fmt.Sprintf("at least %d %s", f.MinLen, unit))
	}
	// Generated patterns (versions, ARNs, schedules spelled out for the
	// JSON Schema) are thousands of characters: the doc says it in words.
	if f.Pattern != "" && len(f.Pattern) <= 160 {
		parts = append(parts, "matches `"+f.Pattern+"`")
	}
	if f.Type == recipes.TList && f.Elem != nil && f.Elem.Type != recipes.TObject {
		if l := limits(f.Elem); l != "" {
			parts = append(parts, "each: "+l)
		}
	}
	return strings.Join(parts, "; ")
}

func docOf(f *recipes.Field) string {
	d := f.Doc
	if h := f.Hint; h != "" && d == "" {
		d = h
	}
	if g := groupNotes(f); g != "" {
		d = strings.TrimSpace(d + " " + g)
	}
	return d
}

// groupNotes states the exclusive key groups of a mapping.
func groupNotes(f *recipes.Field) string {
	var out []string
	for _, g := range f.ExactlyOne {
		out = append(out, "Exactly one of "+keys(g)+".")
	}
	for _, g := range f.AtMostOne {
		out = append(out, "At most one of "+keys(g)+".")
	}
	return strings.Join(out, " ")
}

func keys(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	return strings.Join(q, ", ")
}

func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// cell makes text safe inside a markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

var wantRe = regexp.MustCompile(`#\s*want:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)`)

// Cases is a folder of lint cases whose files mark the reported line with
// `# want: rule`: testdata/lint for repository rules, recipes/awstoe's
// cases for AWSTOE documents.
type Cases struct {
	Dir string // as shown in the page, relative to the repository
	FS  fs.FS
}

// Rules renders every lint rule (repository rules, the rules `lint --base`
// adds, AWSTOE document rules) with a failing example taken from the
// first case that names it.
func Rules(sources ...Cases) (string, error) {
	examples := map[string]example{}
	for _, src := range sources {
		if err := ruleExamples(src, examples); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	b.WriteString(header("Lint rules", "recipes.RuleDocs, recipes.BaseRuleDocs, awstoe.Rules and the cases in testdata/lint", regenRecipes))
	b.WriteString("`ibgitops lint` reports each finding as `file:line:col: severity: message [rule]`. " +
		"Exit codes: 0 no errors (warnings allowed), 1 error findings, 2 could not run. " +
		"Each example is a lint case of this repository; the line marked `# want:` is the one reported.\n")
	section := func(title string, rules [][3]string) {
		fmt.Fprintf(&b, "\n## %s\n\n| rule | severity | what it catches |\n|---|---|---|\n", title)
		for _, r := range rules {
			fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s |\n", r[0], r[0], r[1], cell(r[2]))
		}
		for _, r := range rules {
			fmt.Fprintf(&b, "\n### %s\n\n%s\n", r[0], sentence(r[2]))
			ex, ok := examples[r[0]]
			if !ok {
				b.WriteString("\nNo case file shows it: its case is generated by a test (very large, unreadable, binary or non-regular files, symlinks) or needs git history (`lint --base`).\n")
				continue
			}
			fmt.Fprintf(&b, "\nExample (`%s`):\n\n```%s\n%s```\n", ex.file, lang(ex.file), ex.text)
		}
	}
	var repo, base, toe [][3]string
	for _, d := range recipes.RuleDocs {
		repo = append(repo, [3]string{d.ID, d.Severity, d.Summary})
	}
	for _, d := range recipes.BaseRuleDocs {
		base = append(base, [3]string{d.ID, d.Severity, d.Summary})
	}
	for _, r := range awstoe.Rules {
		toe = append(toe, [3]string{r.ID, string(r.Severity), r.Description})
	}
	section("Repository rules", repo)
	section("Rules of `lint --base REF`", base)
	section("AWSTOE document rules", toe)
	return b.String(), nil
}

type example struct{ file, text string }

// maxExample keeps examples readable; a longer case file is cut around the
// marked line.
const maxExample = 40

func ruleExamples(src Cases, out map[string]example) error {
	return fs.WalkDir(src.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), "_") && p != "." {
				return fs.SkipDir // shared fixtures, not cases
			}
			return nil
		}
		data, err := fs.ReadFile(src.FS, p)
		if err != nil {
			return err
		}
		lines := strings.SplitAfter(string(data), "\n")
		for i, line := range lines {
			m := wantRe.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			for _, rule := range strings.Split(m[1], ",") {
				rule = strings.TrimSpace(rule)
				if _, seen := out[rule]; seen {
					continue
				}
				out[rule] = example{file: path.Join(src.Dir, p), text: excerpt(lines, i)}
			}
		}
		return nil
	})
}

func excerpt(lines []string, at int) string {
	from, to := 0, len(lines)
	if to-from > maxExample {
		from = max(0, at-maxExample/2)
		to = min(len(lines), from+maxExample)
	}
	text := strings.Join(lines[from:to], "")
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return strings.ReplaceAll(text, "```", "` ` `")
}

func lang(file string) string {
	switch path.Ext(file) {
	case ".yaml", ".yml":
		return "yaml"
	}
	if strings.Contains(strings.ToLower(file), "dockerfile") {
		return "dockerfile"
	}
	return "text"
}

// Index renders docs/reference/README.md, the list of generated pages.
func Index(pages map[string]string) string {
	var b strings.Builder
	b.WriteString(header("Reference", "the code", "the tests that check each page"))
	b.WriteString("Generated from the code; a test fails when a page is stale.\n\n| page | what it lists |\n|---|---|\n")
	names := make([]string, 0, len(pages))
	for n := range pages {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "| [%s](%s) | %s |\n", n, n, pages[n])
	}
	return b.String()
}

// Pages names every generated page with what it lists.
var Pages = map[string]string{
	"commands.md":      "every command and flag, with exit codes",
	"configuration.md": "every key of ibgitops.yaml",
	"resources.md":     "every field of every resource kind",
	"rules.md":         "every lint rule, with a failing example",
}

// Commands renders every command of the cobra tree under root with its
// usage, description and flags (inherited flags included), in the order of
// the tree, skipping hidden commands and cobra's generated completion help.
func Commands(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString(header("Commands", "the cobra command tree (internal/cli)", "`go test ./internal/cli -run TestReference -update`"))
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		if c.Hidden || (!c.IsAvailableCommand() && c != root) {
			return
		}
		fmt.Fprintf(&b, "\n## %s\n\n", c.CommandPath())
		if c.Short != "" {
			b.WriteString(sentence(c.Short) + "\n\n")
		}
		fmt.Fprintf(&b, "```text\n%s\n```\n", c.UseLine())
		if c.Long != "" {
			fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(c.Long))
		}
		if flags := flagTable(c); flags != "" {
			b.WriteString("\n" + flags)
		}
		for _, sub := range c.Commands() {
			if sub.Name() == "help" {
				continue
			}
			visit(sub)
		}
	}
	visit(root)
	return b.String()
}

func flagTable(c *cobra.Command) string {
	var rows []string
	add := func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		name := "`--" + f.Name + "`"
		if f.Shorthand != "" {
			name = "`-" + f.Shorthand + "`, " + name
		}
		def := f.DefValue
		if def == "[]" || def == "false" {
			def = "" // the zero value says nothing a reader needs
		}
		if def != "" {
			def = "`" + def + "`"
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s |", name, f.Value.Type(), def, cell(f.Usage)))
	}
	c.NonInheritedFlags().VisitAll(add)
	c.InheritedFlags().VisitAll(add)
	if len(rows) == 0 {
		return ""
	}
	return "| flag | type | default | meaning |\n|---|---|---|---|\n" + strings.Join(rows, "\n") + "\n"
}
