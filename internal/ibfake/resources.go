package ibfake

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ibgitops/ibgitops/recipes"
)

// Resource types as they appear in ARNs.
const (
	typeComponent       = "component"
	typeImageRecipe     = "image-recipe"
	typeContainerRecipe = "container-recipe"
	typeInfrastructure  = "infrastructure-configuration"
	typeDistribution    = "distribution-configuration"
	typePipeline        = "image-pipeline"
	typeImage           = "image"
)

// resource is one stored object. fields holds the API object as the Get
// operation returns it (without tags); tags are kept apart so that the tag
// operations and every read agree.
type resource struct {
	typ     string
	owner   string // "" for the account's own, managedOwner for AWS-managed
	arn     string
	name    string
	version [3]int // versioned types
	build   int    // components and images
	fields  map[string]any
	tags    map[string]any
	created time.Time

	image *imageState // images only
}

func (r *resource) versionString() string {
	return fmt.Sprintf("%d.%d.%d", r.version[0], r.version[1], r.version[2])
}

// object returns the API object with its tags.
func (r *resource) object() map[string]any {
	out := make(map[string]any, len(r.fields)+1)
	for k, v := range r.fields {
		out[k] = v
	}
	if len(r.tags) > 0 {
		out["tags"] = copyMap(r.tags)
	}
	return out
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// arnName is the ARN segment of a resource name: lower case, spaces as '-'.
func arnName(name string) string { return strings.ToLower(strings.ReplaceAll(name, " ", "-")) }

func (s *Server) arn(typ, name string, parts ...string) string {
	return s.arnOf("", typ, name, parts...)
}

// arnOf is the ARN of a resource of owner ("": this account).
func (s *Server) arnOf(owner, typ, name string, parts ...string) string {
	if owner == "" {
		owner = s.opts.Account
	}
	a := fmt.Sprintf("arn:aws:imagebuilder:%s:%s:%s/%s", s.opts.Region, owner, typ, arnName(name))
	for _, p := range parts {
		a += "/" + p
	}
	return a
}

func (s *Server) now() string { return s.opts.Now().UTC().Format("2006-01-02T15:04:05.000Z") }

// parsedARN is an Image Builder ARN split into its nodes.
type parsedARN struct {
	owner   string
	typ     string
	name    string
	version string // may hold x wildcards, "" when absent
	build   string // "" when absent
}

var arnRE = regexp.MustCompile(`^arn:aws[^:]*:imagebuilder:([^:]+):([^:]+):(image-recipe|container-recipe|infrastructure-configuration|distribution-configuration|component|image|image-pipeline|lifecycle-policy|workflow/(?:build|test|distribution))/([a-z0-9-_]+)(?:/((?:x|[0-9]+)\.(?:x|[0-9]+)\.(?:x|[0-9]+))(?:/([0-9]+|x))?)?$`)

func parseARN(a string) (parsedARN, bool) {
	m := arnRE.FindStringSubmatch(a)
	if m == nil {
		return parsedARN{}, false
	}
	return parsedARN{owner: m[2], typ: m[3], name: m[4], version: m[5], build: m[6]}, true
}

// parseVersion parses x.y.z with each node in 0..2^30-1.
func parseVersion(v string) ([3]int, *apiError) {
	var out [3]int
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return out, errorf("InvalidVersionNumberException", "The semantic version '%s' is not valid: use <major>.<minor>.<patch>.", v)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 1<<30-1 {
			return out, errorf("InvalidVersionNumberException", "The semantic version '%s' is not valid: each node must be an integer from 0 to 1073741823.", v)
		}
		out[i] = n
	}
	return out, nil
}

// versionFilter checks a possibly wildcarded x.y.z selector: every node
// right of the first x must be x.
func versionFilter(v string) ([3]int, [3]bool, *apiError) {
	var nums [3]int
	var wild [3]bool
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return nums, wild, errorf("InvalidVersionNumberException", "The semantic version '%s' is not valid.", v)
	}
	seenX := false
	for i, p := range parts {
		if p == "x" {
			wild[i], seenX = true, true
			continue
		}
		if seenX {
			return nums, wild, errorf("InvalidVersionNumberException", "The semantic version filter '%s' is not valid: every node after the first 'x' must be 'x' (x.x.x, 1.x.x or 1.2.x).", v)
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 1<<30-1 {
			return nums, wild, errorf("InvalidVersionNumberException", "The semantic version '%s' is not valid.", v)
		}
		nums[i] = n
	}
	return nums, wild, nil
}

