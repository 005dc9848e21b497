package recipes

import (
	"github.com/ibgitops/ibgitops/recipes/awstoe"
)

// documentSchema describes an AWSTOE document (a component's `document`)
// from the tables recipes/awstoe validates with: the keys of documents,
// parameters, constants, phases, steps and loops, the action enum and each
// action's inputs. Where the validator only warns (unknown inputs, phase
// names) or takes {{ }} expressions, the schema stays open, so that an
// editor never rejects what lint accepts.
func documentSchema(doc string) jsonObject {
	var s jsonObject
	if doc != "" {
		s.set("description", doc)
	}
	s.set("type", "object")
	s.set("properties", jsonObject{
		{"name", toeScalar("document name")},
		{"description", toeScalar("")},
		{"schemaVersion", jsonObject{{"description", "1.0, the only version AWSTOE supports"},
			{"anyOf", []any{jsonObject{{"enum", []string{"1.0", "1"}}}, jsonObject{{"const", 1}}}}}},
		{"parameters", namedDecls("parameters: each a single-key mapping {Name: {type, default, description}}", awstoe.ParameterKeys())},
		{"constants", namedDecls("constants: each a single-key mapping {Name: {type, value}}", awstoe.ConstantKeys())},
		{"phases", jsonObject{{"description", "phases (build, validate, test) with their steps"}, {"type", "array"},
			{"items", append(closedObject(awstoe.PhaseKeys(), map[string]any{
				"name":  toeScalar("build, validate or test"),
				"steps": jsonObject{{"type", "array"}, {"items", stepSchema()}},
			}), jsonMember{"required", []string{"name"}})}}},
	})
	s.set("required", []string{"schemaVersion", "phases"})
	s.set("additionalProperties", false)
	return s
}

// toeScalar is a scalar AWSTOE reads as text (a number or boolean is
// taken as its text).
func toeScalar(doc string) jsonObject {
	var s jsonObject
	if doc != "" {
		s.set("description", doc)
	}
	s.set("anyOf", []any{jsonObject{{"type", "string"}}, jsonObject{{"type", "number"}}, jsonObject{{"type", "boolean"}}})
	return s
}

// closedObject is a mapping of exactly the keys given (the validator's
// unknown-key error), each described by props (anything when absent).
func closedObject(keys []string, props map[string]any) jsonObject {
	var p jsonObject
	for _, k := range keys {
		v, ok := props[k]
		if !ok {
			v = true
		}
		p.set(k, v)
	}
	return jsonObject{{"type", "object"}, {"properties", p}, {"additionalProperties", false}}
}

func namedDecls(doc string, keys []string) jsonObject {
	return jsonObject{{"description", doc}, {"type", "array"}, {"items", jsonObject{
		{"type", "object"}, {"minProperties", 1}, {"maxProperties", 1},
		{"additionalProperties", closedObject(keys, nil)},
	}}}
}

func stepSchema() jsonObject {
	loop := closedObject(awstoe.LoopKeys(), map[string]any{
		"name": toeScalar("loop name, for {{ name.index }} / {{ name.value }}"),
		"for": jsonObject{{"type", "object"}, {"properties", func() jsonObject {
			var p jsonObject
			for _, k := range awstoe.ForKeys() {
				p.set(k, jsonObject{{"type", "integer"}})
			}
			return p
		}()}, {"required", awstoe.ForKeys()}, {"additionalProperties", false}},
		"forEach": jsonObject{{"anyOf", []any{
			jsonObject{{"type", "array"}},
			closedObject(awstoe.ForEachKeys(), nil),
		}}},
	})
	s := closedObject(awstoe.StepKeys(), map[string]any{
		"name":           toeScalar("step name: letters, digits, - and _"),
		"action":         jsonObject{{"description", "the action module"}, {"type", "string"}, {"enum", awstoe.ActionNames()}},
		"timeoutSeconds": jsonObject{{"type", "integer"}},
		"maxAttempts":    jsonObject{{"type", "integer"}},
		"onFailure":      jsonObject{{"type", "string"}, {"enum", awstoe.OnFailureValues()}},
		"if":             jsonObject{{"description", "a condition: comparison or and/or/not"}, {"type", "object"}},
		"loop":           loop,
	})
	var perAction []any
	for _, name := range awstoe.ActionNames() {
		a, _ := awstoe.LookupAction(name)
		then := jsonObject{{"type", "object"}, {"properties", jsonObject{{"inputs", actionInputs(a)}}}}
		if !a.InputsOptional {
			then.set("required", []string{"inputs"})
		}
		perAction = append(perAction, jsonObject{
			{"if", jsonObject{{"type", "object"}, {"properties", jsonObject{{"action", jsonObject{{"const", name}}}}}, {"required", []string{"action"}}}},
			{"then", then},
		})
	}
	s.set("required", []string{"name", "action"})
	s.set("allOf", perAction)
	return s
}

// actionInputs is the inputs: of one action. Unknown inputs are allowed
// (AWSTOE ignores them; lint warns); every typed input also takes a
// {{ }} expression as text.
func actionInputs(a *awstoe.Action) jsonObject {
	var props jsonObject
	var req []string
	for _, in := range a.Inputs {
		props.set(in.Name, inputSchema(in))
		if in.Required {
			req = append(req, in.Name)
		}
	}
	one := jsonObject{{"type", "object"}, {"properties", props}}
	if len(req) > 0 {
		one.set("required", req)
	}
	switch a.Shape {
	case awstoe.ShapeList:
		return jsonObject{{"description", a.Name + " inputs: a list of mappings, processed in order"}, {"type", "array"}, {"items", one}}
	case awstoe.ShapeCondition:
		return jsonObject{{"description", a.Name + " inputs: one comparison or and/or/not"}, {"type", "object"}}
	}
	one = append(jsonObject{{"description", a.Name + " inputs"}}, one...)
	return one
}

func inputSchema(in awstoe.InputSpec) jsonObject {
	text := []any{jsonObject{{"type", "string"}}, jsonObject{{"type", "number"}}, jsonObject{{"type", "boolean"}}}
	var alts []any
	switch in.Type {
	case awstoe.TypeStringList:
		alts = []any{jsonObject{{"type", "array"}, {"items", jsonObject{{"anyOf", text}}}}, jsonObject{{"type", "string"}}}
	case awstoe.TypeStringMap:
		alts = []any{jsonObject{{"type", "object"}}, jsonObject{{"type", "string"}}}
	case awstoe.TypeNameValueList:
		alts = []any{jsonObject{{"type", "array"}, {"items", jsonObject{{"type", "object"}}}}, jsonObject{{"type", "string"}}}
	case awstoe.TypeScalarOrList:
		alts = append(text, jsonObject{{"type", "array"}})
	default: // strings, booleans, integers: a literal or an expression
		alts = text
	}
	return jsonObject{{"description", in.Type.String()}, {"anyOf", alts}}
}
