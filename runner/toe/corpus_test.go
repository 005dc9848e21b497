package toe

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/ibgitops/ibgitops/recipes/diag"
)

// corpusDir holds real component documents collected from public
// repositories (outside this repository; tests skip when it is absent).
const corpusDir = "../../../shared/corpus/components"

func corpusFiles(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	if len(files) == 0 {
		t.Skipf("no corpus at %s: nothing to check", corpusDir)
	}
	return files
}

// TestCorpusValidates: every real document validates for Linux, or, when
// it uses Windows-only modules, validates for Windows and is refused on
// Linux only by the platform rule.
func TestCorpusValidates(t *testing.T) {
	for _, f := range corpusFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, data, findings, err := LoadDocument(f)
			if err != nil {
				t.Fatal(err)
			}
			var other []diag.Finding
			platformOnly := false
			for _, fd := range findings {
				if fd.Severity != diag.Error {
					continue
				}
				if fd.Rule == "toe-platform" {
					platformOnly = true
					continue
				}
				other = append(other, fd)
			}
			if len(other) > 0 {
				t.Fatalf("validation errors: %v", other)
			}
			if platformOnly {
				doc, _ := awstoe.Parse(data, f)
				for _, fd := range doc.Validate(awstoe.ValidateOptions{Platform: awstoe.PlatformWindows}) {
					if fd.Severity == diag.Error {
						t.Errorf("refused on Linux but invalid on Windows too: %s", fd)
					}
				}
			}
		})
	}
}

// TestCorpusRuns runs the real documents that only touch a temporary home
// folder (or a faked package manager) and checks their outputs.
func TestCorpusRuns(t *testing.T) {
	corpusFiles(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	cases := []struct {
		name   string
		file   string
		params []Param
		phases []string
		tools  []string // faked on PATH
		runs   []int    // exit code of each run with the same state directory
	}{
		{name: "hello_world", file: "aws-samples__amazon-ec2-image-builder-samples__CDK_Linux_hello-world_example-component_hello-world-component.yaml", runs: []int{0}},
		{name: "parameters", file: "awsdocs__ec2-image-builder-user-guide__doc_source_manage-component-parameters__block0-HelloWorldTestingDocument-Linux.yaml",
			params: []Param{{Name: "MyInputParameter", Value: "overridden"}}, phases: []string{"test", "build"}, runs: []int{0}},
		// Its test phase has an unterminated quote (`echo "Hello World! Test.`)
		// and fails under bash, so only build and validate run here.
		{name: "update_os", file: "aws-samples__cdk-image-pipeline__test_test_component_example.yaml", tools: []string{"apt-get"},
			phases: []string{"build", "validate"}, runs: []int{0}},
		{name: "broken_test_phase", file: "aws-samples__cdk-image-pipeline__test_test_component_example.yaml", tools: []string{"apt-get"},
			phases: []string{"test"}, runs: []int{1}},
		{name: "exit_194", file: "awsdocs__ec2-image-builder-user-guide__doc_source_toe-action-modules__block0-ExitCode194Example.yaml", runs: []int{RebootExitCode, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			environ := testEnviron("HOME=" + dir)
			if tc.tools != nil {
				bin, _ := fakeTools(t, tc.tools...)
				if err := os.Symlink(bash, filepath.Join(bin, "bash")); err != nil {
					t.Fatal(err)
				}
				environ = []string{"PATH=" + bin, "HOME=" + dir}
			}
			state := t.TempDir()
			var last *Summary
			for i, want := range tc.runs {
				s, _ := runCase(t, dir, Options{
					Documents: []DocumentSpec{{Path: filepath.Join(corpusDir, tc.file)}}, Parameters: tc.params,
					Phases: tc.phases, ExecutionID: "corpus-" + tc.name, Environ: environ, StateDirectory: state,
				})
				if got := ExitCode(s); got != want {
					console, _ := os.ReadFile(filepath.Join(s.LogURL, "console.log"))
					t.Fatalf("run %d: exit %d, want %d: %+v\n%s", i+1, got, want, s, console)
				}
				last = s
			}
			golden(t, "corpus_"+tc.name+".txt", strings.ReplaceAll(caseOutput(t, dir, last), corpusDir, "<corpus>"))
		})
	}
}
