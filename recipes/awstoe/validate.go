package awstoe

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ibgitops/ibgitops/internal/lazyre"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"gopkg.in/yaml.v3"
)

var (
	stepNameRE  = lazyre.New(`^[A-Za-z0-9_-]+$`)
	paramNameRE = lazyre.New(`^[A-Za-z0-9_-]{3,128}$`)
	chainRE     = lazyre.New(`^([^.\[\]]+)\.([^.\[\]]+)\.(inputs|outputs)(?:\[([0-9]+)\])?\.(.+)$`)
	identRE     = lazyre.New(`^[A-Za-z0-9_\-:./\[\]()]+$`)
)

// KnownPhases are the phase names Image Builder runs.
var KnownPhases = []string{"build", "validate", "test", "container-host-test"}

// ContextKeys are the keys of `{{ context:<key> }}`.
var ContextKeys = []string{"executionId", "accountId", "region", "osPlatform", "osName", "osVersion",
	"date", "dateTime", "uuid", "hostname", "phase", "step"}

// Stage returns where a phase runs: "build" for build and validate (the
// build instance), "test" for test (the test instance or the container),
// and the phase name itself for other phases, container-host-test
// included (it runs on the container build host). Chaining never crosses
// stages, because each runs on a different machine.
func Stage(phase string) string {
	switch phase {
	case "build", "validate":
		return "build"
	case "test":
		return "test"
	}
	return phase
}

// InferPlatform guesses a document's platform from its action modules:
// "Windows" when it uses a Windows-only module, "Linux" when it uses a
// module Windows lacks, "" when nothing tells.
func InferPlatform(d *Document) string {
	if d == nil {
		return ""
	}
	windows, unix := false, false
	for _, ph := range d.Phases {
		for _, s := range ph.Steps {
			a, ok := LookupAction(s.Action)
			if !ok {
				continue
			}
			if !a.SupportsPlatform(PlatformLinux) {
				windows = true
			}
			if !a.SupportsPlatform(PlatformWindows) {
				unix = true
			}
		}
	}
	switch {
	case windows && !unix:
		return PlatformWindows
	case unix && !windows:
		return PlatformLinux
	}
	return ""
}

// Validate checks the document against AWSTOE's rules for opts.Platform
// and returns every finding (rule ids prefixed "toe-"). Parse findings
// are not repeated.
func (d *Document) Validate(opts ValidateOptions) []diag.Finding {
	if d == nil {
		return nil
	}
	v := &validator{
		parser: parser{file: d.File, quiet: true},
		d:      d, opts: opts,
		names:  map[string]bool{},
		used:   map[string]bool{},
		phases: map[string]int{},
		steps:  map[string]map[string]int{},
		loops:  map[string]bool{},
	}
	v.document()
	return v.findings
}

type validator struct {
	parser
	d      *Document
	opts   ValidateOptions
	names  map[string]bool // parameters and constants
	used   map[string]bool
	phases map[string]int            // first index of each phase name
	steps  map[string]map[string]int // phase -> step -> first index
	loops  map[string]bool           // every loop name in the document
}

func (v *validator) document() {
	d := v.d
	switch {
	case d.badType["schemaVersion"]:
	case d.SchemaVersion == "":
		v.add(d.Pos, diag.Error, RuleSchemaVersion, "schemaVersion is missing; add schemaVersion: 1.0")
	case d.SchemaVersion != "1.0" && d.SchemaVersion != "1":
		v.add(d.SchemaVersionPos, diag.Error, RuleSchemaVersion, "schemaVersion %q is not supported; AWSTOE supports only schemaVersion: 1.0", d.SchemaVersion)
	}
	v.variables()
	v.index()
	if d.badType["phases"] {
		// reported by Parse
	} else if len(d.Phases) == 0 {
		at := d.PhasesPos
		if at.Line == 0 {
			at = d.Pos
		}
		v.add(at, diag.Error, RulePhases, "the document has no phases; add phases: with at least one of build, validate, test")
	} else if v.phases["build"] < 0 && v.phases["validate"] < 0 && v.phases["test"] < 0 {
		v.add(d.PhasesPos, diag.Error, RulePhases, "the document has none of the phases build, validate, test; Image Builder needs at least one of them")
	}
	for pi := range d.Phases {
		v.phase(pi)
	}
	for _, p := range d.Parameters {
		if p.Name != "" && !v.used[p.Name] {
			v.add(p.Pos, diag.Warning, RuleUnusedParameter, "parameter %q is never used; reference it as '{{ %s }}' or remove it", p.Name, p.Name)
		}
	}
	for _, c := range d.Constants {
		if c.Name != "" && !v.used[c.Name] {
			v.add(c.Pos, diag.Warning, RuleUnusedParameter, "constant %q is never used; reference it as '{{ %s }}' or remove it", c.Name, c.Name)
		}
	}
}

