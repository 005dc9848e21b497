package runner

import (
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/runner/backend"
)

// TestBuildSummaryExitCodes: a failing step shows its exit code only when
// one is known; 0 means unknown (Image Builder reports none) and is never
// printed as "exit 0" next to a message that says otherwise.
func TestBuildSummaryExitCodes(t *testing.T) {
	cases := []struct {
		name    string
		step    backend.StepResult
		want    string
		mustNot string
	}{
		{"known", backend.StepResult{Phase: "build", Component: "hardening", Step: "Install", Status: "failed", ExitCode: 3, Message: "exit status 3"},
			"build hardening / Install (exit 3): exit status 3", ""},
		{"unknown", backend.StepResult{Phase: "build", Step: "ApplyBuildComponents", Status: "failed", Message: "Step ApplyBuildComponents failed: the command exited with code 1."},
			"build  / ApplyBuildComponents: Step ApplyBuildComponents failed", "exit 0"},
	}
	for _, c := range cases {
		var b strings.Builder
		writeBuildSummary(&b, []backend.Result{{Recipe: "web", Version: "1.0.0", Status: backend.StatusFailed, Message: "failed", Steps: []backend.StepResult{c.step}}})
		if !strings.Contains(b.String(), c.want) || c.mustNot != "" && strings.Contains(b.String(), c.mustNot) {
			t.Errorf("%s:\n%s\nwant %q (and no %q)", c.name, b.String(), c.want, c.mustNot)
		}
	}
}

// TestInterruptSummary: after an interrupt the command says what each
// backend cancelled and kept, not a blanket "removed".
func TestInterruptSummary(t *testing.T) {
	cases := []struct {
		results []backend.Result
		want    string
	}{
		{nil, "no build was running; nothing was cancelled"},
		{[]backend.Result{
			{Recipe: "base", Version: "1.0.0", Status: backend.StatusSucceeded},
			{Recipe: "web", Version: "2.0.0", Status: backend.StatusCancelled, Message: "interrupted: cancelled the image build(s) this run started (...): arn:...:image/web/2.0.0/1; kept in Image Builder (the next run reuses them): CreateImageRecipe web@2.0.0"},
		}, "web 2.0.0: interrupted: cancelled the image build(s) this run started (...): arn:...:image/web/2.0.0/1; kept in Image Builder (the next run reuses them): CreateImageRecipe web@2.0.0"},
	}
	for _, c := range cases {
		got := interruptSummary(c.results)
		if got != c.want || strings.Contains(got, "was removed") {
			t.Errorf("interruptSummary = %q, want %q", got, c.want)
		}
	}
}
