package toe

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Inputs are handled as generic values so that expressions can be resolved
// in every string before a module reads them:
// map[string]any, []any, string, bool, number, nil.

// number keeps a YAML number's text, so `permissions: 0755` stays "0755".
type number string

func (n number) MarshalJSON() ([]byte, error) {
	s := strings.TrimPrefix(string(n), "-")
	leadingZero := len(s) > 1 && s[0] == '0' && s[1] != '.'
	if json.Valid([]byte(n)) && !leadingZero {
		return []byte(n), nil
	}
	return json.Marshal(string(n))
}

// nodeValue converts a YAML node to a generic value, keeping scalar text.
func nodeValue(n *yaml.Node) any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return nodeValue(n.Content[0])
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = nodeValue(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, nodeValue(c))
		}
		return l
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool":
			b, err := strconv.ParseBool(strings.ToLower(n.Value))
			if err != nil {
				return n.Value
			}
			return b
		case "!!int", "!!float":
			return number(n.Value)
		}
		return n.Value
	}
	return nil
}

// mapWalk applies f to every string (and number text) inside v, returning a copy.
func mapWalk(v any, f func(string) (string, error)) (any, error) {
	switch t := v.(type) {
	case string:
		return f(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			r, err := mapWalk(e, f)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			r, err := mapWalk(e, f)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// items returns the list of input maps of a list-input action (a single map
// is accepted as a one-element list).
func items(v any) ([]map[string]any, error) {
	switch t := v.(type) {
	case nil:
		return nil, fmt.Errorf("the step has no inputs; add an inputs list")
	case map[string]any:
		return []map[string]any{t}, nil
	case []any:
		if len(t) == 0 {
			return nil, fmt.Errorf("the step's inputs list is empty; add at least one item")
		}
		out := make([]map[string]any, 0, len(t))
		for i, e := range t {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("inputs[%d] must be a mapping", i)
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, fmt.Errorf("inputs must be a mapping or a list of mappings")
}

// single returns the inputs map of a map-input action.
func single(v any) (map[string]any, error) {
	switch t := v.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return t, nil
	case []any:
		if len(t) == 1 {
			if m, ok := t[0].(map[string]any); ok {
				return m, nil
			}
		}
	}
	return nil, fmt.Errorf("inputs must be a mapping")
}

func scalarString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case cutText:
		return t.Text, true
	case number:
		return string(t), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

func optString(m map[string]any, key, def string) (string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return def, nil
	}
	s, ok := scalarString(v)
	if !ok {
		return "", fmt.Errorf("input %q must be a string", key)
	}
	return s, nil
}

func reqString(m map[string]any, key string) (string, error) {
	s, err := optString(m, key, "")
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", fmt.Errorf("input %q is required", key)
	}
	return s, nil
}

// reqSourceDest reads the required source and destination inputs the
// transfer modules share (CopyFile and kin, S3Download, S3Upload, WebDownload).
func reqSourceDest(m map[string]any) (source, dest string, err error) {
	if source, err = reqString(m, "source"); err != nil {
		return "", "", err
	}
	if dest, err = reqString(m, "destination"); err != nil {
		return "", "", err
	}
	return source, dest, nil
}

func optBool(m map[string]any, key string, def bool) (bool, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return def, nil
	}
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(t)))
		if err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("input %q must be true or false", key)
}

func optInt(m map[string]any, key string, def int) (int, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return def, nil
	}
	s, ok := scalarString(v)
	if ok {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("input %q must be an integer", key)
}

func optStringList(m map[string]any, key string) ([]string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil
	}
	switch t := v.(type) {
	case []any:
		out := make([]string, 0, len(t))
		for i, e := range t {
			s, ok := scalarString(e)
			if !ok {
				return nil, fmt.Errorf("input %s[%d] must be a string", key, i)
			}
			out = append(out, s)
		}
		return out, nil
	default:
		if s, ok := scalarString(t); ok {
			return []string{s}, nil
		}
	}
	return nil, fmt.Errorf("input %q must be a list of strings", key)
}

// withDefaults returns a copy of m with defaults added for missing keys, so
// detailedoutput.json shows the inputs as run.
func withDefaults(m map[string]any, defaults map[string]any) map[string]any {
	out := make(map[string]any, len(m)+len(defaults))
	for k, v := range m {
		out[k] = v
	}
	keys := make([]string, 0, len(defaults))
	for k := range defaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := out[k]; !ok {
			out[k] = defaults[k]
		}
	}
	return out
}