func (v *validator) variables() {
	check := func(kind, name, typ string, at diag.Pos) {
		if !paramNameRE.MatchString(name) {
			v.add(at, diag.Error, RuleParameter, "%s name %q must be 3 to 128 characters of A-Z a-z 0-9 - _; rename it", kind, name)
		}
		switch typ {
		case "":
			v.add(at, diag.Error, RuleParameter, "%s %q has no type; add type: string", kind, name)
		case "string":
		default:
			v.add(at, diag.Error, RuleParameter, "%s %q has type %q; AWSTOE supports only type: string", kind, name, typ)
		}
		if v.names[name] {
			v.add(at, diag.Error, RuleDuplicateParameter, "%q is declared twice (parameters and constants share one namespace); rename or remove one", name)
		}
		v.names[name] = true
	}
	for _, p := range v.d.Parameters {
		check("parameter", p.Name, p.Type, p.Pos)
	}
	for _, c := range v.d.Constants {
		check("constant", c.Name, c.Type, c.Pos)
	}
}

// index records phase and step positions before checking expressions,
// which may name later steps (forward references) or other loops.
func (v *validator) index() {
	for _, name := range []string{"build", "validate", "test"} {
		v.phases[name] = -1
	}
	for pi, ph := range v.d.Phases {
		if i, ok := v.phases[ph.Name]; !ok || i < 0 {
			v.phases[ph.Name] = pi
			v.steps[ph.Name] = map[string]int{}
		}
		if v.phases[ph.Name] != pi {
			continue
		}
		for si, s := range ph.Steps {
			if _, ok := v.steps[ph.Name][s.Name]; !ok && s.Name != "" {
				v.steps[ph.Name][s.Name] = si
			}
			if s.Loop != nil && s.Loop.Name != "" {
				v.loops[s.Loop.Name] = true
			}
		}
	}
}

func (v *validator) phase(pi int) {
	ph := &v.d.Phases[pi]
	at := ph.NamePos
	if at.Line == 0 {
		at = ph.Pos
	}
	switch {
	case ph.Name == "":
		v.add(ph.Pos, diag.Error, RulePhaseName, "phase has no name; add name: build (or validate, test)")
	case v.phases[ph.Name] != pi:
		v.add(at, diag.Error, RuleDuplicatePhase, "phase %q is defined twice; merge the steps into one phase", ph.Name)
	case strings.Contains(ph.Name, "{{"):
		v.add(at, diag.Error, RuleExpressionContext, "phase name %q cannot use a {{ }} expression; write a literal name", ph.Name)
	case !contains(KnownPhases, ph.Name):
		msg := fmt.Sprintf("phase %q never runs in Image Builder (it runs build, validate, test and, for containers, container-host-test)", ph.Name)
		if s := suggest(ph.Name, KnownPhases); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		v.add(at, diag.Warning, RulePhaseName, "%s", msg)
	}
	if len(ph.Steps) == 0 && ph.Name != "" && !ph.stepsBad {
		v.add(ph.Pos, diag.Warning, RulePhases, "phase %q has no steps; add steps or remove the phase", ph.Name)
	}
	stepSeen := map[string]bool{}
	loopSeen := map[string]bool{}
	for si := range ph.Steps {
		s := &ph.Steps[si]
		if s.Name != "" {
			if stepSeen[s.Name] {
				v.add(stepPos(s), diag.Error, RuleDuplicateStep, "step %q appears twice in phase %q; step names must be unique within a phase", s.Name, ph.Name)
			}
			stepSeen[s.Name] = true
		}
		if s.Loop != nil && s.Loop.Name != "" {
			if loopSeen[s.Loop.Name] {
				v.add(s.Loop.Pos, diag.Error, RuleDuplicateLoop, "loop name %q is used twice in phase %q; rename one", s.Loop.Name, ph.Name)
			}
			loopSeen[s.Loop.Name] = true
		}
		v.step(pi, si)
	}
}

