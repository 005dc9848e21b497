package recipes

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/recipes/raw"
	"gopkg.in/yaml.v3"
)

// nodeBudget bounds the nodes one file may visit, aliases expanded, so an
// alias bomb costs at most this much work and memory.
const nodeBudget = 200_000

// maxDepth bounds nesting (a recursive alias nests without end); the
// deepest field table is far shallower.
const maxDepth = 64

// decoder is the strict first layer: it walks yaml.Nodes against a Field
// table, reports every deviation with its position and returns plain Go
// values (string, int, bool, map[string]any, []any, map[string]string,
// map[string][]string, *yaml.Node for documents). In the same walk it
// fills the file's raw struct (recipes/raw) with the values and their
// positions, which the second layer builds the model from. Paths
// ("components[1].name") only name a value in messages.
type decoder struct {
	file      string
	kind      string
	findings  []diag.Finding
	budget    int
	exhausted bool
	depth     int
}

func newDecoder(file, kind string) *decoder {
	return &decoder{file: file, kind: kind, budget: nodeBudget}
}

func posOf(n *yaml.Node) diag.Pos { return diag.Pos{Line: n.Line, Column: n.Column} }

func (d *decoder) add(rule string, p diag.Pos, format string, args ...any) {
	d.findings = append(d.findings, diag.Finding{Rule: rule, Severity: diag.Error, File: d.file,
		Line: p.Line, Column: p.Column, Message: fmt.Sprintf(format, args...)})
}

// spend consumes n nodes of the budget; false (once reported) when exhausted.
func (d *decoder) spend(n *yaml.Node) bool {
	if d.exhausted {
		return false
	}
	d.budget--
	if d.budget < 0 {
		d.exhausted = true
		d.add(RuleYAMLTooComplex, posOf(n), "the file expands to more than %d YAML nodes (aliases included); remove the anchors/aliases or split the file", nodeBudget)
		return false
	}
	return true
}

// resolve follows aliases, spending budget for each hop.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		if !d.spend(n) {
			return nil
		}
		n = n.Alias
	}
	return n
}

// countNodes spends budget for every node under n, aliases expanded, and
// stops as soon as the budget is gone.
func (d *decoder) countNodes(n *yaml.Node) bool {
	n = d.resolve(n)
	if n == nil || !d.spend(n) {
		return false
	}
	for _, c := range n.Content {
		if !d.countNodes(c) {
			return false
		}
	}
	return true
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (d *decoder) where(path string) string {
	if path == "" {
		return d.kind
	}
	return d.kind + " " + path
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!bool":
			return "a boolean"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!null":
			return "empty"
		}
		return "a string"
	}
	return "a value"
}

func (d *decoder) wrongType(n *yaml.Node, f *Field, path string) {
	hint := ""
	switch f.Type {
	case TString:
		if n.Kind == yaml.ScalarNode {
			hint = fmt.Sprintf("; quote it: \"%s\"", n.Value)
		} else if n.Kind == yaml.SequenceNode {
			hint = "; write a single value, not a list"
		}
	case TList:
		if n.Kind == yaml.ScalarNode {
			hint = fmt.Sprintf("; write it as a list: [%s]", n.Value)
		}
	case TBool:
		hint = "; write true or false without quotes"
	case TInt:
		hint = "; write a whole number without quotes"
	}
	if hint == "" {
		hint = fmt.Sprintf("; write %s here (see `ibgitops schema %s`)", f.Type, d.kind)
	}
	d.add(RuleWrongType, posOf(n), "%s must be %s, not %s%s", d.where(path), f.Type, describe(n), hint)
}

// value decodes n against f, and into s when s is not nil. ok is false
// when the value is unusable.
func (d *decoder) value(n *yaml.Node, f *Field, path string, s slot) (any, bool) {
	n = d.resolve(n)
	if n == nil || !d.spend(n) {
		return nil, false
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		if !d.exhausted {
			d.exhausted = true
			d.add(RuleYAMLTooComplex, posOf(n), "the file nests deeper than %d levels (a recursive alias?); remove the anchors/aliases", maxDepth)
		}
		return nil, false
	}
	if s != nil {
		s.SetPos(posOf(n))
	}
	v, ok := d.decodeValue(n, f, path, s)
	if ok && s != nil {
		switch f.Type {
		case TString, TInt, TBool, TDocument:
			bindScalar(s, v)
		default:
			s.Accept()
		}
	}
	return v, ok
}

