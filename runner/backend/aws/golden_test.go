package aws

import (
	"flag"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/internal/testutil"
	"github.com/ibgitops/ibgitops/runner/backend"
)

var reWorkflowID = regexp.MustCompile(`wf-[0-9a-f-]{36}`)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGoldenOutput pins what users read: the progress of a pipeline run, a
// dry run, and the message of a failed build.
func TestGoldenOutput(t *testing.T) {
	cases := []struct {
		name   string
		faults ibfake.Faults
		dryRun bool
	}{
		{"progress-pipeline-run", ibfake.Faults{}, false},
		{"progress-dry-run", ibfake.Faults{}, true},
		{"failed-build", ibfake.Faults{FailStep: "RunTestComponents", FailReason: "Component 'arn:aws:imagebuilder:us-east-1:123456789012:component/comp-2/1.0.0/1' failed in phase 'test' at step 'Check': ExecuteBash exited with code 1."}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, ibfake.Options{})
			e.fake.SetFaults(tc.faults)
			req := request(repoFixture(2), "web", "web-pipeline")
			req.DryRun = tc.dryRun
			res, rec := runBuild(t, e.backend(t), req)
			var b strings.Builder
			b.WriteString(rec.text())
			b.WriteString("--- result\nstatus: " + string(res.Status) + "\nimage: " + res.Image + "\nmessage: " + res.Message + "\nlog: " + res.LogURL + "\n")
			for _, s := range append(append([]backend.StepResult{}, res.Steps...), res.Tests...) {
				b.WriteString("step: " + s.Phase + " " + s.Component + " " + s.Step + " " + s.Status + "\n")
			}
			got := reWorkflowID.ReplaceAllString(b.String(), "wf-<id>")
			testutil.Golden(t, filepath.Join("testdata", tc.name+".golden"), []byte(got), *update)
		})
	}
}