func stepPos(s *Step) diag.Pos {
	if s.NamePos.Line != 0 {
		return s.NamePos
	}
	return s.Pos
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (v *validator) step(pi, si int) {
	ph := &v.d.Phases[pi]
	s := &ph.Steps[si]
	switch {
	case s.Name == "":
		v.add(s.Pos, diag.Error, RuleStepName, "step has no name; add name: <letters, digits, - or _>")
	case strings.Contains(s.Name, "{{"):
		v.add(s.NamePos, diag.Error, RuleExpressionContext, "step name %q cannot use a {{ }} expression; write a literal name", s.Name)
	case !stepNameRE.MatchString(s.Name):
		v.add(s.NamePos, diag.Error, RuleStepName, "invalid step name %q in phase %q: allowed characters are 0-9, a-z, A-Z, - and _ (no spaces); rename it, e.g. %q", s.Name, ph.Name, sanitizeName(s.Name))
	}
	a := v.action(s)
	v.controls(s)
	if a != nil {
		v.inputs(a, s)
	}
	if s.Loop != nil {
		v.loop(s.Loop)
	}
	if s.If != nil {
		v.condition(s.If, 0, true)
	}
	if s.Assertion != nil {
		v.condition(s.Assertion, 0, false)
	}
	v.expressions(pi, si)
}

func sanitizeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ' || r == '.':
			b.WriteRune('-')
		}
	}
	if b.Len() == 0 {
		return "Step1"
	}
	return b.String()
}

func (v *validator) action(s *Step) *Action {
	if s.Action == "" {
		v.add(stepPos(s), diag.Error, RuleMissingAction, "step %q has no action; add action: <module> (e.g. ExecuteBash)", s.Name)
		return nil
	}
	a, ok := LookupAction(s.Action)
	if !ok {
		msg := fmt.Sprintf("unknown action %q", s.Action)
		if sug := suggest(s.Action, ActionNames()); sug != "" {
			msg += fmt.Sprintf("; did you mean %q?", sug)
		} else {
			msg += "; AWSTOE modules are " + strings.Join(ActionNames(), ", ")
		}
		v.add(s.ActionPos, diag.Error, RuleUnknownAction, "%s", msg)
		return nil
	}
	if !a.SupportsPlatform(v.opts.Platform) {
		v.add(s.ActionPos, diag.Error, RulePlatform, "%s runs only on %s, not on this %s component; %s", a.Name, strings.Join(a.Platforms, ", "), v.opts.Platform, platformHint(a.Name, v.opts.Platform))
	}
	return a
}

func platformHint(action, platform string) string {
	if platform == PlatformWindows {
		switch action {
		case "ExecuteBash":
			return "use ExecutePowerShell"
		case "SetFileOwner", "SetFolderOwner", "SetFilePermissions", "SetFolderPermissions":
			return "set ACLs with ExecutePowerShell (icacls)"
		}
		return "remove the step or set the component's platform"
	}
	switch action {
	case "ExecutePowerShell":
		return "use ExecuteBash"
	case "InstallMSI", "UninstallMSI", "SetRegistry":
		return "use the platform's package manager through ExecuteBash"
	}
	return "remove the step or set the component's platform"
}