func matchesVersion(v [3]int, nums [3]int, wild [3]bool) bool {
	for i := range 3 {
		if !wild[i] && v[i] != nums[i] {
			return false
		}
	}
	return true
}

func lessVersion(a, b [3]int, ab, bb int) bool {
	for i := range 3 {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return ab < bb
}

// byType returns the account's resources of a type, oldest version first.
func (s *Server) byType(typ string) []*resource { return s.byOwner(typ, "") }

// byOwner returns the resources of a type and owner ("": the account's
// own, managedOwner: AWS-managed), oldest version first.
func (s *Server) byOwner(typ, owner string) []*resource {
	var out []*resource
	for _, r := range s.resources {
		if r.typ == typ && r.owner == owner {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].name != out[j].name {
			return out[i].name < out[j].name
		}
		return lessVersion(out[i].version, out[j].version, out[i].build, out[j].build)
	})
	return out
}

// checkARNVersion refuses an ARN whose version breaks the service's
// filter rule, every node right of the first x is x (x.2.x, 1.x.3): a
// version-format error, not "does not exist".
func checkARNVersion(a string) *apiError {
	p, ok := parseARN(a)
	if !ok || !strings.Contains(p.version, "x") {
		return nil
	}
	if _, _, err := versionFilter(p.version); err != nil {
		return errorf(err.Code, "%s The ARN is '%s'.", err.Message, a)
	}
	return nil
}

// lookup finds the resource of typ at exactly the ARN a.
func (s *Server) lookup(typ, a string) (*resource, *apiError) {
	if err := checkARNVersion(a); err != nil {
		return nil, err
	}
	r, ok := s.resources[a]
	if !ok || r.typ != typ || r.owner != "" {
		return nil, notFound(typ, a)
	}
	return r, nil
}

// resolve finds the resource an ARN selects: an exact ARN, a version ARN
// (the newest build of it), or a wildcard (the newest matching version).
func (s *Server) resolve(typ, a string) (*resource, *apiError) {
	return s.resolveWhere(typ, a, func(*resource) bool { return true })
}

// resolveWhere is resolve among the resources that satisfy keep (the
// newest that does).
func (s *Server) resolveWhere(typ, a string, keep func(*resource) bool) (*resource, *apiError) {
	if err := checkARNVersion(a); err != nil {
		return nil, err
	}
	if r, ok := s.resources[a]; ok && r.typ == typ && keep(r) {
		return r, nil
	}
	p, ok := parseARN(a)
	if !ok || p.typ != typ {
		return nil, errorf("InvalidParameterValueException", "The value supplied for parameter 'arn' is not valid: '%s' is not a %s ARN.", a, typ)
	}
	owner := ""
	switch p.owner {
	case s.opts.Account:
	case managedOwner:
		owner = managedOwner
	default:
		return nil, notFound(typ, a)
	}
	if p.version == "" {
		return nil, notFound(typ, a)
	}
	nums, wild, err := versionFilter(p.version)
	if err != nil {
		return nil, err
	}
	var best *resource
	for _, r := range s.byOwner(typ, owner) {
		if arnName(r.name) != p.name || !matchesVersion(r.version, nums, wild) || !keep(r) {
			continue
		}
		if p.build != "" && p.build != "x" && strconv.Itoa(r.build) != p.build {
			continue
		}
		if best == nil || lessVersion(best.version, r.version, best.build, r.build) {
			best = r
		}
	}
	if best == nil {
		return nil, notFound(typ, a)
	}
	return best, nil
}

