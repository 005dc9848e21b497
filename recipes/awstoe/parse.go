package awstoe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ibgitops/ibgitops/internal/lazyre"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"gopkg.in/yaml.v3"
)

// Bounds that keep memory and time linear in the input whatever it holds.
const (
	// MaxDocumentBytes is the largest document text Parse reads. Image
	// Builder's inline `data` limit is 16,000 characters (checked by lint
	// on the component); S3-hosted documents may be larger.
	MaxDocumentBytes = 4 << 20
	// MaxNodes bounds the YAML nodes visited, aliases counted each time
	// they are expanded, so an alias bomb cannot exhaust memory.
	MaxNodes = 500_000
)

// Parse decodes an AWSTOE document from YAML text. Findings (malformed
// YAML, unknown keys, wrong types) carry file:line:col; the document is
// returned as far as it could be decoded (nil only when the YAML itself
// could not be read).
func Parse(data []byte, file string) (*Document, []diag.Finding) {
	p := &parser{file: file}
	if len(data) > MaxDocumentBytes {
		p.add(diag.Pos{}, diag.Error, RuleTooLarge, "document is %d bytes, more than the %d this parser reads; split it into several components", len(data), MaxDocumentBytes)
		return nil, p.findings
	}
	root, err := decodeYAML(data)
	if err != nil {
		line := yamlErrorLine(err)
		msg := cleanYAMLError(err)
		if !errors.Is(err, errSecondDocument) {
			msg += "; fix the YAML syntax (indent with spaces, quote values that start with { [ * & ! | > ' \" % @ `)"
		}
		p.add(diag.Pos{Line: line, Column: 1}, diag.Error, RuleYAML, "%s", msg)
		return nil, p.findings
	}
	if root == nil {
		p.add(diag.Pos{Line: 1, Column: 1}, diag.Error, RuleYAML, "document is empty; write at least schemaVersion: 1.0 and one phase")
		return nil, p.findings
	}
	d := p.document(root)
	return d, p.findings
}

// ParseNode decodes an AWSTOE document from an already parsed mapping
// node, e.g. the inline `document:` of a component file; positions are
// then those of that file.
func ParseNode(n *yaml.Node, file string) (*Document, []diag.Finding) {
	p := &parser{file: file}
	if n == nil {
		p.add(diag.Pos{}, diag.Error, RuleYAML, "document is empty; write at least schemaVersion: 1.0 and one phase")
		return nil, p.findings
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			p.add(pos(n), diag.Error, RuleYAML, "document is empty; write at least schemaVersion: 1.0 and one phase")
			return nil, p.findings
		}
		n = n.Content[0]
	}
	d := p.document(n)
	return d, p.findings
}

// decodeYAML reads the first YAML document of data; it turns parser
// panics into errors and refuses a second document in the same text.
func decodeYAML(data []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("yaml: cannot parse document: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	for {
		var extra yaml.Node
		err := dec.Decode(&extra)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if !isEmptyDocument(&extra) {
			return nil, fmt.Errorf("yaml: line %d: %w", extra.Line, errSecondDocument)
		}
	}
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, nil
		}
		return doc.Content[0], nil
	}
	return &doc, nil
}

var errSecondDocument = errors.New("a second YAML document (---) follows; a component holds exactly one document: remove the --- and what follows, or split it into another component")

func isEmptyDocument(n *yaml.Node) bool {
	return n.Kind == yaml.DocumentNode && (len(n.Content) == 0 || isNull(n.Content[0]))
}

var yamlLineRE = lazyre.New(`line (\d+)`)

func yamlErrorLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		if n, e := strconv.Atoi(m[1]); e == nil {
			return n
		}
	}
	return 1
}

func cleanYAMLError(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = yamlLineRE.ReplaceAllString(msg, "")
	msg = strings.TrimPrefix(strings.TrimSpace(msg), ":")
	msg = strings.TrimSpace(msg)
	if msg == "" {
		msg = "malformed YAML"
	}
	return "malformed YAML: " + msg
}

func pos(n *yaml.Node) diag.Pos {
	if n == nil {
		return diag.Pos{}
	}
	return diag.Pos{Line: n.Line, Column: n.Column}
}

type parser struct {
	// quiet suppresses the structural findings Parse already reported
	// (duplicate keys, node budget) when the validator walks nodes again.
	quiet    bool
	file     string
	findings []diag.Finding
	nodes    int
	overflow bool
}

