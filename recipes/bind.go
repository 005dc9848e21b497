package recipes

import (
	"reflect"
	"strings"
	"sync"

	"github.com/ibgitops/ibgitops/recipes/diag"
	"gopkg.in/yaml.v3"
)

// slot is a raw.Value the decoder fills while it walks the YAML nodes, so
// a file is decoded once: into the plain values of the API (Spec, content
// hash) and into its typed raw struct (recipes/raw), with positions.
type slot interface {
	Target() any
	SetPos(diag.Pos)
	SetKeyPos(diag.Pos)
	Accept()
}

// rawKeys caches, per raw struct type, its fields by yaml key; fields of
// embedded structs (raw.Meta) count as the struct's own.
var rawKeys sync.Map // reflect.Type -> map[string][]int

func keysOf(t reflect.Type) map[string][]int {
	if m, ok := rawKeys.Load(t); ok {
		return m.(map[string][]int)
	}
	m := map[string][]int{}
	for _, sf := range reflect.VisibleFields(t) {
		key, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if key == "" || !sf.IsExported() {
			continue
		}
		m[key] = sf.Index
	}
	rawKeys.Store(t, m)
	return m
}

// fields gives the slots of a raw struct's keys.
type fields struct {
	v    reflect.Value
	keys map[string][]int
}

// structOf allocates the struct s points at (a mapping's raw.Value[*S])
// and returns its fields, or nothing when s is nil or holds no struct.
func structOf(s slot) fields {
	if s == nil {
		return fields{}
	}
	p := reflect.ValueOf(s.Target()).Elem()
	if p.Kind() != reflect.Pointer || p.Type().Elem().Kind() != reflect.Struct {
		return fields{}
	}
	p.Set(reflect.New(p.Type().Elem()))
	v := p.Elem()
	return fields{v, keysOf(v.Type())}
}

func (fs fields) slot(key string) slot {
	idx, ok := fs.keys[key]
	if !ok {
		return nil
	}
	s, _ := fs.v.FieldByIndex(idx).Addr().Interface().(slot)
	return s
}

// items makes the list s holds n items long and gives their slots.
type items struct{ v reflect.Value }

func listOf(s slot, n int) items {
	if s == nil {
		return items{}
	}
	v := reflect.ValueOf(s.Target()).Elem()
	if v.Kind() != reflect.Slice {
		return items{}
	}
	v.Set(reflect.MakeSlice(v.Type(), n, n))
	return items{v}
}

func (it items) slot(i int) slot {
	if !it.v.IsValid() {
		return nil
	}
	s, _ := it.v.Index(i).Addr().Interface().(slot)
	return s
}

// bindScalar stores a decoded string, integer, boolean or document in s.
func bindScalar(s slot, v any) {
	switch t := s.Target().(type) {
	case *string:
		*t, _ = v.(string)
	case *int:
		*t, _ = v.(int)
	case *bool:
		*t, _ = v.(bool)
	case **yaml.Node:
		*t, _ = v.(*yaml.Node)
	default:
		return
	}
	s.Accept()
}