// decodeValue decodes a resolved node n against f.
func (d *decoder) decodeValue(n *yaml.Node, f *Field, path string, s slot) (any, bool) {
	switch f.Type {
	case TString:
		return d.str(n, f, path)
	case TInt:
		text := n.Value
		if n.Kind == yaml.ScalarNode && n.Tag == "!!float" {
			// JSON (and so the schema) cannot tell 2.0 from 2: a number
			// without a fraction is an integer, as JSON Schema defines it.
			if fl, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64); err == nil && fl == math.Trunc(fl) && math.Abs(fl) < 1<<53 {
				text = strconv.FormatInt(int64(fl), 10)
			} else {
				d.wrongType(n, f, path)
				return nil, false
			}
		} else if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.wrongType(n, f, path)
			return nil, false
		}
		v, err := strconv.ParseInt(strings.ReplaceAll(text, "_", ""), 0, 64)
		if err != nil {
			d.add(RuleWrongType, posOf(n), "%s: %q is not a usable integer; write a whole number", d.where(path), n.Value)
			return nil, false
		}
		if f.HasRange && (v < f.Min || v > f.Max) {
			d.add(RuleRange, posOf(n), "%s is %d; Image Builder accepts %d to %d", d.where(path), v, f.Min, f.Max)
		}
		return int(v), true
	case TBool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.wrongType(n, f, path)
			return nil, false
		}
		b, err := strconv.ParseBool(n.Value)
		if err != nil {
			d.add(RuleWrongType, posOf(n), "%s: %q is not true or false; write true or false", d.where(path), n.Value)
			return nil, false
		}
		return b, true
	case TObject:
		return d.object(n, f, path, s)
	case TList:
		if n.Kind != yaml.SequenceNode {
			d.wrongType(n, f, path)
			return nil, false
		}
		at := n
		if f.MaxLen > 0 && len(n.Content) > f.MaxLen {
			at = n.Content[f.MaxLen] // the first one too many
		}
		d.length(at, f, path, len(n.Content), "items")
		out := make([]any, 0, len(n.Content))
		elems := listOf(s, len(n.Content))
		for i, c := range n.Content {
			v, ok := d.value(c, f.Elem, fmt.Sprintf("%s[%d]", path, i), elems.slot(i))
			if ok {
				out = append(out, v)
			} else if d.exhausted {
				return nil, false
			}
		}
		return out, true
	case TStringMap:
		return d.stringMap(n, f, path, s)
	case TParamMap:
		return d.paramMap(n, f, path, s)
	case TDocument:
		if n.Kind != yaml.MappingNode {
			d.wrongType(n, f, path)
			return nil, false
		}
		if !d.countNodes(n) {
			return nil, false
		}
		return n, true
	}
	return nil, false
}

func (d *decoder) length(n *yaml.Node, f *Field, path string, count int, unit string) {
	if f.MinLen > 0 && count < f.MinLen {
		d.add(RuleLength, posOf(n), "%s has %d %s; it needs at least %d (or remove the key)", d.where(path), count, unit, f.MinLen)
	}
	if f.MaxLen > 0 && count > f.MaxLen {
		rule, hint := RuleLength, ""
		if f.LengthRule != "" {
			rule, hint = f.LengthRule, ": "+f.Hint
		}
		d.add(rule, posOf(n), "%s has %d %s; Image Builder accepts at most %d%s", d.where(path), count, unit, f.MaxLen, hint)
	}
}

// textual reports whether a scalar is text for the Image Builder API (and
// for JSON Schema, which sees the YAML as JSON): a string, plain or
// quoted. A plain number, boolean or empty value is not: the API's string
// fields and the schema reject 8443 where "8443" is meant, so lint does too
// and says how to quote it. Timestamps (2024-01-01) and custom tags stay
// text, as YAML 1.2 editors read them.
func textual(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	switch n.Tag {
	case "!!int", "!!float", "!!bool", "!!null", "!!binary":
		return false
	}
	return true
}