func (p *parser) add(at diag.Pos, sev diag.Severity, rule, format string, args ...any) {
	p.findings = append(p.findings, diag.Finding{
		Rule: rule, Severity: sev, File: p.file, Line: at.Line, Column: at.Column,
		Message: fmt.Sprintf(format, args...),
	})
}

// charge counts one visited node; false once the budget is exhausted.
func (p *parser) charge(n *yaml.Node) bool {
	if p.overflow {
		return false
	}
	p.nodes++
	if p.nodes > MaxNodes {
		p.overflow = true
		if p.quiet {
			return false
		}
		p.add(pos(n), diag.Error, RuleTooLarge, "document expands to more than %d YAML nodes (deeply nested aliases?); remove the aliases or split the document", MaxNodes)
		return false
	}
	return true
}

// deref follows aliases.
func (p *parser) deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

type pair struct {
	key   string
	keyN  *yaml.Node
	value *yaml.Node
}

// pairs lists a mapping's key/value pairs with `<<` merge keys applied
// (explicit keys win) and reports duplicate keys.
func (p *parser) pairs(n *yaml.Node) []pair {
	var out []pair
	seen := map[string]bool{}
	var merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := p.deref(n.Content[i]), n.Content[i+1]
		if !p.charge(k) {
			return out
		}
		if k == nil || k.Kind != yaml.ScalarNode {
			if p.quiet {
				continue
			}
			p.add(pos(n.Content[i]), diag.Error, RuleType, "a mapping key must be a plain string; quote expressions such as '{{ Name }}'")
			continue
		}
		if k.Value == "<<" && k.Tag == "!!merge" {
			merged = append(merged, p.mergePairs(v)...)
			continue
		}
		if seen[k.Value] {
			if p.quiet {
				continue
			}
			p.add(pos(k), diag.Error, RuleDuplicateKey, "key %q appears twice in this mapping; remove one (YAML keeps only the last)", k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, pair{key: k.Value, keyN: k, value: v})
	}
	for _, m := range merged {
		if !seen[m.key] {
			seen[m.key] = true
			out = append(out, m)
		}
	}
	return out
}

func (p *parser) mergePairs(v *yaml.Node) []pair {
	v = p.deref(v)
	if v == nil {
		return nil
	}
	switch v.Kind {
	case yaml.MappingNode:
		return p.pairs(v)
	case yaml.SequenceNode:
		var out []pair
		for _, item := range v.Content {
			if !p.charge(item) {
				return out
			}
			out = append(out, p.mergePairs(item)...)
		}
		return out
	}
	p.add(pos(v), diag.Error, RuleType, "a << merge key needs a mapping alias")
	return nil
}

func kindName(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a string"
	}
	return "an alias"
}

// mapping returns n (dereferenced) when it is a mapping, else reports.
func (p *parser) mapping(n *yaml.Node, what string) *yaml.Node {
	n = p.deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			p.add(pos(n), diag.Error, RuleType, "%s is empty; it must be a mapping", what)
			return nil
		}
		p.add(pos(n), diag.Error, RuleType, "%s must be a mapping, not %s", what, kindName(n))
		return nil
	}
	return n
}

// scalar returns the text of a scalar, reporting other kinds. ok is false
// when n is not a scalar; null yields "".
func (p *parser) scalar(n *yaml.Node, what string) (string, bool) {
	n = p.deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		if n != nil && n.Kind == yaml.MappingNode && looksLikeUnquotedExpr(n) {
			p.add(pos(n), diag.Error, RuleUnquotedExpression, "%s is an unquoted {{ }} expression that YAML reads as a mapping; quote it: '{{ ... }}'", what)
			return "", false
		}
		p.add(pos(n), diag.Error, RuleType, "%s must be a string, not %s", what, kindName(n))
		return "", false
	}
	if n.Tag == "!!null" {
		return "", true
	}
	return n.Value, true
}

// looksLikeUnquotedExpr spots `{{ x }}` written without quotes: YAML reads
// it as a flow mapping whose only key is itself a flow mapping.
func looksLikeUnquotedExpr(n *yaml.Node) bool {
	return n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle != 0 && len(n.Content) == 2 &&
		n.Content[0].Kind == yaml.MappingNode && n.Content[0].Style&yaml.FlowStyle != 0
}

