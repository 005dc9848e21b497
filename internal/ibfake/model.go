package ibfake

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The service model is botocore's imagebuilder/2019-12-02/service-2.json
// (botocore 1.43.11, Apache-2.0, the model the Go SDK v1.55.x is generated
// from) with the documentation strings removed. Regenerate with
// model/regenerate.sh.
//
//go:embed model/imagebuilder-2019-12-02.json.gz
var modelGz []byte

// Model is the part of the service model the fake needs: HTTP bindings,
// shapes with their constraints and the error shapes' status codes.
type Model struct {
	Operations map[string]*Operation `json:"operations"`
	Shapes     map[string]*Shape     `json:"shapes"`
}

// Operation is one API operation's binding.
type Operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method     string `json:"method"`
		RequestURI string `json:"requestUri"`
	} `json:"http"`
	Input  *ShapeRef   `json:"input"`
	Output *ShapeRef   `json:"output"`
	Errors []*ShapeRef `json:"errors"`
}

// ShapeRef points at a shape, with the member's HTTP location.
type ShapeRef struct {
	Shape            string `json:"shape"`
	Location         string `json:"location"`
	LocationName     string `json:"locationName"`
	IdempotencyToken bool   `json:"idempotencyToken"`
}

// Shape is a model shape with the constraints the service validates.
type Shape struct {
	Type      string               `json:"type"`
	Required  []string             `json:"required"`
	Members   map[string]*ShapeRef `json:"members"`
	Member    *ShapeRef            `json:"member"`
	Key       *ShapeRef            `json:"key"`
	Value     *ShapeRef            `json:"value"`
	Min       *float64             `json:"min"`
	Max       *float64             `json:"max"`
	Pattern   string               `json:"pattern"`
	Enum      []string             `json:"enum"`
	Exception bool                 `json:"exception"`
	Error     struct {
		HTTPStatusCode int `json:"httpStatusCode"`
	} `json:"error"`

	re         *regexp.Regexp
	notPrefix  string // a leading (?!prefix) lookahead RE2 cannot express
	patternErr error
}

var bigRepeat = regexp.MustCompile(`\{(\d+),(\d+)\}`)

// LoadModel decodes the embedded service model and compiles its patterns.
func LoadModel() (*Model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(modelGz))
	if err != nil {
		return nil, fmt.Errorf("embedded model: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("embedded model: %w", err)
	}
	var m Model
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("embedded model: %w", err)
	}
	for name, s := range m.Shapes {
		if s.Pattern == "" {
			continue
		}
		p := s.Pattern
		// TagKey is ^(?!aws:)...: RE2 has no lookahead, so the negative
		// prefix is checked separately.
		if strings.HasPrefix(p, "^(?!") {
			end := strings.Index(p, ")")
			s.notPrefix = p[4:end]
			p = "^" + p[end+1:]
		}
		// RE2 caps repeat counts at 1000; the model has {1,1024}. The
		// upper bound is then left to the member's length constraints.
		p = bigRepeat.ReplaceAllStringFunc(p, func(m string) string {
			parts := bigRepeat.FindStringSubmatch(m)
			if n, _ := strconv.Atoi(parts[2]); n > 1000 {
				return "{" + parts[1] + ",}"
			}
			return m
		})
		re, err := regexp.Compile(p)
		if err != nil {
			s.patternErr = fmt.Errorf("shape %s pattern %q: %w", name, s.Pattern, err)
			continue
		}
		s.re = re
	}
	for name, max := range documentedMax {
		if s := m.Shapes[name]; s != nil {
			s.Max = &max
		}
	}
	return &m, nil
}

// documentedMax tightens string lengths where AWS's published API
// reference is stricter than botocore's model, so that a client which
// passes the fake also passes an endpoint that enforces the reference.
// ClientToken: "Length Constraints: Minimum length of 1. Maximum length
// of 36." (API reference, CreateComponent and every call with a token);
// botocore 1.43 says 64.
var documentedMax = map[string]float64{"ClientToken": 36}