func (d *decoder) str(n *yaml.Node, f *Field, path string) (any, bool) {
	if !textual(n) {
		if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") && f.Check != nil {
			// version: 1.0 is better told it needs three parts than quotes.
			if rule, msg := f.Check(n.Value); rule != "" {
				d.add(rule, posOf(n), "%s: %s", d.where(path), msg)
				return nil, false
			}
		}
		d.wrongType(n, f, path)
		return nil, false
	}
	v := n.Value
	d.length(n, f, path, utf8.RuneCountInString(v), "characters")
	if len(f.Enum) > 0 {
		found := false
		for _, e := range f.Enum {
			if e == v {
				found = true
				break
			}
		}
		if !found {
			hint := ""
			for _, e := range f.Enum {
				if strings.EqualFold(e, v) {
					hint = fmt.Sprintf(" (mind the case: %s)", e)
				}
			}
			d.add(RuleEnum, posOf(n), "%s is %q; use one of %s%s", d.where(path), v, strings.Join(f.Enum, ", "), hint)
			return v, true
		}
	}
	// The table decides (the JSON Schema says the same); Check only
	// explains what is wrong.
	if !f.accepts(v) {
		if f.Check != nil {
			if rule, msg := f.Check(v); rule != "" {
				d.add(rule, posOf(n), "%s: %s", d.where(path), msg)
				return v, true
			}
		}
		rule := f.PatternRule
		if rule == "" {
			rule = RuleValuePattern
		}
		hint := f.Hint
		if hint == "" {
			hint = "see `ibgitops schema " + d.kind + "` for the accepted form"
		}
		d.add(rule, posOf(n), "%s %q is not accepted by Image Builder: %s", d.where(path), v, hint)
	}
	return v, true
}

func (d *decoder) scalarText(n *yaml.Node, path, what string) (string, bool) {
	n = d.resolve(n)
	if n == nil || !d.spend(n) {
		return "", false
	}
	if !textual(n) {
		hint := "write a plain or quoted value"
		if n.Kind == yaml.ScalarNode && !isNull(n) {
			hint = fmt.Sprintf("the API takes text: quote it, \"%s\"", n.Value)
		}
		d.add(RuleWrongType, posOf(n), "%s: %s must be a string, not %s; %s", d.where(path), what, describe(n), hint)
		return "", false
	}
	return n.Value, true
}

// pairs iterates a mapping's key/value pairs, reporting duplicate and
// non-scalar keys.
func (d *decoder) pairs(n *yaml.Node, path string, fn func(key string, k, v *yaml.Node)) {
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !d.spend(k) {
			return
		}
		if k.Kind != yaml.ScalarNode {
			d.add(RuleWrongType, posOf(k), "%s: keys must be plain strings, not %s", d.where(path), describe(k))
			continue
		}
		if k.Tag == "!!merge" {
			d.add(RuleUnknownKey, posOf(k), "%s: merge keys (<<) are not supported; write the keys out", d.where(path))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.add(RuleDuplicateKey, posOf(k), "%s: key %q is already set on line %d; remove one of them", d.where(path), k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		fn(k.Value, k, v)
	}
}

func (d *decoder) stringMap(n *yaml.Node, f *Field, path string, into slot) (any, bool) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, f, path)
		return nil, false
	}
	d.length(n, f, path, len(n.Content)/2, "entries")
	out := make(map[string]string, len(n.Content)/2)
	var typed map[string]raw.Value[string]
	if into != nil {
		if t, ok := into.Target().(*map[string]raw.Value[string]); ok {
			typed = make(map[string]raw.Value[string], len(n.Content)/2)
			*t = typed
		}
	}
	d.pairs(n, path, func(key string, k, v *yaml.Node) {
		p := join(path, key)
		if f.Elem != nil && f.Elem.Pattern != "" {
			f.Elem.compile()
			if !f.Elem.re.MatchString(key) || strings.HasPrefix(key, "aws:") {
				d.add(f.Elem.PatternRule, posOf(k), "%s: key %q is not accepted: %s", d.where(path), key, f.Elem.Hint)
			}
		}
		s, ok := d.scalarText(v, p, "the value")
		if typed != nil {
			typed[key] = raw.Value[string]{V: s, Pos: posOf(v), KeyPos: posOf(k), Set: ok}
		}
		if !ok {
			return
		}
		if f.Elem != nil && f.Elem.MaxLen > 0 && utf8.RuneCountInString(s) > f.Elem.MaxLen {
			d.add(RuleLength, posOf(v), "%s is longer than %d characters; shorten it", d.where(p), f.Elem.MaxLen)
		}
		out[key] = s
	})
	return out, true
}