// latestRefs is the LatestVersionReferences for a versioned resource.
func (s *Server) latestRefs(r *resource) map[string]any {
	var latest, major, minor, patch *resource
	for _, o := range s.byOwner(r.typ, r.owner) {
		if o.name != r.name {
			continue
		}
		latest = o
		if o.version[0] == r.version[0] {
			major = o
			if o.version[1] == r.version[1] {
				minor = o
				if o.version[2] == r.version[2] {
					patch = o
				}
			}
		}
	}
	ver := func(o *resource) string { return s.arnOf(r.owner, r.typ, r.name, o.versionString()) }
	return map[string]any{
		"latestVersionArn":      ver(latest),
		"latestMajorVersionArn": ver(major),
		"latestMinorVersionArn": ver(minor),
		"latestPatchVersionArn": ver(patch),
	}
}

func (s *Server) store(r *resource) {
	r.fields["arn"] = r.arn
	if tags, ok := r.fields["tags"].(map[string]any); ok {
		r.tags = copyMap(tags)
		delete(r.fields, "tags")
	}
	if r.tags == nil {
		r.tags = map[string]any{}
	}
	s.resources[r.arn] = r
}

// ---- components ----

// componentDoc is what the service reads from an AWSTOE document.
type componentDoc struct {
	SchemaVersion any                         `yaml:"schemaVersion"`
	Parameters    []map[string]componentParam `yaml:"parameters"`
	Phases        []struct{ Name string }     `yaml:"phases"`
	Constants     []map[string]map[string]any `yaml:"constants"`
	Extra         map[string]any              `yaml:",inline"`
}

type componentParam struct {
	Type        string `yaml:"type"`
	Default     any    `yaml:"default"`
	Description string `yaml:"description"`
}

func parseComponentDoc(data string) (ctype string, params []any, err *apiError) {
	var doc componentDoc
	if e := yaml.Unmarshal([]byte(data), &doc); e != nil {
		return "", nil, errorf("InvalidParameterValueException", "The value supplied for parameter 'data' is not a valid YAML document: %v", e)
	}
	if doc.SchemaVersion == nil || len(doc.Phases) == 0 {
		return "", nil, errorf("InvalidParameterValueException", "The value supplied for parameter 'data' is not a valid component document: it needs schemaVersion and phases.")
	}
	ctype = "TEST"
	for _, ph := range doc.Phases {
		if ph.Name != "test" {
			ctype = "BUILD"
		}
	}
	types := map[string]string{"string": "String", "integer": "Integer", "boolean": "Boolean", "stringList": "StringList"}
	for _, entry := range doc.Parameters {
		for name, p := range entry {
			t := types[p.Type]
			if t == "" {
				return "", nil, errorf("InvalidParameterValueException", "The component parameter '%s' has type '%s': use string, integer, boolean or stringList.", name, p.Type)
			}
			detail := map[string]any{"name": name, "type": t}
			if p.Description != "" {
				detail["description"] = p.Description
			}
			switch d := p.Default.(type) {
			case nil:
			case []any:
				vals := make([]any, len(d))
				for i, v := range d {
					vals[i] = fmt.Sprint(v)
				}
				detail["defaultValue"] = vals
			default:
				detail["defaultValue"] = []any{fmt.Sprint(d)}
			}
			params = append(params, detail)
		}
	}
	return ctype, params, nil
}

func (s *Server) createComponent(in map[string]any) (map[string]any, *apiError) {
	name := in["name"].(string)
	version, err := parseVersion(in["semanticVersion"].(string))
	if err != nil {
		return nil, err
	}
	data, hasData := in["data"].(string)
	_, hasURI := in["uri"].(string)
	if hasData == hasURI {
		return nil, errorf("InvalidParameterCombinationException", "You must specify exactly one of 'data' and 'uri'.")
	}
	var ctype = "BUILD"
	var params []any
	if hasData {
		if ctype, params, err = parseComponentDoc(data); err != nil {
			return nil, err
		}
	} else {
		return nil, errorf("InvalidRequestException", "The fake cannot read S3: send the document inline in 'data'.")
	}
	if dry, _ := in["dryRun"].(bool); dry {
		return nil, errorf("DryRunOperationException", "The request would have succeeded, but the DryRun parameter was set.")
	}
	// Since November 2025 the same name and version makes the next build.
	build := 1
	for _, r := range s.byType(typeComponent) {
		if r.name == name && r.version == version && r.build >= build {
			build = r.build + 1
		}
	}
	ver := fmt.Sprintf("%d.%d.%d", version[0], version[1], version[2])
	r := &resource{typ: typeComponent, name: name, version: version, build: build, created: s.opts.Now(),
		arn: s.arn(typeComponent, name, ver, strconv.Itoa(build))}
	r.fields = pick(in, "name", "description", "changeDescription", "platform", "supportedOsVersions", "data", "kmsKeyId", "tags")
	r.fields["version"] = ver
	r.fields["type"] = ctype
	r.fields["owner"] = s.opts.Account
	r.fields["encrypted"] = true
	r.fields["dateCreated"] = s.now()
	r.fields["state"] = map[string]any{"status": "ACTIVE"}
	if params != nil {
		r.fields["parameters"] = params
	}
	s.store(r)
	return map[string]any{"componentBuildVersionArn": r.arn, "latestVersionReferences": s.latestRefs(r)}, nil
}