// integer decodes an integer scalar.
func (p *parser) integer(n *yaml.Node, what string) (int, bool) {
	n = p.deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		if n != nil && n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "{{") {
			p.add(pos(n), diag.Error, RuleExpressionContext, "%s cannot use a {{ }} expression; write a literal integer", what)
			return 0, false
		}
		p.add(pos(n), diag.Error, RuleType, "%s must be an integer, not %s", what, kindName(n))
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if err != nil || v > 1<<31-1 || v < -(1<<31) {
		p.add(pos(n), diag.Error, RuleType, "%s %q is not a 32-bit integer", what, n.Value)
		return 0, false
	}
	return int(v), true
}

func (p *parser) unknownKey(k *yaml.Node, where string, known []string) {
	msg := fmt.Sprintf("unknown key %q in %s", k.Value, where)
	if s := suggest(k.Value, known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else {
		msg += "; allowed keys: " + strings.Join(known, ", ")
	}
	p.add(pos(k), diag.Error, RuleUnknownKey, "%s", msg)
}

func (d *Document) markBad(key string) {
	if d.badType == nil {
		d.badType = map[string]bool{}
	}
	d.badType[key] = true
}

var documentKeys = []string{"name", "description", "schemaVersion", "parameters", "constants", "phases"}

func (p *parser) document(root *yaml.Node) *Document {
	d := &Document{File: p.file, Root: root, Pos: pos(root)}
	m := p.mapping(root, "the document")
	if m == nil {
		return d
	}
	d.Pos = pos(m)
	for _, kv := range p.pairs(m) {
		switch kv.key {
		case "name":
			d.Name, _ = p.scalar(kv.value, "name")
		case "description":
			d.Description, _ = p.scalar(kv.value, "description")
		case "schemaVersion":
			d.SchemaVersionPos = pos(p.deref(kv.value))
			if d.SchemaVersionPos.Line == 0 {
				d.SchemaVersionPos = pos(kv.keyN)
			}
			var ok bool
			if d.SchemaVersion, ok = p.scalar(kv.value, "schemaVersion"); !ok {
				d.markBad("schemaVersion")
			}
		case "parameters":
			d.Parameters = p.parameters(kv.value)
		case "constants":
			d.Constants = p.constants(kv.value)
		case "phases":
			d.PhasesPos = pos(kv.keyN)
			d.Phases = p.phases(kv.value)
			if v := p.deref(kv.value); v == nil || v.Kind != yaml.SequenceNode {
				if !isNull(v) {
					d.markBad("phases")
				}
			}
		default:
			p.unknownKey(kv.keyN, "the document", documentKeys)
		}
	}
	return d
}

// mappingList walks a list whose items are mappings: nothing for an absent or
// null list, one finding ("<what> must be a list of <shape>") for another
// kind, else each item that is a mapping (itemWhat names the others in their
// finding) while the budget lasts.
func (p *parser) mappingList(n *yaml.Node, what, shape, itemWhat string, each func(m *yaml.Node)) {
	n = p.deref(n)
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return
	}
	if n.Kind != yaml.SequenceNode {
		p.add(pos(n), diag.Error, RuleType, "%s must be a list of %s, not %s", what, shape, kindName(n))
		return
	}
	for _, item := range n.Content {
		if !p.charge(item) {
			return
		}
		if m := p.mapping(item, itemWhat); m != nil {
			each(m)
		}
	}
}

// namedEntries walks a list of single-key mappings (parameters/constants).
func (p *parser) namedEntries(n *yaml.Node, what string, each func(name *yaml.Node, body *yaml.Node)) {
	p.mappingList(n, what, "single-key mappings (- Name: {type: string, ...})", "each entry of "+what, func(m *yaml.Node) {
		kvs := p.pairs(m)
		if len(kvs) != 1 {
			p.add(pos(m), diag.Error, RuleType, "each entry of %s is a single-key mapping (- Name: {type: string, ...}); this one has %d keys, check the indentation", what, len(kvs))
			if len(kvs) == 0 {
				return
			}
		}
		each(kvs[0].keyN, kvs[0].value)
	})
}

var parameterKeys = []string{"type", "default", "description"}

