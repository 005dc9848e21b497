package recipes

import (
	"encoding/json"
	"testing"
)

// TestSchemaFollowsFieldTables: the schema of each kind has exactly the
// keys and required keys of its field table, and rejects unknown keys.
func TestSchemaFollowsFieldTables(t *testing.T) {
	for _, name := range append(KindNames(), "") {
		out, err := JSONSchema(name)
		if err != nil {
			t.Fatal(err)
		}
		var s map[string]any
		if err := json.Unmarshal(out, &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "" {
			if kinds, _ := s["oneOf"].([]any); len(kinds) != len(Kinds) {
				t.Errorf("combined schema has %d kinds", len(kinds))
			}
			continue
		}
		f, _, _ := schemaField(name)
		props, _ := s["properties"].(map[string]any)
		if len(props) != len(f.Fields) {
			t.Errorf("%s: %d properties, table has %d fields", name, len(props), len(f.Fields))
		}
		req := 0
		for _, c := range f.Fields {
			if _, ok := props[c.Name]; !ok {
				t.Errorf("%s: schema lacks %s", name, c.Name)
			}
			if c.Required {
				req++
			}
		}
		if got, _ := s["required"].([]any); len(got) != req {
			t.Errorf("%s: %d required, table has %d", name, len(got), req)
		}
		if s["additionalProperties"] != false {
			t.Errorf("%s: unknown keys are not rejected", name)
		}
	}
	if _, err := JSONSchema("Recipe"); err == nil {
		t.Error("unknown kind accepted")
	}
}