func pick(in map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := in[k]; ok && v != nil {
			out[k] = v
		}
	}
	return out
}

func (s *Server) getComponent(in map[string]any) (map[string]any, *apiError) {
	r, err := s.resolve(typeComponent, in["componentBuildVersionArn"].(string))
	if err != nil {
		return nil, err
	}
	return map[string]any{"component": r.object(), "latestVersionReferences": s.latestRefs(r)}, nil
}

func (s *Server) deleteComponent(in map[string]any) (map[string]any, *apiError) {
	a := in["componentBuildVersionArn"].(string)
	r, err := s.lookup(typeComponent, a)
	if err != nil {
		return nil, err
	}
	for _, typ := range []string{typeImageRecipe, typeContainerRecipe} {
		for _, rec := range s.byType(typ) {
			comps, _ := rec.fields["components"].([]any)
			for _, c := range comps {
				ca, _ := c.(map[string]any)["componentArn"].(string)
				if got, err := s.resolve(typeComponent, ca); err == nil && got == r {
					return nil, errorf("ResourceDependencyException", "Resource dependency error: The resource ARN '%s' has other resources depended on it.", a)
				}
			}
		}
	}
	delete(s.resources, a)
	return map[string]any{"componentBuildVersionArn": a}, nil
}

func (s *Server) listComponents(in map[string]any) (map[string]any, *apiError) {
	owner, ok := listOwner(in)
	if !ok {
		return map[string]any{"componentVersionList": []any{}}, nil
	}
	var rows []map[string]any
	for _, r := range newestPer(s.byOwner(typeComponent, owner), listKey(in)) {
		row := pick(r.fields, "name", "version", "description", "platform", "supportedOsVersions", "type", "owner", "dateCreated")
		row["arn"] = s.arnOf(owner, typeComponent, r.name, r.versionString())
		row["status"] = "ACTIVE"
		if matchFilters(row, in) {
			rows = append(rows, row)
		}
	}
	return listPage("ListComponents", "componentVersionList", rows, in)
}

// ownerOf is the resource owner an ARN names: "" for this account,
// managedOwner for AWS-managed, or the ARN's own (which holds nothing).
func ownerOf(p parsedARN, account string) string {
	if p.owner == account {
		return ""
	}
	return p.owner
}

// listOwner maps a List request's owner (Self by default) to the
// resources' owner: Amazon lists the AWS-managed ones. Shared, ThirdParty
// and AWSMarketplace resources are not modelled (ok false: an empty list).
func listOwner(in map[string]any) (string, bool) {
	switch owner, _ := in["owner"].(string); owner {
	case "", "Self":
		return "", true
	case "Amazon":
		return managedOwner, true
	}
	return "", false
}

// listKey is how ListComponents and ListImages group their rows: one per
// semantic version, or with byName one per name ("Returns the list of
// components for the specified name": the newest version of each).
func listKey(in map[string]any) func(*resource) string {
	if byName, _ := in["byName"].(bool); byName {
		return func(r *resource) string { return r.name }
	}
	return func(r *resource) string { return r.name + "@" + r.versionString() }
}

