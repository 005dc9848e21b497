package recipes

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/raw"
	"gopkg.in/yaml.v3"
)

// rawTypes pairs every field table with the raw struct it is bound into.
var rawTypes = []struct {
	name  string
	table *Field
	typ   reflect.Type
}{
	{string(KindComponent), Schema(KindComponent), reflect.TypeFor[raw.Component]()},
	{string(KindImageRecipe), Schema(KindImageRecipe), reflect.TypeFor[raw.ImageRecipe]()},
	{string(KindContainerRecipe), Schema(KindContainerRecipe), reflect.TypeFor[raw.ContainerRecipe]()},
	{string(KindInfrastructure), Schema(KindInfrastructure), reflect.TypeFor[raw.Infrastructure]()},
	{string(KindDistribution), Schema(KindDistribution), reflect.TypeFor[raw.Distribution]()},
	{string(KindPipeline), Schema(KindPipeline), reflect.TypeFor[raw.Pipeline]()},
	{ConfigFile, ConfigSchema(), reflect.TypeFor[raw.Config]()},
}

// TestRawStructsMatchFieldTables: every key of a field table has a raw
// struct field with that yaml tag and the Go type of its table type, and
// every raw struct field is a key of the table. A new key is one table
// entry and one struct field; forgetting either fails here.
func TestRawStructsMatchFieldTables(t *testing.T) {
	if len(rawTypes) != len(Kinds)+1 {
		t.Fatalf("rawTypes lists %d tables, want every kind of Kinds and ibgitops.yaml (%d)", len(rawTypes), len(Kinds)+1)
	}
	for _, c := range rawTypes {
		for _, problem := range disagreements(c.name, c.table, c.typ) {
			t.Error(problem)
		}
	}
}

// TestDisagreementsFound: the agreement check reports each kind of
// mismatch (it is not a check that passes whatever it is given).
func TestDisagreementsFound(t *testing.T) {
	type wrong struct {
		Name  raw.Value[int]    `yaml:"name"`   // table: a string
		Count raw.Value[string] `yaml:"count"`  // table: an integer
		Extra raw.Value[string] `yaml:"extra"`  // not in the table
		Items raw.Value[[]int]  `yaml:"items"`  // list items must be Values
		Tags  raw.StringList    `yaml:"labels"` // table: a string map
	}
	table := obj("T", "", str("name", ""), intRange("count", "", 1, 2), str("missing", ""), strList("items", "", 0),
		&Field{Name: "labels", Type: TStringMap})
	got := strings.Join(disagreements("T", table, reflect.TypeFor[wrong]()), "\n")
	for _, want := range []string{"T.name", "T.count", "T.missing", "T.extra", "T.items[]", "T.labels"} {
		if !strings.Contains(got, want+":") {
			t.Errorf("no disagreement reported for %s; got:\n%s", want, got)
		}
	}
}

// disagreements compares an object table with a raw struct type.
func disagreements(path string, f *Field, typ reflect.Type) []string {
	if typ.Kind() != reflect.Struct {
		return []string{fmt.Sprintf("%s: is a mapping in the table, %s in the raw struct", path, typ)}
	}
	var out []string
	keys := keysOf(typ)
	for _, c := range f.Fields {
		idx, ok := keys[c.Name]
		if !ok {
			out = append(out, fmt.Sprintf("%s.%s: the table has the key, %s has no field with yaml:%q", path, c.Name, typ, c.Name))
			continue
		}
		out = append(out, valueDisagreements(path+"."+c.Name, c, typ.FieldByIndex(idx).Type)...)
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if f.child(k) == nil {
			out = append(out, fmt.Sprintf("%s.%s: %s has the field, the table has no such key", path, k, typ))
		}
	}
	return out
}

// goTypes is the Go type of V for each table type that is not a mapping
// or a list.
var goTypes = map[Type]reflect.Type{
	TString:    reflect.TypeFor[string](),
	TInt:       reflect.TypeFor[int](),
	TBool:      reflect.TypeFor[bool](),
	TStringMap: reflect.TypeFor[map[string]raw.Value[string]](),
	TParamMap:  reflect.TypeFor[map[string]raw.Value[[]string]](),
	TDocument:  reflect.TypeFor[*yaml.Node](),
}

// valueDisagreements compares one table field with a raw.Value type.
func valueDisagreements(path string, f *Field, typ reflect.Type) []string {
	if !reflect.PointerTo(typ).Implements(reflect.TypeFor[slot]()) || typ.Kind() != reflect.Struct || typ.Field(0).Name != "V" {
		return []string{fmt.Sprintf("%s: is %s, want a raw.Value", path, typ)}
	}
	v := typ.Field(0).Type
	switch f.Type {
	case TObject:
		if v.Kind() != reflect.Pointer {
			return []string{fmt.Sprintf("%s: is a mapping in the table, so raw.Value[*S], not raw.Value[%s]", path, v)}
		}
		return disagreements(path, f, v.Elem())
	case TList:
		if v.Kind() != reflect.Slice {
			return []string{fmt.Sprintf("%s: is a list in the table, %s in the raw struct", path, v)}
		}
		return valueDisagreements(path+"[]", f.Elem, v.Elem())
	}
	if want := goTypes[f.Type]; v != want {
		return []string{fmt.Sprintf("%s: is %s in the table, so raw.Value[%s], not raw.Value[%s]", path, f.Type, want, v)}
	}
	return nil
}

