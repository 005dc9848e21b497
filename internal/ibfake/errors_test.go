package ibfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// TestErrorsMatchModel drives every operation the fake implements with
// requests built from botocore's model (a minimal valid request, then each
// required member left out, each constrained member broken, each ARN
// given a malformed x.2.x version) and checks every error answered against
// the model: the code is one the operation lists (or one of the documented
// offModelErrors, never on the tag operations), the status is the error
// shape's, and header and body agree. A model update that narrows an
// operation's errors, or fake code that answers a new code, fails here.
func TestErrorsMatchModel(t *testing.T) {
	fake, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	m := fake.model
	ops := make([]string, 0, len(handlers))
	for op := range handlers {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	checked, versionChecked := 0, 0
	for _, name := range ops {
		op := m.Operations[name]
		allowed := map[string]bool{"AccessDeniedException": true}
		for _, e := range op.Errors {
			allowed[e.Shape] = true
		}
		if !tagOperations[name] {
			for _, c := range offModelErrors {
				allowed[c] = true
			}
		}
		g := &requestGen{m: m}
		base, ok := g.structure(op.Input.Shape)
		if !ok {
			t.Errorf("%s: no valid request could be built from the model", name)
			continue
		}
		for i, c := range g.cases(op.Input.Shape, base) {
			if _, ok := c.in["clientToken"]; ok {
				c.in["clientToken"] = fmt.Sprintf("token-%d", i) // each case a new call
			}
			status, code, msg := send(t, srv.URL, m, op, c.in)
			if status == http.StatusOK {
				continue
			}
			checked++
			where := fmt.Sprintf("%s (%s)", name, c.what)
			if !allowed[code] {
				t.Errorf("%s: answered %s (%q); the model lists %v", where, code, msg, errorNames(op))
			}
			if sh := m.Shapes[code]; sh == nil || !sh.Exception {
				t.Errorf("%s: %s is not an error shape of the model", where, code)
			} else if sh.Error.HTTPStatusCode != status {
				t.Errorf("%s: %s with status %d, the model says %d", where, code, status, sh.Error.HTTPStatusCode)
			}
			if c.version {
				versionChecked++
				if !strings.Contains(msg, "semantic version") || strings.Contains(msg, "does not exist") {
					t.Errorf("%s: a malformed version answered %s %q, want a version-format error", where, code, msg)
				}
			}
		}
	}
	if checked < 150 || versionChecked < 10 {
		t.Errorf("only %d error answers (%d malformed versions) checked", checked, versionChecked)
	}
}

func errorNames(op *Operation) []string {
	var out []string
	for _, e := range op.Errors {
		out = append(out, e.Shape)
	}
	return out
}

// send makes one request the way restJson1 binds the input members and
// returns the status, the error code (header and body must agree) and the
// message.
func send(t *testing.T, base string, m *Model, op *Operation, in map[string]any) (int, string, string) {
	t.Helper()
	path := op.HTTP.RequestURI
	body := map[string]any{}
	q := url.Values{}
	members := m.Shapes[op.Input.Shape].Members
	for k, v := range in {
		ref := members[k]
		switch ref.Location {
		case "uri":
			// The label is one path segment: '/' escaped, as the SDK does.
			path = strings.Replace(path, "{"+ref.LocationName+"}", url.PathEscape(fmt.Sprint(v)), 1)
		case "querystring":
			if list, ok := v.([]any); ok {
				for _, x := range list {
					q.Add(ref.LocationName, fmt.Sprint(x))
				}
			} else {
				q.Set(ref.LocationName, fmt.Sprint(v))
			}
		default:
			body[k] = v
		}
	}
	path = strings.Replace(path, "{resourceArn}", "", 1) // left out: an empty label
	raw, _ := json.Marshal(body)
	target := base + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := http.NewRequest(op.HTTP.Method, target, strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return resp.StatusCode, "", ""
	}
	var eb struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&eb)
	code := resp.Header.Get("X-Amzn-ErrorType")
	if code != eb.Type {
		t.Errorf("%s: header X-Amzn-ErrorType %q, body __type %q", op.Name, code, eb.Type)
	}
	return resp.StatusCode, code, eb.Message
}

// requestGen builds request members from the model's shapes.
type requestGen struct{ m *Model }

type errCase struct {
	what    string
	in      map[string]any
	version bool // a malformed version filter in an ARN
}

