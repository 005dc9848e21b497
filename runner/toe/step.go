package toe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ibgitops/ibgitops/internal/lazyre"
	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/ibgitops/ibgitops/recipes/diag"
)

// iteration is one loop iteration's variables (nil for a step without loop).
type iteration struct {
	name  string // loop name ("" = unnamed)
	index int
	value string
}

// runStep runs one step with its if, loop, attempts and timeout, and
// returns its result; a non-nil *errRebootRequested means stop and reboot.
// rerun is true when the step runs again after a 194 reboot: its `if` is
// not evaluated again.
func (x *executor) runStep(ctx context.Context, run *docRun, phase string, step *awstoe.Step, rerun bool) (*StepResult, *errRebootRequested) {
	sr := &StepResult{
		Name: step.Name, Action: step.Action, TimeoutSeconds: step.EffectiveTimeoutSeconds(),
		OnFailure: step.EffectiveOnFailure(), MaxAttempts: step.EffectiveMaxAttempts(),
		StartTime: stamp(x.now()), Inputs: "[]", Outputs: "[]",
	}
	base := &resolver{x: x, run: run, phase: phase, step: step.Name}
	fmt.Fprintf(x.console, "[ibgitops toe] %s: %s/%s (%s)\n", run.path, phase, step.Name, step.Action)
	x.log.Info("step start", "document", run.path, "phase", phase, "step", step.Name, "action", step.Action)

	finish := func(status, msg string) (*StepResult, *errRebootRequested) {
		sr.Status, sr.FailureMessage, sr.EndTime = status, msg, stamp(x.now())
		x.log.Info("step end", "phase", phase, "step", step.Name, "status", status, "attempts", sr.attempts, "failure", msg)
		if msg != "" {
			fmt.Fprintf(x.console, "[ibgitops toe] %s/%s %s: %s\n", phase, step.Name, status, msg)
		}
		return sr, nil
	}
	failStatus := func() string {
		if step.EffectiveOnFailure() == awstoe.OnFailureIgnore {
			return StatusIgnoredFailure
		}
		return StatusFailed
	}

	if step.If != nil && !rerun {
		ok, err := awstoe.EvalCondition(step.If, base, hostChecks{environ: x.opts.Environ})
		if err != nil {
			return finish(failStatus(), "cannot evaluate if: "+err.Error())
		}
		decision := step.If.Then
		if decision == "" {
			decision = awstoe.IfExecute
		}
		if !ok {
			decision = step.If.Else
			if decision == "" {
				decision = awstoe.IfSkip
			}
		}
		x.log.Info("if evaluated", "step", step.Name, "result", ok, "decision", decision)
		switch decision {
		case awstoe.IfSkip:
			return finish(StatusSkipped, "")
		case awstoe.IfAbort:
			return finish(failStatus(), fmt.Sprintf("the if condition was %t and chose Abort", ok))
		}
	}

	loop, err := x.iterations(step, base)
	if err != nil {
		return finish(failStatus(), err.Error())
	}
	if step.Loop != nil {
		kind := "forEach"
		if step.Loop.For != nil {
			kind = "for"
		}
		sr.Loop = &LoopResult{Name: step.Loop.Name, Type: kind, Iterations: loop.count, FailedIterations: []int{}}
	}

	if sr.MaxAttempts < 1 {
		sr.MaxAttempts = 1 // the validator rejects it; never run a step zero times
	}
	var lastErr error
	for attempt := 1; attempt <= sr.MaxAttempts; attempt++ {
		sr.attempts = attempt
		inputs, outputs, nested, failedAt, err := x.attempt(ctx, run, phase, step, loop, base)
		if inputs == nil {
			inputs = []any{}
		}
		if outputs == nil {
			outputs = []map[string]any{}
		}
		sr.Inputs, sr.Outputs = jsonArray(inputs), jsonArray(outputs)
		sr.DetailedOutput = nested
		run.records[phase+"."+step.Name] = &stepRecord{Inputs: inputs, Outputs: outputs}
		if sr.Loop != nil {
			sr.Loop.FailedIterations = append([]int{}, failedAt...)
		}
		var rb *errRebootRequested
		if errors.As(err, &rb) {
			sr.Status, sr.EndTime = StatusRebootPending, stamp(x.now())
			if !rb.rerunStep {
				sr.Status = StatusSuccess // Reboot itself succeeded; resume after it
			}
			x.log.Info("step asked for a reboot", "step", step.Name, "rerun", rb.rerunStep)
			return sr, rb
		}
		if err == nil {
			return finish(StatusSuccess, "")
		}
		lastErr = err
		x.log.Warn("step attempt failed", "step", step.Name, "attempt", attempt, "of", sr.MaxAttempts, "err", err)
		if ctx.Err() != nil {
			break
		}
	}
	return finish(failStatus(), lastErr.Error())
}