// newestPer keeps, of resources sorted oldest first (byType), the newest
// of each key, in key order.
func newestPer(sorted []*resource, key func(*resource) string) []*resource {
	index := map[string]int{}
	var out []*resource
	for _, r := range sorted {
		k := key(r)
		if i, ok := index[k]; ok {
			out[i] = r
			continue
		}
		index[k] = len(out)
		out = append(out, r)
	}
	return out
}

// listPage sorts rows by ARN and answers a List operation with the page the
// request selects under listKey (and the next token, if any).
func listPage(op, listKey string, rows []map[string]any, in map[string]any) (map[string]any, *apiError) {
	sortByARN(rows)
	page, next, err := paginate(op, rows, in)
	if err != nil {
		return nil, err
	}
	return withNext(map[string]any{listKey: page}, next), nil
}

func withNext(out map[string]any, next string) map[string]any {
	if next != "" {
		out["nextToken"] = next
	}
	return out
}

func (s *Server) listComponentBuildVersions(in map[string]any) (map[string]any, *apiError) {
	varn, _ := in["componentVersionArn"].(string)
	p, ok := parseARN(varn)
	if !ok || p.typ != typeComponent || p.version == "" || p.build != "" {
		return nil, errorf("InvalidParameterValueException", "The value supplied for parameter 'componentVersionArn' is not valid.")
	}
	nums, wild, err := versionFilter(p.version)
	if err != nil {
		return nil, err
	}
	var rows []map[string]any
	for _, r := range s.byOwner(typeComponent, ownerOf(p, s.opts.Account)) {
		if arnName(r.name) != p.name || !matchesVersion(r.version, nums, wild) {
			continue
		}
		rows = append(rows, r.object())
	}
	page, next, aerr := paginate("ListComponentBuildVersions", rows, in)
	if aerr != nil {
		return nil, aerr
	}
	return withNext(map[string]any{"componentSummaryList": page}, next), nil
}

// ---- recipes ----

// assignVersion resolves a recipe's semanticVersion: exact, or with x
// nodes (auto-versioning) the next free version under the fixed prefix.
func (s *Server) assignVersion(typ, name, v string) ([3]int, *apiError) {
	if !strings.Contains(v, "x") {
		ver, err := parseVersion(v)
		if err != nil {
			return ver, err
		}
		for _, r := range s.byType(typ) {
			if r.name == name && r.version == ver {
				return ver, errorf("ResourceAlreadyExistsException", "The following resource '%s' already exists: '%s'.", kindName(typ), r.arn)
			}
		}
		return ver, nil
	}
	nums, wild, err := versionFilter(v)
	if err != nil {
		return nums, err
	}
	first := 0
	for first < 3 && !wild[first] {
		first++
	}
	var out [3]int
	copy(out[:first], nums[:first])
	found := false
	for _, r := range s.byType(typ) {
		if r.name != name || !matchesVersion(r.version, nums, wild) {
			continue
		}
		if !found || r.version[first] >= out[first] {
			out[first] = r.version[first] + 1
			found = true
		}
	}
	return out, nil
}

func kindName(typ string) string {
	switch typ {
	case typeImageRecipe:
		return "ImageRecipe"
	case typeContainerRecipe:
		return "ContainerRecipe"
	case typeInfrastructure:
		return "InfrastructureConfiguration"
	case typeDistribution:
		return "DistributionConfiguration"
	case typePipeline:
		return "ImagePipeline"
	}
	return typ
}

