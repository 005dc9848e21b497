package recipes

import (
	"regexp"
	"strings"
	"sync"
)

// Type is the YAML shape a field accepts.
type Type int

const (
	TString    Type = iota // a scalar string (numbers are accepted as text)
	TInt                   // an integer
	TBool                  // true or false
	TObject                // a mapping with the keys in Fields
	TList                  // a sequence of Elem
	TStringMap             // a mapping of string to string (tags)
	TParamMap              // a mapping of parameter name to a string or a list of strings
	TDocument              // an AWSTOE document mapping, validated by recipes/awstoe
)

func (t Type) String() string {
	switch t {
	case TString:
		return "a string"
	case TInt:
		return "an integer"
	case TBool:
		return "a boolean (true or false)"
	case TObject, TStringMap, TParamMap, TDocument:
		return "a mapping"
	case TList:
		return "a list"
	}
	return "a value"
}

// Field describes one key of a resource file. The strict decoder and the
// JSON Schema (`ibgitops schema`) are both driven by these tables, so they
// cannot disagree.
type Field struct {
	Name     string
	Type     Type
	Required bool
	Doc      string
	Enum     []string
	// Pattern is a regular expression (RE2, also valid in JSON Schema) a
	// string must match; PatternRule is the finding rule when it does not
	// and Hint says how to fix it.
	Pattern     string
	PatternRule string
	Hint        string
	// MinLen/MaxLen bound characters of a string, items of a list and
	// entries of a map; 0 means unbounded.
	MinLen, MaxLen int
	// Min/Max bound an integer when HasRange.
	Min, Max int64
	HasRange bool
	Fields   []*Field // TObject
	Elem     *Field   // TList
	// ExactlyOne and AtMostOne list key groups of a TObject.
	ExactlyOne [][]string
	AtMostOne  [][]string
	// Forms split a string's pattern by prefix: the first form whose
	// Prefix the value starts with decides, a form with Prefix "" takes
	// every other value (parentImage: ami-..., arn:..., ssm:...). The
	// schema says the same with if/then/else.
	Forms []Form
	// Once lists texts the string must contain exactly once
	// (release.tagPattern's {name} and {version}).
	Once []string
	// LengthRule reports a length violation under this rule instead of
	// RuleLength (a recipe's components: too-many-components).
	LengthRule string
	// Check explains why a value the table refuses is wrong (versions,
	// ARNs, schedules); it returns the rule and the message, or "" when it
	// finds nothing to say. It never decides validity: the table's
	// Pattern, Forms and Once do, for lint and the JSON Schema alike.
	Check func(v string) (rule, msg string)

	once  sync.Once
	re    matcher
	index map[string]*Field
}

// Form is one prefix-selected shape of a string (see Field.Forms).
type Form struct {
	Prefix  string
	Pattern string
}

// A matcher reports whether a string matches a field pattern: the pattern's
// compiled regexp, or a fastMatcher of the same language.
type matcher interface{ MatchString(string) bool }

// compiledPatterns holds every pattern compiled once per process, shared
// by the fields that use it: each kind has its own name, version and ARN
// fields with the same patterns, and some cost a millisecond or more to
// compile (a counted repetition like {1,126} is expanded, the ARN and
// version patterns spell number ranges). Compiling per field was a sixth
// of the CPU of a plan of a small repository; the costliest ones are not
// compiled at all (fastMatcherFor).
var compiledPatterns sync.Map // pattern -> matcher

func compiledPattern(pattern string) matcher {
	if m, ok := compiledPatterns.Load(pattern); ok {
		return m.(matcher)
	}
	var m matcher
	if fast := fastMatcherFor(pattern); fast != nil {
		m = fast
	} else {
		m = regexp.MustCompile(pattern)
	}
	stored, _ := compiledPatterns.LoadOrStore(pattern, m)
	return stored.(matcher)
}

func (f *Field) compile() {
	f.once.Do(func() {
		if f.Pattern != "" {
			f.re = compiledPattern(f.Pattern)
		}
		// Forms compile when a value selects them (accepts): a parentImage
		// of ami-... never needs the image ARN pattern.
		f.index = make(map[string]*Field, len(f.Fields))
		for _, c := range f.Fields {
			f.index[c.Name] = c
		}
	})
}

