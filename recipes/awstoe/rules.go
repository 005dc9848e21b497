package awstoe

import "github.com/ibgitops/ibgitops/recipes/diag"

// Rule ids reported by Parse and Validate.
const (
	RuleYAML                 = "toe-yaml"
	RuleTooLarge             = "toe-too-large"
	RuleUnknownKey           = "toe-unknown-key"
	RuleDuplicateKey         = "toe-duplicate-key"
	RuleType                 = "toe-type"
	RuleUnquotedExpression   = "toe-unquoted-expression"
	RuleSchemaVersion        = "toe-schema-version"
	RulePhases               = "toe-phases"
	RulePhaseName            = "toe-phase-name"
	RuleDuplicatePhase       = "toe-duplicate-phase"
	RuleStepName             = "toe-step-name"
	RuleDuplicateStep        = "toe-duplicate-step"
	RuleParameter            = "toe-parameter"
	RuleDuplicateParameter   = "toe-duplicate-parameter"
	RuleMissingAction        = "toe-missing-action"
	RuleUnknownAction        = "toe-unknown-action"
	RulePlatform             = "toe-platform"
	RuleMissingInputs        = "toe-missing-inputs"
	RuleInputShape           = "toe-input-shape"
	RuleMissingInput         = "toe-missing-input"
	RuleUnknownInput         = "toe-unknown-input"
	RuleInputType            = "toe-input-type"
	RuleInputValue           = "toe-input-value"
	RuleInputConflict        = "toe-input-conflict"
	RuleTimeout              = "toe-timeout"
	RuleOnFailure            = "toe-on-failure"
	RuleMaxAttempts          = "toe-max-attempts"
	RuleLoop                 = "toe-loop"
	RuleDuplicateLoop        = "toe-duplicate-loop"
	RuleCondition            = "toe-condition"
	RuleConditionDepth       = "toe-condition-depth"
	RuleOperatorCase         = "toe-operator-case"
	RuleBadRegex             = "toe-bad-regex"
	RuleBadNumber            = "toe-bad-number"
	RuleBadExpression        = "toe-bad-expression"
	RuleUnknownReference     = "toe-unknown-reference"
	RuleForwardReference     = "toe-forward-reference"
	RuleCrossStageReference  = "toe-cross-stage-reference"
	RuleLoopReference        = "toe-loop-reference"
	RuleUnknownOutput        = "toe-unknown-output"
	RuleExpressionContext    = "toe-expression-context"
	RuleIMDSPath             = "toe-imds-path"
	RuleUnusedParameter      = "toe-unused-parameter"
	RuleExecuteDocumentField = "toe-execute-document"
)

// RuleInfo documents one rule for READMEs, `lint --help` and SARIF.
type RuleInfo struct {
	ID          string
	Severity    diag.Severity // the usual severity; a few rules also emit the other
	Description string
}

