package ibfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServeHTTP sends arbitrary bodies and query strings to every
// operation: the fake must never panic and must always answer a JSON
// object, with X-Amzn-ErrorType on errors.
func FuzzServeHTTP(f *testing.F) {
	fake, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	ops := fake.model.OperationNames()
	f.Add(uint8(0), `{}`, "")
	f.Add(uint8(10), `{"name":"abc","semanticVersion":"1.0.0","platform":"Linux","data":"schemaVersion: 1.0\nphases: [{name: build, steps: []}]","clientToken":"t"}`, "")
	f.Add(uint8(20), `{"name":"abc","semanticVersion":"1.x.x","parentImage":"arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x","clientToken":"t","components":[{"componentArn":"arn:aws:imagebuilder:us-east-1:123456789012:component/abc/1.0.0/1","parameters":[{"name":"p","value":["v"]}]}]}`, "")
	f.Add(uint8(30), `{"maxResults":3,"nextToken":"eA","filters":[{"name":"name","values":["abc"]}]}`, "")
	f.Add(uint8(40), ``, "imageBuildVersionArn=arn%3Aaws%3Aimagebuilder%3Aus-east-1%3A123456789012%3Aimage%2Fa%2F1.0.0%2F1")
	f.Add(uint8(50), `{"tags":{"k":"v"}}`, "tagKeys=k")
	f.Fuzz(func(t *testing.T, opIndex uint8, body, query string) {
		op := fake.model.Operations[ops[int(opIndex)%len(ops)]]
		path := op.HTTP.RequestURI
		if strings.Contains(path, "{resourceArn}") {
			path = "/tags/arn%3Aaws%3Aimagebuilder%3Aus-east-1%3A123456789012%3Aimage-pipeline%2Fp"
		}
		req := httptest.NewRequest(op.HTTP.Method, path, strings.NewReader(body))
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		fake.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %q", op.HTTP.Method, path, rec.Body.String())
		}
		if rec.Code != http.StatusOK && rec.Header().Get("X-Amzn-ErrorType") == "" {
			t.Fatalf("%s: status %d without X-Amzn-ErrorType", op.Name, rec.Code)
		}
	})
}