// accepts reports whether the table (Pattern, Forms, Once) accepts v.
func (f *Field) accepts(v string) bool {
	f.compile()
	if f.re != nil && !f.re.MatchString(v) {
		return false
	}
	for _, form := range f.Forms {
		if strings.HasPrefix(v, form.Prefix) {
			if !compiledPattern(form.Pattern).MatchString(v) {
				return false
			}
			break
		}
	}
	for _, t := range f.Once {
		if strings.Count(v, t) != 1 {
			return false
		}
	}
	return true
}

func (f *Field) child(name string) *Field {
	f.compile()
	return f.index[name]
}

// Patterns shared by several kinds (imagebuilder-api.md sections 2-3);
// the version and ARN patterns are built in patterns.go.
const (
	patResourceName = `^[-_A-Za-z0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z0-9]$`
	patAccountID    = `^[0-9]{12}$`
	patRegion       = `^[a-z]{2}(?:-[a-z]+)+-[0-9]+$`
	patSNSARN       = `^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[a-zA-Z0-9_.-]{1,256}$`
	patLicenseARN   = `^arn:aws[a-z-]*:license-manager:[a-z0-9-]+:[0-9]{12}:license-configuration:lic-[a-z0-9-_]{32}$`
	patOrgARN       = `^arn:aws[a-z-]*:organizations::[0-9]{12}:organization/o-[a-z0-9]{10,32}$`
	patOUARN        = `^arn:aws[a-z-]*:organizations::[0-9]{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$`
	patKMSKey       = `^(?:arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(?:key|alias)/.+|alias/.+|[0-9a-f-]{36}|mrk-[0-9a-f]{32})$`
	patHostGroupARN = `^arn:aws[a-z-]*:resource-groups:[a-z0-9-]+:[0-9]{12}:group/.+$`
	patRoleOrARN    = `^(?:arn:aws[a-z-]*:iam::[0-9]{12}:role/.+|[A-Za-z0-9_+=,.@/-]+)$`
	// Tag keys: letters, digits, spaces and _.:/=+-@ (ASCII: \s would
	// also take U+00A0 in JavaScript, not in Go).
	patTagKey = `^[a-zA-Z0-9 _.:/=+\-@]*$`
	patAMI    = `^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$`
)

func str(name, doc string) *Field { return &Field{Name: name, Type: TString, Doc: doc} }

func strList(name, doc string, max int) *Field {
	return &Field{Name: name, Type: TList, Doc: doc, MaxLen: max, MinLen: 1, Elem: &Field{Name: name, Type: TString}}
}

func withPattern(f *Field, pattern, rule, hint string) *Field {
	f.Pattern, f.PatternRule, f.Hint = pattern, rule, hint
	return f
}

func required(f *Field) *Field { f.Required = true; return f }

func intRange(name, doc string, lo, hi int64) *Field {
	return &Field{Name: name, Type: TInt, Doc: doc, Min: lo, Max: hi, HasRange: true}
}

func boolean(name, doc string) *Field { return &Field{Name: name, Type: TBool, Doc: doc} }

func obj(name, doc string, fields ...*Field) *Field {
	return &Field{Name: name, Type: TObject, Doc: doc, Fields: fields}
}

func list(name, doc string, elem *Field) *Field {
	return &Field{Name: name, Type: TList, Doc: doc, Elem: elem, MinLen: 1}
}

func kindField(k Kind) *Field {
	return &Field{Name: "kind", Type: TString, Required: true, Enum: []string{string(k)}, Doc: "resource kind"}
}

func nameField(doc string) *Field {
	return required(withPattern(&Field{Name: "name", Type: TString, Doc: doc}, patResourceName, RuleNamePattern,
		"use 3-128 characters: letters, digits, '-', '_' and spaces (not at either end)"))
}

func descriptionField() *Field {
	return &Field{Name: "description", Type: TString, MinLen: 1, MaxLen: 1024, Doc: "free text, 1-1024 characters"}
}

func tagsField(name, doc string, max int) *Field {
	return &Field{Name: name, Type: TStringMap, Doc: doc, MinLen: 1, MaxLen: max,
		Elem: withPattern(&Field{Name: name, Type: TString, MaxLen: 256}, patTagKey, RuleValuePattern,
			"tag keys use letters, digits, spaces and _.:/=+-@ and must not start with aws:")}
}

