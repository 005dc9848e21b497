package toe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/aws/smithy-go/logging"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
	"gopkg.in/yaml.v3"
)

// maxNesting is how deep ExecuteDocument may nest (4 document levels).
const maxNesting = 3

// executor is one `toe run`.
type executor struct {
	opts    Options
	now     func() time.Time
	logDir  string
	console io.Writer
	log     *slog.Logger
	env     *env
	ctxVals map[string]string // context: values fixed for the run
	imds    *metadata

	redact *redactor // secrets never written (redact.go)

	mu    sync.Mutex
	chain []ChainEntry
	conds map[*awstoe.Step]parsedCondition // Assert conditions, parsed once

	// counts of the top-level documents' steps
	executed, failed, ignored int
}

// loadedDoc is a validated document with its run parameters.
type loadedDoc struct {
	doc       *awstoe.Document
	path      string
	data      []byte
	values    map[string]string // parameters and constants
	phases    []string          // selected phase names, nil = all
	ancestors []string          // absolute paths of the calling documents
}

// docRun holds a document's step records for chaining.
type docRun struct {
	*loadedDoc
	records map[string]*stepRecord // "phase.step"
}

type stepRecord struct {
	Inputs  []any            `json:"inputs"`
	Outputs []map[string]any `json:"outputs"`
}

