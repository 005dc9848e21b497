package awstoe

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ibgitops/ibgitops/recipes/diag"
	"gopkg.in/yaml.v3"
)

// RefKind classifies a `{{ }}` expression.
type RefKind int

const (
	RefInvalid  RefKind = iota
	RefVariable         // a parameter or constant name
	RefChain            // phase.step.inputs|outputs[.i].key
	RefLoop             // loop.value / <name>.index ...
	RefEnv              // env:NAME
	RefContext          // context:key
	RefSSM              // aws:ssm:/path or aws:ssm:resolve(x)
	RefIMDS             // aws:imds:path
)

// ParsedRef is the structure of one expression.
type ParsedRef struct {
	Kind RefKind
	// Name is the variable, env var, context key, SSM path (or resolve
	// argument), IMDS path, or loop name ("loop" for the unnamed form).
	Name string
	// Resolve is true for aws:ssm:resolve(Name).
	Resolve bool
	// Chaining fields.
	Phase, Step string
	// Field is "inputs" or "outputs" for chaining, "value" or "index" for loops.
	Field string
	// Index is the [i] of a chaining reference, -1 when absent.
	Index int
	// Key is the input/output key of a chaining reference (may contain dots).
	Key string
}

// ParseRef classifies expression text (Ref.Expr). It does not check that
// the names exist; a string without namespace, dot or brackets is a
// variable. Kind is RefInvalid with an explanation in err otherwise.
func ParseRef(expr string) (ParsedRef, error) {
	r := ParsedRef{Index: -1}
	switch {
	case expr == "":
		return r, fmt.Errorf("empty {{ }} expression; write a parameter, constant or phase.step.outputs.key between the braces")
	case strings.HasPrefix(expr, "env:"):
		r.Kind, r.Name = RefEnv, strings.TrimPrefix(expr, "env:")
		if r.Name == "" {
			return ParsedRef{Index: -1}, fmt.Errorf("{{ env: }} needs a variable name, e.g. {{ env:HOME }}")
		}
		return r, nil
	case strings.HasPrefix(expr, "context:"):
		r.Kind, r.Name = RefContext, strings.TrimPrefix(expr, "context:")
		return r, nil
	case strings.HasPrefix(expr, "aws:ssm:"):
		r.Kind, r.Name = RefSSM, strings.TrimPrefix(expr, "aws:ssm:")
		if strings.HasPrefix(r.Name, "resolve(") {
			if !strings.HasSuffix(r.Name, ")") {
				return ParsedRef{Index: -1}, fmt.Errorf("aws:ssm:resolve( is not closed; write {{ aws:ssm:resolve(ParameterName) }}")
			}
			r.Resolve = true
			r.Name = strings.TrimSpace(r.Name[len("resolve(") : len(r.Name)-1])
		}
		if r.Name == "" {
			return ParsedRef{Index: -1}, fmt.Errorf("{{ aws:ssm: }} needs a parameter name, e.g. {{ aws:ssm:/my/param }}")
		}
		return r, nil
	case strings.HasPrefix(expr, "aws:imds:"):
		r.Kind, r.Name = RefIMDS, strings.TrimPrefix(expr, "aws:imds:")
		if r.Name == "" {
			return ParsedRef{Index: -1}, fmt.Errorf("{{ aws:imds: }} needs a metadata path, e.g. {{ aws:imds:instance-id }}")
		}
		return r, nil
	case strings.HasPrefix(expr, "aws:"):
		return r, fmt.Errorf("unknown namespace in {{ %s }}; AWSTOE knows aws:ssm:, aws:imds:, env: and context:", expr)
	}
	if m := chainRE.FindStringSubmatch(expr); m != nil {
		r.Kind, r.Phase, r.Step, r.Field, r.Key = RefChain, m[1], m[2], m[3], m[5]
		if m[4] != "" {
			i, err := strconv.Atoi(m[4])
			if err != nil {
				return ParsedRef{Index: -1}, fmt.Errorf("index [%s] in {{ %s }} is too large", m[4], expr)
			}
			r.Index = i
		}
		return r, nil
	}
	if parts := strings.Split(expr, "."); len(parts) == 2 && (parts[1] == "value" || parts[1] == "index") && parts[0] != "" {
		r.Kind, r.Name, r.Field = RefLoop, parts[0], parts[1]
		return r, nil
	}
	if strings.ContainsAny(expr, ".[]") {
		return r, fmt.Errorf("{{ %s }} is neither a variable nor phase.step.inputs|outputs.key nor <loop>.value|index", expr)
	}
	r.Kind, r.Name = RefVariable, expr
	return r, nil
}