// checkComponents resolves every componentArn of a recipe and checks the
// parameters against the components' declarations. It returns the
// platform of the first component of this account.
func (s *Server) checkComponents(in map[string]any) (string, *apiError) {
	comps, _ := in["components"].([]any)
	if len(comps) > 20 {
		return "", errorf("InvalidParameterValueException", "The value supplied for parameter 'components' is not valid. A recipe can have at most 20 components.")
	}
	platform := ""
	for i, c := range comps {
		cm := c.(map[string]any)
		ca := cm["componentArn"].(string)
		if err := checkARNVersion(ca); err != nil {
			return "", errorf(err.Code, "The value supplied for parameter 'components[%d].componentArn' is not valid. %s", i, err.Message)
		}
		p, _ := parseARN(ca)
		if p.owner != s.opts.Account && p.owner != managedOwner {
			continue // shared or marketplace: not modelled
		}
		r, err := s.resolve(typeComponent, ca)
		if err != nil {
			return "", errorf("InvalidParameterValueException", "The value supplied for parameter 'components[%d].componentArn' is not valid. The component '%s' does not exist.", i, ca)
		}
		if platform == "" {
			platform, _ = r.fields["platform"].(string)
		}
		declared := map[string]bool{}
		decl, _ := r.fields["parameters"].([]any)
		for _, d := range decl {
			declared[d.(map[string]any)["name"].(string)] = true
		}
		params, _ := cm["parameters"].([]any)
		var undefined []string
		for _, prm := range params {
			n := prm.(map[string]any)["name"].(string)
			if !declared[n] {
				undefined = append(undefined, n)
			}
		}
		if len(undefined) > 0 {
			return "", errorf("InvalidParameterCombinationException", "The value supplied for parameter 'components[%d].parameters' is not valid. The following parameters are not defined in the provided component: %s", i, strings.Join(undefined, ", "))
		}
	}
	if platform == "" {
		platform = "Linux"
	}
	return platform, nil
}

func (s *Server) createRecipe(typ string, in map[string]any) (map[string]any, *apiError) {
	if err := s.checkParent(typ, in["parentImage"].(string)); err != nil {
		return nil, err
	}
	name := in["name"].(string)
	ver, err := s.assignVersion(typ, name, in["semanticVersion"].(string))
	if err != nil {
		return nil, err
	}
	platform, err := s.checkComponents(in)
	if err != nil {
		return nil, err
	}
	r := &resource{typ: typ, name: name, version: ver, created: s.opts.Now()}
	r.arn = s.arn(typ, name, r.versionString())
	if typ == typeImageRecipe {
		r.fields = pick(in, "name", "description", "components", "parentImage", "blockDeviceMappings", "workingDirectory", "additionalInstanceConfiguration", "amiTags", "tags")
		r.fields["type"] = "AMI"
	} else {
		_, hasData := in["dockerfileTemplateData"].(string)
		_, hasURI := in["dockerfileTemplateUri"].(string)
		if hasData == hasURI {
			return nil, errorf("InvalidParameterCombinationException", "You must specify exactly one of 'dockerfileTemplateData' and 'dockerfileTemplateUri'.")
		}
		r.fields = pick(in, "name", "description", "components", "parentImage", "containerType", "instanceConfiguration", "dockerfileTemplateData", "targetRepository", "kmsKeyId", "workingDirectory", "tags")
		if po, ok := in["platformOverride"].(string); ok {
			platform = po
		}
		r.fields["encrypted"] = true
	}
	r.fields["version"] = r.versionString()
	r.fields["platform"] = platform
	r.fields["owner"] = s.opts.Account
	r.fields["dateCreated"] = s.now()
	s.store(r)
	key := "imageRecipeArn"
	if typ == typeContainerRecipe {
		key = "containerRecipeArn"
	}
	return map[string]any{key: r.arn, "latestVersionReferences": s.latestRefs(r)}, nil
}

func (s *Server) getRecipe(typ, key, outKey string, in map[string]any) (map[string]any, *apiError) {
	r, err := s.resolve(typ, in[key].(string))
	if err != nil {
		return nil, err
	}
	return map[string]any{outKey: r.object(), "latestVersionReferences": s.latestRefs(r)}, nil
}

func (s *Server) deleteRecipe(typ, key string, in map[string]any) (map[string]any, *apiError) {
	a := in[key].(string)
	if _, err := s.lookup(typ, a); err != nil {
		return nil, err
	}
	for _, p := range s.byType(typePipeline) {
		if p.fields["imageRecipeArn"] == a || p.fields["containerRecipeArn"] == a {
			return nil, errorf("ResourceDependencyException", "Resource dependency error: The resource ARN '%s' has other resources depended on it.", a)
		}
	}
	delete(s.resources, a)
	return map[string]any{key: a}, nil
}

func (s *Server) listRecipes(typ, op, listKey string, in map[string]any) (map[string]any, *apiError) {
	if owner, ok := listOwner(in); !ok || owner != "" {
		return map[string]any{listKey: []any{}}, nil
	}
	return s.listMutable(typ, op, listKey, in)
}