func (v *validator) controls(s *Step) {
	if s.TimeoutSeconds != nil {
		t := *s.TimeoutSeconds
		switch {
		case s.Action == "ExecuteDocument" && t != NoTimeout:
			v.add(s.TimeoutSecondsPos, diag.Error, RuleExecuteDocumentField, "ExecuteDocument always runs with timeoutSeconds: -1; remove timeoutSeconds")
		case t == 0 || t < -1:
			v.add(s.TimeoutSecondsPos, diag.Error, RuleTimeout, "timeoutSeconds %d is not allowed; use a positive number of seconds, or -1 for no timeout (default 7200)", t)
		case s.Action == "Reboot":
			v.add(s.TimeoutSecondsPos, diag.Warning, RuleTimeout, "Reboot does not support a step timeout; remove timeoutSeconds")
		}
	}
	if s.MaxAttempts != nil {
		m := *s.MaxAttempts
		switch {
		case s.Action == "ExecuteDocument" && m != 1:
			v.add(s.MaxAttemptsPos, diag.Error, RuleExecuteDocumentField, "ExecuteDocument always runs with maxAttempts: 1; remove maxAttempts")
		case m < 1:
			v.add(s.MaxAttemptsPos, diag.Error, RuleMaxAttempts, "maxAttempts %d is not allowed; use 1 or more (default 1)", m)
		}
	}
	if s.OnFailurePos.Line != 0 {
		switch s.OnFailure {
		case OnFailureAbort, OnFailureContinue, OnFailureIgnore:
		default:
			msg := fmt.Sprintf("onFailure %q is not allowed; use Abort (default), Continue or Ignore", s.OnFailure)
			if s.OnFailure == "" {
				msg = "onFailure is empty; use Abort (default), Continue or Ignore"
			}
			v.add(s.OnFailurePos, diag.Error, RuleOnFailure, "%s", msg)
		}
	}
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func (v *validator) inputs(a *Action, s *Step) {
	in := v.deref(s.Inputs)
	if isNull(in) {
		if !a.InputsOptional {
			at := s.InputsPos
			if at.Line == 0 {
				at = stepPos(s)
			}
			v.add(at, diag.Error, RuleMissingInputs, "action %s has no inputs; it requires inputs: %s", a.Name, inputsExample(a))
		}
		return
	}
	switch a.Shape {
	case ShapeCondition:
		// parsed into s.Assertion; checked by condition
	case ShapeMap:
		if in.Kind == yaml.SequenceNode {
			v.add(pos(in), diag.Error, RuleInputShape, "%s takes its inputs as one mapping, not a list; remove the leading '-'", a.Name)
			if len(in.Content) == 1 {
				if m := v.deref(in.Content[0]); m != nil && m.Kind == yaml.MappingNode {
					v.inputMap(a, m, s)
				}
			}
			return
		}
		if in.Kind != yaml.MappingNode {
			v.add(pos(in), diag.Error, RuleInputShape, "%s inputs must be a mapping (%s), not %s", a.Name, inputsExample(a), kindName(in))
			return
		}
		v.inputMap(a, in, s)
	case ShapeList:
		if in.Kind == yaml.MappingNode {
			v.add(pos(in), diag.Error, RuleInputShape, "%s takes a list of inputs; write '- ' before the first key", a.Name)
			v.inputMap(a, in, s)
			return
		}
		if in.Kind != yaml.SequenceNode {
			v.add(pos(in), diag.Error, RuleInputShape, "%s inputs must be a list of mappings (%s), not %s", a.Name, inputsExample(a), kindName(in))
			return
		}
		if len(in.Content) == 0 {
			v.add(pos(in), diag.Error, RuleMissingInputs, "action %s has an empty inputs list; AWSTOE refuses it: add at least one item (%s)", a.Name, inputsExample(a))
			return
		}
		for _, item := range in.Content {
			if !v.charge(item) {
				return
			}
			m := v.deref(item)
			if m == nil || m.Kind != yaml.MappingNode {
				v.add(pos(item), diag.Error, RuleInputShape, "each %s input must be a mapping (%s), not %s", a.Name, inputsExample(a), kindName(m))
				continue
			}
			v.inputMap(a, m, s)
		}
	}
}

func inputsExample(a *Action) string {
	var req []string
	for _, in := range a.Inputs {
		if in.Required {
			req = append(req, in.Name+": ...")
		}
	}
	if a.Name == "ExecutePowerShell" {
		req = []string{"commands: [...] or file: ..."}
	}
	body := "{" + strings.Join(req, ", ") + "}"
	if a.Shape == ShapeList {
		return "- " + body
	}
	return body
}

func (v *validator) inputMap(a *Action, m *yaml.Node, s *Step) {
	present := map[string]bool{}
	names := make([]string, 0, len(a.Inputs))
	for _, in := range a.Inputs {
		names = append(names, in.Name)
	}
	for _, kv := range v.pairs(m) {
		present[kv.key] = true
		spec, ok := a.Input(kv.key)
		if !ok {
			msg := fmt.Sprintf("%s has no input %q", a.Name, kv.key)
			if sug := suggest(kv.key, names); sug != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", sug)
			} else if len(names) > 0 {
				msg += " (its inputs are " + strings.Join(names, ", ") + ")"
			}
			// AWSTOE ignores unknown inputs (AWS's own samples pass DeleteFile
			// a force input), so this is a warning: the key has no effect.
			v.add(pos(kv.keyN), diag.Warning, RuleUnknownInput, "%s; AWSTOE ignores it", msg)
			continue
		}
		if spec.NotWindows && v.opts.Platform == PlatformWindows {
			v.add(pos(kv.keyN), diag.Error, RulePlatform, "%s input %q is not supported on Windows; remove it and set ACLs with ExecutePowerShell", a.Name, kv.key)
		}
		v.inputValue(a, spec, kv.value)
	}
	for _, in := range a.Inputs {
		if in.Required && !present[in.Name] {
			v.add(pos(m), diag.Error, RuleMissingInput, "%s requires input %q; add %s: <%s>", a.Name, in.Name, in.Name, in.Type)
		}
	}
	if a.Name == "ExecutePowerShell" {
		switch {
		case present["commands"] && present["file"]:
			v.add(pos(m), diag.Error, RuleInputConflict, "ExecutePowerShell takes commands or file, not both; remove one")
		case !present["commands"] && !present["file"]:
			v.add(pos(m), diag.Error, RuleMissingInput, "ExecutePowerShell requires commands: [...] or file: <path to .ps1>")
		}
	}
}