// exprSite is one string that may hold expressions; literal is set for
// `|` block scalars, whose lines map one to one to the file's lines.
type exprSite struct {
	text    string
	at      diag.Pos
	literal bool
	inIf    bool // part of the step's if, evaluated once before any loop
}

// refPos is the position of the reference starting at byte offset off:
// exact line inside literal block scalars (column 1: the block's
// indentation is not kept by the YAML node), else the scalar's position.
func (s exprSite) refPos(off int) diag.Pos {
	if !s.literal {
		return s.at
	}
	return diag.Pos{Line: s.at.Line + 1 + strings.Count(s.text[:off], "\n"), Column: 1}
}

// expressions checks every {{ }} in the step's inputs, loop lists and
// condition operands.
func (v *validator) expressions(pi, si int) {
	s := &v.d.Phases[pi].Steps[si]
	var sites []exprSite
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		n = v.deref(n)
		if n == nil || !v.charge(n) {
			return
		}
		switch n.Kind {
		case yaml.ScalarNode:
			if n.Tag != "!!null" && strings.Contains(n.Value, "{{") {
				sites = append(sites, exprSite{text: n.Value, at: pos(n), literal: n.Style&yaml.LiteralStyle != 0})
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c)
			}
		case yaml.MappingNode:
			for i := 1; i < len(n.Content); i += 2 {
				walk(n.Content[i])
			}
		}
	}
	walk(s.Inputs)
	if s.Loop != nil && s.Loop.ForEach != nil {
		for _, item := range s.Loop.ForEach.List {
			sites = append(sites, exprSite{text: item, at: s.Loop.ForEach.Pos})
		}
	}
	var cond func(c *Condition)
	cond = func(c *Condition) {
		if c == nil {
			return
		}
		sites = append(sites, exprSite{text: c.Baseline, at: c.Pos, inIf: true})
		if c.HasValue {
			sites = append(sites, exprSite{text: c.Value, at: c.Pos, inIf: true})
		}
		if c.HasPath {
			sites = append(sites, exprSite{text: c.Path, at: c.Pos, inIf: true})
		}
		for _, o := range c.Operands {
			cond(o)
		}
	}
	cond(s.If)
	for _, site := range sites {
		refs := FindRefs(site.text)
		if strings.Count(site.text, "{{") > len(refs) && strings.Count(site.text, "}}") < strings.Count(site.text, "{{") {
			v.add(site.at, diag.Warning, RuleBadExpression, "%q has a {{ without a closing }}; close the expression", clip(site.text))
		}
		seen := map[string]bool{}
		for _, ref := range refs {
			at := site.refPos(ref.Start)
			key := fmt.Sprintf("%d:%s", at.Line, ref.Expr)
			if seen[key] {
				continue // one finding per expression and line
			}
			seen[key] = true
			if site.inIf {
				if r, err := ParseRef(ref.Expr); err == nil && r.Kind == RefLoop {
					v.add(at, diag.Warning, RuleLoopReference, "{{ %s }} in if: AWSTOE evaluates if once, before the loop runs, so loop variables stay unreplaced; move the test into the step's commands", ref.Expr)
					continue
				}
			}
			v.reference(ref.Expr, at, pi, si)
		}
	}
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

