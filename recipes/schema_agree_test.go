package recipes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// SchemaRules are the rules whose every finding the JSON Schema reports
// too: the field tables decide them for both. The other rules look across
// files (references, duplicates), below the YAML the schema sees (syntax,
// duplicate keys, encodings) or into AWSTOE semantics (toe-*).
var schemaRules = map[string]bool{
	RuleUnknownKey: true, RuleWrongType: true, RuleRequiredField: true, RuleExclusiveFields: true,
	RuleEnum: true, RuleLength: true, RuleRange: true, RuleNamePattern: true, RuleValuePattern: true,
	RuleVersionFormat: true, RuleARNFormat: true, RuleTooManyComponents: true, RuleParentImage: true,
	RuleSchedule: true, RuleTagPattern: true,
	// AWSTOE document structure, from the same awstoe tables.
	awstoe.RuleUnknownKey: true, awstoe.RuleUnknownAction: true, awstoe.RuleMissingAction: true, awstoe.RuleOnFailure: true,
}

// yamlToJSON converts a YAML node as a YAML 1.2 editor does (what
// yaml-language-server hands to its validator): plain numbers and booleans
// keep their type, timestamps stay text.
func yamlToJSON(n *yaml.Node) (any, error) {
	budget := 100_000
	return toJSON(n, &budget)
}

// toJSON converts n, refusing alias bombs (lint reports them anyway).
func toJSON(n *yaml.Node, budget *int) (any, error) {
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("too many nodes")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return toJSON(n.Content[0], budget)
	case yaml.AliasNode:
		return toJSON(n.Alias, budget)
	case yaml.MappingNode:
		m := map[string]any{}
		var merged []map[string]any
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := toJSON(n.Content[i+1], budget)
			if err != nil {
				return nil, err
			}
			if n.Content[i].Tag == "!!merge" { // <<: *anchor, as editors read it
				switch x := v.(type) {
				case map[string]any:
					merged = append(merged, x)
				case []any:
					for _, e := range x {
						if mm, ok := e.(map[string]any); ok {
							merged = append(merged, mm)
						}
					}
				}
				continue
			}
			m[n.Content[i].Value] = v
		}
		for _, mm := range merged {
			for k, v := range mm {
				if _, set := m[k]; !set {
					m[k] = v
				}
			}
		}
		return m, nil
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			v, err := toJSON(c, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		b, err := strconv.ParseBool(n.Value)
		if err != nil {
			return n.Value, nil // yes/no: text for YAML 1.2
		}
		return b, nil
	case "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case int:
			return json.Number(strconv.Itoa(x)), nil
		case float64:
			return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), nil
		}
		return json.Number(n.Value), nil
	}
	return n.Value, nil
}

// schemas compiles the schema of every kind with a real JSON Schema
// validator.
func schemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	out := map[string]*jsonschema.Schema{}
	for _, name := range KindNames() {
		data, err := JSONSchema(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		url := "https://github.com/ibgitops/ibgitops/schema/" + name + ".json"
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
		if out[name], err = c.Compile(url); err != nil {
			t.Fatalf("schema %s does not compile: %v", name, err)
		}
	}
	return out
}

// schemaVerdict validates one file; "" when it is not a resource the
// schema describes (no mapping, no known kind, a documentFile target).
func schemaVerdict(t *testing.T, all map[string]*jsonschema.Schema, name string, data []byte) (checked bool, err error) {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return false, nil
	}
	schema := all[ConfigKind]
	if path.Base(name) != ConfigFile {
		kind := ""
		root := doc.Content[0]
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "kind" {
				kind = root.Content[i+1].Value
			}
		}
		if schema = all[kind]; schema == nil || kind == ConfigKind {
			return false, nil
		}
	}
	v, cerr := yamlToJSON(&doc)
	if cerr != nil {
		return false, nil
	}
	// Through JSON text, as an editor's validator sees it.
	text, _ := json.Marshal(v)
	inst, jerr := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if jerr != nil {
		t.Fatalf("%s: %v", name, jerr)
	}
	return true, schema.Validate(inst)
}