func hasExpr(s string) bool { return strings.Contains(s, "{{") }

func (v *validator) inputValue(a *Action, spec InputSpec, n *yaml.Node) {
	n = v.deref(n)
	if n == nil {
		return
	}
	bad := func(want string) {
		if n.Kind == yaml.MappingNode && looksLikeUnquotedExpr(n) {
			return // reported by Parse
		}
		v.add(pos(n), diag.Error, RuleInputType, "%s input %q must be %s, not %s", a.Name, spec.Name, want, kindName(n))
	}
	if isNull(n) {
		if spec.Required {
			v.add(pos(n), diag.Error, RuleInputType, "%s input %q is empty; give it a value", a.Name, spec.Name)
		}
		return
	}
	switch spec.Type {
	case TypeString:
		if n.Kind != yaml.ScalarNode {
			bad("a string")
			return
		}
	case TypeStringList:
		if n.Kind != yaml.SequenceNode {
			if n.Kind == yaml.ScalarNode {
				v.add(pos(n), diag.Error, RuleInputType, "%s input %q must be a list of strings; write %s: ['...'] or put '- ' before each item", a.Name, spec.Name, spec.Name)
				return
			}
			bad("a list of strings")
			return
		}
		for _, item := range n.Content {
			if !v.charge(item) {
				return
			}
			it := v.deref(item)
			if it == nil || it.Kind != yaml.ScalarNode {
				if it != nil && looksLikeUnquotedExpr(it) {
					continue
				}
				v.add(pos(item), diag.Error, RuleInputType, "each item of %s input %q must be a string, not %s; quote it", a.Name, spec.Name, kindName(it))
			}
		}
		return
	case TypeBool:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!bool" && !hasExpr(n.Value) && !isBoolText(n.Value)) {
			bad("a boolean (true or false)")
		}
		return
	case TypeInt:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && !hasExpr(n.Value)) {
			if n.Kind == yaml.ScalarNode {
				if _, err := strconv.Atoi(n.Value); err == nil {
					return
				}
			}
			bad("an integer")
		}
		return
	case TypeStringMap:
		if n.Kind != yaml.MappingNode {
			bad("a mapping of names to strings")
			return
		}
		for _, kv := range v.pairs(n) {
			if val := v.deref(kv.value); val == nil || val.Kind != yaml.ScalarNode {
				v.add(pos(kv.keyN), diag.Error, RuleInputType, "%s input %q: %q must be a string, not %s", a.Name, spec.Name, kv.key, kindName(val))
			}
		}
		return
	case TypeNameValueList:
		if n.Kind != yaml.SequenceNode {
			bad("a list of {name, value}")
			return
		}
		for _, item := range n.Content {
			it := v.deref(item)
			if it == nil || it.Kind != yaml.MappingNode {
				v.add(pos(item), diag.Error, RuleInputType, "each %s %q entry must be {name: ..., value: ...}, not %s", a.Name, spec.Name, kindName(it))
				continue
			}
			got := map[string]bool{}
			for _, kv := range v.pairs(it) {
				got[kv.key] = true
				if kv.key != "name" && kv.key != "value" {
					v.add(pos(kv.keyN), diag.Warning, RuleUnknownInput, "%s %q entries take only name and value, not %q; AWSTOE ignores it", a.Name, spec.Name, kv.key)
				} else if val := v.deref(kv.value); val == nil || val.Kind != yaml.ScalarNode || isNull(val) {
					v.add(pos(kv.keyN), diag.Error, RuleInputType, "%s %q %s must be a non-empty string", a.Name, spec.Name, kv.key)
				}
			}
			for _, k := range []string{"name", "value"} {
				if !got[k] {
					v.add(pos(it), diag.Error, RuleMissingInput, "%s %q entry needs %s:", a.Name, spec.Name, k)
				}
			}
		}
		return
	case TypeScalarOrList:
		if n.Kind == yaml.MappingNode {
			bad("a string, number or list")
		}
		return
	}
	if len(spec.Allowed) > 0 && !hasExpr(n.Value) {
		ok := false
		for _, al := range spec.Allowed {
			if al == n.Value || (spec.FoldCase && strings.EqualFold(al, n.Value)) {
				ok = true
				break
			}
		}
		if !ok {
			v.add(pos(n), diag.Error, RuleInputValue, "%s input %q is %q; allowed values: %s", a.Name, spec.Name, n.Value, strings.Join(spec.Allowed, ", "))
		}
	}
}