func (d *decoder) paramMap(n *yaml.Node, f *Field, path string, into slot) (any, bool) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, f, path)
		return nil, false
	}
	out := make(map[string][]string, len(n.Content)/2)
	var typed map[string]raw.Value[[]string]
	if into != nil {
		if t, ok := into.Target().(*map[string]raw.Value[[]string]); ok {
			typed = make(map[string]raw.Value[[]string], len(n.Content)/2)
			*t = typed
		}
	}
	d.pairs(n, path, func(key string, k, v *yaml.Node) {
		p := join(path, key)
		v = d.resolve(v)
		if v == nil {
			return
		}
		switch v.Kind {
		case yaml.SequenceNode:
			vals := make([]string, 0, len(v.Content))
			for i, c := range v.Content {
				s, ok := d.scalarText(c, fmt.Sprintf("%s[%d]", p, i), "a parameter value")
				if ok {
					vals = append(vals, s)
				}
			}
			out[key] = vals
		default:
			s, ok := d.scalarText(v, p, "a parameter value")
			if ok {
				out[key] = []string{s}
			}
		}
		if typed != nil {
			vals, ok := out[key]
			typed[key] = raw.Value[[]string]{V: vals, Pos: posOf(v), KeyPos: posOf(k), Set: ok}
		}
	})
	return out, true
}

func (d *decoder) object(n *yaml.Node, f *Field, path string, s slot) (any, bool) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, f, path)
		return nil, false
	}
	out := make(map[string]any, len(n.Content)/2)
	keys := structOf(s)
	// present are the table's keys written, usable or not, where written
	// (on the stack for a mapping of up to 16 keys: one per mapping of
	// every file adds up).
	var buf [16]keyAt
	present := keyList(buf[:0])
	d.pairs(n, path, func(key string, k, v *yaml.Node) {
		c := f.child(key)
		if c == nil {
			d.add(RuleUnknownKey, posOf(k), "unknown key %q in %s%s", key, d.where(path), suggest(key, f))
			return
		}
		p := join(path, key)
		present = append(present, keyAt{key, posOf(k)})
		cs := keys.slot(key)
		if cs != nil {
			cs.SetKeyPos(posOf(k))
		}
		if rv := d.resolve(v); rv != nil && isNull(rv) {
			// JSON Schema (the editor) rejects a key without a value, and
			// the API has no "empty" for it either: say so, once.
			d.add(RuleWrongType, posOf(k), "%s has no value; give it %s or remove the key", d.where(p), c.Type)
			return
		}
		if val, ok := d.value(v, c, p, cs); ok {
			out[key] = val
		}
	})
	if d.exhausted {
		return nil, false
	}
	for _, c := range f.Fields {
		if !c.Required {
			continue
		}
		if _, ok := out[c.Name]; !ok {
			if _, ok := present.pos(c.Name); ok {
				continue // present but invalid: already reported
			}
			hint := ""
			if c.Doc != "" {
				hint = " (" + c.Doc + ")"
			}
			d.add(RuleRequiredField, posOf(n), "%s needs the key %q%s; add it", d.where(path), c.Name, hint)
		}
	}
	for _, group := range f.ExactlyOne {
		d.exclusive(n, path, present, group, true)
	}
	for _, group := range f.AtMostOne {
		d.exclusive(n, path, present, group, false)
	}
	return out, true
}

// keyAt is a key of a mapping and where it is.
type keyAt struct {
	key string
	at  diag.Pos
}

type keyList []keyAt

func (l keyList) pos(key string) (diag.Pos, bool) {
	for _, k := range l {
		if k.key == key {
			return k.at, true
		}
	}
	return diag.Pos{}, false
}

func (d *decoder) exclusive(n *yaml.Node, path string, written keyList, group []string, needOne bool) {
	var present []string
	for _, g := range group {
		if _, ok := written.pos(g); ok {
			present = append(present, g)
		}
	}
	switch {
	case len(present) == 0 && needOne:
		d.add(RuleRequiredField, posOf(n), "%s needs one of %s; add one", d.where(path), strings.Join(group, " or "))
	case len(present) > 1:
		at, _ := written.pos(present[1])
		d.add(RuleExclusiveFields, at, "%s sets both %s and %s; keep only one", d.where(path), present[0], present[1])
	}
}

// suggest proposes the known key closest to a misspelt one.
func suggest(key string, f *Field) string {
	best, bestDist := "", 3
	for _, c := range f.Fields {
		if strings.EqualFold(c.Name, key) {
			return fmt.Sprintf("; did you mean %q? (keys are case-sensitive)", c.Name)
		}
		if dist := editDistance(strings.ToLower(key), strings.ToLower(c.Name)); dist < bestDist {
			best, bestDist = c.Name, dist
		}
	}
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	names := make([]string, 0, len(f.Fields))
	for _, c := range f.Fields {
		names = append(names, c.Name)
	}
	sort.Strings(names)
	return "; remove it or use one of: " + strings.Join(names, ", ")
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