// TestSchemaAgreesWithLint runs every lint case (testdata/lint, each
// case folder with _base) through lint and through a real JSON Schema
// validator fed with the generated schemas: a file lint accepts, the
// schema accepts; a file lint rejects under a schema rule, the schema
// rejects (#16 item 12).
func TestSchemaAgreesWithLint(t *testing.T) {
	t.Parallel()
	all := schemas(t)
	entries, err := filepath.Glob(filepath.Join(lintCases, "*"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, dir := range entries {
		m := fstest.MapFS{}
		readTree(t, m, filepath.Join(lintCases, "_base"), "_base")
		if filepath.Base(dir) != "_base" {
			readTree(t, m, dir, "")
		}
		_, findings, err := Load(m)
		if err != nil {
			t.Fatal(err)
		}
		byFile := map[string][]diag.Finding{}
		for _, f := range findings {
			if f.Severity == diag.Error {
				byFile[f.File] = append(byFile[f.File], f)
			}
		}
		names := make([]string, 0, len(m))
		for name := range m {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if filepath.Base(dir) != "_base" && strings.HasPrefix(name, "_base/") {
				continue
			}
			ok, verr := schemaVerdict(t, all, name, m[name].Data)
			if !ok {
				continue
			}
			checked++
			errs := byFile[name]
			schemaRule := ""
			for _, f := range errs {
				if schemaRules[f.Rule] {
					schemaRule = f.Rule
				}
			}
			label := filepath.Base(dir) + "/" + name
			switch {
			case len(errs) == 0 && verr != nil:
				t.Errorf("%s: lint accepts it, the schema rejects it:\n%v", label, verr)
			case schemaRule != "" && verr == nil:
				t.Errorf("%s: lint rejects it (%s), the schema accepts it", label, describeFindings(errs))
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d files checked; the lint cases moved?", checked)
	}
}

func describeFindings(fs []diag.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%d:%d %s", f.Line, f.Column, f.Rule))
	}
	return strings.Join(out, ", ")
}

// TestSchemaAgreesOnVariants feeds generated values of the fields whose
// rules a pattern must spell out (versions, ARNs, parent images,
// schedules, tag patterns, tag keys) through lint's table and the real
// validator, one resource each.
func TestSchemaAgreesOnVariants(t *testing.T) {
	t.Parallel()
	all := schemas(t)
	parts := []string{"0", "1", "01", "00", "10", "x", "X", "1073741823", "1073741824", "99999999999", "", "-1", "a"}
	var versions []string
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range []string{"0", "x", "01", "1073741824", "3"} {
				versions = append(versions, a+"."+b+"."+c)
			}
		}
	}
	versions = append(versions, "1.0", "1.0.0.0", "1..0", " 1.0.0", "1.0.0 ")
	arn := "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/"
	img := "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/"
	var arns, parents []string
	for i, v := range versions {
		if i%3 == 0 { // the ARN's version is the same pattern: a sample suffices
			arns = append(arns, arn+v, arn+v+"/1")
			parents = append(parents, img+v)
		}
	}
	parents = append(parents, "ubuntu:22.04", "ami-0123456789abcdef0", "ami-0123", "ami-", "ssm:", "ssm:/aws/x", "recipe:", "recipe:base",
		"prod-abc", "arn:aws:imagebuilder:us-east-1:aws:component/x/1.0.0", "amazonlinux:2023", "a b", "ARN:x")
	schedules := []string{"cron(0 3 ? * MON *)", "cron(0 3 * * ? *)", "every day", "cron(0 3 * * * *)", "cron(0 3 ? * * *)",
		"cron(0 3 * * MON)", "cron(60 3 ? * MON *)", "cron(0 24 ? * MON *)", "cron(0 3 L * ? *)", "cron(0 3 15W * ? *)",
		"cron(0 3 ? * 6#3 *)", "cron(0 3 ? * 6#6 *)", "cron(0 3 ? * 5L *)", "cron(0/15 * ? * MON-FRI *)", "cron(0 3 ? jan,Feb mon 2026)",
		"cron(0 3 ? * MON 1969)", "cron( 0 3 ? * MON * )", "cron(0  3 ? * MON *)", "cron(0 3 ? * MON */0)",
		"rate(1 day)", "rate(2 days)", "rate(1 days)", "rate(2 day)", "rate(0 days)", "rate(12 hours)", "rate(1 minute)", "rate(5 weeks)", "rate(01 day)"}
	tagPatterns := []string{"{name}/v{version}", "v{version}", "{name}", "{name}-{version}-{name}", "{version}{name}", "", "release/{name}@{version}"}
	tagKeys := []string{"team", "cost center", "a\u00a0b", "aws:x", "a\tb", "k=v", "ünï", "a/b:c"}

	type variant struct{ kind, yaml string }
	var cases []variant
	recipe := func(field string) string {
		return "kind: ImageRecipe\nname: variant\nversion: 1.0.0\nparentImage: ami-0123456789abcdef0\ncomponents:\n  - name: comp\n" + field
	}
	for i, v := range versions {
		switch i % 3 { // three fields, one pattern each: every version through one of them
		case 0:
			cases = append(cases, variant{"ImageRecipe", strings.Replace(recipe(""), "version: 1.0.0", "version: \""+v+"\"", 1)})
		case 1:
			cases = append(cases, variant{"Component", "kind: Component\nname: comp\nversion: \"" + v + "\"\nplatform: Linux\ndocumentFile: d.yaml\n"})
		default:
			cases = append(cases, variant{"ImageRecipe", recipe("    version: \"" + v + "\"\n")})
		}
	}
	for _, a := range arns {
		cases = append(cases, variant{"ImageRecipe", strings.Replace(recipe(""), "- name: comp", "- arn: \""+a+"\"", 1)})
	}
	for _, p := range parents {
		cases = append(cases, variant{"ImageRecipe", strings.Replace(recipe(""), "parentImage: ami-0123456789abcdef0", "parentImage: \""+p+"\"", 1)})
		cases = append(cases, variant{"ContainerRecipe", "kind: ContainerRecipe\nname: variant\nversion: 1.0.0\ncontainerType: DOCKER\nparentImage: \"" + p +
			"\"\ncomponents:\n  - name: comp\ndockerfileTemplateFile: Dockerfile\ntargetRepository: {service: ECR, repositoryName: r}\n"})
	}
	for _, s := range schedules {
		cases = append(cases, variant{"ImagePipeline", "kind: ImagePipeline\nname: pipe\nimageRecipe: variant\ninfrastructureConfiguration: infra\nschedule:\n  scheduleExpression: \"" + s + "\"\n"})
	}
	for _, p := range tagPatterns {
		cases = append(cases, variant{ConfigKind, "release:\n  tagPattern: \"" + p + "\"\n"})
	}
	for _, k := range tagKeys {
		q, _ := json.Marshal(k)
		cases = append(cases, variant{"ImageRecipe", recipe("tags:\n  " + string(q) + ": v\n")})
	}
	cases = append(cases, variant{"ImageRecipe", recipe("  - arn: " + arn + "1.0.0\n    version: 1.0.0\n")})
	var many strings.Builder
	for i := range 21 {
		fmt.Fprintf(&many, "  - name: comp%d\n", i)
	}
	cases = append(cases, variant{"ImageRecipe", recipe(many.String())})

	accepted, rejected := 0, 0
	defer func() {
		// Variants on both sides of every rule, not a fixture that fails
		// for an unrelated reason.
		if accepted < 50 || rejected < 50 {
			t.Errorf("%d variants accepted, %d rejected: the fixtures are broken", accepted, rejected)
		}
	}()
	for i, c := range cases {
		name := fmt.Sprintf("v%d.yaml", i)
		if c.kind == ConfigKind {
			name = ConfigFile
		}
		_, findings, err := Load(fstest.MapFS{name: {Data: []byte(c.yaml)}})
		if err != nil {
			t.Fatal(err)
		}
		lintRejects := false
		for _, f := range findings {
			if f.Severity == diag.Error && schemaRules[f.Rule] {
				lintRejects = true
			}
		}
		_, verr := schemaVerdict(t, all, name, []byte(c.yaml))
		if lintRejects {
			rejected++
		} else {
			accepted++
		}
		if lintRejects != (verr != nil) {
			t.Errorf("lint rejects: %v, schema rejects: %v, for\n%s\nlint: %v\nschema: %v", lintRejects, verr != nil, c.yaml, findings, verr)
		}
	}
}

// TestPatternsArePortable: every pattern of the schemas means the same in
// Go's RE2 and in JavaScript (Ajv, yaml-language-server).
func TestPatternsArePortable(t *testing.T) {
	// \s \w \d and \b differ with Unicode; lookaround and inline flags
	// are JavaScript-only or Go-only; \z \A \Q \p are Go-only here.
	bad := regexp.MustCompile(`\\[sSwWdDbBzAQpP]|\(\?[=!<a-zA-Z]`)
	for _, name := range KindNames() {
		data, err := JSONSchema(name)
		if err != nil {
			t.Fatal(err)
		}
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, c := range x {
					if p, ok := c.(string); ok && k == "pattern" {
						if _, err := regexp.Compile(p); err != nil {
							t.Errorf("%s: pattern %q: %v", name, p, err)
						}
						// [\s\S] is "any character" in both engines.
						if m := bad.FindString(strings.ReplaceAll(p, `[\s\S]`, "")); m != "" {
							t.Errorf("%s: pattern %q uses %s, which JavaScript reads differently", name, p, m)
						}
					}
					walk(c)
				}
			case []any:
				for _, c := range x {
					walk(c)
				}
			}
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		walk(v)
	}
}

