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
var Actions = []Action{}