// TestRawHoldsWhatThePlainValuesHold decodes every resource file of the
// repository's testdata and checks that the raw struct holds exactly the
// plain values the same walk produced: the binding drops and invents
// nothing. FuzzRawBinding checks the same on arbitrary input.
func TestRawHoldsWhatThePlainValuesHold(t *testing.T) {
	files := testdataFiles(t)
	if len(files) < 20 {
		t.Fatalf("only %d YAML files under ../testdata", len(files))
	}
	for p, data := range files {
		if msg := bindingMismatch(p, data); msg != "" {
			t.Error(msg)
		}
	}
}

func FuzzRawBinding(f *testing.F) {
	for _, data := range testdataFiles(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg := bindingMismatch("f.yaml", data); msg != "" {
			t.Fatal(msg)
		}
	})
}

// testdataFiles reads the YAML files under ../testdata.
func testdataFiles(t testing.TB) map[string][]byte {
	files := map[string][]byte{}
	err := filepath.WalkDir("../testdata", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			return err
		}
		data, err := os.ReadFile(p)
		files[p] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// bindingMismatch decodes data against the field table of the kind it
// names (ibgitops.yaml's when it names none) and says how the raw struct
// differs from the plain values, or "".
func bindingMismatch(name string, data []byte) string {
	var doc yaml.Node
	if safeUnmarshal(data, &doc) != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return ""
	}
	root := doc.Content[0]
	table, typ := ConfigSchema(), reflect.TypeFor[raw.Config]()
	if _, kind := keyNode(root, "kind"); kind != nil {
		found := false
		for _, c := range rawTypes {
			if c.name == kind.Value {
				table, typ, found = c.table, c.typ, true
			}
		}
		if !found {
			return ""
		}
	}
	target := newValue(typ)
	plain, ok := newDecoder(name, table.Name).value(root, table, "", target)
	if !ok {
		return ""
	}
	if got := plainOf(reflect.ValueOf(target).Elem()); !reflect.DeepEqual(got, plain) {
		return fmt.Sprintf("%s: the raw struct holds\n%#v\nthe plain values are\n%#v", name, got, plain)
	}
	return ""
}

// safeUnmarshal turns a panic of the YAML parser into an error.
func safeUnmarshal(data []byte, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return yaml.Unmarshal(data, n)
}

// newValue returns a new *raw.Value[*T] for the raw struct type T.
func newValue(typ reflect.Type) slot {
	for _, v := range []slot{&raw.Value[*raw.Component]{}, &raw.Value[*raw.ImageRecipe]{}, &raw.Value[*raw.ContainerRecipe]{},
		&raw.Value[*raw.Infrastructure]{}, &raw.Value[*raw.Distribution]{}, &raw.Value[*raw.Pipeline]{}, &raw.Value[*raw.Config]{}} {
		if reflect.TypeOf(v.Target()).Elem().Elem() == typ {
			return v
		}
	}
	panic("no raw.Value for " + typ.String())
}

// plainOf turns a set raw.Value back into the plain value the decoder
// returns for it (map[string]any, []any, string, ...).
func plainOf(v reflect.Value) any {
	inner := v.Field(0)
	if inner.Kind() == reflect.Pointer && inner.Type() != reflect.TypeFor[*yaml.Node]() {
		inner = inner.Elem()
	}
	switch x := inner.Interface().(type) {
	case map[string]raw.Value[string]:
		out := map[string]string{}
		for k, e := range x {
			if e.Set {
				out[k] = e.V
			}
		}
		return out
	case map[string]raw.Value[[]string]:
		out := map[string][]string{}
		for k, e := range x {
			if e.Set {
				out[k] = e.V
			}
		}
		return out
	}
	switch inner.Kind() {
	case reflect.Struct:
		out := map[string]any{}
		for key, idx := range keysOf(inner.Type()) {
			if f := inner.FieldByIndex(idx); f.FieldByName("Set").Bool() {
				out[key] = plainOf(f)
			}
		}
		return out
	case reflect.Slice:
		out := []any{}
		for i := 0; i < inner.Len(); i++ {
			if e := inner.Index(i); e.FieldByName("Set").Bool() {
				out = append(out, plainOf(e))
			}
		}
		return out
	}
	return inner.Interface()
}

// TestModelKeysAreTableKeys: the keys Spec leaves out because the model
// holds them typed are keys of the kind's table (a misspelt one would
// leave that value in Spec as well).
func TestModelKeysAreTableKeys(t *testing.T) {
	for kind, keys := range modelKeys {
		for _, k := range append(append([]string(nil), metaKeys...), keys...) {
			if k == "version" && !kind.Versioned() {
				continue
			}
			if Schema(kind).child(k) == nil {
				t.Errorf("%s: %q is not a key of its field table", kind, k)
			}
		}
	}
}