func kmsField(name string) *Field {
	return withPattern(str(name, "KMS key ARN, alias ARN, alias/<name> or key id"), patKMSKey, RuleARNFormat,
		"write arn:aws:kms:<region>:<account>:key/<id>, an alias ARN, alias/<name> or the key id")
}

func versionField(wildcards bool) *Field {
	f := required(&Field{Name: "version", Type: TString})
	if wildcards {
		f.Doc = "semantic version major.minor.patch; `x` wildcards are allowed right-aligned (1.0.x) for auto-versioning"
		f.Pattern = versionPatterns().wild
		f.Check = func(v string) (string, string) { return checkVersion(v, true) }
	} else {
		f.Doc = "semantic version major.minor.patch (no wildcards)"
		f.Pattern = versionPatterns().version
		f.Check = func(v string) (string, string) { return checkVersion(v, false) }
	}
	return f
}

func localRecipeField() *Field {
	return obj("local", "settings of the local backend (not sent to Image Builder)",
		str("parentImage", "container image the local backend starts from, e.g. localhost/ibgitops-base:latest"))
}

func componentRefsField() *Field {
	ref := obj("components", "a component of this repository (name) or an AWS-managed/shared one (arn)",
		withPattern(str("name", "name of a Component of this repository"), patResourceName, RuleNamePattern,
			"use the name of a Component of this repository"),
		&Field{Name: "arn", Type: TString, Doc: "component ARN with a version (x wildcards right-aligned) or a build version",
			Pattern: ibARNPattern("component"), Check: checkComponentARN},
		&Field{Name: "version", Type: TString, Doc: "pins a repository component's version (1.2.3 or 1.x.x); default: the version in the repository",
			Pattern: versionPatterns().wild, Check: func(v string) (string, string) { return checkVersion(v, true) }},
		&Field{Name: "parameters", Type: TParamMap, Doc: "values for the component's declared parameters (a string or a list of strings each)"},
	)
	ref.ExactlyOne = [][]string{{"name", "arn"}}
	// An ARN carries its version; version: pins repository components.
	ref.AtMostOne = [][]string{{"arn", "version"}}
	f := list("components", "components run in this order (at most 20, each at most once)", ref)
	f.MaxLen, f.LengthRule = MaxRecipeComponents, RuleTooManyComponents
	f.Hint = "merge components or split the recipe (use recipe:<name> as parent)"
	return f
}

func blockDeviceMappingsField() *Field {
	return list("blockDeviceMappings", "block device mappings of the build instance", obj("blockDeviceMappings", "",
		str("deviceName", "device name, e.g. /dev/xvda"),
		obj("ebs", "EBS settings",
			boolean("encrypted", ""), boolean("deleteOnTermination", ""),
			intRange("iops", "100-64000", 100, 64000),
			kmsField("kmsKeyId"),
			str("snapshotId", ""),
			intRange("volumeSize", "GiB, 1-16000", 1, 16000),
			&Field{Name: "volumeType", Type: TString, Enum: []string{"standard", "io1", "io2", "gp2", "gp3", "sc1", "st1"}},
			intRange("throughput", "MiB/s for gp3, 125-1000", 125, 1000),
		),
		str("virtualName", ""),
		str("noDevice", "set to \"\" to remove a mapping of the parent image"),
	))
}

// Schema returns the field table of kind, nil for an unknown kind.
func Schema(kind Kind) *Field { return fieldTables()[kind] }

// ConfigSchema returns the field table of ibgitops.yaml.
func ConfigSchema() *Field { return configSchema() }