func (v *validator) reference(expr string, at diag.Pos, pi, si int) {
	ph := &v.d.Phases[pi]
	s := &ph.Steps[si]
	r, err := ParseRef(expr)
	if err != nil {
		v.add(at, diag.Error, RuleBadExpression, "%s", err.Error())
		return
	}
	switch r.Kind {
	case RefVariable:
		if v.names[r.Name] {
			v.used[r.Name] = true
			return
		}
		if !identRE.MatchString(r.Name) {
			v.add(at, diag.Warning, RuleBadExpression, "{{ %s }} is not an AWSTOE expression but AWSTOE will try to resolve it; if it is meant for another tool (e.g. a Go template), build the braces at run time, e.g. printf '{%%s{' ", clip(expr))
			return
		}
		msg := fmt.Sprintf("{{ %s }} names no parameter or constant", expr)
		var declared []string
		for n := range v.names {
			declared = append(declared, n)
		}
		if sug := suggest(r.Name, declared); sug != "" {
			msg += fmt.Sprintf("; did you mean {{ %s }}? (names are case-sensitive)", sug)
		} else {
			msg += fmt.Sprintf("; declare it under parameters: (- %s: {type: string}) or constants:", r.Name)
		}
		v.add(at, diag.Error, RuleUnknownReference, "%s", msg)
	case RefEnv:
	case RefContext:
		if !contains(ContextKeys, r.Name) {
			v.add(at, diag.Error, RuleUnknownReference, "{{ context:%s }} is not a context value; use one of %s", r.Name, strings.Join(ContextKeys, ", "))
		}
	case RefSSM:
		if r.Resolve {
			if v.names[r.Name] {
				v.used[r.Name] = true
			} else if !strings.HasPrefix(r.Name, "aws:ssm:") {
				v.add(at, diag.Error, RuleUnknownReference, "aws:ssm:resolve(%s) needs a declared parameter or constant or another aws:ssm: reference", r.Name)
			}
		}
	case RefIMDS:
		p := strings.TrimPrefix(r.Name, "/")
		if strings.HasPrefix(p, "iam/") || p == "iam" || strings.HasPrefix(p, "identity-credentials") {
			v.add(at, diag.Error, RuleIMDSPath, "AWSTOE rejects {{ aws:imds:%s }}: credentials paths (iam/, identity-credentials/) cannot be read; use the instance role through the AWS CLI instead", r.Name)
		}
	case RefLoop:
		v.loopReference(r, expr, at, s)
	case RefChain:
		v.chainReference(r, expr, at, pi, si)
	}
}

func (v *validator) loopReference(r ParsedRef, expr string, at diag.Pos, s *Step) {
	if r.Name == "loop" {
		if s.Loop == nil {
			v.add(at, diag.Warning, RuleLoopReference, "{{ %s }} is outside a loop, so AWSTOE leaves it unreplaced; add a loop: to step %q or remove the expression", expr, s.Name)
		}
		return
	}
	if s.Loop != nil && s.Loop.Name == r.Name {
		return
	}
	if v.loops[r.Name] {
		v.add(at, diag.Error, RuleLoopReference, "{{ %s }} refers to the loop of another step; a step can only read its own loop (use {{ loop.%s }} inside that step)", expr, r.Field)
		return
	}
	if v.names[r.Name] {
		v.add(at, diag.Error, RuleBadExpression, "{{ %s }}: %s is a parameter, not a loop; write {{ %s }}", expr, r.Name, r.Name)
		return
	}
	hint := "name the step's loop (loop: {name: " + r.Name + ", ...}) or use {{ loop." + r.Field + " }}"
	v.add(at, diag.Error, RuleUnknownReference, "{{ %s }} names no loop of this step; %s", expr, hint)
}