func (p *parser) parameters(n *yaml.Node) []Parameter {
	var out []Parameter
	p.namedEntries(n, "parameters", func(name, body *yaml.Node) {
		param := Parameter{Name: name.Value, Pos: pos(name)}
		if m := p.mapping(body, fmt.Sprintf("parameter %q", name.Value)); m != nil {
			for _, kv := range p.pairs(m) {
				switch kv.key {
				case "type":
					param.Type, _ = p.scalar(kv.value, "type")
				case "default":
					if v := p.deref(kv.value); v != nil && v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
						continue
					}
					if s, ok := p.scalar(kv.value, "default"); ok {
						param.Default = &s
					}
				case "description":
					param.Description, _ = p.scalar(kv.value, "description")
				default:
					p.unknownKey(kv.keyN, fmt.Sprintf("parameter %q", name.Value), parameterKeys)
				}
			}
		}
		out = append(out, param)
	})
	return out
}

var constantKeys = []string{"type", "value"}

func (p *parser) constants(n *yaml.Node) []Constant {
	var out []Constant
	p.namedEntries(n, "constants", func(name, body *yaml.Node) {
		c := Constant{Name: name.Value, Pos: pos(name)}
		hasValue := false
		if m := p.mapping(body, fmt.Sprintf("constant %q", name.Value)); m != nil {
			for _, kv := range p.pairs(m) {
				switch kv.key {
				case "type":
					c.Type, _ = p.scalar(kv.value, "type")
				case "value":
					c.Value, hasValue = p.scalar(kv.value, "value")
				default:
					p.unknownKey(kv.keyN, fmt.Sprintf("constant %q", name.Value), constantKeys)
				}
			}
			if !hasValue {
				p.add(pos(name), diag.Error, RuleParameter, "constant %q has no value; add value: <text>", name.Value)
			}
		}
		out = append(out, c)
	})
	return out
}

var phaseKeys = []string{"name", "steps"}

func (p *parser) phases(n *yaml.Node) []Phase {
	var out []Phase
	p.mappingList(n, "phases", "{name, steps}", "each phase", func(m *yaml.Node) {
		ph := Phase{Pos: pos(m)}
		for _, kv := range p.pairs(m) {
			switch kv.key {
			case "name":
				ph.NamePos = pos(p.deref(kv.value))
				ph.Name, _ = p.scalar(kv.value, "phase name")
			case "steps":
				ph.Steps = p.steps(kv.value)
				if v := p.deref(kv.value); v != nil && v.Kind != yaml.SequenceNode && !isNull(v) {
					ph.stepsBad = true
				}
			default:
				p.unknownKey(kv.keyN, "a phase", phaseKeys)
			}
		}
		out = append(out, ph)
	})
	return out
}

var stepKeys = []string{"name", "action", "timeoutSeconds", "onFailure", "maxAttempts", "inputs", "if", "loop"}

func (p *parser) steps(n *yaml.Node) []Step {
	var out []Step
	p.mappingList(n, "steps", "steps", "each step", func(m *yaml.Node) {
		out = append(out, p.step(m))
	})
	return out
}

func (p *parser) step(m *yaml.Node) Step {
	s := Step{Pos: pos(m)}
	for _, kv := range p.pairs(m) {
		at := pos(p.deref(kv.value))
		switch kv.key {
		case "name":
			s.NamePos = at
			s.Name, _ = p.scalar(kv.value, "step name")
		case "action":
			s.ActionPos = at
			s.Action, _ = p.scalar(kv.value, "action")
		case "timeoutSeconds":
			s.TimeoutSecondsPos = at
			if v, ok := p.integer(kv.value, "timeoutSeconds"); ok {
				s.TimeoutSeconds = &v
			}
		case "onFailure":
			s.OnFailurePos = at
			s.OnFailure, _ = p.scalar(kv.value, "onFailure")
		case "maxAttempts":
			s.MaxAttemptsPos = at
			if v, ok := p.integer(kv.value, "maxAttempts"); ok {
				s.MaxAttempts = &v
			}
		case "inputs":
			s.InputsPos = at
			if s.InputsPos.Line == 0 {
				s.InputsPos = pos(kv.keyN)
			}
			s.Inputs = kv.value
			s.InputsValue = p.toAny(kv.value)
		case "if":
			s.If = p.ifCondition(kv.value)
		case "loop":
			s.Loop = p.loop(kv.value)
		default:
			p.unknownKey(kv.keyN, "a step", stepKeys)
		}
	}
	if s.Action == "Assert" && s.Inputs != nil {
		if in := p.deref(s.Inputs); in != nil && !(in.Kind == yaml.ScalarNode && in.Tag == "!!null") {
			s.Assertion = p.condition(in, false, "Assert inputs")
		}
	}
	return s
}

