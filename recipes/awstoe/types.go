// Package awstoe is the pure model of AWSTOE component documents: it parses
// them with yaml.v3 node positions, validates them against the rules of
// AWSTOE and Image Builder, and provides the expression machinery
// (`{{ }}` references, `if`/Assert conditions) that the executor in
// runner/toe reuses so that validation and execution cannot drift.
// It does no I/O: file and OS checks needed by conditions go through the
// Host interface the caller passes in.
package awstoe

import (
	"github.com/ibgitops/ibgitops/recipes/diag"
	"gopkg.in/yaml.v3"
)

// Platforms a component document can target, spelled as Image Builder does.
const (
	PlatformLinux   = "Linux"
	PlatformWindows = "Windows"
	PlatformMacOS   = "macOS"
)

// onFailure values and their default.
const (
	OnFailureAbort    = "Abort"
	OnFailureContinue = "Continue"
	OnFailureIgnore   = "Ignore"
)

// Step defaults applied by AWSTOE when a field is absent.
const (
	DefaultTimeoutSeconds = 7200
	DefaultOnFailure      = OnFailureAbort
	DefaultMaxAttempts    = 1
	// NoTimeout is the timeoutSeconds value meaning "no timeout".
	NoTimeout = -1
)

// Document is one AWSTOE component document.
type Document struct {
	// File is the path findings are reported against.
	File        string
	Name        string
	Description string
	// SchemaVersion is normalised to its text ("1.0", "1", ...).
	SchemaVersion string
	Parameters    []Parameter
	Constants     []Constant
	Phases        []Phase
	// Pos is the position of the document's root mapping; the other *Pos
	// fields point at the value of the key they name.
	Pos              diag.Pos
	SchemaVersionPos diag.Pos
	PhasesPos        diag.Pos
	// Root is the document's mapping node as parsed, kept for re-encoding.
	Root *yaml.Node
	// badType records keys whose value Parse already reported as the
	// wrong type, so Validate does not also call them missing.
	badType map[string]bool
}

// Parameter is a document parameter (`parameters:` entry). A parameter
// without Default must be supplied at run time.
type Parameter struct {
	Name        string
	Type        string
	Default     *string
	Description string
	Pos         diag.Pos
}

// Constant is a document constant (`constants:` entry); immutable.
type Constant struct {
	Name  string
	Type  string
	Value string
	Pos   diag.Pos
}

// Phase is a named list of steps (`build`, `validate`, `test`, ...).
type Phase struct {
	Name    string
	Steps   []Step
	Pos     diag.Pos
	NamePos diag.Pos
	// stepsBad is set when Parse reported `steps:` as the wrong type.
	stepsBad bool
}

// Step is one action invocation inside a phase. Pointer fields are nil when
// the key is absent, so callers can tell "default" from "explicit"; use the
// Effective* methods for the value AWSTOE applies.
type Step struct {
	Name           string
	Action         string
	TimeoutSeconds *int
	OnFailure      string
	MaxAttempts    *int
	Loop           *Loop
	If             *Condition
	// Inputs is the raw `inputs:` node (nil when absent), with positions.
	Inputs *yaml.Node
	// InputsValue is Inputs decoded into plain Go values
	// (map[string]any, []any, string, int, float64, bool, nil).
	// Integers written with a leading zero (permissions: 0755) stay
	// strings so their octal digits survive.
	InputsValue any
	// Assertion is Inputs parsed as a condition when Action is "Assert".
	Assertion *Condition
	// Pos is the step's mapping; the others point at the named value.
	Pos               diag.Pos
	NamePos           diag.Pos
	ActionPos         diag.Pos
	TimeoutSecondsPos diag.Pos
	OnFailurePos      diag.Pos
	MaxAttemptsPos    diag.Pos
	InputsPos         diag.Pos
}

// EffectiveTimeoutSeconds is TimeoutSeconds or its AWSTOE default.
func (s *Step) EffectiveTimeoutSeconds() int {
	if s.Action == "ExecuteDocument" {
		return NoTimeout
	}
	if s.TimeoutSeconds == nil {
		return DefaultTimeoutSeconds
	}
	return *s.TimeoutSeconds
}

// EffectiveOnFailure is OnFailure or its AWSTOE default (Abort).
func (s *Step) EffectiveOnFailure() string {
	if s.OnFailure == "" {
		return DefaultOnFailure
	}
	return s.OnFailure
}