// maxRecordedIterations bounds how many iterations' inputs a looped step
// keeps for detailedoutput.json and chaining (`inputs[i]`); a loop of
// millions of iterations must not hold millions of input copies.
const maxRecordedIterations = 100

// attempt runs every iteration once under the step's timeout (which covers
// the whole loop) and consolidates outputs as it goes, so memory does not
// grow with the number of iterations.
func (x *executor) attempt(ctx context.Context, run *docRun, phase string, step *awstoe.Step, loop *loopPlan, base *resolver) ([]any, []map[string]any, *RunResult, []int, error) {
	timeout := step.EffectiveTimeoutSeconds()
	outer := ctx // the run's: its end is an interrupt, not the step's timeout
	if timeout > 0 && step.Action != "Reboot" {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(timeout)*time.Second)
		defer cancel()
	}
	var inputs []any
	inputBytes, unrecorded := 0, 0
	var outs consolidator
	var nested *RunResult
	for i := 0; i < loop.count; i++ {
		if err := ctx.Err(); err != nil {
			if outer.Err() == nil {
				return noteUnrecorded(inputs, unrecorded), outs.result(), nested, nil, fmt.Errorf("the loop timed out after %d seconds (timeoutSeconds covers all iterations) before iteration %d", timeout, i)
			}
			return noteUnrecorded(inputs, unrecorded), outs.result(), nested, nil, fmt.Errorf("the run was interrupted before iteration %d of %d", i, loop.count)
		}
		r := base.with(loop.at(i))
		record := step.Loop == nil || (i < maxRecordedIterations && inputBytes < maxKeptOutput)
		in, out, sub, err := x.runAction(ctx, run, phase, step, r, record)
		if record {
			inputs = append(inputs, in...)
			if step.Loop != nil {
				inputBytes += len(jsonArray(in))
			}
		} else {
			unrecorded++
		}
		if sub != nil {
			if nested == nil {
				nested = sub
			} else if len(nested.Documents) < maxRecordedIterations {
				nested.Documents = append(nested.Documents, sub.Documents...)
			}
		}
		if err != nil {
			inputs = noteUnrecorded(inputs, unrecorded)
			if errors.Is(err, errTimeout) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
				if step.Loop != nil {
					return inputs, outs.result(), nested, nil, fmt.Errorf("the loop timed out after %d seconds (timeoutSeconds covers all iterations) in iteration %d", timeout, i)
				}
				return inputs, out, nested, nil, fmt.Errorf("the step timed out after %d seconds; its process group was killed", timeout)
			}
			var rb *errRebootRequested
			if errors.As(err, &rb) {
				return inputs, out, nested, nil, err
			}
			if step.Loop != nil {
				return inputs, outs.result(), nested, []int{i}, fmt.Errorf("loop iteration %d failed: %w", i, err)
			}
			return inputs, out, nested, nil, err
		}
		if step.Loop == nil {
			return inputs, out, nested, nil, nil
		}
		outs.add(out)
	}
	return noteUnrecorded(inputs, unrecorded), outs.result(), nested, nil, nil
}

// noteUnrecorded ends a loop's inputs with a note of how many iterations'
// inputs were not kept.
func noteUnrecorded(inputs []any, n int) []any {
	if n == 0 {
		return inputs
	}
	return append(inputs, fmt.Sprintf("[ibgitops toe: the inputs of %d more iteration(s) are not recorded; detailedoutput.json keeps the first %d iterations' inputs, up to %d KiB]", n, maxRecordedIterations, maxKeptOutput/1024))
}

// consolidator merges iterations' outputs: for each output index, values of
// the same key are joined with "\n" (stdout as AWSTOE does), within
// maxKeptOutput per value.
type consolidator struct {
	keys []map[string]*joiner
}

func (c *consolidator) add(outs []map[string]any) {
	for i, m := range outs {
		if i >= len(c.keys) {
			c.keys = append(c.keys, map[string]*joiner{})
		}
		for k, v := range m {
			j := c.keys[i][k]
			if j == nil {
				j = &joiner{}
				c.keys[i][k] = j
			}
			j.add(v)
		}
	}
}

