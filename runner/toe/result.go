package toe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Status strings written to detailedoutput.json. The run summary's status
// is only "success" or "failed" (SuccessWithIgnoredFailure is a success).
const (
	StatusSuccess                   = "success"
	StatusFailed                    = "failed"
	StatusIgnoredFailure            = "ignoredFailure"
	StatusSkipped                   = "skipped"
	StatusSuccessWithIgnoredFailure = "successWithIgnoredFailure"
	// StatusRebootPending marks the step that asked for a reboot in the
	// detailedoutput.json written before exiting with 194.
	StatusRebootPending = "pendingReboot"
)

// Summary is the JSON `toe run` prints on stdout, with AWSTOE's keys.
type Summary struct {
	ExecutionID            string `json:"executionId"`
	Status                 string `json:"status"`
	FailedStepCount        int    `json:"failedStepCount"`
	ExecutedStepCount      int    `json:"executedStepCount"`
	IgnoredFailedStepCount int    `json:"ignoredFailedStepCount"`
	FailureMessage         string `json:"failureMessage"`
	LogURL                 string `json:"logUrl"`
	// Warnings (only present when there are some) say what did not run,
	// e.g. a --phases name that matched no phase of any document.
	Warnings []string `json:"warnings,omitempty"`
	// RebootRequested is true when a step asked for a reboot: the caller
	// reboots (or restarts the container) and runs again with the same
	// state directory; `toe run` exits with 194.
	RebootRequested bool `json:"-"`
}

// RunResult is detailedoutput.json.
type RunResult struct {
	ExecutionID    string            `json:"executionId"`
	Status         string            `json:"status"`
	StartTime      string            `json:"startTime"`
	EndTime        string            `json:"endTime"`
	FailureMessage string            `json:"failureMessage"`
	Documents      []*DocumentResult `json:"documents"`
}

// DocumentResult is one document of detailedoutput.json.
type DocumentResult struct {
	Name           string         `json:"name"`
	FilePath       string         `json:"filePath"`
	Status         string         `json:"status"`
	Description    string         `json:"description"`
	StartTime      string         `json:"startTime"`
	EndTime        string         `json:"endTime"`
	FailureMessage string         `json:"failureMessage"`
	Phases         []*PhaseResult `json:"phases"`
}

// PhaseResult is one phase of a document.
type PhaseResult struct {
	Name           string        `json:"name"`
	Status         string        `json:"status"`
	StartTime      string        `json:"startTime"`
	EndTime        string        `json:"endTime"`
	FailureMessage string        `json:"failureMessage"`
	Steps          []*StepResult `json:"steps"`
}

// StepResult is one step; Inputs and Outputs are JSON-encoded arrays, as
// AWSTOE writes them.
type StepResult struct {
	Name           string      `json:"name"`
	Status         string      `json:"status"`
	FailureMessage string      `json:"failureMessage"`
	TimeoutSeconds int         `json:"timeoutSeconds"`
	OnFailure      string      `json:"onFailure"`
	MaxAttempts    int         `json:"maxAttempts"`
	Action         string      `json:"action"`
	StartTime      string      `json:"startTime"`
	EndTime        string      `json:"endTime"`
	Inputs         string      `json:"inputs"`
	Outputs        string      `json:"outputs"`
	Loop           *LoopResult `json:"loop"`
	DetailedOutput *RunResult  `json:"detailedOutput"`

	// attempts is how many attempts ran (application.log only).
	attempts int
}

// LoopResult describes a looped step's iterations.
type LoopResult struct {
	Name             string `json:"name"`
	Type             string `json:"type"` // "for" or "forEach"
	Iterations       int    `json:"iterations"`
	FailedIterations []int  `json:"failedIterations"`
}

func stamp(t time.Time) string { return t.Format(time.RFC3339Nano) }

// jsonArray encodes outputs or inputs the way AWSTOE stores them: a JSON
// string holding an array.
func jsonArray(v any) string {
	if v == nil {
		return "[]"
	}
	b, err := marshalNoEscape(v, "")
	if err != nil {
		return fmt.Sprintf("[%q]", err.Error())
	}
	return string(b)
}

// marshalNoEscape is json.Marshal without HTML escaping (`>` stays `>`),
// so commands read as written.
func marshalNoEscape(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// writeJSON writes v with the secrets redacted.
func writeJSON(path string, v any, redact *redactor) error {
	b, err := marshalNoEscape(v, "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(redact.redact(b), '\n'), 0o644)
}

// logFolderName is AWSTOE's per-run log folder name.
func logFolderName(start time.Time, executionID string) string {
	return fmt.Sprintf("TOE_%s_UTC-0_%s", start.UTC().Format("2006-01-02_15-04-05"), executionID)
}

// ChainEntry is one resolved chaining expression of chaining.json.
type ChainEntry struct {
	Document   string `json:"document"`
	Phase      string `json:"phase"`
	Step       string `json:"step"`
	Expression string `json:"expression"`
	Value      string `json:"value"`
}

func absOrSelf(p string) string {
	if strings.Contains(p, "://") {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