// Run executes the documents and writes AWSTOE's output files. The error is
// non-nil only when nothing could run (unreadable or invalid documents,
// missing parameters, unwritable log directory); step failures are in the
// summary.
func Run(ctx context.Context, opts Options) (*Summary, error) {
	if len(opts.Documents) == 0 {
		return nil, errNoDocuments
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LogDirectory == "" {
		opts.LogDirectory = "."
	}
	if opts.StateDirectory == "" {
		opts.StateDirectory = opts.LogDirectory
	}
	if opts.Environ == nil {
		opts.Environ = os.Environ()
	}
	if opts.RetryBackoff == 0 {
		opts.RetryBackoff = time.Second
	}
	s3client := newS3Factory(opts.S3)
	docs, err := loadDocuments(ctx, opts, s3client)
	if err != nil {
		return nil, err
	}
	state, err := loadState(opts.StateDirectory, docs, opts.Phases)
	if err != nil {
		return nil, err
	}
	if state != nil {
		opts.ExecutionID = state.ExecutionID
	}
	if opts.ExecutionID == "" {
		opts.ExecutionID = newUUID()
	}

	start := opts.Now()
	x := &executor{opts: opts, now: opts.Now}
	redact, short := newRedactor(opts.Environ, opts.SecretVars)
	x.redact = redact
	x.logDir = filepath.Join(opts.LogDirectory, logFolderName(start, opts.ExecutionID))
	if err := os.MkdirAll(x.logDir, 0o755); err != nil {
		return nil, fmt.Errorf("create the log folder: %w (choose a writable --log-directory)", err)
	}
	closeLogs, err := x.openLogs()
	if err != nil {
		return nil, err
	}
	defer closeLogs()
	for _, name := range short {
		x.log.Warn("secret variable not redacted: its value is shorter than 6 characters, which would redact ordinary text", "variable", name)
	}
	if err := writeDocumentYAML(filepath.Join(x.logDir, "document.yaml"), docs, x.redact); err != nil {
		x.log.Warn("could not write document.yaml", "err", err)
	}
	scratch, err := os.MkdirTemp("", "ibgitops-toe-")
	if err != nil {
		return nil, fmt.Errorf("create a scratch folder: %w", err)
	}
	defer os.RemoveAll(scratch)
	// What the steps start ends with the run (reap.go).
	runTag := newUUID()
	reaper := beginReaping(runTag)
	defer reaper.end()
	x.env = x.newEnv(scratch, s3client)
	x.env.redact = x.redact
	x.env.environ = append(opts.Environ[:len(opts.Environ):len(opts.Environ)], envRunTag+"="+runTag)
	x.ctxVals = contextValues(opts.ExecutionID, opts.Environ)
	x.imds = newMetadata(opts.IMDS, opts.Environ)

	result := &RunResult{ExecutionID: opts.ExecutionID, StartTime: stamp(start), Documents: []*DocumentResult{}}
	runs := make([]*docRun, len(docs))
	for i, d := range docs {
		runs[i] = &docRun{loadedDoc: d, records: map[string]*stepRecord{}}
	}
	var resume *position
	if state != nil {
		x.log.Info("resuming after a reboot", "stateFile", statePath(opts.StateDirectory), "document", state.Position.Doc, "phase", state.Position.Phase, "step", state.Position.Step)
		fmt.Fprintf(x.console, "[ibgitops toe] resuming execution %s after a reboot\n", opts.ExecutionID)
		result = state.Result
		result.ExecutionID = opts.ExecutionID
		for i := range runs {
			if recs, ok := state.Records[i]; ok {
				runs[i].records = recs
			}
		}
		x.executed, x.failed, x.ignored = state.Executed, state.Failed, state.Ignored
		resume = &state.Position
	}

	summary := &Summary{ExecutionID: opts.ExecutionID, LogURL: absOrSelf(x.logDir)}
	summary.Warnings = emptyPhaseWarnings(docs, opts.Phases)
	for _, w := range summary.Warnings {
		x.log.Warn(w)
		fmt.Fprintf(x.console, "[ibgitops toe] warning: %s\n", w)
	}

	var reboot *position
	aborted := false
	for di, run := range runs {
		if aborted || reboot != nil {
			break
		}
		var dr *DocumentResult
		if di < len(result.Documents) {
			dr = result.Documents[di]
		} else {
			dr = &DocumentResult{Name: run.doc.Name, FilePath: run.path, Description: run.doc.Description, StartTime: stamp(x.now()), Phases: []*PhaseResult{}}
			result.Documents = append(result.Documents, dr)
		}
		var stop stopReason
		reboot, stop = x.runDocument(ctx, run, dr, di, resume, true)
		aborted = stop == stopAbort
	}

	end := x.now()
	result.EndTime = stamp(end)
	result.Status = rollUp(each(result.Documents, func(d *DocumentResult) string { return d.Status }))
	for _, d := range result.Documents {
		if d.Status == StatusFailed {
			// AWSTOE's wording, then why: the first failed step's message.
			result.FailureMessage = fmt.Sprintf("Document %s failed! %s", d.FilePath, d.FailureMessage)
			break
		}
	}
	summary.ExecutedStepCount, summary.FailedStepCount, summary.IgnoredFailedStepCount = x.executed, x.failed, x.ignored
	summary.Status = StatusSuccess
	if result.Status == StatusFailed {
		summary.Status = StatusFailed
		summary.FailureMessage = result.FailureMessage
	}
	if opts.FailOnEmpty && len(summary.Warnings) > 0 {
		summary.Status = StatusFailed
		result.Status = StatusFailed
		msg := "--fail-on-empty: " + strings.Join(summary.Warnings, "; ")
		if summary.FailureMessage == "" {
			summary.FailureMessage = msg
		} else {
			summary.FailureMessage += "; " + msg
		}
		result.FailureMessage = summary.FailureMessage
	}
	if ctx.Err() != nil && summary.Status == StatusSuccess {
		summary.Status, result.Status = StatusFailed, StatusFailed
		summary.FailureMessage = "the run was interrupted: " + ctx.Err().Error()
		result.FailureMessage = summary.FailureMessage
	}

	if reboot != nil {
		summary.RebootRequested = true
		st := &savedState{
			ExecutionID: opts.ExecutionID, Documents: docPaths(docs), Phases: opts.Phases,
			Position: *reboot, Result: result, Records: map[int]map[string]*stepRecord{},
			Executed: x.executed, Failed: x.failed, Ignored: x.ignored,
		}
		for i, r := range runs {
			st.Records[i] = r.records
		}
		if err := saveState(opts.StateDirectory, st); err != nil {
			summary.RebootRequested = false
			summary.Status, result.Status = StatusFailed, StatusFailed
			summary.FailureMessage = fmt.Sprintf("a step asked for a reboot but the state could not be saved: %v (choose a writable --state-directory)", err)
			result.FailureMessage = summary.FailureMessage
		} else {
			x.log.Info("reboot requested: state saved; reboot and run the same command again to resume", "stateFile", statePath(opts.StateDirectory))
			fmt.Fprintf(x.console, "[ibgitops toe] reboot requested: state saved in %s; reboot and run the same command with the same --state-directory to resume\n", statePath(opts.StateDirectory))
		}
	} else if state != nil {
		removeState(opts.StateDirectory)
	}

	summary.FailureMessage = x.redact.redactString(summary.FailureMessage)
	for i, w := range summary.Warnings {
		summary.Warnings[i] = x.redact.redactString(w)
	}
	if err := writeJSON(filepath.Join(x.logDir, "detailedoutput.json"), result, x.redact); err != nil {
		return summary, fmt.Errorf("write detailedoutput.json: %w", err)
	}
	x.mu.Lock()
	chain := x.chain
	x.mu.Unlock()
	if chain == nil {
		chain = []ChainEntry{}
	}
	if err := writeJSON(filepath.Join(x.logDir, "chaining.json"), chain, x.redact); err != nil {
		return summary, fmt.Errorf("write chaining.json: %w", err)
	}
	x.log.Info("run finished", "status", summary.Status, "executed", summary.ExecutedStepCount, "failed", summary.FailedStepCount, "ignored", summary.IgnoredFailedStepCount)
	return summary, nil
}

// loadDocuments reads, validates and parameterises every document.
func loadDocuments(ctx context.Context, opts Options, s3client func(context.Context) (S3API, error)) ([]*loadedDoc, error) {
	var all []diag.Finding
	var docs []*loadedDoc
	for _, spec := range opts.Documents {
		d, err := loadOne(ctx, s3client, spec.Path, append(slices.Clone(opts.Parameters), spec.Parameters...), opts.Phases, nil, opts.AllowMissingSteps)
		if err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				all = append(all, ve.Findings...)
				continue
			}
			return nil, err
		}
		docs = append(docs, d)
	}
	if errs, _ := diag.Count(all); errs > 0 {
		return nil, &ValidationError{Findings: all}
	}
	return docs, nil
}