func (c *consolidator) result() []map[string]any {
	var out []map[string]any
	for _, m := range c.keys {
		r := make(map[string]any, len(m))
		for k, j := range m {
			r[k] = j.value()
		}
		out = append(out, r)
	}
	return out
}

// runAction resolves the inputs for one iteration and runs the module.
// record false says the inputs will not be recorded (a long loop), so an
// action that resolves them only for the record may skip it.
func (x *executor) runAction(ctx context.Context, run *docRun, phase string, step *awstoe.Step, r *resolver, record bool) ([]any, []map[string]any, *RunResult, error) {
	if step.Action == "Assert" {
		return x.assert(step, run, r, record)
	}
	raw := nodeValue(step.Inputs)
	resolved, err := mapWalk(raw, r.expand)
	if err != nil {
		return asList(raw), nil, nil, err
	}
	resolved = fillDefaults(step.Action, resolved)
	resolved = fillCreateModes(step.Action, resolved)
	inputs := asList(resolved)
	if step.Action == "ExecuteDocument" {
		out, sub, err := x.executeDocument(ctx, run, resolved)
		return inputs, out, sub, err
	}
	m, ok := modules[step.Action]
	if !ok {
		return inputs, nil, nil, fmt.Errorf("action %s is not supported by this executor", step.Action)
	}
	if m.platforms != nil && !slices.Contains(m.platforms, runtime.GOOS) {
		return inputs, nil, nil, fmt.Errorf("%s does not run on %s", step.Action, runtime.GOOS)
	}
	out, err := m.run(ctx, x.env, resolved)
	return inputs, out, nil, err
}

func asList(v any) []any {
	switch t := v.(type) {
	case nil:
		return []any{}
	case []any:
		return t
	}
	return []any{v}
}

// fillDefaults adds the action's documented input defaults, so
// detailedoutput.json shows the inputs as run.
func fillDefaults(action string, v any) any {
	a, ok := awstoe.LookupAction(action)
	if !ok {
		return v
	}
	defaults := map[string]any{}
	for _, spec := range a.Inputs {
		if spec.Default == "" {
			continue
		}
		switch spec.Type {
		case awstoe.TypeBool:
			b, err := strconv.ParseBool(spec.Default)
			if err != nil {
				continue
			}
			defaults[spec.Name] = b
		case awstoe.TypeInt:
			defaults[spec.Name] = number(spec.Default)
		case awstoe.TypeString:
			defaults[spec.Name] = spec.Default
		}
	}
	if len(defaults) == 0 {
		return v
	}
	switch t := v.(type) {
	case map[string]any:
		return withDefaults(t, defaults)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			if m, ok := e.(map[string]any); ok {
				out[i] = withDefaults(m, defaults)
			} else {
				out[i] = e
			}
		}
		return out
	case nil:
		if a.Shape == awstoe.ShapeMap {
			return withDefaults(map[string]any{}, defaults)
		}
	}
	return v
}

// assert evaluates an Assert step's condition (inputs) for this iteration.
func (x *executor) assert(step *awstoe.Step, run *docRun, r *resolver, record bool) ([]any, []map[string]any, *RunResult, error) {
	var inputs []any
	if record {
		raw := nodeValue(step.Inputs)
		resolved, _ := mapWalk(raw, func(s string) (string, error) { v, _ := r.expand(s); return v, nil })
		inputs = asList(resolved)
	}
	cond, findings := x.condition(step, run.path)
	if cond == nil || len(findings) > 0 {
		msg := "Assert inputs are not a condition"
		if len(findings) > 0 {
			msg = findings[0].Message
		}
		return inputs, nil, nil, errors.New(msg)
	}
	ok, err := awstoe.EvalCondition(cond, r, hostChecks{environ: x.opts.Environ})
	if err != nil {
		return inputs, nil, nil, fmt.Errorf("cannot evaluate the assertion: %w", err)
	}
	if !ok {
		return inputs, nil, nil, fmt.Errorf("assertion failed: %s is false", describeCondition(cond, r))
	}
	return inputs, nil, nil, nil
}

// condition parses an Assert step's inputs once per run: a loop asserts
// the same condition with other loop values.
func (x *executor) condition(step *awstoe.Step, path string) (*awstoe.Condition, []diag.Finding) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if c, ok := x.conds[step]; ok {
		return c.cond, c.findings
	}
	cond, findings := awstoe.ParseCondition(step.Inputs, path, false)
	if x.conds == nil {
		x.conds = map[*awstoe.Step]parsedCondition{}
	}
	x.conds[step] = parsedCondition{cond, findings}
	return cond, findings
}