// Rules lists every rule Parse and Validate report, in a stable order.
var Rules = []RuleInfo{
	{RuleYAML, diag.Error, "The document is not valid YAML, is empty, or holds more than one YAML document."},
	{RuleTooLarge, diag.Error, "The document is larger than 4 MiB or expands (through aliases) to more than 500,000 YAML nodes."},
	{RuleUnknownKey, diag.Error, "A key that AWSTOE does not know at this place (document, parameter, phase, step, loop, if); suggests the closest known key."},
	{RuleDuplicateKey, diag.Error, "The same key appears twice in one mapping."},
	{RuleType, diag.Error, "A document field has the wrong YAML type (e.g. a list where a mapping is expected, a string for timeoutSeconds)."},
	{RuleUnquotedExpression, diag.Error, "An unquoted `{{ x }}` value, which YAML reads as a mapping; quote it."},
	{RuleSchemaVersion, diag.Error, "schemaVersion is missing or not 1.0."},
	{RulePhases, diag.Error, "phases is missing or empty, or has none of build, validate, test."},
	{RulePhaseName, diag.Error, "A phase has no name (error) or a name Image Builder never runs (warning; known: build, validate, test, container-host-test)."},
	{RuleDuplicatePhase, diag.Error, "Two phases have the same name."},
	{RuleStepName, diag.Error, "A step has no name or its name uses characters other than [A-Za-z0-9_-]."},
	{RuleDuplicateStep, diag.Error, "Two steps of one phase have the same name."},
	{RuleParameter, diag.Error, "A parameter or constant has a bad name (3-128 of [A-Za-z0-9_-]), a type other than string, or a constant has no value."},
	{RuleDuplicateParameter, diag.Error, "Two parameters/constants share a name."},
	{RuleMissingAction, diag.Error, "A step has no action."},
	{RuleUnknownAction, diag.Error, "A step's action is not an AWSTOE action module; suggests the closest name."},
	{RulePlatform, diag.Error, "An action module (or an input such as owner/permissions) is not supported on the component's platform."},
	{RuleMissingInputs, diag.Error, "A step has no inputs (or an empty list) although its action requires them."},
	{RuleInputShape, diag.Error, "inputs is a mapping where the action takes a list of mappings, or the other way round."},
	{RuleMissingInput, diag.Error, "A required input of the action is missing."},
	{RuleUnknownInput, diag.Warning, "An input key the action does not take and AWSTOE ignores; suggests the closest key."},
	{RuleInputType, diag.Error, "An input has the wrong type (string, list of strings, boolean, integer, mapping)."},
	{RuleInputValue, diag.Error, "An input value is not one of the allowed values (e.g. algorithm, reboot, SetRegistry type, encoding)."},
	{RuleInputConflict, diag.Error, "Mutually exclusive inputs are both set (ExecutePowerShell commands and file)."},
	{RuleTimeout, diag.Error, "timeoutSeconds is 0 or below -1 (warning: set on Reboot, which ignores it)."},
	{RuleOnFailure, diag.Error, "onFailure is not Abort, Continue or Ignore."},
	{RuleMaxAttempts, diag.Error, "maxAttempts is below 1."},
	{RuleExecuteDocumentField, diag.Error, "ExecuteDocument with timeoutSeconds other than -1 or maxAttempts other than 1."},
	{RuleLoop, diag.Error, "A loop with neither or both of for/forEach, updateBy 0, a for range that never ends, an empty forEach, a bad delimiter or loop name."},
	{RuleDuplicateLoop, diag.Error, "Two loops of one phase share a name."},
	{RuleCondition, diag.Error, "An if/Assert condition with no or two operators, a missing value/path, a then/else other than Abort, Execute, Skip, or an empty and/or."},
	{RuleConditionDepth, diag.Error, "Logical operators (and/or/not) nested deeper than 4 levels."},
	{RuleOperatorCase, diag.Warning, "An operator spelled with different case than AWSTOE's (e.g. stringlessThan)."},
	{RuleBadRegex, diag.Error, "patternMatches holds a regular expression Go's RE2 cannot compile."},
	{RuleBadNumber, diag.Error, "A number* operator holds a literal that is not a number (error), or its value does (warning: the comparison is always false, as AWSTOE documents)."},
	{RuleBadExpression, diag.Error, "A malformed `{{ }}` expression (empty, unterminated, or a chaining reference without phase.step.inputs|outputs.key)."},
	{RuleUnknownReference, diag.Error, "A `{{ }}` expression names no declared parameter/constant, no phase, no step (error when a close name exists, else a warning: generators may add the step), or an unknown context:/input key."},
	{RuleForwardReference, diag.Error, "A chaining expression refers to the same or a later step."},
	{RuleCrossStageReference, diag.Error, "A step refers to a step of another stage: build and validate run on the build instance, test on the test instance, container-host-test on the container host."},
	{RuleLoopReference, diag.Error, "A loop variable of another step's loop (error), or loop.* outside a loop or inside if, which AWSTOE leaves unreplaced (warning)."},
	{RuleUnknownOutput, diag.Error, "A chaining expression reads an output the action module does not produce."},
	{RuleExpressionContext, diag.Error, "A `{{ }}` expression where AWSTOE does not resolve it (names, for start/end/updateBy, delimiter)."},
	{RuleIMDSPath, diag.Error, "An aws:imds: expression under iam/ or identity-credentials/, which AWSTOE rejects."},
	{RuleUnusedParameter, diag.Warning, "A parameter or constant that no expression uses."},
}

// RuleByID returns the rule with id.
func RuleByID(id string) (RuleInfo, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return RuleInfo{}, false
}