// OperationNames lists the model's operations, sorted.
func (m *Model) OperationNames() []string {
	names := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// validationError is a value that breaks the model's constraints. Code is
// the error the service answers with.
type validationError struct {
	Code    string
	Message string
}

func (e *validationError) Error() string { return e.Code + ": " + e.Message }

// Validate checks v (decoded JSON: map[string]any, []any, string, float64,
// bool) against the shape named shape. path names the member for messages
// in the service's style ("components[0].componentArn").
func (m *Model) Validate(shape string, v any, path string) error {
	s := m.Shapes[shape]
	if s == nil {
		return fmt.Errorf("model has no shape %q", shape)
	}
	bad := func(format string, args ...any) error {
		return &validationError{"InvalidParameterValueException",
			fmt.Sprintf("The value supplied for parameter '%s' is not valid. ", path) + fmt.Sprintf(format, args...)}
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			return &validationError{"SerializationException", fmt.Sprintf("'%s' must be a JSON object", path)}
		}
		for _, req := range s.Required {
			if val, ok := obj[req]; !ok || val == nil {
				return &validationError{"InvalidRequestException", fmt.Sprintf("Missing required parameter: '%s'", join(path, req))}
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ref, ok := s.Members[k]
			if !ok {
				// The service ignores unknown members; so does the fake,
				// but only if they are not in a known location.
				continue
			}
			if obj[k] == nil {
				continue
			}
			if err := m.Validate(ref.Shape, obj[k], join(path, k)); err != nil {
				return err
			}
		}
	case "list":
		list, ok := v.([]any)
		if !ok {
			return &validationError{"SerializationException", fmt.Sprintf("'%s' must be a JSON array", path)}
		}
		if err := checkRange(s, float64(len(list))); err != nil {
			return bad("Member must have length %s", err)
		}
		for i, item := range list {
			if err := m.Validate(s.Member.Shape, item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			return &validationError{"SerializationException", fmt.Sprintf("'%s' must be a JSON object", path)}
		}
		if err := checkRange(s, float64(len(obj))); err != nil {
			return bad("Member must have %s entries", err)
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := m.Validate(s.Key.Shape, k, path+".key"); err != nil {
				return err
			}
			if err := m.Validate(s.Value.Shape, obj[k], path+"."+k); err != nil {
				return err
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return &validationError{"SerializationException", fmt.Sprintf("'%s' must be a string", path)}
		}
		if err := checkRange(s, float64(utf8.RuneCountInString(str))); err != nil {
			return bad("Member must have length %s", err)
		}
		if len(s.Enum) > 0 && !contains(s.Enum, str) {
			return bad("Member must satisfy enum value set: [%s]", strings.Join(s.Enum, ", "))
		}
		if s.notPrefix != "" && strings.HasPrefix(str, s.notPrefix) {
			return bad("Member must not start with %q", s.notPrefix)
		}
		if s.re != nil && !s.re.MatchString(str) {
			return bad("Member must satisfy regular expression pattern: %s", s.Pattern)
		}
	case "integer", "long", "double":
		n, ok := v.(float64)
		if !ok {
			return &validationError{"SerializationException", fmt.Sprintf("'%s' must be a number", path)}
		}
		if s.Type != "double" && n != math.Trunc(n) {
			return &validationError{"SerializationException", fmt.Sprintf("'%s' must be an integer", path)}
		}
		if err := checkRange(s, n); err != nil {
			return bad("Member must have value %s", err)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return &validationError{"SerializationException", fmt.Sprintf("'%s' must be a boolean", path)}
		}
	case "timestamp":
		if _, ok := v.(float64); !ok {
			return &validationError{"SerializationException", fmt.Sprintf("'%s' must be epoch seconds", path)}
		}
	}
	return nil
}

func checkRange(s *Shape, n float64) error {
	if s.Min != nil && n < *s.Min {
		return fmt.Errorf("greater than or equal to %g", *s.Min)
	}
	if s.Max != nil && n > *s.Max {
		return fmt.Errorf("less than or equal to %g", *s.Max)
	}
	return nil
}

func join(path, member string) string {
	if path == "" {
		return member
	}
	return path + "." + member
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Project keeps only the members of v that the structure shape declares,
// recursively, so responses carry exactly the model's keys.
func (m *Model) Project(shape string, v any) any {
	s := m.Shapes[shape]
	if s == nil || v == nil {
		return v
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(obj))
		for k, val := range obj {
			if ref, ok := s.Members[k]; ok && val != nil {
				out[k] = m.Project(ref.Shape, val)
			}
		}
		return out
	case "list":
		switch list := v.(type) {
		case []any:
			out := make([]any, len(list))
			for i, item := range list {
				out[i] = m.Project(s.Member.Shape, item)
			}
			return out
		case []map[string]any:
			out := make([]any, len(list))
			for i, item := range list {
				out[i] = m.Project(s.Member.Shape, item)
			}
			return out
		}
	}
	return v
}