type parsedCondition struct {
	cond     *awstoe.Condition
	findings []diag.Finding
}

func describeCondition(c *awstoe.Condition, r *resolver) string {
	show := func(s string) string {
		v, _ := r.expand(s)
		return v
	}
	switch c.Op {
	case awstoe.OpAnd, awstoe.OpOr:
		parts := make([]string, len(c.Operands))
		for i, o := range c.Operands {
			parts[i] = describeCondition(o, r)
		}
		return "(" + strings.Join(parts, " "+c.Op+" ") + ")"
	case awstoe.OpNot:
		if len(c.Operands) == 1 {
			return "not " + describeCondition(c.Operands[0], r)
		}
	}
	s := fmt.Sprintf("%s %q", c.Op, show(c.Baseline))
	if c.HasValue {
		s += fmt.Sprintf(" with value %q", show(c.Value))
	}
	if c.HasPath {
		s += fmt.Sprintf(" with path %q", show(c.Path))
	}
	return s
}

// loopPlan is a step's iterations, produced one at a time: a `for` loop
// over the whole int32 range has four billion of them and must neither be
// materialised nor stop the run from being cancelled.
type loopPlan struct {
	count int
	at    func(i int) *iteration
}

// iterations plans a step's loop; a step without loop has one iteration
// without variables.
func (x *executor) iterations(step *awstoe.Step, r *resolver) (*loopPlan, error) {
	l := step.Loop
	if l == nil {
		return &loopPlan{count: 1, at: func(int) *iteration { return nil }}, nil
	}
	switch {
	case l.For != nil:
		f := *l.For
		if f.Count() == 0 {
			return nil, fmt.Errorf("loop for start %d, end %d, updateBy %d never reaches end: fix updateBy's sign", f.Start, f.End, f.UpdateBy)
		}
		return &loopPlan{count: f.Count(), at: func(i int) *iteration {
			// int64: start + i*updateBy stays exact over the int32 range.
			v := int64(f.Start) + int64(i)*int64(f.UpdateBy)
			return &iteration{name: l.Name, index: i, value: strconv.FormatInt(v, 10)}
		}}, nil
	case l.ForEach != nil:
		var values []string
		for _, item := range l.ForEach.List {
			v, err := r.expand(item)
			if err != nil {
				return nil, fmt.Errorf("loop forEach: %w", err)
			}
			if l.ForEach.Delimited {
				delim := l.ForEach.Delimiter
				if delim == "" {
					delim = ","
				}
				values = append(values, strings.Split(v, delim)...)
			} else {
				values = append(values, v)
			}
		}
		return &loopPlan{count: len(values), at: func(i int) *iteration {
			return &iteration{name: l.Name, index: i, value: values[i]}
		}}, nil
	}
	return &loopPlan{count: 1, at: func(int) *iteration { return nil }}, nil
}

// resolver resolves `{{ }}` references for one step (and iteration).
type resolver struct {
	x     *executor
	run   *docRun
	phase string
	step  string
	it    *iteration
}

func (r *resolver) with(it *iteration) *resolver {
	c := *r
	c.it = it
	return &c
}

var chainRef = lazyre.New(`^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.(inputs|outputs)(?:\[(\d+)\])?\.([A-Za-z0-9_-]+)$`)

// Lookup implements awstoe.Resolver.
func (r *resolver) Lookup(ref string) (string, bool) {
	if v, ok := r.run.values[ref]; ok {
		return v, true
	}
	if name, ok := strings.CutPrefix(ref, "env:"); ok {
		for _, kv := range r.x.opts.Environ {
			if k, v, _ := strings.Cut(kv, "="); k == name {
				return v, true
			}
		}
		return "", false
	}
	if path, ok := strings.CutPrefix(ref, "aws:imds:"); ok {
		v, err := r.x.imds.get(strings.TrimSpace(path))
		return v, err == nil
	}
	if key, ok := strings.CutPrefix(ref, "context:"); ok {
		switch key {
		case "phase":
			return r.phase, true
		case "step":
			return r.step, true
		case "date":
			return time.Now().UTC().Format("2006-01-02"), true
		case "dateTime":
			return time.Now().UTC().Format(time.RFC3339), true
		case "uuid":
			return newUUID(), true
		}
		v, ok := r.x.ctxVals[key]
		return v, ok
	}
	if r.it != nil {
		for _, prefix := range []string{"loop.", r.it.name + "."} {
			if prefix == "." {
				continue
			}
			switch ref {
			case prefix + "index":
				return strconv.Itoa(r.it.index), true
			case prefix + "value":
				return r.it.value, true
			}
		}
	}
	if m := chainRef.FindStringSubmatch(ref); m != nil {
		rec, ok := r.run.records[m[1]+"."+m[2]]
		if !ok {
			return "", false
		}
		v := rec.value(m[3], m[4], m[5])
		if _, cut := v.(cutText); v == nil || cut {
			return "", false // expand says why a cut value is refused
		}
		s := jsonString(v)
		r.x.recordChain(ChainEntry{Document: r.run.path, Phase: r.phase, Step: r.step, Expression: "{{ " + ref + " }}", Value: s})
		return s, true
	}
	return "", false
}