// arnCandidates are tried, in order, for a string member with a pattern:
// the first the pattern accepts is its valid value.
func arnCandidates() []string {
	var out []string
	for _, typ := range []string{"image-recipe", "container-recipe", "infrastructure-configuration", "distribution-configuration", "component", "image", "image-pipeline", "lifecycle-policy", "workflow/build"} {
		for _, tail := range []string{"", "/1.0.0", "/1.0.0/1"} {
			out = append(out, "arn:aws:imagebuilder:us-east-1:123456789012:"+typ+"/nope"+tail)
		}
	}
	return append(out, "name-1", "wf-01234567-89ab-cdef-0123-456789abcdef", "1.0.0", "ami-0123456789abcdef0", "optional", "t3.micro", "arn:aws:iam::123456789012:role/r", "s3://bucket/key", "abc")
}

func (g *requestGen) valid(shape string, depth int) (any, bool) {
	s := g.m.Shapes[shape]
	if depth > 6 {
		return nil, false
	}
	switch s.Type {
	case "structure":
		return g.structureAt(shape, depth)
	case "list":
		v, ok := g.valid(s.Member.Shape, depth+1)
		return []any{v}, ok
	case "map":
		k, ok1 := g.valid(s.Key.Shape, depth+1)
		v, ok2 := g.valid(s.Value.Shape, depth+1)
		return map[string]any{fmt.Sprint(k): v}, ok1 && ok2
	case "string":
		if len(s.Enum) > 0 {
			return s.Enum[0], true
		}
		for _, c := range append(arnCandidates(), "abcdef") {
			if g.m.Validate(shape, c, "") == nil {
				return c, true
			}
		}
		return nil, false
	case "integer", "long", "double":
		n := 1.0
		if s.Min != nil && *s.Min > n {
			n = *s.Min
		}
		return n, true
	case "boolean":
		return false, true
	case "timestamp":
		return 1.7e9, true
	}
	return nil, false
}

func (g *requestGen) structure(shape string) (map[string]any, bool) { return g.structureAt(shape, 0) }

// structureAt fills the required members (and clientToken, so a mutating
// call is realistic).
func (g *requestGen) structureAt(shape string, depth int) (map[string]any, bool) {
	s := g.m.Shapes[shape]
	out := map[string]any{}
	for _, req := range s.Required {
		v, ok := g.valid(s.Members[req].Shape, depth+1)
		if !ok {
			return nil, false
		}
		out[req] = v
	}
	return out, true
}

// cases are the requests to send for an input shape: the valid one, each
// required member left out, each top-level member broken, each ARN with a
// malformed version.
func (g *requestGen) cases(shape string, base map[string]any) []errCase {
	s := g.m.Shapes[shape]
	with := func(k string, v any) map[string]any {
		out := map[string]any{}
		for bk, bv := range base {
			out[bk] = bv
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	out := []errCase{{what: "minimal request", in: base}}
	for _, req := range s.Required {
		if req == "clientToken" {
			continue // the SDK always fills it
		}
		out = append(out, errCase{what: "without " + req, in: with(req, nil)})
	}
	names := make([]string, 0, len(s.Members))
	for k := range s.Members {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, bad := range g.invalid(s.Members[k].Shape) {
			out = append(out, errCase{what: fmt.Sprintf("%s=%.40v", k, bad), in: with(k, bad)})
		}
		if arn, ok := base[k].(string); ok && strings.HasPrefix(arn, "arn:aws:imagebuilder:") {
			if v := malformedVersion(arn); v != "" && g.m.Validate(s.Members[k].Shape, v, "") == nil {
				out = append(out, errCase{what: k + " with version x.2.x", in: with(k, v), version: true})
			}
		}
	}
	return out
}

// malformedVersion puts x.2.x, a filter with a number right of an x, in
// place of the ARN's version (or after its name when it has none).
func malformedVersion(arn string) string {
	p, ok := parseARN(arn)
	if !ok {
		return ""
	}
	return strings.SplitN(arn, "/"+p.name, 2)[0] + "/" + p.name + "/x.2.x"
}

// invalid are values the shape's constraints refuse.
func (g *requestGen) invalid(shape string) []any {
	s := g.m.Shapes[shape]
	var out []any
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			out = append(out, "NOT_IN_ENUM")
		}
		if s.re != nil && !s.re.MatchString("!bad value!") {
			out = append(out, "!bad value!")
		}
		if s.Max != nil && *s.Max < 2000 {
			out = append(out, strings.Repeat("a", int(*s.Max)+1))
		}
	case "integer", "long":
		if s.Max != nil {
			out = append(out, *s.Max+1)
		}
	case "list":
		if s.Max != nil && *s.Max < 100 {
			v, ok := g.valid(s.Member.Shape, 1)
			if ok {
				list := make([]any, int(*s.Max)+1)
				for i := range list {
					list[i] = v
				}
				out = append(out, list)
			}
		}
	}
	return out
}