// fieldTables are the field tables of every kind, keyed by kind. They are
// built on first use, not at init: building them is about 700
// allocations, which `ibgitops version` and every other command that loads
// no file would pay at start-up (issue #15).
var fieldTables = sync.OnceValue(func() map[Kind]*Field {
	return map[Kind]*Field{
		KindComponent: func() *Field {
			f := obj(string(KindComponent), "an AWSTOE component with Image Builder metadata",
				kindField(KindComponent),
				nameField("component name"),
				versionField(false),
				required(&Field{Name: "platform", Type: TString, Enum: []string{"Linux", "Windows", "macOS"}, Doc: "operating system"}),
				descriptionField(),
				&Field{Name: "changeDescription", Type: TString, MinLen: 1, MaxLen: 1024, Doc: "what changed in this version"},
				strList("supportedOsVersions", "OS versions (prefix-matched against the parent image's OS)", 25),
				kmsField("kmsKeyId"),
				tagsField("tags", "tags of the component", 50),
				&Field{Name: "document", Type: TDocument, Doc: "the AWSTOE document, inline"},
				str("documentFile", "path of a pure AWSTOE document, relative to this file"),
			)
			f.ExactlyOne = [][]string{{"document", "documentFile"}}
			return f
		}(),
		KindImageRecipe: obj(string(KindImageRecipe), "an AMI recipe",
			kindField(KindImageRecipe),
			nameField("recipe name"),
			versionField(true),
			descriptionField(),
			parentImageField(false),
			componentRefsField(),
			blockDeviceMappingsField(),
			&Field{Name: "workingDirectory", Type: TString, MinLen: 1, MaxLen: 1024, Doc: "working directory on the build instance"},
			obj("additionalInstanceConfiguration", "",
				obj("systemsManagerAgent", "", boolean("uninstallAfterBuild", "")),
				&Field{Name: "userDataOverride", Type: TString, MinLen: 1, MaxLen: 21847, Doc: "base64 user data"},
			),
			tagsField("tags", "tags of the recipe", 50),
			tagsField("amiTags", "tags put on the AMI", 50),
			localRecipeField(),
		),
		KindContainerRecipe: func() *Field {
			f := obj(string(KindContainerRecipe), "a container image recipe",
				kindField(KindContainerRecipe),
				nameField("recipe name"),
				versionField(true),
				descriptionField(),
				required(&Field{Name: "containerType", Type: TString, Enum: []string{"DOCKER"}}),
				parentImageField(true),
				componentRefsField(),
				&Field{Name: "dockerfileTemplate", Type: TString, MinLen: 1, MaxLen: 16000, Doc: "inline Dockerfile template with {{{ imagebuilder:parentImage }}} and {{{ imagebuilder:components }}}"},
				str("dockerfileTemplateFile", "path of the Dockerfile template, relative to this file"),
				required(obj("targetRepository", "where the image is pushed",
					required(&Field{Name: "service", Type: TString, Enum: []string{"ECR"}}),
					required(&Field{Name: "repositoryName", Type: TString, MinLen: 1, MaxLen: 1024}),
				)),
				obj("instanceConfiguration", "the build instance",
					str("image", "AMI id or ssm: parameter of the build instance"),
					blockDeviceMappingsField(),
				),
				&Field{Name: "platformOverride", Type: TString, Enum: []string{"Linux", "Windows"}},
				str("imageOsVersionOverride", ""),
				&Field{Name: "workingDirectory", Type: TString, MinLen: 1, MaxLen: 1024},
				kmsField("kmsKeyId"),
				tagsField("tags", "tags of the recipe", 50),
				localRecipeField(),
			)
			f.ExactlyOne = [][]string{{"dockerfileTemplate", "dockerfileTemplateFile"}}
			return f
		}(),
		KindInfrastructure: obj(string(KindInfrastructure), "where builds run",
			kindField(KindInfrastructure),
			nameField("infrastructure configuration name"),
			descriptionField(),
			required(withPattern(&Field{Name: "instanceProfileName", Type: TString, MinLen: 1, MaxLen: 256},
				`^[A-Za-z0-9_+=,.@-]+$`, RuleValuePattern, "use the IAM instance profile's name, not its ARN")),
			strList("instanceTypes", "EC2 instance types", 0),
			strList("securityGroupIds", "security group ids", 0),
			str("subnetId", ""),
			obj("logging", "", obj("s3Logs", "", str("s3BucketName", ""), str("s3KeyPrefix", ""))),
			str("keyPair", ""),
			boolean("terminateInstanceOnFailure", ""),
			withPattern(str("snsTopicArn", ""), patSNSARN, RuleARNFormat, "write arn:aws:sns:<region>:<account>:<topic>"),
			tagsField("resourceTags", "tags of the build instances", 30),
			obj("instanceMetadataOptions", "",
				&Field{Name: "httpTokens", Type: TString, Enum: []string{"optional", "required"}},
				intRange("httpPutResponseHopLimit", "1-64", 1, 64),
			),
			obj("placement", "",
				str("availabilityZone", ""),
				&Field{Name: "tenancy", Type: TString, Enum: []string{"default", "dedicated", "host"}},
				str("hostId", ""),
				withPattern(str("hostResourceGroupArn", ""), patHostGroupARN, RuleARNFormat, "write arn:aws:resource-groups:<region>:<account>:group/<name>"),
			),
			tagsField("tags", "tags of the configuration", 50),
		),
		KindDistribution: obj(string(KindDistribution), "where images go",
			kindField(KindDistribution),
			nameField("distribution configuration name"),
			descriptionField(),
			required(list("distributions", "one entry per region", obj("distributions", "",
				required(withPattern(str("region", "AWS region"), patRegion, RuleValuePattern, "write a region code such as us-east-1")),
				obj("amiDistributionConfiguration", "",
					withPattern(&Field{Name: "name", Type: TString, MinLen: 1, MaxLen: 127},
						`^[-_A-Za-z0-9{][-_A-Za-z0-9 :{}.]+[-_A-Za-z0-9}]$`, RuleValuePattern,
						"use letters, digits, spaces and -_:.{} ({{imagebuilder:buildDate}} is allowed)"),
					descriptionField(),
					&Field{Name: "targetAccountIds", Type: TList, MinLen: 1, MaxLen: 1536, Elem: withPattern(&Field{Name: "targetAccountIds", Type: TString}, patAccountID, RuleValuePattern, "write the 12-digit account id in quotes")},
					tagsField("amiTags", "tags of the AMI", 50),
					kmsField("kmsKeyId"),
					obj("launchPermission", "",
						&Field{Name: "userIds", Type: TList, MinLen: 1, MaxLen: 1536, Elem: withPattern(&Field{Name: "userIds", Type: TString}, patAccountID, RuleValuePattern, "write the 12-digit account id in quotes")},
						strList("userGroups", "\"all\" makes the AMI public", 0),
						&Field{Name: "organizationArns", Type: TList, MinLen: 1, MaxLen: 25, Elem: withPattern(str("organizationArns", ""), patOrgARN, RuleARNFormat, "write arn:aws:organizations::<account>:organization/o-<id>")},
						&Field{Name: "organizationalUnitArns", Type: TList, MinLen: 1, MaxLen: 25, Elem: withPattern(str("organizationalUnitArns", ""), patOUARN, RuleARNFormat, "write arn:aws:organizations::<account>:ou/o-<id>/ou-<id>")},
					),
				),
				obj("containerDistributionConfiguration", "",
					descriptionField(),
					strList("containerTags", "", 0),
					required(obj("targetRepository", "",
						required(&Field{Name: "service", Type: TString, Enum: []string{"ECR"}}),
						required(&Field{Name: "repositoryName", Type: TString, MinLen: 1, MaxLen: 1024}),
					)),
				),
				&Field{Name: "licenseConfigurationArns", Type: TList, MinLen: 1, MaxLen: 50, Elem: withPattern(str("licenseConfigurationArns", ""), patLicenseARN, RuleARNFormat, "write arn:aws:license-manager:<region>:<account>:license-configuration:lic-<id>")},
				&Field{Name: "launchTemplateConfigurations", Type: TList, MinLen: 1, MaxLen: 100, Elem: obj("launchTemplateConfigurations", "",
					required(withPattern(str("launchTemplateId", ""), `^lt-[a-z0-9-_]{17}$`, RuleValuePattern, "write lt- and 17 characters")),
					withPattern(str("accountId", ""), patAccountID, RuleValuePattern, "write the 12-digit account id in quotes"),
					boolean("setDefaultVersion", ""),
				)},
				obj("s3ExportConfiguration", "",
					required(str("roleName", "")),
					required(&Field{Name: "diskImageFormat", Type: TString, Enum: []string{"VMDK", "RAW", "VHD"}}),
					required(str("s3Bucket", "")),
					str("s3Prefix", ""),
				),
				&Field{Name: "fastLaunchConfigurations", Type: TList, MinLen: 1, MaxLen: 1000, Elem: func() *Field {
					lt := obj("launchTemplate", "", str("launchTemplateId", ""), str("launchTemplateName", ""), str("launchTemplateVersion", ""))
					lt.AtMostOne = [][]string{{"launchTemplateId", "launchTemplateName"}}
					return obj("fastLaunchConfigurations", "",
						required(boolean("enabled", "")),
						obj("snapshotConfiguration", "", intRange("targetResourceCount", "1-10000", 1, 10000)),
						intRange("maxParallelLaunches", ">= 1", 1, 1<<31-1),
						lt,
						withPattern(str("accountId", ""), patAccountID, RuleValuePattern, "write the 12-digit account id in quotes"),
					)
				}()},
				&Field{Name: "ssmParameterConfigurations", Type: TList, MinLen: 1, Elem: obj("ssmParameterConfigurations", "",
					withPattern(str("amiAccountId", ""), patAccountID, RuleValuePattern, "write the 12-digit account id in quotes"),
					required(withPattern(&Field{Name: "parameterName", Type: TString, MinLen: 1, MaxLen: 1011}, `^[a-zA-Z0-9_.\-/]+$`, RuleValuePattern, "use letters, digits and _.-/")),
					&Field{Name: "dataType", Type: TString, Enum: []string{"text", "aws:ec2:image"}},
				)},
			))),
			tagsField("tags", "tags of the configuration", 50),
			obj("local", "how the local backend distributes (not sent to Image Builder)",
				strList("images", "names to tag the image with; {{version}} and {{name}} are replaced", 0),
				str("registry", "registry to push the tagged images to"),
				boolean("export", "write an OCI archive into the local store"),
			),
		),
		KindPipeline: func() *Field {
			f := obj(string(KindPipeline), "builds a recipe with an infrastructure and a distribution",
				kindField(KindPipeline),
				nameField("pipeline name"),
				descriptionField(),
				withPattern(str("imageRecipe", "name of an ImageRecipe of this repository"), patResourceName, RuleNamePattern, "use the name of an ImageRecipe of this repository"),
				withPattern(str("containerRecipe", "name of a ContainerRecipe of this repository"), patResourceName, RuleNamePattern, "use the name of a ContainerRecipe of this repository"),
				required(withPattern(str("infrastructureConfiguration", "name of an InfrastructureConfiguration of this repository"), patResourceName, RuleNamePattern, "use the name of an InfrastructureConfiguration of this repository")),
				withPattern(str("distributionConfiguration", "name of a DistributionConfiguration of this repository"), patResourceName, RuleNamePattern, "use the name of a DistributionConfiguration of this repository"),
				obj("imageTestsConfiguration", "",
					boolean("imageTestsEnabled", "default true"),
					intRange("timeoutMinutes", "60-1440", 60, 1440),
				),
				boolean("enhancedImageMetadataEnabled", "default true"),
				obj("schedule", "when the pipeline runs by itself",
					required(&Field{Name: "scheduleExpression", Type: TString, MinLen: 1, MaxLen: 1024,
						Doc: "cron(min hour day-of-month month day-of-week year), one of the day fields `?`", Pattern: patSchedule(), PatternRule: RuleSchedule, Check: checkSchedule}),
					&Field{Name: "timezone", Type: TString, MinLen: 3, MaxLen: 100, Doc: "IANA time zone, default UTC",
						Pattern: `^[a-zA-Z0-9]{2,}(?:/[a-zA-Z0-9-_+]+)*$`, PatternRule: RuleValuePattern, Hint: "write an IANA time zone such as Europe/Berlin"},
					&Field{Name: "pipelineExecutionStartCondition", Type: TString, Enum: []string{"EXPRESSION_MATCH_ONLY", "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"}},
					obj("autoDisablePolicy", "", required(intRange("failureCount", "1-10", 1, 10))),
				),
				&Field{Name: "status", Type: TString, Enum: []string{"ENABLED", "DISABLED"}},
				tagsField("tags", "tags of the pipeline", 50),
				tagsField("imageTags", "tags of the images it produces", 50),
				obj("imageScanningConfiguration", "",
					boolean("imageScanningEnabled", ""),
					obj("ecrConfiguration", "", str("repositoryName", ""), strList("containerTags", "", 0)),
				),
				list("workflows", "", obj("workflows", "",
					required(&Field{Name: "workflowArn", Type: TString, Pattern: ibARNPattern("workflow/(?:build|test|distribution)"), Check: checkWorkflowARN}),
					list("parameters", "", obj("parameters", "",
						required(&Field{Name: "name", Type: TString, MinLen: 1, MaxLen: 128}),
						required(strList("value", "", 0)),
					)),
					withPattern(str("parallelGroup", ""), `^[A-Za-z0-9][A-Za-z0-9-_+#]{0,99}$`, RuleValuePattern, "use up to 100 letters, digits and -_+#"),
					&Field{Name: "onFailure", Type: TString, Enum: []string{"CONTINUE", "ABORT"}},
				)),
				withPattern(&Field{Name: "executionRole", Type: TString, MinLen: 1, MaxLen: 2048}, patRoleOrARN, RuleARNFormat, "write a role name or arn:aws:iam::<account>:role/<name>"),
				obj("loggingConfiguration", "", str("imageLogGroupName", ""), str("pipelineLogGroupName", "")),
			)
			f.ExactlyOne = [][]string{{"imageRecipe", "containerRecipe"}}
			return f
		}(),
	}
})