// ---- infrastructure, distribution, pipelines (mutable) ----

var mutableFields = map[string][]string{
	typeInfrastructure: {"description", "instanceTypes", "instanceProfileName", "securityGroupIds", "subnetId", "logging", "keyPair", "terminateInstanceOnFailure", "snsTopicArn", "resourceTags", "instanceMetadataOptions", "placement"},
	typeDistribution:   {"description", "distributions"},
	typePipeline:       {"description", "imageRecipeArn", "containerRecipeArn", "infrastructureConfigurationArn", "distributionConfigurationArn", "imageTestsConfiguration", "enhancedImageMetadataEnabled", "schedule", "status", "imageScanningConfiguration", "imageTags", "workflows", "executionRole", "loggingConfiguration"},
}

// checkSchedule refuses a pipeline schedule the service would: a cron
// expression without six valid fields and exactly one `?` day field, or
// a malformed rate().
func checkSchedule(in map[string]any) *apiError {
	sched, _ := in["schedule"].(map[string]any)
	expr, ok := sched["scheduleExpression"].(string)
	if !ok {
		return nil
	}
	if msg := recipes.ScheduleError(expr); msg != "" {
		return errorf("InvalidParameterValueException", "The value supplied for parameter 'schedule.scheduleExpression' is not valid. %s", msg)
	}
	return nil
}

func (s *Server) checkPipelineRefs(in map[string]any) *apiError {
	if err := checkSchedule(in); err != nil {
		return err
	}
	_, hasImage := in["imageRecipeArn"].(string)
	_, hasContainer := in["containerRecipeArn"].(string)
	if hasImage == hasContainer {
		return errorf("InvalidParameterCombinationException", "You must specify exactly one of 'imageRecipeArn' and 'containerRecipeArn'.")
	}
	refs := []struct{ key, typ string }{
		{"imageRecipeArn", typeImageRecipe}, {"containerRecipeArn", typeContainerRecipe},
		{"infrastructureConfigurationArn", typeInfrastructure}, {"distributionConfigurationArn", typeDistribution},
	}
	for _, ref := range refs {
		a, ok := in[ref.key].(string)
		if !ok {
			continue
		}
		if _, err := s.resolve(ref.typ, a); err != nil {
			return errorf("InvalidParameterValueException", "The value supplied for parameter '%s' is not valid. The resource '%s' does not exist.", ref.key, a)
		}
	}
	return nil
}

func (s *Server) createMutable(typ, arnKey string, in map[string]any) (map[string]any, *apiError) {
	name := in["name"].(string)
	a := s.arn(typ, name)
	if _, ok := s.resources[a]; ok {
		return nil, errorf("ResourceAlreadyExistsException", "The following resource '%s' already exists: '%s'.", kindName(typ), a)
	}
	if typ == typePipeline {
		if err := s.checkPipelineRefs(in); err != nil {
			return nil, err
		}
	}
	r := &resource{typ: typ, name: name, arn: a, created: s.opts.Now()}
	r.fields = pick(in, append([]string{"name", "tags"}, mutableFields[typ]...)...)
	r.fields["dateCreated"] = s.now()
	s.fillMutable(r)
	s.store(r)
	return map[string]any{arnKey: a}, nil
}

// fillMutable sets the fields the service derives.
func (s *Server) fillMutable(r *resource) {
	switch r.typ {
	case typeDistribution:
		if _, ok := r.fields["timeoutMinutes"]; !ok {
			r.fields["timeoutMinutes"] = float64(720)
		}
		var regions []any
		dists, _ := r.fields["distributions"].([]any)
		for _, d := range dists {
			regions = append(regions, d.(map[string]any)["region"])
		}
		r.fields["regions"] = regions
	case typePipeline:
		if _, ok := r.fields["status"]; !ok {
			r.fields["status"] = "ENABLED"
		}
		if _, ok := r.fields["enhancedImageMetadataEnabled"]; !ok {
			r.fields["enhancedImageMetadataEnabled"] = true
		}
		recipeArn, _ := r.fields["imageRecipeArn"].(string)
		typ := typeImageRecipe
		if recipeArn == "" {
			recipeArn, _ = r.fields["containerRecipeArn"].(string)
			typ = typeContainerRecipe
		}
		if rec, err := s.resolve(typ, recipeArn); err == nil {
			r.fields["platform"] = rec.fields["platform"]
		}
	}
}

