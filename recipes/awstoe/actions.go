package awstoe

// InputShape is how an action's `inputs:` is written.
type InputShape int

const (
	// ShapeMap: inputs is one mapping (ExecuteBash, ExecuteBinary, ...).
	ShapeMap InputShape = iota
	// ShapeList: inputs is a list of mappings, processed in order
	// (CreateFile, S3Download, ...); chain with `inputs[i]`.
	ShapeList
	// ShapeCondition: inputs is one comparison or logical operator (Assert).
	ShapeCondition
)

// InputType is the YAML type an action input accepts.
type InputType int

const (
	// TypeString accepts a string scalar (numbers are accepted and used as text).
	TypeString InputType = iota
	// TypeStringList accepts a list of strings.
	TypeStringList
	// TypeBool accepts true/false (or the strings "true"/"false").
	TypeBool
	// TypeInt accepts an integer.
	TypeInt
	// TypeStringMap accepts a mapping of string to string.
	TypeStringMap
	// TypeNameValueList accepts a list of {name, value} mappings.
	TypeNameValueList
	// TypeScalarOrList accepts a string, number or list (SetRegistry value).
	TypeScalarOrList
)

func (t InputType) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeStringList:
		return "list of strings"
	case TypeBool:
		return "boolean"
	case TypeInt:
		return "integer"
	case TypeStringMap:
		return "mapping of strings"
	case TypeNameValueList:
		return "list of {name, value}"
	case TypeScalarOrList:
		return "string, number or list"
	}
	return "unknown"
}

// InputSpec describes one input key of an action.
type InputSpec struct {
	Name     string
	Type     InputType
	Required bool
	// Default is the value AWSTOE uses when the key is absent ("" = none).
	Default string
	// Allowed lists the accepted values (case-sensitive unless FoldCase).
	Allowed  []string
	FoldCase bool
	// NotWindows marks inputs that are an error on Windows
	// (owner/group/permissions of CreateFile/CreateFolder).
	NotWindows bool
}

// Action describes one AWSTOE action module.
type Action struct {
	Name string
	// Platforms the module runs on ("Linux", "Windows", "macOS").
	Platforms []string
	Shape     InputShape
	// InputsOptional is true when `inputs:` may be omitted (UpdateOS, Reboot).
	InputsOptional bool
	Inputs         []InputSpec
	// Outputs are the output keys the module produces (for chaining).
	Outputs []string
	// AnyOutputs is true when the outputs are not a fixed set (ExecuteDocument).
	AnyOutputs bool
}

// Input returns the spec of input key name.
func (a *Action) Input(name string) (InputSpec, bool) {
	for _, in := range a.Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return InputSpec{}, false
}

// SupportsPlatform reports whether the module runs on platform ("" = any).
func (a *Action) SupportsPlatform(platform string) bool {
	if platform == "" {
		return true
	}
	for _, p := range a.Platforms {
		if p == platform {
			return true
		}
	}
	return false
}

// LookupAction returns the module named name (case-sensitive, as AWSTOE).
func LookupAction(name string) (*Action, bool) {
	a, ok := actionsByName[name]
	return a, ok
}

// ActionNames lists every action module name, sorted.
func ActionNames() []string {
	names := make([]string, 0, len(Actions))
	for _, a := range Actions {
		names = append(names, a.Name)
	}
	return names
}

var actionsByName = func() map[string]*Action {
	m := make(map[string]*Action, len(Actions))
	for i := range Actions {
		m[Actions[i].Name] = &Actions[i]
	}
	return m
}()

var (
	allPlatforms = []string{PlatformLinux, PlatformWindows, PlatformMacOS}
	unixOnly     = []string{PlatformLinux, PlatformMacOS}
	windowsOnly  = []string{PlatformWindows}
)

