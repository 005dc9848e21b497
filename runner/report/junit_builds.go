package report

import (
	"fmt"
	"io"
	"time"

	"github.com/ibgitops/ibgitops/runner/backend"
)

// WriteBuildsJUnit writes the builds as JUnit XML: one suite per recipe,
// one case per build step and test (failures carry the step's message and
// log tail), so CI hosts show image tests next to unit tests. It reuses the
// lint printer's JUnit types.
func WriteBuildsJUnit(w io.Writer, r *Report) error {
	suites := junitSuites{Name: "ibgitops builds"}
	for _, b := range r.SortedBuilds() {
		s := junitSuite{Name: fmt.Sprintf("%s %s", b.Recipe, b.Version)}
		add := func(kind string, st backend.StepResult) {
			c := junitCase{Name: stepName(st), Classname: fmt.Sprintf("%s.%s", b.Recipe, kind)}
			if isFailure(st.Status) {
				msg := st.Message
				if msg == "" {
					msg = fmt.Sprintf("%s failed", st.Step)
					if st.ExitCode != 0 {
						msg += fmt.Sprintf(" (exit %d)", st.ExitCode)
					}
				}
				c.Failure = &junitFailure{Message: msg, Type: st.Status, Text: TailRunes(st.LogTail, 20000)}
				s.Fails++
			}
			s.Cases = append(s.Cases, c)
			s.Tests++
		}
		for _, st := range b.Steps {
			add("build", st)
		}
		for _, st := range b.Tests {
			add("test", st)
		}
		// The build as a whole is a case too, so a build that failed before
		// any step (or was not built) still shows.
		whole := junitCase{Name: "build " + b.Version, Classname: b.Recipe,
			SystemOut: fmt.Sprintf("status %s, image %s, took %s", b.Status, b.Image, Duration(nonNegative(b.Finished.Sub(b.Started))))}
		if b.Status != backend.StatusSucceeded && b.Status != backend.StatusSkipped {
			whole.Failure = &junitFailure{Message: orText(b.Message, string(b.Status)), Type: string(b.Status)}
			s.Fails++
		}
		s.Cases = append(s.Cases, whole)
		s.Tests++
		suites.Suites = append(suites.Suites, s)
		suites.Tests += s.Tests
		suites.Fails += s.Fails
	}
	return writeJUnit(w, suites)
}

func stepName(st backend.StepResult) string {
	name := st.Phase + " " + st.Step
	if st.Component != "" {
		name = st.Component + ": " + name
	}
	return name
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func nonNegative(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}