func isBoolText(s string) bool {
	return strings.EqualFold(s, "true") || strings.EqualFold(s, "false")
}

func (v *validator) loop(l *Loop) {
	switch {
	case l.For == nil && l.ForEach == nil:
		v.add(l.Pos, diag.Error, RuleLoop, "loop needs for: {start, end, updateBy} or forEach: [...]")
	case l.For != nil && l.ForEach != nil:
		v.add(l.Pos, diag.Error, RuleLoop, "loop has both for and forEach; keep one of them")
	}
	if l.Name != "" {
		switch {
		case hasExpr(l.Name):
			v.add(l.Pos, diag.Error, RuleExpressionContext, "loop name %q cannot use a {{ }} expression; write a literal name", l.Name)
		case !stepNameRE.MatchString(l.Name):
			v.add(l.Pos, diag.Error, RuleLoop, "loop name %q must use only 0-9, a-z, A-Z, - and _ so that '{{ %s.value }}' can refer to it", l.Name, l.Name)
		case l.Name == "loop":
			v.add(l.Pos, diag.Warning, RuleLoop, "loop name \"loop\" is redundant: '{{ loop.value }}' already refers to the step's loop; remove the name or choose another")
		case v.names[l.Name]:
			v.add(l.Pos, diag.Warning, RuleLoop, "loop name %q is also a parameter or constant; rename the loop to keep '{{ %s.value }}' unambiguous", l.Name, l.Name)
		}
	}
	if f := l.For; f != nil && !f.partial {
		switch {
		case f.UpdateBy == 0:
			v.add(f.Pos, diag.Error, RuleLoop, "for updateBy must not be 0; use a positive or negative step")
		case f.Start < f.End && f.UpdateBy < 0, f.Start > f.End && f.UpdateBy > 0:
			v.add(f.Pos, diag.Error, RuleLoop, "for loop from %d to %d by %d never reaches its end; flip the sign of updateBy", f.Start, f.End, f.UpdateBy)
		}
	}
	if f := l.ForEach; f != nil {
		if !f.Delimited && len(f.List) == 0 {
			v.add(f.Pos, diag.Error, RuleLoop, "forEach list is empty; add items or remove the loop")
		}
		if f.Delimited {
			switch {
			case hasExpr(f.Delimiter):
				v.add(f.Pos, diag.Error, RuleExpressionContext, "forEach delimiter cannot use a {{ }} expression; write one literal character")
			case len([]rune(f.Delimiter)) != 1:
				v.add(f.Pos, diag.Error, RuleLoop, "forEach delimiter %q must be exactly one character (default ',')", f.Delimiter)
			}
		}
	}
}

