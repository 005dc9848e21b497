package recipes

// Rule ids of the repository linter. They are stable: users filter on them
// and the testdata/lint cases name them. AWSTOE document rules come from
// recipes/awstoe and are prefixed `toe-`.
const (
	RuleYAMLSyntax        = "yaml-syntax"
	RuleDuplicateKey      = "duplicate-key"
	RuleFileTooLarge      = "file-too-large"
	RuleYAMLTooComplex    = "yaml-too-complex"
	RuleMultipleDocuments = "multiple-documents"
	RuleFileUnreadable    = "file-unreadable"
	RuleMissingKind       = "missing-kind"
	RuleUnknownKind       = "unknown-kind"
	RuleUnknownKey        = "unknown-key"
	RuleWrongType         = "wrong-type"
	RuleRequiredField     = "required-field"
	RuleExclusiveFields   = "exclusive-fields"
	RuleEnum              = "enum"
	RuleLength            = "length"
	RuleRange             = "range"
	RuleNamePattern       = "name-pattern"
	RuleValuePattern      = "value-pattern"
	RuleVersionFormat     = "version-format"
	RuleARNFormat         = "arn-format"
	RuleDuplicateName     = "duplicate-name"
	RuleFileRef           = "file-ref"
	RuleDocumentSize      = "document-size"
	RuleTooManyComponents = "too-many-components"
	RuleDuplicateComp     = "duplicate-component"
	RuleRefMissing        = "ref-missing"
	RuleRefKind           = "ref-kind"
	RuleRefVersion        = "ref-version"
	RuleParentImage       = "parent-image"
	RuleParentCycle       = "parent-cycle"
	RulePlatformMismatch  = "platform-mismatch"
	RuleParamUndeclared   = "param-undeclared"
	RuleParamType         = "param-type"
	RuleParamRequired     = "param-required"
	RuleSchedule          = "schedule"
	RuleDockerfile        = "dockerfile-template"
	RuleConfigRoot        = "config-root"
	RuleEncoding          = "encoding"
	RuleFileType          = "file-type"
	RuleSymlink           = "symlink"
	RuleTagPattern        = "tag-pattern"
	RuleEmptyFile         = "empty-file"
	RuleNameCase          = "name-case"
	RuleNoResources       = "no-resources"
	RuleAMIName           = "ami-name"
	// RuleInternal marks a file a checker failed on (a bug, never expected);
	// it is not in RuleDocs because no input should produce it.
	RuleInternal = "internal-error"
)

// RuleDoc is one line of the rule list (`## Lint` in the README, SARIF
// rule metadata).
type RuleDoc struct {
	ID       string
	Severity string
	Summary  string
}

// RuleDocs lists every repository rule with what it checks.
var RuleDocs = []RuleDoc{
	{RuleYAMLSyntax, "error", "the file is not valid YAML (tabs in indentation, bad quoting, binary data)"},
	{RuleDuplicateKey, "error", "a key appears twice in one mapping"},
	{RuleFileTooLarge, "error", "a file is larger than 1 MiB"},
	{RuleYAMLTooComplex, "error", "a file has too many nodes or expands aliases too far (alias bombs)"},
	{RuleMultipleDocuments, "error", "a file holds more than one YAML document; one resource per file"},
	{RuleFileUnreadable, "error", "a file cannot be read"},
	{RuleMissingKind, "error", "a file looks like a resource but has no `kind:`"},
	{RuleUnknownKind, "error", "`kind:` is not one of the six resource kinds"},
	{RuleUnknownKey, "error", "a key the kind does not have (typos, wrong case)"},
	{RuleWrongType, "error", "a value of the wrong YAML type (list for a string, ...)"},
	{RuleRequiredField, "error", "a required key is missing"},
	{RuleExclusiveFields, "error", "keys that exclude each other (document/documentFile, imageRecipe/containerRecipe, ...)"},
	{RuleEnum, "error", "a value outside the API's enumeration"},
	{RuleLength, "error", "a string, list or map too short or too long for the API"},
	{RuleRange, "error", "an integer outside the API's range"},
	{RuleNamePattern, "error", "a resource name Image Builder rejects (3-128 letters, digits, -, _, inner spaces)"},
	{RuleValuePattern, "error", "a value that does not match the API's pattern (regions, account ids, ...)"},
	{RuleVersionFormat, "error", "a version that is not major.minor.patch, has a part over 1073741823, or a misplaced `x` wildcard"},
	{RuleARNFormat, "error", "a malformed ARN (components, workflows, KMS keys, SNS topics, ...)"},
	{RuleDuplicateName, "error", "two resources of one kind share a name (image and container recipes share one namespace)"},
	{RuleFileRef, "error", "documentFile / dockerfileTemplateFile missing, unreadable or outside the repository"},
	{RuleDocumentSize, "error", "an AWSTOE document or Dockerfile template over 16,000 characters"},
	{RuleTooManyComponents, "error", "a recipe with more than 20 components"},
	{RuleDuplicateComp, "error", "a component listed twice in one recipe"},
	{RuleRefMissing, "error", "a reference to a component, recipe, infrastructure or distribution that does not exist"},
	{RuleRefKind, "error", "a reference to a resource of the wrong kind"},
	{RuleRefVersion, "error/warning", "a component version pin that the repository's component cannot satisfy"},
	{RuleParentImage, "error", "a parentImage that is not an AMI id, image ARN, ssm: parameter or recipe:<name>"},
	{RuleParentCycle, "error", "recipes whose recipe: parents form a cycle"},
	{RulePlatformMismatch, "error", "a recipe mixing components of different platforms"},
	{RuleParamUndeclared, "error", "a recipe passes a parameter the component does not declare"},
	{RuleParamType, "error", "a recipe passes a list to a string parameter"},
	{RuleParamRequired, "error", "a component parameter without default that the recipe does not pass"},
	{RuleSchedule, "error", "a schedule expression Image Builder rejects (six cron fields, one day field `?`)"},
	{RuleDockerfile, "warning", "a Dockerfile template without {{{ imagebuilder:parentImage }}} or {{{ imagebuilder:components }}}"},
	{RuleConfigRoot, "error", "ibgitops.yaml's root is not a folder inside the repository"},
	{RuleEncoding, "error", "a file is UTF-16 or UTF-32 (has a byte order mark); files must be UTF-8 (a UTF-8 byte order mark is accepted)"},
	{RuleFileType, "error", "a *.yaml file that is not a regular file (FIFO, socket, device); it is never opened"},
	{RuleSymlink, "error", "a symlink that leads outside the repository (absolute or through ..) or loops"},
	{RuleTagPattern, "error", "release.tagPattern without {name} or {version} (or with one twice): release --tag could not read tags"},
	{RuleEmptyFile, "warning", "a *.yaml file under the root that is empty (or only comments): it defines nothing"},
	{RuleNameCase, "warning", "two resources of one kind whose names differ only in case or in space versus '-': Image Builder's ARNs lower-case names and turn spaces into '-', so they collide"},
	{RuleNoResources, "error", "no resource at all under the root (a wrong --root or root:); `lint --allow-empty` accepts it"},
	{RuleAMIName, "error/warning", "an amiDistributionConfiguration.name without {{ imagebuilder:buildDate }} (or buildVersion): EC2 AMI names are unique per account and Region, so every build after the first fails at distribution; an error when a scheduled pipeline uses it"},
}