// EffectiveMaxAttempts is MaxAttempts or its AWSTOE default (1).
func (s *Step) EffectiveMaxAttempts() int {
	if s.MaxAttempts == nil || s.Action == "ExecuteDocument" {
		return DefaultMaxAttempts
	}
	return *s.MaxAttempts
}

// Loop is a step's `loop:`. Exactly one of For and ForEach is set in a
// valid document.
type Loop struct {
	// Name is optional; when set, `{{ <Name>.value }}` and
	// `{{ <Name>.index }}` refer to the iteration variables.
	Name    string
	For     *ForLoop
	ForEach *ForEach
	Pos     diag.Pos
}

// ForLoop iterates the inclusive range [Start, End] by UpdateBy.
type ForLoop struct {
	Start    int
	End      int
	UpdateBy int
	Pos      diag.Pos
	// partial is set by the parser when a bound is missing or not an
	// integer (already reported), so range checks are skipped.
	partial bool
}

// ForEach iterates over List. In the list form List holds the items;
// in the delimited form (`forEach: {list, delimiter}`) Delimited is true,
// List holds the single unsplit string and Delimiter the separator
// (default ","). Items may contain `{{ }}` expressions: expand them
// first, then call Items.
type ForEach struct {
	List      []string
	Delimiter string
	Delimited bool
	Pos       diag.Pos
}

// Condition is a node of an `if:` (or Assert `inputs:`) tree: either a
// logical operator (and/or/not) with Operands, or a comparison operator
// with its Baseline (the operator key's value) and Value (the `value:` key)
// or Path (the `path:` key of the file hash operators).
type Condition struct {
	// Op is the operator key as written (canonical spelling, e.g.
	// "stringEquals", "and").
	Op string
	// Operands of and/or (one or more) and not (exactly one).
	Operands []*Condition
	// Baseline is the operator key's scalar value as text.
	Baseline string
	// BaselineTag is the YAML tag of Baseline (!!str, !!int, !!float, ...).
	BaselineTag string
	// Value is the `value:` key's scalar as text; HasValue says it was present.
	Value    string
	ValueTag string
	HasValue bool
	// Path is the `path:` key of fileMD5Equals & co.; HasPath says it was present.
	Path    string
	HasPath bool
	// Then and Else are the step actions (Abort|Execute|Skip) of a top-level
	// `if`; empty means the default (Execute when true, Skip when false).
	Then string
	Else string
	Pos  diag.Pos
}

// Step actions of `if` then/else.
const (
	IfAbort   = "Abort"
	IfExecute = "Execute"
	IfSkip    = "Skip"
)

// Logical operators.
const (
	OpAnd = "and"
	OpOr  = "or"
	OpNot = "not"
)

// Comparison operators (awstoe.md 2.4).
const (
	OpStringIsEmpty           = "stringIsEmpty"
	OpStringIsWhitespace      = "stringIsWhitespace"
	OpStringEquals            = "stringEquals"
	OpStringLessThan          = "stringLessThan"
	OpStringLessThanEquals    = "stringLessThanEquals"
	OpStringGreaterThan       = "stringGreaterThan"
	OpStringGreaterThanEquals = "stringGreaterThanEquals"
	OpPatternMatches          = "patternMatches"
	OpNumberEquals            = "numberEquals"
	OpNumberLessThan          = "numberLessThan"
	OpNumberLessThanEquals    = "numberLessThanEquals"
	OpNumberGreaterThan       = "numberGreaterThan"
	OpNumberGreaterThanEquals = "numberGreaterThanEquals"
	OpBinaryExists            = "binaryExists"
	OpFileExists              = "fileExists"
	OpFolderExists            = "folderExists"
	OpFileMD5Equals           = "fileMD5Equals"
	OpFileSHA1Equals          = "fileSHA1Equals"
	OpFileSHA256Equals        = "fileSHA256Equals"
	OpFileSHA512Equals        = "fileSHA512Equals"
)

// ValidateOptions tune Document.Validate.
type ValidateOptions struct {
	// Platform is "Linux", "Windows", "macOS" or "" (unknown: platform
	// checks are skipped).
	Platform string
	// AllowMissingSteps turns a chaining reference to a step the phase
	// does not have (and whose name is close to none it has) from an
	// error into a warning: some published templates are completed by a
	// generator that inserts the step before upload (AWS's
	// aws-parallelcluster ones do). By default it is an error, because
	// `toe run` would fail at that step after earlier steps had already
	// changed the machine.
	AllowMissingSteps bool
}