// MaxConditionDepth is the deepest nesting of logical operators AWSTOE accepts.
const MaxConditionDepth = 4

func (v *validator) condition(c *Condition, depth int, top bool) {
	if c == nil || c.Op == "" {
		return
	}
	if top {
		for _, te := range []struct{ key, val string }{{"then", c.Then}, {"else", c.Else}} {
			if te.val != "" && te.val != IfAbort && te.val != IfExecute && te.val != IfSkip {
				v.add(c.Pos, diag.Error, RuleCondition, "if %s: %q is not allowed; use Abort, Execute or Skip", te.key, te.val)
			}
		}
	}
	kind := operatorKinds[c.Op]
	if kind == opLogical {
		depth++
		if depth > MaxConditionDepth {
			v.add(c.Pos, diag.Error, RuleConditionDepth, "logical operators are nested %d levels deep; AWSTOE allows at most %d: flatten the and/or/not tree", depth, MaxConditionDepth)
			return
		}
		if (c.Op == OpAnd || c.Op == OpOr) && len(c.Operands) == 0 {
			v.add(c.Pos, diag.Error, RuleCondition, "%s has no conditions; add at least one", c.Op)
		}
		for _, o := range c.Operands {
			v.condition(o, depth, false)
		}
		return
	}
	switch kind {
	case opUnary:
		if c.HasValue {
			v.add(c.Pos, diag.Error, RuleCondition, "%s takes no value:; its operand is the %s key's own value", c.Op, c.Op)
		}
		if c.HasPath {
			v.add(c.Pos, diag.Error, RuleCondition, "%s takes no path:; put the path in %s: itself", c.Op, c.Op)
		}
	case opBinary:
		if !c.HasValue {
			v.add(c.Pos, diag.Error, RuleCondition, "%s needs value: <second operand> next to it", c.Op)
		}
		if c.HasPath {
			v.add(c.Pos, diag.Error, RuleCondition, "%s takes value:, not path:", c.Op)
		}
	case opFileHash:
		if !c.HasPath {
			v.add(c.Pos, diag.Error, RuleCondition, "%s needs path: <file> next to the expected hash", c.Op)
		}
		if c.HasValue {
			v.add(c.Pos, diag.Error, RuleCondition, "%s takes path: <file>, not value:", c.Op)
		}
	}
	if c.Op == OpPatternMatches && !hasExpr(c.Baseline) {
		if _, err := regexp.Compile(c.Baseline); err != nil {
			v.add(c.Pos, diag.Error, RuleBadRegex, "patternMatches %q is not a valid RE2 regular expression (%v); fix the pattern", c.Baseline, err)
		}
	}
	if strings.HasPrefix(c.Op, "number") {
		if !hasExpr(c.Baseline) {
			if _, ok := ParseNumber(c.Baseline, c.BaselineTag); !ok {
				v.add(c.Pos, diag.Error, RuleBadNumber, "%s %q is not a number; write digits like 2 or 1.5", c.Op, c.Baseline)
			}
		}
		// A value that is not a number is valid: AWS's "Use comparison
		// operators in AWSTOE component documents" says "For numeric
		// comparisons, if the variable value is a string, AWSTOE converts
		// the string to a number prior to the evaluation. If the conversion
		// is not possible, the comparison returns false", with "a10" as the
		// example. A literal one makes the comparison always false, which
		// is worth a warning, not a refused document.
		if c.HasValue && !hasExpr(c.Value) {
			if _, ok := ParseNumber(c.Value, c.ValueTag); !ok {
				v.add(c.Pos, diag.Warning, RuleBadNumber, "%s value %q is not a number, so the comparison is always false (AWSTOE compares numbers only); write digits like 2 or 1.5", c.Op, c.Value)
			}
		}
	}
}
