package gitlabhost

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

func TestPublishJUnitListsEveryExaminedFile(t *testing.T) {
	for _, c := range []struct {
		name     string
		findings []diag.Finding
		tests    string
		failures string
	}{
		{"clean", nil, `tests="3"`, `failures="0"`},
		{"one file with an error", []diag.Finding{{Rule: "r", Severity: diag.Error, File: "recipes/web.yaml", Line: 1, Message: "m"}}, `tests="3"`, `failures="1"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			h, err := New(&vcs.Context{Host: "GitLab"}, Options{Getenv: func(string) string { return "" }})
			if err != nil {
				t.Fatal(err)
			}
			r := &report.Report{Tool: "ibgitops test", Linted: true, Findings: c.findings,
				Files: []string{"components/a.yaml", "ibgitops.yaml", "recipes/web.yaml"}}
			if err := h.Publish(context.Background(), r, dir); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, JUnit))
			if err != nil {
				t.Fatal(err)
			}
			got := string(data)
			if !strings.Contains(got, "<testsuites name=\"ibgitops\" "+c.tests+" "+c.failures) || strings.Count(got, "<testcase ") != 3 {
				t.Errorf("junit.xml:\n%s", got)
			}
		})
	}
}