func (s *Server) updateMutable(typ, arnKey string, in map[string]any) (map[string]any, *apiError) {
	a := in[arnKey].(string)
	r, err := s.lookup(typ, a)
	if err != nil {
		return nil, err
	}
	if typ == typePipeline {
		if err := s.checkPipelineRefs(in); err != nil {
			return nil, err
		}
	}
	// Update is a full replacement of the mutable fields.
	fields := pick(r.fields, "arn", "name", "dateCreated", "dateLastRun", "lastRunStatus")
	for k, v := range pick(in, mutableFields[typ]...) {
		fields[k] = v
	}
	fields["dateUpdated"] = s.now()
	r.fields = fields
	s.fillMutable(r)
	return map[string]any{arnKey: a}, nil
}

func (s *Server) getMutable(typ, arnKey, outKey string, in map[string]any) (map[string]any, *apiError) {
	a := in[arnKey].(string)
	r, err := s.lookup(typ, a)
	if err != nil {
		return nil, err
	}
	return map[string]any{outKey: r.object()}, nil
}

func (s *Server) deleteMutable(typ, arnKey string, in map[string]any) (map[string]any, *apiError) {
	a := in[arnKey].(string)
	if _, err := s.lookup(typ, a); err != nil {
		return nil, err
	}
	if typ == typeInfrastructure || typ == typeDistribution {
		for _, p := range s.byType(typePipeline) {
			if p.fields["infrastructureConfigurationArn"] == a || p.fields["distributionConfigurationArn"] == a {
				return nil, errorf("ResourceDependencyException", "Resource dependency error: The resource ARN '%s' has other resources depended on it.", a)
			}
		}
	}
	delete(s.resources, a)
	return map[string]any{arnKey: a}, nil
}

// listMutable lists the resources of typ (as Get returns them) that match the
// request's filters; listRecipes uses it once the owner is checked.
func (s *Server) listMutable(typ, op, listKey string, in map[string]any) (map[string]any, *apiError) {
	var rows []map[string]any
	for _, r := range s.byType(typ) {
		row := r.object()
		if matchFilters(row, in) {
			rows = append(rows, row)
		}
	}
	return listPage(op, listKey, rows, in)
}

// ---- tags ----

func (s *Server) taggable(a string) (*resource, *apiError) {
	if err := checkARNVersion(a); err != nil {
		return nil, err
	}
	if r, ok := s.resources[a]; ok && r.owner == "" {
		return r, nil
	}
	return nil, errorf("ResourceNotFoundException", "The resource ARN '%s' does not exist.", a)
}

func (s *Server) tagResource(in map[string]any) (map[string]any, *apiError) {
	r, err := s.taggable(in["resourceArn"].(string))
	if err != nil {
		return nil, err
	}
	tags := in["tags"].(map[string]any)
	if len(r.tags)+len(tags) > 50 {
		merged := copyMap(r.tags)
		for k, v := range tags {
			merged[k] = v
		}
		if len(merged) > 50 {
			return nil, errorf("InvalidParameterException", "A resource can have at most 50 tags.")
		}
	}
	for k, v := range tags {
		r.tags[k] = v
	}
	return map[string]any{}, nil
}

func (s *Server) untagResource(in map[string]any) (map[string]any, *apiError) {
	r, err := s.taggable(in["resourceArn"].(string))
	if err != nil {
		return nil, err
	}
	keys, _ := in["tagKeys"].([]any)
	for _, k := range keys {
		delete(r.tags, k.(string))
	}
	return map[string]any{}, nil
}

func (s *Server) listTagsForResource(in map[string]any) (map[string]any, *apiError) {
	r, err := s.taggable(in["resourceArn"].(string))
	if err != nil {
		return nil, err
	}
	return map[string]any{"tags": copyMap(r.tags)}, nil
}
