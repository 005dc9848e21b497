package reconcile

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/report/escape/escapetest"
)

// TestPrintersEscapeHostileText: names, messages and live field values come
// from the repository and from the backend (a console edit can put anything
// into a pipeline's description), so no printer may let them start a
// workflow command, reach the terminal as raw control characters or break
// a markdown table row.
func TestPrintersEscapeHostileText(t *testing.T) {
	for _, h := range escapetest.Hostile {
		entry := func(state State) Entry {
			return Entry{Kind: recipes.KindPipeline, Name: h, Version: h, File: h, Line: 1, State: state, Message: h, ID: h,
				Fields: []FieldChange{{Field: h, Live: h, Desired: map[string]any{h: h}}}}
		}
		s := &Status{Backend: "aws", Entries: []Entry{entry(Drifted), entry(NotInGit), entry(Missing)}}
		p := &Plan{Retries: map[string]string{h: h}, Updates: []Entry{entry(Drifted)}, AfterBuilds: []Entry{entry(Drifted)},
			Blocked: []Entry{entry(VersionTaken)}, Unreached: []Unreached{{Recipe: h, Version: h, Image: h, Distribution: h, Command: h}}}
		for name, write := range map[string]func(*bytes.Buffer) error{
			"text":     func(b *bytes.Buffer) error { return WriteText(b, s) },
			"json":     func(b *bytes.Buffer) error { return WriteJSON(b, s) },
			"markdown": func(b *bytes.Buffer) error { return WriteMarkdown(b, s) },
			"plan":     func(b *bytes.Buffer) error { return WritePlanText(b, p) },
		} {
			var buf bytes.Buffer
			if err := write(&buf); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			escapetest.AssertClean(t, buf.String(), nil)
			if name != "markdown" {
				continue
			}
			for _, row := range strings.Split(buf.String(), "\n") {
				if strings.HasPrefix(row, "|") && escapetest.TableSeparators(row) != 6 {
					t.Errorf("%q: row has %d cell separators, want 6: %s", h, escapetest.TableSeparators(row), row)
				}
			}
		}
	}
}
