package recipes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// ConfigKind is the name `ibgitops schema` uses for ibgitops.yaml.
const ConfigKind = "Config"

// jsonObject is a JSON object that keeps its key order, so schemas read
// in the order of the field tables.
type jsonObject []jsonMember

type jsonMember struct {
	Key   string
	Value any
}

func (o jsonObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.Key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (o *jsonObject) set(k string, v any) { *o = append(*o, jsonMember{k, v}) }

// fieldSchema turns a field table into JSON Schema (draft-07, which
// yaml-language-server and most editors support).
func fieldSchema(f *Field) jsonObject {
	var s jsonObject
	if f.Doc != "" {
		s.set("description", f.Doc)
	}
	switch f.Type {
	case TString:
		s.set("type", "string")
		if len(f.Enum) > 0 {
			s.set("enum", f.Enum)
		}
		if f.Pattern != "" {
			s.set("pattern", f.Pattern)
		}
		if f.MinLen > 0 {
			s.set("minLength", f.MinLen)
		}
		if f.MaxLen > 0 {
			s.set("maxLength", f.MaxLen)
		}
		var all []any
		if len(f.Forms) > 0 {
			all = append(all, formsSchema(f.Forms))
		}
		for _, t := range f.Once {
			q := regexp.QuoteMeta(t)
			all = append(all, jsonObject{{"pattern", q}}, jsonObject{{"not", jsonObject{{"pattern", q + `[\s\S]*` + q}}}})
		}
		if len(all) == 1 {
			s = append(s, all[0].(jsonObject)...)
		} else if len(all) > 1 {
			s.set("allOf", all)
		}
	case TInt:
		s.set("type", "integer")
		if f.HasRange {
			s.set("minimum", f.Min)
			s.set("maximum", f.Max)
		}
	case TBool:
		s.set("type", "boolean")
	case TObject:
		s.set("type", "object")
		var props jsonObject
		var req []string
		for _, c := range f.Fields {
			props.set(c.Name, fieldSchema(c))
			if c.Required {
				req = append(req, c.Name)
			}
		}
		s.set("properties", props)
		if len(req) > 0 {
			s.set("required", req)
		}
		s.set("additionalProperties", false)
		var all []any
		for _, g := range f.ExactlyOne {
			var one []any
			for _, k := range g {
				one = append(one, requiredOnly(k))
			}
			all = append(all, jsonObject{{"oneOf", one}})
		}
		for _, g := range f.AtMostOne {
			all = append(all, jsonObject{{"not", requiredOnly(g...)}})
		}
		if len(all) == 1 {
			s = append(s, all[0].(jsonObject)...)
		} else if len(all) > 1 {
			s.set("allOf", all)
		}
	case TList:
		s.set("type", "array")
		s.set("items", fieldSchema(f.Elem))
		if f.MinLen > 0 {
			s.set("minItems", f.MinLen)
		}
		if f.MaxLen > 0 {
			s.set("maxItems", f.MaxLen)
		}
	case TStringMap:
		s.set("type", "object")
		val := jsonObject{{"type", "string"}}
		if f.Elem != nil && f.Elem.MaxLen > 0 {
			val.set("maxLength", f.Elem.MaxLen)
		}
		s.set("additionalProperties", val)
		if f.Elem != nil && f.Elem.Pattern != "" {
			s.set("propertyNames", jsonObject{{"pattern", f.Elem.Pattern}, {"not", jsonObject{{"pattern", "^aws:"}}}})
		}
		if f.MinLen > 0 {
			s.set("minProperties", f.MinLen)
		}
		if f.MaxLen > 0 {
			s.set("maxProperties", f.MaxLen)
		}
	case TParamMap:
		s.set("type", "object")
		s.set("additionalProperties", jsonObject{{"anyOf", []any{
			jsonObject{{"type", "string"}},
			jsonObject{{"type", "array"}, {"items", jsonObject{{"type", "string"}}}},
		}}})
	case TDocument:
		s = documentSchema(f.Doc)
	}
	return s
}

// requiredOnly is a subschema requiring keys, which it names in its own
// properties (Ajv's strictRequired wants a required key defined beside it;
// the object's properties say what the keys hold).
func requiredOnly(keys ...string) jsonObject {
	var props jsonObject
	for _, k := range keys {
		props.set(k, true)
	}
	return jsonObject{{"properties", props}, {"required", keys}}
}

// formsSchema says Field.Forms as if/then/else: the first prefix that
// matches selects the pattern, the form without prefix takes the rest.
func formsSchema(forms []Form) jsonObject {
	if len(forms) == 0 {
		return nil
	}
	f := forms[0]
	if f.Prefix == "" {
		return jsonObject{{"pattern", f.Pattern}}
	}
	s := jsonObject{
		{"if", jsonObject{{"pattern", "^" + regexp.QuoteMeta(f.Prefix)}}},
		{"then", jsonObject{{"pattern", f.Pattern}}},
	}
	if rest := formsSchema(forms[1:]); rest != nil {
		s.set("else", rest)
	}
	return s
}

// KindNames lists the names `ibgitops schema` accepts.
func KindNames() []string {
	names := make([]string, 0, len(Kinds)+1)
	for _, k := range Kinds {
		names = append(names, string(k))
	}
	return append(names, ConfigKind)
}

func schemaField(name string) (*Field, string, bool) {
	if strings.EqualFold(name, ConfigKind) || name == ConfigFile {
		return ConfigSchema(), ConfigKind, true
	}
	for _, k := range Kinds {
		if strings.EqualFold(string(k), name) {
			return Schema(k), string(k), true
		}
	}
	return nil, "", false
}

// JSONSchema returns the JSON Schema of one kind (or "Config" for
// ibgitops.yaml); with name "" it returns one schema accepting any kind.
// It is generated from the same field tables the strict decoder uses.
func JSONSchema(name string) ([]byte, error) {
	var s jsonObject
	s.set("$schema", "http://json-schema.org/draft-07/schema#")
	if name == "" {
		s.set("$id", "https://github.com/ibgitops/ibgitops/schema/resource.json")
		s.set("title", "ibgitops resource")
		s.set("description", "any ibgitops resource file, selected by kind")
		var kinds []any
		for _, k := range Kinds {
			kinds = append(kinds, fieldSchema(Schema(k)))
		}
		s.set("oneOf", kinds)
	} else {
		f, canonical, ok := schemaField(name)
		if !ok {
			return nil, fmt.Errorf("unknown kind %q: use one of %s", name, strings.Join(KindNames(), ", "))
		}
		s.set("$id", "https://github.com/ibgitops/ibgitops/schema/"+canonical+".json")
		s.set("title", canonical)
		s = append(s, fieldSchema(f)...)
	}
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