// value returns the record's inputs or outputs (which) item index (""
// = 0) key, nil when there is none.
func (rec *stepRecord) value(which, index, key string) any {
	idx := 0
	if index != "" {
		idx, _ = strconv.Atoi(index)
	}
	var item map[string]any
	if which == "inputs" {
		if idx < len(rec.Inputs) {
			item, _ = rec.Inputs[idx].(map[string]any)
		}
	} else if idx < len(rec.Outputs) {
		item = rec.Outputs[idx]
	}
	return item[key]
}

// recordChain notes a resolved chaining expression for chaining.json once
// per step and value (a loop or an Assert may resolve it repeatedly).
func (x *executor) recordChain(e ChainEntry) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, c := range x.chain {
		if c == e {
			return
		}
	}
	x.chain = append(x.chain, e)
}

// expand resolves the references in s. References to loop variables in a
// step without loop stay as written (AWSTOE); other unknown references are
// an error naming them.
func (r *resolver) expand(s string) (string, error) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	out, err := awstoe.Expand(s, r)
	var ue *awstoe.UnresolvedError
	if errors.As(err, &ue) {
		var real []string
		for _, ref := range ue.Refs {
			if strings.HasPrefix(ref, "loop.") && r.it == nil {
				continue
			}
			real = append(real, ref)
		}
		if len(real) == 0 {
			return out, nil
		}
		for _, ref := range real {
			if name, ok := strings.CutPrefix(ref, "env:"); ok {
				return out, fmt.Errorf("{{ %s }}: environment variable %s is not set: set it before the run or use a parameter", ref, name)
			}
			if m := chainRef.FindStringSubmatch(ref); m != nil {
				rec, ran := r.run.records[m[1]+"."+m[2]]
				if !ran {
					return out, fmt.Errorf("{{ %s }}: step %s.%s has not run (it was skipped, failed to start, or comes later): reference an earlier step that runs", ref, m[1], m[2])
				}
				if c, ok := rec.value(m[3], m[4], m[5]).(cutText); ok {
					return out, fmt.Errorf("{{ %s }}: the value is %d bytes, more than the %d KiB a chained value may be, and was cut; chaining it would pass a different value: have step %s.%s write its output to a file and pass the file's path", ref, c.Total, maxKeptOutput/1024, m[1], m[2])
				}
				return out, fmt.Errorf("{{ %s }}: step %s.%s has no %s %q", ref, m[1], m[2], m[3], m[5])
			}
			if path, ok := strings.CutPrefix(ref, "aws:imds:"); ok {
				_, err := r.x.imds.get(strings.TrimSpace(path))
				return out, fmt.Errorf("{{ %s }}: %w", ref, err)
			}
			if strings.HasPrefix(ref, "aws:") {
				return out, fmt.Errorf("{{ %s }}: aws:ssm references (Parameter Store, Secrets Manager) are not resolved by ibgitops toe; pass the value as a parameter instead", ref)
			}
		}
		return out, &awstoe.UnresolvedError{Refs: real}
	}
	return out, err
}

// hostChecks answers the file and binary questions of conditions on this
// machine.
type hostChecks struct{ environ []string }

func (h hostChecks) BinaryExists(name string) bool {
	if strings.ContainsRune(name, '/') {
		st, err := os.Stat(name)
		return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
	}
	_, ok := lookPathIn(h.environ, name)
	return ok
}

func (h hostChecks) FileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

func (h hostChecks) FolderExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func (h hostChecks) FileHash(path, algo string) (string, error) {
	return fileHash(filepath.Clean(path), algo)
}