// toAny converts a node into plain Go values under the node budget.
func (p *parser) toAny(n *yaml.Node) any {
	n = p.deref(n)
	if n == nil || !p.charge(n) {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		if looksLikeUnquotedExpr(n) {
			p.add(pos(n), diag.Error, RuleUnquotedExpression, "unquoted {{ }} expression: YAML reads it as a mapping; quote it: '{{ ... }}'")
			return nil
		}
		out := make(map[string]any, len(n.Content)/2)
		for _, kv := range p.pairs(n) {
			out[kv.key] = p.toAny(kv.value)
		}
		return out
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			out = append(out, p.toAny(item))
		}
		return out
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil
}

func scalarValue(n *yaml.Node) any {
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		// Leading-zero integers (permissions: 0755) stay text so the
		// octal digits survive; YAML 1.1 would turn them into 493.
		if len(n.Value) > 1 && n.Value[0] == '0' && n.Value[1] >= '0' && n.Value[1] <= '9' {
			return n.Value
		}
		var i int
		if n.Decode(&i) == nil {
			return i
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	}
	return n.Value
}

var loopKeys = []string{"name", "for", "forEach"}
var forKeys = []string{"start", "end", "updateBy"}
var forEachKeys = []string{"list", "delimiter"}

func (p *parser) loop(n *yaml.Node) *Loop {
	m := p.mapping(n, "loop")
	if m == nil {
		return nil // reported; the step is treated as having no loop
	}
	l := &Loop{Pos: pos(m)}
	for _, kv := range p.pairs(m) {
		switch kv.key {
		case "name":
			l.Name, _ = p.scalar(kv.value, "loop name")
		case "for":
			fm := p.mapping(kv.value, "loop for")
			if fm == nil {
				l.For = &ForLoop{Pos: pos(kv.keyN)}
				continue
			}
			// Findings on the loop point at its `for:` key, not at the
			// first key of the mapping (which may be `updateBy: 0` or any
			// other bound, in whatever order they were written).
			f := &ForLoop{Pos: pos(kv.keyN)}
			seen := map[string]bool{}
			for _, fkv := range p.pairs(fm) {
				switch fkv.key {
				case "start":
					f.Start, seen["start"] = p.integer(fkv.value, "for start")
				case "end":
					f.End, seen["end"] = p.integer(fkv.value, "for end")
				case "updateBy":
					f.UpdateBy, seen["updateBy"] = p.integer(fkv.value, "for updateBy")
				default:
					p.unknownKey(fkv.keyN, "loop for", forKeys)
				}
			}
			for _, k := range forKeys {
				if !seen[k] {
					f.partial = true
				}
				if _, ok := seen[k]; !ok {
					p.add(f.Pos, diag.Error, RuleLoop, "loop for needs %s; a for loop has start, end and updateBy (all integers)", k)
				}
			}
			l.For = f
		case "forEach":
			l.ForEach = p.forEach(kv.value, kv.keyN)
		default:
			p.unknownKey(kv.keyN, "loop", loopKeys)
		}
	}
	return l
}

func (p *parser) forEach(n, key *yaml.Node) *ForEach {
	n = p.deref(n)
	f := &ForEach{Pos: pos(n), Delimiter: ","}
	if n == nil {
		f.Pos = pos(key)
		return f
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if !p.charge(item) {
				return f
			}
			if s, ok := p.scalar(item, "each forEach item"); ok {
				f.List = append(f.List, s)
			}
		}
	case yaml.MappingNode:
		f.Delimited = true
		hasList := false
		for _, kv := range p.pairs(n) {
			switch kv.key {
			case "list":
				var s string
				if s, hasList = p.scalar(kv.value, "forEach list"); hasList {
					f.List = []string{s}
				}
			case "delimiter":
				f.Delimiter, _ = p.scalar(kv.value, "forEach delimiter")
			default:
				p.unknownKey(kv.keyN, "forEach", forEachKeys)
			}
		}
		if !hasList {
			p.add(pos(n), diag.Error, RuleLoop, "forEach as a mapping needs list: '<items separated by the delimiter>'")
		}
	default:
		p.add(pos(n), diag.Error, RuleType, "forEach must be a list of strings or {list, delimiter}, not %s", kindName(n))
	}
	return f
}