// TestNumRange checks the generated number ranges against strconv.
func TestNumRange(t *testing.T) {
	for _, r := range [][2]int{{0, MaxVersionPart}, {0, 59}, {1, 31}, {1970, 2199}, {1, 7}, {5, 5}, {0, 9}, {10, 99}, {7, 1234}} {
		re := regexp.MustCompile("^" + numRange(r[0], r[1]) + "$")
		var probes []int
		for _, n := range []int{r[0], r[1], r[0] - 1, r[1] + 1, (r[0] + r[1]) / 2} {
			for d := -12; d <= 12; d++ {
				probes = append(probes, n+d, n*10+d, n/10+d)
			}
		}
		for _, n := range probes {
			if n < 0 {
				continue
			}
			want := n >= r[0] && n <= r[1]
			if got := re.MatchString(strconv.Itoa(n)); got != want {
				t.Errorf("numRange(%d, %d) on %d = %v", r[0], r[1], n, got)
			}
		}
		if re.MatchString("0" + strconv.Itoa(r[0])) {
			t.Errorf("numRange(%d, %d) takes a leading zero", r[0], r[1])
		}
	}
}

var _ fs.FS = fstest.MapFS{}

// TestDocumentSchemaAgreesWithAWSTOE runs the AWSTOE validator's own test
// documents through the component schema's document description: a
// document the validator accepts, the schema accepts; one it rejects
// under a structural rule, the schema rejects (#16 item 13).
func TestDocumentSchemaAgreesWithAWSTOE(t *testing.T) {
	t.Parallel()
	all := schemas(t)
	files, _ := filepath.Glob("awstoe/testdata/*/*.yaml")
	if len(files) < 20 {
		t.Fatalf("only %d AWSTOE test documents found", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		doc, findings := awstoe.Parse(data, file)
		if doc != nil {
			findings = append(findings, doc.Validate(awstoe.ValidateOptions{})...)
		}
		var root yaml.Node
		if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
			continue
		}
		v, err := yamlToJSON(&root)
		if err != nil {
			continue
		}
		text, _ := json.Marshal(map[string]any{"kind": "Component", "name": "doc", "version": "1.0.0", "platform": "Linux", "document": v})
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		verr := all["Component"].Validate(inst)
		errs, schemaRule := 0, ""
		for _, f := range findings {
			if f.Severity != diag.Error {
				continue
			}
			errs++
			if schemaRules[f.Rule] {
				schemaRule = f.Rule
			}
		}
		switch {
		case errs == 0 && verr != nil:
			t.Errorf("%s: the AWSTOE validator accepts it, the schema rejects it:\n%v", file, verr)
		case schemaRule != "" && verr == nil:
			t.Errorf("%s: the AWSTOE validator rejects it (%s), the schema accepts it", file, schemaRule)
		}
	}
}
