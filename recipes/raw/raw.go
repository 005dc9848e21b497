// Package raw holds the shapes of ibgitops' YAML files as written: one
// struct per resource kind and for ibgitops.yaml, every key a Value that
// says whether it was set and where. It is what the first of two parse
// layers produces (as atlantis' config/raw, then config/valid): recipes
// decodes a file strictly against its field table (recipes/fields.go) and
// binds it into these structs in the same walk; recipes then builds its
// model from them.
//
// A struct field per table key, with the key as its yaml tag:
//
//	string, int, bool            Value[string], Value[int], Value[bool]
//	mapping with known keys      Value[*S], S a struct of this package
//	list                         Value[[]Value[E]]
//	string map (tags)            StringMap
//	parameter map                ParamMap
//	AWSTOE document              Value[*yaml.Node]
//
// recipes' TestRawStructsMatchFieldTables fails when a table and its
// struct disagree, so a new key is one table entry plus one field here.
package raw

import (
	"github.com/ibgitops/ibgitops/recipes/diag"
	"gopkg.in/yaml.v3"
)

// Value is one key's value and where it was written.
type Value[T any] struct {
	V T
	// Pos is where the value starts (after following an alias). It is set
	// for every value written, usable or not (version: 1.0 has a Pos but
	// no V), and zero when the key is absent or has no value.
	Pos diag.Pos
	// KeyPos is where its key is; zero for list items and absent keys.
	KeyPos diag.Pos
	// Set is true when the value is of the table's type, so V holds it
	// (it may still have failed a pattern or enum: that is a finding).
	Set bool
}

// Get returns the struct of a mapping's Value, or an empty one when the
// key is absent or unusable, so that its keys read as not set. (A mapping
// is held by pointer, so a large struct costs memory only where written.)
func Get[S any](v Value[*S]) *S {
	if v.Set && v.V != nil {
		return v.V
	}
	return new(S)
}

// Or returns V when it is set, otherwise def.
func (v *Value[T]) Or(def T) T {
	if v.Set {
		return v.V
	}
	return def
}

// Target is V's address, for the decoder to fill.
func (v *Value[T]) Target() any { return &v.V }

// SetPos records where the value is.
func (v *Value[T]) SetPos(p diag.Pos) { v.Pos = p }

// SetKeyPos records where the value's key is.
func (v *Value[T]) SetKeyPos(p diag.Pos) { v.KeyPos = p }

// Accept marks V as decoded.
func (v *Value[T]) Accept() { v.Set = true }

// StringMap is a mapping of strings to strings (tags), each entry with its
// key's and value's positions.
type StringMap = Value[map[string]Value[string]]

// ParamMap is a component's parameters: each name to one or more strings.
type ParamMap = Value[map[string]Value[[]string]]

// StringList is a list of strings.
type StringList = Value[[]Value[string]]

// Document is an inline AWSTOE document, checked by recipes/awstoe.
type Document = Value[*yaml.Node]

// Strings returns the set items of a string list, in order.
func Strings(l StringList) []string {
	out := make([]string, 0, len(l.V))
	for _, e := range l.V {
		if e.Set {
			out = append(out, e.V)
		}
	}
	return out
}

// Plain returns a string map without positions (nil when it is not set).
func Plain(m StringMap) map[string]string {
	if !m.Set {
		return nil
	}
	out := make(map[string]string, len(m.V))
	for k, v := range m.V {
		if v.Set {
			out[k] = v.V
		}
	}
	return out
}

// Meta are the keys every resource kind has.
type Meta struct {
	Kind        Value[string] `yaml:"kind"`
	Name        Value[string] `yaml:"name"`
	Description Value[string] `yaml:"description"`
	Tags        StringMap     `yaml:"tags"`
}

// Common returns the keys every kind has.
func (m *Meta) Common() *Meta { return m }

// Versioned are the keys of the kinds Image Builder versions.
type Versioned struct {
	Meta    `yaml:",inline"`
	Version Value[string] `yaml:"version"`
}

// VersionValue returns the version key.
func (v *Versioned) VersionValue() *Value[string] { return &v.Version }