// ifCondition parses a step's `if:`; the docs' list form with exactly one
// element is tolerated.
func (p *parser) ifCondition(n *yaml.Node) *Condition {
	n = p.deref(n)
	if n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 1 {
		n = p.deref(n.Content[0])
	}
	return p.condition(n, true, "if")
}

// ParseCondition parses a condition mapping (an Assert step's inputs or an
// `if:`), for callers holding the node. top allows then/else.
func ParseCondition(n *yaml.Node, file string, top bool) (*Condition, []diag.Finding) {
	p := &parser{file: file}
	c := p.condition(p.deref(n), top, "condition")
	return c, p.findings
}

func (p *parser) condition(n *yaml.Node, top bool, what string) *Condition {
	if n == nil {
		return nil
	}
	if !p.charge(n) {
		return nil
	}
	c := &Condition{Pos: pos(n)}
	if n.Kind != yaml.MappingNode {
		p.add(pos(n), diag.Error, RuleType, "%s must be a mapping with one operator (e.g. fileExists: /path), not %s", what, kindName(n))
		return c
	}
	for _, kv := range p.pairs(n) {
		switch kv.key {
		case "then", "else":
			if !top {
				p.add(pos(kv.keyN), diag.Error, RuleCondition, "%s is only allowed at the top of an if, next to its operator; move it up", kv.key)
				continue
			}
			s, _ := p.scalar(kv.value, kv.key)
			if kv.key == "then" {
				c.Then = s
			} else {
				c.Else = s
			}
		case "value":
			v := p.deref(kv.value)
			if s, ok := p.scalar(v, "value"); ok {
				c.Value, c.ValueTag, c.HasValue = s, v.Tag, true
			}
		case "path":
			if s, ok := p.scalar(kv.value, "path"); ok {
				c.Path, c.HasPath = s, true
			}
		default:
			op, exact := canonicalOperator(kv.key)
			if op == "" {
				p.unknownKey(kv.keyN, what, append(append([]string{}, allOperators...), "value", "path", "then", "else"))
				continue
			}
			if !exact {
				p.add(pos(kv.keyN), diag.Warning, RuleOperatorCase, "operator %q is spelled %q in AWSTOE; use that spelling", kv.key, op)
			}
			if c.Op != "" {
				p.add(pos(kv.keyN), diag.Error, RuleCondition, "%s has two operators (%s and %s); combine them with and: [...] or or: [...]", what, c.Op, op)
				continue
			}
			c.Op = op
			p.operand(c, kv.value)
		}
	}
	if c.Op == "" {
		p.add(pos(n), diag.Error, RuleCondition, "%s has no operator; use one of %s", what, strings.Join(allOperators, ", "))
	}
	return c
}

func (p *parser) operand(c *Condition, v *yaml.Node) {
	v = p.deref(v)
	switch c.Op {
	case OpAnd, OpOr:
		if v == nil || v.Kind != yaml.SequenceNode {
			p.add(pos(v), diag.Error, RuleType, "%s takes a list of conditions (%s: [ {...}, {...} ]), not %s", c.Op, c.Op, kindName(v))
			return
		}
		for _, item := range v.Content {
			if sub := p.condition(p.deref(item), false, c.Op+" operand"); sub != nil {
				c.Operands = append(c.Operands, sub)
			}
		}
	case OpNot:
		if v != nil && v.Kind == yaml.SequenceNode {
			if len(v.Content) != 1 {
				p.add(pos(v), diag.Error, RuleCondition, "not takes exactly one condition, got %d; wrap several in and: [...] or or: [...]", len(v.Content))
				if len(v.Content) == 0 {
					return
				}
			}
			v = p.deref(v.Content[0])
		}
		if sub := p.condition(v, false, "not operand"); sub != nil {
			c.Operands = append(c.Operands, sub)
		}
	default:
		if s, ok := p.scalar(v, c.Op); ok {
			c.Baseline, c.BaselineTag = s, v.Tag
		}
	}
}