// Actions is the table of every AWSTOE action module (awstoe.md section 3),
// sorted by name. The executor looks modules up here too.
var Actions = []Action{
	{Name: "AppendFile", Platforms: allPlatforms, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}, {Name: "content"}, encodingInput}},
	{Name: "Assert", Platforms: allPlatforms, Shape: ShapeCondition},
	{Name: "CopyFile", Platforms: allPlatforms, Shape: ShapeList, Inputs: sourceDestOverwrite},
	{Name: "CopyFolder", Platforms: allPlatforms, Shape: ShapeList, Inputs: sourceDestOverwrite},
	{Name: "CreateFile", Platforms: allPlatforms, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}, {Name: "content"}, encodingInput,
		{Name: "owner", NotWindows: true}, {Name: "group", NotWindows: true},
		// No default: AWSTOE creates the file "with permissions defined by
		// the default umask value of the operating system" (0666 &^ umask).
		{Name: "permissions", NotWindows: true},
		{Name: "overwrite", Type: TypeBool, Default: "true"}}},
	{Name: "CreateFolder", Platforms: allPlatforms, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true},
		{Name: "owner", NotWindows: true}, {Name: "group", NotWindows: true},
		// No default: 0777 &^ umask, as for CreateFile.
		{Name: "permissions", NotWindows: true},
		{Name: "overwrite", Type: TypeBool, Default: "true"}}},
	{Name: "CreateSymlink", Platforms: unixOnly, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}, {Name: "target", Required: true},
		{Name: "force", Type: TypeBool, Default: "false"}}},
	{Name: "DeleteFile", Platforms: allPlatforms, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}}},
	{Name: "DeleteFolder", Platforms: allPlatforms, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}, {Name: "force", Type: TypeBool, Default: "false"}}},
	{Name: "ExecuteBash", Platforms: unixOnly, Shape: ShapeMap, Inputs: []InputSpec{
		{Name: "commands", Type: TypeStringList, Required: true}}, Outputs: []string{"stdout"}},
	{Name: "ExecuteBinary", Platforms: allPlatforms, Shape: ShapeMap, Inputs: []InputSpec{
		{Name: "path", Required: true}, {Name: "arguments", Type: TypeStringList}}, Outputs: []string{"stdout"}},
	{Name: "ExecuteDocument", Platforms: allPlatforms, Shape: ShapeMap, Inputs: []InputSpec{
		{Name: "document", Required: true}, {Name: "document-s3-bucket-owner"}, {Name: "phases"},
		{Name: "parameters", Type: TypeNameValueList}}, AnyOutputs: true},
	{Name: "ExecutePowerShell", Platforms: windowsOnly, Shape: ShapeMap, Inputs: []InputSpec{
		{Name: "commands", Type: TypeStringList}, {Name: "file"}}, Outputs: []string{"stdout"}},
	{Name: "InstallMSI", Platforms: windowsOnly, Shape: ShapeMap, Inputs: msiInputs, Outputs: msiOutputs},
	{Name: "ListFiles", Platforms: allPlatforms, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}, {Name: "fileNamePattern"},
		{Name: "recursive", Type: TypeBool, Default: "false"}}, Outputs: []string{"files"}},
	{Name: "MoveFile", Platforms: allPlatforms, Shape: ShapeList, Inputs: sourceDestOverwrite},
	{Name: "MoveFolder", Platforms: allPlatforms, Shape: ShapeList, Inputs: sourceDestOverwrite},
	{Name: "ReadFile", Platforms: allPlatforms, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}, encodingInput,
		{Name: "printFileContent", Type: TypeBool, Default: "false"}}, Outputs: []string{"content"}},
	{Name: "Reboot", Platforms: allPlatforms, Shape: ShapeMap, InputsOptional: true, Inputs: []InputSpec{
		{Name: "delaySeconds", Type: TypeInt, Default: "0"}}},
	{Name: "S3Download", Platforms: allPlatforms, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "source", Required: true}, {Name: "destination", Required: true},
		{Name: "expectedBucketOwner"}, {Name: "overwrite", Type: TypeBool, Default: "true"}}},
	{Name: "S3Upload", Platforms: allPlatforms, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "source", Required: true}, {Name: "destination", Required: true},
		{Name: "recurse", Type: TypeBool, Default: "false"}, {Name: "expectedBucketOwner"}}},
	{Name: "SetFileEncoding", Platforms: allPlatforms, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}, encodingInput}},
	{Name: "SetFileOwner", Platforms: unixOnly, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}, {Name: "owner", Required: true}, {Name: "group"}}},
	{Name: "SetFilePermissions", Platforms: unixOnly, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}, {Name: "permissions", Required: true}}},
	{Name: "SetFolderOwner", Platforms: unixOnly, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}, {Name: "owner", Required: true}, {Name: "group"},
		{Name: "recursive", Type: TypeBool, Default: "true"}}},
	{Name: "SetFolderPermissions", Platforms: unixOnly, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}, {Name: "permissions", Required: true},
		{Name: "recursive", Type: TypeBool, Default: "true"}}},
	{Name: "SetRegistry", Platforms: windowsOnly, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "path", Required: true}, {Name: "name", Required: true},
		{Name: "value", Type: TypeScalarOrList, Required: true},
		{Name: "type", Required: true, Allowed: []string{"BINARY", "DWORD", "QWORD", "SZ", "EXPAND_SZ", "MULTI_SZ"}}}},
	{Name: "UninstallMSI", Platforms: windowsOnly, Shape: ShapeMap, Inputs: msiInputs, Outputs: msiOutputs},
	{Name: "UpdateOS", Platforms: []string{PlatformLinux, PlatformWindows}, Shape: ShapeMap, InputsOptional: true, Inputs: []InputSpec{
		{Name: "include", Type: TypeStringList}, {Name: "exclude", Type: TypeStringList}}},
	{Name: "WebDownload", Platforms: allPlatforms, Shape: ShapeList, Inputs: []InputSpec{
		{Name: "source", Required: true}, {Name: "destination", Required: true},
		{Name: "overwrite", Type: TypeBool, Default: "true"}, {Name: "checksum"},
		{Name: "algorithm", Allowed: []string{"MD5", "SHA1", "SHA256", "SHA512"}},
		{Name: "ignoreCertificateErrors", Type: TypeBool, Default: "false"}}, Outputs: []string{"destination"}},
}

// Encodings accepted by the file modules (case-insensitive).
var Encodings = []string{"utf8", "utf-8", "utf16", "utf-16", "utf16-LE", "utf-16-LE", "utf16-BE", "utf-16-BE",
	"utf32", "utf-32", "utf32-LE", "utf-32-LE", "utf32-BE", "utf-32-BE"}

var (
	encodingInput       = InputSpec{Name: "encoding", Default: "utf8", Allowed: Encodings, FoldCase: true}
	sourceDestOverwrite = []InputSpec{{Name: "source", Required: true}, {Name: "destination", Required: true},
		{Name: "overwrite", Type: TypeBool, Default: "true"}}
	msiInputs = []InputSpec{
		{Name: "path", Required: true},
		{Name: "reboot", Default: "Allow", Allowed: []string{"Allow", "Force", "Skip"}},
		{Name: "logOptions", Default: "*VX"}, {Name: "logFile"},
		{Name: "properties", Type: TypeStringMap},
		{Name: "ignoreAuthenticodeSignatureErrors", Type: TypeBool, Default: "false"},
		{Name: "allowUnsignedInstaller", Type: TypeBool, Default: "false"}}
	msiOutputs = []string{"logFile", "msiExitCode", "stdout"}
)
