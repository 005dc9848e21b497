package toe

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testSecrets = map[string]string{
	"GITHUB_TOKEN":          "ghs_toeTestGithubTokenDoNotLeak0123",
	"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYtoeTEST",
	"AWS_SESSION_TOKEN":     `IQoJb3JpZ2luX2VjE"quote\back` + strings.Repeat("Z", 300),
	"CI_JOB_TOKEN":          "toeTestJobToken55",
	"ACTIONS_RUNTIME_TOKEN": "toeTestActionsRuntime77",
	"GITLAB_TOKEN":          "glpat-toeTestGitlab42",
	"MY_API_KEY":            "toeTestListedByIBGITOPS_SECRET_VARS",
	"MY_FLAG_SECRET":        "toeTestListedByTheOption",
}

func secretEnviron() []string {
	env := testEnviron("IBGITOPS_SECRET_VARS=MY_API_KEY", "SHORT_SECRET=abc")
	for k, v := range testSecrets {
		env = append(env, k+"="+v)
	}
	return env
}

// TestRedactWriterSplitsAnywhere writes streams holding secrets (in every
// escaping the output files use) cut at every possible place and in random
// chunks: no secret comes out, everything else comes out unchanged.
func TestRedactWriterSplitsAnywhere(t *testing.T) {
	r, short := newRedactor(secretEnviron(), []string{"MY_FLAG_SECRET", "SHORT_SECRET"})
	if len(short) != 1 || short[0] != "SHORT_SECRET" {
		t.Errorf("short secrets %v, want [SHORT_SECRET]", short)
	}
	rng := rand.New(rand.NewSource(7))
	for name, v := range testSecrets {
		for _, form := range []string{v, jsonInner(v), quoteInner(v), v + v, "x" + v[:len(v)-1]} {
			text := "before " + form + " middle " + v[:3] + " after"
			for cut := 0; cut <= len(text); cut++ {
				var out bytes.Buffer
				w := r.writer(&out)
				w.Write([]byte(text[:cut]))
				w.Write([]byte(text[cut:]))
				flush(w)
				checkRedacted(t, name, text, out.String())
			}
			var out bytes.Buffer
			w := r.writer(&out)
			for p := text; len(p) > 0; {
				k := 1 + rng.Intn(len(p))
				w.Write([]byte(p[:k]))
				p = p[k:]
			}
			flush(w)
			checkRedacted(t, name, text, out.String())
		}
	}
}

func checkRedacted(t *testing.T, name, in, out string) {
	t.Helper()
	for _, v := range testSecrets {
		for _, form := range []string{v, jsonInner(v), quoteInner(v)} {
			if strings.Contains(out, form) {
				t.Fatalf("%s: secret left in %q (from %q)", name, out, in)
			}
		}
	}
	if !strings.HasPrefix(out, "before ") || !strings.HasSuffix(out, " after") {
		t.Fatalf("%s: text around the secret changed: %q", name, out)
	}
}

// FuzzRedact: any text and any split point, no secret out.
func FuzzRedact(f *testing.F) {
	f.Add("token ghs_toeTestGithubTokenDoNotLeak0123 end", 10)
	f.Add("ghs_toeTestGithubTokenDoNotLeak0123ghs_toeTestGithubTokenDoNotLeak0123", 35)
	r, _ := newRedactor(secretEnviron(), []string{"MY_FLAG_SECRET"})
	f.Fuzz(func(t *testing.T, text string, cut int) {
		if cut < 0 || cut > len(text) {
			return
		}
		var out bytes.Buffer
		w := r.writer(&out)
		w.Write([]byte(text[:cut]))
		w.Write([]byte(text[cut:]))
		flush(w)
		whole := string(r.redact([]byte(text)))
		if out.String() != whole {
			t.Fatalf("streamed %q, whole %q", out.String(), whole)
		}
		for _, v := range testSecrets {
			if strings.Contains(whole, v) {
				t.Fatalf("secret left in %q", whole)
			}
		}
	})
}

// TestRunRedactsSecrets: a document that prints every secret (whole, split
// across writes, on stderr, chained into a later step, in a failure
// message, as an input) leaves none of them in any file of the log folder,
// on the console or in the summary. Before, all of them were written.
func TestRunRedactsSecrets(t *testing.T) {
	var cmds []string
	for name, v := range testSecrets {
		half := len(v) / 2
		cmds = append(cmds,
			fmt.Sprintf("echo \"$%s\"", name),
			fmt.Sprintf("echo \"$%s\" >&2", name),
			fmt.Sprintf("printf '%%s' \"${%s:0:%d}\"; sleep 0.05; printf '%%s\\n' \"${%s:%d}\"", name, half, name, half),
		)
	}
	var doc strings.Builder
	doc.WriteString("name: secrets\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Prints\n        action: ExecuteBash\n        inputs:\n          commands:\n")
	for _, c := range cmds {
		fmt.Fprintf(&doc, "            - %q\n", c)
	}
	doc.WriteString(`      - name: Chains
        action: ExecuteBash
        onFailure: Continue
        inputs:
          commands: ["echo '{{ build.Prints.outputs.stdout }}' > /dev/null; echo {{ env:GITHUB_TOKEN }}; exit 3"]
      - name: Fails
        action: Assert
        onFailure: Continue
        inputs:
          stringEquals: '{{ env:GITHUB_TOKEN }}'
          value: other
`)
	var console bytes.Buffer
	s, err := Run(context.Background(), Options{
		Documents: []DocumentSpec{{Path: writeDoc(t, doc.String())}}, LogDirectory: t.TempDir(),
		Environ: secretEnviron(), SecretVars: []string{"MY_FLAG_SECRET", "SHORT_SECRET"}, Console: &console, Trace: true, TraceOut: &console,
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.ExecutedStepCount != 3 {
		t.Fatalf("summary %+v", s)
	}
	outputs := map[string]string{"console/stderr": console.String(), "summary": fmt.Sprintf("%+v", *s)}
	filepath.WalkDir(s.LogURL, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			outputs[filepath.Base(p)] = string(b)
		}
		return nil
	})
	for _, f := range []string{"console.log", "detailedoutput.json", "application.log", "chaining.json", "document.yaml"} {
		if _, ok := outputs[f]; !ok {
			t.Errorf("%s was not written", f)
		}
	}
	for where, text := range outputs {
		for name, v := range testSecrets {
			for _, form := range []string{v, jsonInner(v), quoteInner(v)} {
				if strings.Contains(text, form) {
					t.Errorf("%s holds the value of %s", where, name)
				}
			}
		}
	}
	if !strings.Contains(outputs["console.log"], "[REDACTED:GITHUB_TOKEN]") || !strings.Contains(outputs["detailedoutput.json"], "[REDACTED:MY_API_KEY]") {
		t.Errorf("the redaction marker must name the variable")
	}
	if !strings.Contains(outputs["application.log"], "SHORT_SECRET") {
		t.Errorf("application.log must say a listed secret was too short to redact")
	}
}