func (v *validator) chainReference(r ParsedRef, expr string, at diag.Pos, pi, si int) {
	cur := &v.d.Phases[pi]
	rpi, ok := v.phases[r.Phase]
	if !ok || rpi < 0 {
		var names []string
		for _, p := range v.d.Phases {
			names = append(names, p.Name)
		}
		msg := fmt.Sprintf("{{ %s }} names phase %q, which this document does not have", expr, r.Phase)
		if sug := suggest(r.Phase, names); sug != "" {
			msg += fmt.Sprintf("; did you mean %q?", sug)
		}
		v.add(at, diag.Error, RuleUnknownReference, "%s", msg)
		return
	}
	rsi, ok := v.steps[r.Phase][r.Step]
	if !ok {
		var names []string
		for n := range v.steps[r.Phase] {
			names = append(names, n)
		}
		msg := fmt.Sprintf("{{ %s }} names step %q, which phase %q does not have", expr, r.Step, r.Phase)
		if sug := suggest(r.Step, names); sug != "" {
			msg += fmt.Sprintf("; did you mean %q?", sug)
			v.add(at, diag.Error, RuleUnknownReference, "%s", msg)
			return
		}
		// No close name: a generator may insert that step before upload
		// (AWS's own aws-parallelcluster templates do). That is allowed
		// only when asked for: otherwise the run would fail at this step
		// after earlier steps had changed the machine.
		if v.opts.AllowMissingSteps {
			msg += "; AWSTOE cannot resolve it unless that step is added before the document is used"
			v.add(at, diag.Warning, RuleUnknownReference, "%s", msg)
			return
		}
		msg += "; add the step, fix the name, or, for a template a generator completes before use, validate with --allow-missing-steps"
		v.add(at, diag.Error, RuleUnknownReference, "%s", msg)
		return
	}
	if Stage(r.Phase) != Stage(cur.Name) {
		v.add(at, diag.Error, RuleCrossStageReference, "{{ %s }}: phase %q runs in Image Builder's %s stage and %q in the %s stage, on different instances, so chaining cannot cross them; pass the value as a parameter or recompute it", expr, r.Phase, Stage(r.Phase), cur.Name, Stage(cur.Name))
		return
	}
	if rpi > pi || (rpi == pi && rsi >= si) {
		what := "a later step"
		if rpi == pi && rsi == si {
			what = "this step itself"
		}
		v.add(at, diag.Error, RuleForwardReference, "{{ %s }} refers to %s, whose %s do not exist yet; move step %q before this one or refer to an earlier step", expr, what, r.Field, r.Step)
		return
	}
	target := &v.d.Phases[rpi].Steps[rsi]
	a, ok := LookupAction(target.Action)
	if !ok {
		return // reported on the target step
	}
	key := r.Key
	if i := strings.IndexAny(key, ".["); i >= 0 {
		key = key[:i]
	}
	switch r.Field {
	case "inputs":
		if _, ok := a.Input(key); !ok && a.Shape != ShapeCondition {
			v.add(at, diag.Error, RuleUnknownReference, "{{ %s }}: %s has no input %q", expr, a.Name, key)
			return
		}
		n := 1
		if list, ok := target.InputsValue.([]any); ok {
			n = len(list)
		}
		if r.Index >= n {
			v.add(at, diag.Error, RuleUnknownReference, "{{ %s }}: step %q has %d input item(s), so the index must be below %d (it is zero-based)", expr, r.Step, n, n)
		}
	case "outputs":
		if a.AnyOutputs || contains(a.Outputs, key) {
			return
		}
		if len(a.Outputs) == 0 {
			v.add(at, diag.Error, RuleUnknownOutput, "{{ %s }}: %s produces no outputs; chain from a module that does (e.g. ExecuteBash's stdout)", expr, a.Name)
			return
		}
		v.add(at, diag.Error, RuleUnknownOutput, "{{ %s }}: %s produces only %s", expr, a.Name, strings.Join(a.Outputs, ", "))
	}
}
