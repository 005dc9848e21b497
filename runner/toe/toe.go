// Package toe is ibgitops's AWSTOE-compatible executor: it runs component
// documents phase by phase and step by step with AWSTOE's semantics
// (onFailure, maxAttempts, timeoutSeconds, loops, if, chaining, reboot and
// resume) and writes AWSTOE's output files. Documents are parsed and
// validated by recipes/awstoe; this package only executes.
package toe

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
)

// Param is one name=value run parameter.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DocumentSpec is one document to run with its own parameters (from a
// --config file; --documents gives none).
type DocumentSpec struct {
	Path       string  `json:"path"`
	Parameters []Param `json:"parameters"`
}

// Options are `toe run`'s inputs; the CLI fills them from AWSTOE's flags.
type Options struct {
	Documents []DocumentSpec
	// Phases to run (nil = all); they run in document order regardless.
	Phases         []string
	Parameters     []Param // applied to every document
	ExecutionID    string  // default: a random UUID
	LogDirectory   string  // default "."
	StateDirectory string  // default: LogDirectory
	Trace          bool
	// FailOnEmpty turns "a --phases name matched nothing" into a failure.
	FailOnEmpty bool
	// AllowMissingSteps accepts chaining references to steps a document
	// does not have (a warning instead of an error; such a step then fails
	// when it runs): for published templates a generator completes before
	// use, such as aws-parallelcluster's custom_script.yaml.
	AllowMissingSteps bool
	// SecretVars names environment variables whose values are redacted
	// from every output, in addition to SecretVars and IBGITOPS_SECRET_VARS.
	SecretVars []string

	// Console receives a copy of console.log as it is written (nil: none).
	Console io.Writer
	// TraceOut receives application.log lines when Trace is set.
	TraceOut io.Writer
	// Environ is the steps' environment (nil: os.Environ()).
	Environ []string
	// S3 overrides the S3 client (nil: from the default AWS configuration).
	S3 S3API
	// IMDS overrides the instance metadata client of `{{ aws:imds:... }}`
	// (nil: the EC2 instance metadata service, honouring
	// AWS_EC2_METADATA_SERVICE_ENDPOINT and AWS_EC2_METADATA_DISABLED).
	IMDS IMDSAPI
	// HTTP overrides the WebDownload client.
	HTTP *http.Client
	// Now overrides the clock (tests).
	Now func() time.Time
	// RetryBackoff is WebDownload's first retry delay (default 1s).
	RetryBackoff time.Duration
}

// ValidationError reports documents that failed validation; nothing ran.
type ValidationError struct {
	Findings []diag.Finding
}

func (e *ValidationError) Error() string {
	errs, _ := diag.Count(e.Findings)
	var first string
	for _, f := range e.Findings {
		if f.Severity == diag.Error {
			first = f.String()
			break
		}
	}
	return fmt.Sprintf("%d validation error(s) in the documents; nothing ran. First: %s", errs, first)
}

// LoadConfig reads an AWSTOE --config JSON file into opts. Values already
// set in opts (from flags) win; documents and parameters may not come from
// both.
func LoadConfig(path string, opts *Options) error {
	data, err := toedoc.ReadRegularFile(path, toedoc.MaxDocumentSize, "--config", "a run config is a small JSON file")
	if err != nil {
		return err
	}
	var cfg struct {
		Documents      []DocumentSpec `json:"documents"`
		ExecutionID    string         `json:"executionId"`
		LogDirectory   string         `json:"logDirectory"`
		Parameters     []Param        `json:"parameters"`
		Phases         string         `json:"phases"`
		StateDirectory string         `json:"stateDirectory"`
		Trace          bool           `json:"trace"`
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&cfg); err != nil {
		return fmt.Errorf("--config %s is not valid JSON: %w", path, err)
	}
	if len(cfg.Documents) > 0 && len(opts.Documents) > 0 {
		return fmt.Errorf("documents are given both in --config %s and with --documents: use one", path)
	}
	if len(cfg.Parameters) > 0 && len(opts.Parameters) > 0 {
		return fmt.Errorf("parameters are given both in --config %s and with --parameters: use one", path)
	}
	if len(opts.Documents) == 0 {
		opts.Documents = cfg.Documents
	}
	if len(opts.Parameters) == 0 {
		opts.Parameters = cfg.Parameters
	}
	for i, d := range opts.Documents {
		if d.Path == "" {
			return fmt.Errorf("--config %s: documents[%d] has no path", path, i)
		}
		for _, p := range d.Parameters {
			if p.Name == "" {
				return fmt.Errorf("--config %s: documents[%d] has a parameter without name", path, i)
			}
		}
	}
	if opts.ExecutionID == "" {
		opts.ExecutionID = cfg.ExecutionID
	}
	if opts.LogDirectory == "" {
		opts.LogDirectory = cfg.LogDirectory
	}
	if opts.StateDirectory == "" {
		opts.StateDirectory = cfg.StateDirectory
	}
	if len(opts.Phases) == 0 && cfg.Phases != "" {
		opts.Phases = toedoc.SplitList(cfg.Phases)
	}
	opts.Trace = opts.Trace || cfg.Trace
	return nil
}

// ParseParameters reads `name=value,name2=value2`; a value may not be
// empty (AWSTOE rejects `name=`).
func ParseParameters(s string) ([]Param, error) {
	var out []Param
	for _, kv := range toedoc.SplitList(s) {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" || value == "" {
			return nil, fmt.Errorf("--parameters %q: write name=value pairs separated by commas, each with a non-empty value", kv)
		}
		out = append(out, Param{Name: name, Value: value})
	}
	return out, nil
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Sprintf("%x", time.Now().UnixNano())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// ExitCode maps a summary to `toe run`'s exit code: 0 success, 1 failed,
// 194 reboot requested.
func ExitCode(s *Summary) int {
	switch {
	case s == nil:
		return exitcodes.Cannot
	case s.RebootRequested:
		return exitcodes.Reboot
	case s.Status == StatusSuccess:
		return exitcodes.OK
	}
	return exitcodes.Findings
}

// RebootExitCode is the exit code of a run that asks for a reboot.
const RebootExitCode = rebootExitCode

var errNoDocuments = errors.New("no documents to run: pass --documents a.yaml,b.yaml or --config run.json")