// allowMissingSteps is Options.AllowMissingSteps.
func loadOne(ctx context.Context, s3client func(context.Context) (S3API, error), path string, params []Param, phases []string, ancestors []string, allowMissingSteps bool) (*loadedDoc, error) {
	data, err := readDocument(ctx, path, s3client)
	if err != nil {
		return nil, err
	}
	// A run always validates for this machine: it runs here.
	doc, findings := toedoc.CheckDocument(data, path, awstoe.ValidateOptions{Platform: toedoc.HostPlatform(), AllowMissingSteps: allowMissingSteps})
	if errs, _ := diag.Count(findings); errs > 0 || doc == nil {
		return nil, &ValidationError{Findings: findings}
	}
	values := map[string]string{}
	for _, c := range doc.Constants {
		values[c.Name] = c.Value
	}
	given := map[string]string{}
	for _, p := range params {
		given[p.Name] = p.Value // unknown names are ignored, as AWSTOE
	}
	var missing []string
	for _, p := range doc.Parameters {
		switch v, ok := given[p.Name]; {
		case ok:
			values[p.Name] = v
		case p.Default != nil:
			values[p.Name] = *p.Default
		default:
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("document %s: parameter(s) %s have no default: pass --parameters %s=<value>", path, strings.Join(missing, ", "), missing[0])
	}
	return &loadedDoc{doc: doc, path: path, data: data, values: values, phases: phases, ancestors: ancestors}, nil
}

// emptyPhaseWarnings reports --phases names no document has, and documents
// none of whose phases were selected.
func emptyPhaseWarnings(docs []*loadedDoc, phases []string) []string {
	if len(phases) == 0 {
		return nil
	}
	var warnings []string
	found := map[string]bool{}
	for _, d := range docs {
		any := false
		var names []string
		for _, p := range d.doc.Phases {
			names = append(names, p.Name)
			if slices.Contains(phases, p.Name) {
				found[p.Name] = true
				any = true
			}
		}
		if !any {
			warnings = append(warnings, fmt.Sprintf("document %s: none of its phases (%s) matched --phases %s; nothing of it ran", d.path, strings.Join(names, ", "), strings.Join(phases, ",")))
		}
	}
	for _, p := range phases {
		if !found[p] {
			warnings = append(warnings, fmt.Sprintf("phase %q of --phases matched no phase in any document", p))
		}
	}
	return warnings
}

func (x *executor) openLogs() (func(), error) {
	consoleFile, err := os.Create(filepath.Join(x.logDir, "console.log"))
	if err != nil {
		return nil, fmt.Errorf("create console.log: %w", err)
	}
	appFile, err := os.Create(filepath.Join(x.logDir, "application.log"))
	if err != nil {
		consoleFile.Close()
		return nil, fmt.Errorf("create application.log: %w", err)
	}
	var console io.Writer = consoleFile
	if x.opts.Console != nil {
		console = io.MultiWriter(consoleFile, x.opts.Console)
	}
	console = x.redact.writer(console)
	x.console = &syncWriter{w: console}
	var app io.Writer = appFile
	if x.opts.Trace && x.opts.TraceOut != nil {
		app = io.MultiWriter(appFile, x.opts.TraceOut)
	}
	app = x.redact.writer(app)
	x.log = slog.New(slog.NewTextHandler(app, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return func() {
		flush(x.console)
		flush(app)
		consoleFile.Close()
		appFile.Close()
	}, nil
}

func (x *executor) newEnv(scratch string, s3client func(context.Context) (S3API, error)) *env {
	httpClient := x.opts.HTTP
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Minute}
	}
	return &env{
		console: x.console, log: x.log, scratch: scratch, environ: x.opts.Environ,
		http: httpClient, s3: s3client, sleep: sleepCtx, backoff: x.opts.RetryBackoff,
	}
}

// newS3Factory returns the run's S3 client, created on first use from the
// default AWS configuration unless the caller gave one.
func newS3Factory(given S3API) func(context.Context) (S3API, error) {
	var once sync.Once
	var client S3API
	var clientErr error
	return func(ctx context.Context) (S3API, error) {
		if given != nil {
			return given, nil
		}
		once.Do(func() {
			// No raw SDK log lines (IMDSv1 fallback warnings) in the step output.
			cfg, err := config.LoadDefaultConfig(ctx, config.WithLogger(logging.Nop{}))
			if err != nil {
				clientErr = fmt.Errorf("load the AWS configuration for S3: %w (set AWS_REGION and credentials)", err)
				return
			}
			client = s3.NewFromConfig(cfg, func(o *s3.Options) {
				// A custom endpoint (AWS_ENDPOINT_URL[_S3]) is usually an
				// S3-compatible server that wants path-style addressing.
				if os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != "" {
					o.UsePathStyle = true
				}
			})
		})
		return client, clientErr
	}
}

type stopReason int

const (
	stopNone  stopReason = iota
	stopAbort            // an Abort step failed: nothing else runs
)

// position addresses a step: document, selected-phase ordinal, step index.
type position struct {
	Doc   int  `json:"doc"`
	Phase int  `json:"phase"`
	Step  int  `json:"step"`
	Rerun bool `json:"rerun"` // run this step again (exit 194) rather than the next
}

// before reports whether (d, p, s) comes before the resume point and so was
// already done in the run before the reboot.
func (r *position) before(d, p, s int) bool {
	if r == nil {
		return false
	}
	a := [3]int{d, p, s}
	b := [3]int{r.Doc, r.Phase, r.Step}
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return !r.Rerun // the reboot step itself: done unless it is rerun
}

// runDocument runs the selected phases of run into dr. top is false for
// ExecuteDocument children (their steps do not count in the summary and a
// reboot inside them reruns the parent step).
func (x *executor) runDocument(ctx context.Context, run *docRun, dr *DocumentResult, di int, resume *position, top bool) (*position, stopReason) {
	x.log.Info("document start", "document", run.path, "name", run.doc.Name)
	var reboot *position
	stop := stopNone
	ordinal := -1
	for _, phase := range run.doc.Phases {
		if run.phases != nil && !slices.Contains(run.phases, phase.Name) {
			continue
		}
		ordinal++
		if stop == stopAbort || reboot != nil || ctx.Err() != nil {
			break
		}
		var pr *PhaseResult
		if ordinal < len(dr.Phases) {
			pr = dr.Phases[ordinal]
		} else {
			pr = &PhaseResult{Name: phase.Name, StartTime: stamp(x.now()), Steps: []*StepResult{}}
			dr.Phases = append(dr.Phases, pr)
		}
		x.log.Info("phase start", "document", run.path, "phase", phase.Name)
		for si := range phase.Steps {
			step := &phase.Steps[si]
			if resume.before(di, ordinal, si) {
				continue
			}
			if ctx.Err() != nil {
				break
			}
			rerun := resume != nil && resume.Rerun && di == resume.Doc && ordinal == resume.Phase && si == resume.Step
			sr, rebootAsked := x.runStep(ctx, run, phase.Name, step, rerun)
			if si < len(pr.Steps) {
				pr.Steps[si] = sr
			} else {
				pr.Steps = append(pr.Steps, sr)
			}
			if top {
				x.count(sr)
			}
			if rebootAsked != nil {
				reboot = &position{Doc: di, Phase: ordinal, Step: si, Rerun: rebootAsked.rerunStep}
				break
			}
			if sr.Status == StatusFailed && step.EffectiveOnFailure() == awstoe.OnFailureAbort {
				stop = stopAbort
				break
			}
		}
		pr.EndTime = stamp(x.now())
		pr.Status = rollUp(each(pr.Steps, func(s *StepResult) string { return s.Status }))
		if pr.Status == StatusFailed {
			pr.FailureMessage = firstStepFailure(pr.Steps)
		}
		if reboot != nil {
			pr.Status = StatusRebootPending
		}
	}
	dr.EndTime = stamp(x.now())
	dr.Status = rollUp(each(dr.Phases, func(p *PhaseResult) string { return p.Status }))
	if dr.Status == StatusFailed {
		for _, p := range dr.Phases {
			if p.Status == StatusFailed {
				dr.FailureMessage = fmt.Sprintf("phase %s failed: %s", p.Name, p.FailureMessage)
				break
			}
		}
	}
	if reboot != nil {
		dr.Status = StatusRebootPending
	}
	x.log.Info("document end", "document", run.path, "status", dr.Status)
	return reboot, stop
}

func (x *executor) count(sr *StepResult) {
	switch sr.Status {
	case StatusSkipped, StatusRebootPending:
		return // a step rerun after a reboot counts once, when it finishes
	case StatusFailed:
		x.failed++
	case StatusIgnoredFailure:
		x.ignored++
	}
	x.executed++
}

func firstStepFailure(steps []*StepResult) string {
	for _, s := range steps {
		if s.Status == StatusFailed {
			return fmt.Sprintf("step %s failed: %s", s.Name, s.FailureMessage)
		}
	}
	return ""
}

// rollUp is AWSTOE's status roll-up: any failure fails; otherwise any
// ignored failure gives successWithIgnoredFailure; skipped counts as success.
func rollUp(statuses []string) string {
	out := StatusSuccess
	for _, s := range statuses {
		switch s {
		case StatusFailed:
			return StatusFailed
		case StatusIgnoredFailure, StatusSuccessWithIgnoredFailure:
			out = StatusSuccessWithIgnoredFailure
		}
	}
	return out
}

// each maps xs through f, in order.
func each[T, R any](xs []T, f func(T) R) []R {
	out := make([]R, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func docPaths(docs []*loadedDoc) []string {
	return each(docs, func(d *loadedDoc) string { return absOrSelf(d.path) })
}

// writeDocumentYAML writes the documents as run: parameter and constant
// references resolved, other expressions (chaining, loop, env, context)
// left as written because they resolve per step.
func writeDocumentYAML(path string, docs []*loadedDoc, redact *redactor) error {
	var buf bytes.Buffer
	for i, d := range docs {
		if i > 0 {
			buf.WriteString("---\n")
		}
		fmt.Fprintf(&buf, "# %s\n", d.path)
		if d.doc.Root == nil {
			buf.Write(d.data)
			continue
		}
		root := cloneNode(d.doc.Root)
		resolver := awstoe.MapResolver(d.values)
		walkScalars(root, func(n *yaml.Node) {
			if strings.Contains(n.Value, "{{") {
				n.Value, _ = awstoe.Expand(n.Value, resolver)
			}
		})
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(root); err != nil {
			return err
		}
		enc.Close()
	}
	return os.WriteFile(path, redact.redact(buf.Bytes()), 0o644)
}

func cloneNode(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = cloneNode(k)
	}
	return &c
}

func walkScalars(n *yaml.Node, f func(*yaml.Node)) {
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode {
		f(n)
	}
	for _, c := range n.Content {
		walkScalars(c, f)
	}
}

// jsonString renders a non-string value for substitution into a string.
func jsonString(v any) string {
	if s, ok := scalarString(v); ok {
		return s
	}
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