// configSchema is the field table of ibgitops.yaml. Other engineers add
// keys here (additively) when the backends need more settings.
var configSchema = sync.OnceValue(func() *Field {
	return obj("ibgitops.yaml", "ibgitops settings; every key is optional",
		str("root", "folder holding the resources, relative to the repository root"),
		&Field{Name: "backend", Type: TString, Enum: []string{"local", "aws"}, Doc: "what `run` uses by default"},
		obj("aws", "", withPattern(str("region", ""), patRegion, RuleValuePattern, "write a region code such as us-east-1")),
		obj("local", "",
			&Field{Name: "engine", Type: TString, Enum: []string{"auto", "podman", "docker"}},
			str("store", "folder of the local image store"),
			&Field{Name: "components", Type: TStringMap, Doc: "ARN pattern -> local stand-in AWSTOE document"},
		),
		obj("versioning", "",
			&Field{Name: "bump", Type: TString, Enum: []string{"conventional", "patch", "minor", "major"}},
			boolean("propagate", "raise the version of recipes that use a changed component"),
		),
		obj("release", "", &Field{Name: "tagPattern", Type: TString, Doc: "tag pattern with {name} and {version} once each, e.g. {name}/v{version}",
			Once: []string{"{name}", "{version}"}, PatternRule: RuleTagPattern, Check: checkTagPattern}),
		obj("report", "",
			&Field{Name: "comment", Type: TString, Enum: []string{"sticky", "off"}},
			&Field{Name: "statuses", Type: TString, Enum: []string{"per-recipe", "off"}},
		),
	)
})

// parentImageField is a recipe's parentImage: each prefix has its shape;
// an image recipe needs one of them, a container recipe may also name a
// container image (amazonlinux:2023, no spaces).
func parentImageField(container bool) *Field {
	f := required(&Field{Name: "parentImage", Type: TString, PatternRule: RuleParentImage, MinLen: 1, MaxLen: 1024,
		Check: func(v string) (string, string) { return checkParentImage(v, container) }})
	f.Forms = []Form{
		{Prefix: "recipe:", Pattern: `^recipe:.+$`},
		{Prefix: "arn:", Pattern: ibARNPattern("image")},
		{Prefix: "ssm:", Pattern: `^ssm:.+$`},
		{Prefix: "ami-", Pattern: patAMI},
	}
	if container {
		f.Doc = "an Image Builder image ARN, a container image (amazonlinux:2023) or recipe:<name>"
		f.Forms = append(f.Forms, Form{Pattern: `^[^ \t]+$`})
	} else {
		f.Doc = "ami-..., an Image Builder image ARN (x wildcards right-aligned), ssm:<parameter> or recipe:<name>"
		f.Forms = append(f.Forms, Form{Pattern: `^prod-[a-z0-9]+$`})
	}
	return f
}
