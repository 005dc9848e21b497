package toe

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
)

// corpusDir holds real component documents collected from public
// repositories (outside this repository; tests skip when it is absent).
// IBGITOPS_CORPUS_DIR overrides it (e.g. from a git worktree elsewhere).
var corpusDir = func() string {
	if d := os.Getenv("IBGITOPS_CORPUS_DIR"); d != "" {
		return d
	}
	return "../../../shared/corpus/components"
}()

func corpusFiles(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	if len(files) == 0 {
		t.Skipf("no corpus at %s: nothing to check", corpusDir)
	}
	return files
}

// corpusPlatforms reads each document's platform from the corpus's
// SOURCES.md (`file | repository | path | commit | licence | platform | ...`).
func corpusPlatforms(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, "..", "SOURCES.md"))
	if err != nil {
		t.Skipf("no SOURCES.md next to the corpus: %v", err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, " | ")
		if !strings.HasPrefix(line, "- `") || len(f) < 6 {
			continue
		}
		out[strings.Trim(strings.TrimPrefix(f[0], "- "), "`")] = strings.TrimSpace(f[5])
	}
	return out
}

// generatorTemplates are the published documents that reference steps
// they do not have, because a generator inserts those steps before upload:
// they validate only with --allow-missing-steps.
var generatorTemplates = map[string]string{
	// pcluster adds the ScriptUrlScheme and ScriptUrl steps.
	"aws__aws-parallelcluster__cli_src_pcluster_resources_imagebuilder_custom_script.yaml": "toe-unknown-reference",
}

// TestCorpusValidates46: every real document validates, from this Linux
// machine, for the platform it was written for (--platform): 46 of 46.
// Without --platform, the Windows documents are refused by the platform
// rule only; without --allow-missing-steps, exactly the generator
// templates are refused, by the unknown-reference rule only.
func TestCorpusValidates46(t *testing.T) {
	files := corpusFiles(t)
	platforms := corpusPlatforms(t)
	valid := 0
	for _, f := range files {
		name := filepath.Base(f)
		platform, ok := platforms[name]
		if !ok {
			t.Errorf("%s: no platform in SOURCES.md", name)
			continue
		}
		errorsFor := func(platform string, allow bool) map[string]bool {
			vo, err := toedoc.ValidateFor(platform, allow)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			_, _, findings, err := toedoc.LoadDocumentFor(f, vo)
			if err != nil {
				t.Fatal(err)
			}
			rules := map[string]bool{}
			for _, fd := range findings {
				if fd.Severity == diag.Error {
					rules[fd.Rule] = true
				}
			}
			return rules
		}
		_, generated := generatorTemplates[name]
		if errs := errorsFor(platform, generated); len(errs) > 0 {
			t.Errorf("%s: invalid for %s: %v", name, platform, errs)
			continue
		}
		valid++
		if errs := errorsFor(platform, false); generated != (len(errs) > 0) || generated && !errs[generatorTemplates[name]] || len(errs) > 1 {
			t.Errorf("%s: without --allow-missing-steps: errors %v (generator template: %t)", name, errs, generated)
		}
		if platform != toedoc.HostPlatform() {
			if errs := errorsFor("", generated); !errs["toe-platform"] || len(errs) != 1 {
				t.Errorf("%s (%s) validated for this machine: errors %v, want only toe-platform", name, platform, errs)
			}
		}
	}
	if valid != 46 || len(files) != 46 {
		t.Errorf("%d of %d corpus documents validate, want 46 of 46", valid, len(files))
	}
	t.Logf("%d of %d corpus documents validate for their platform", valid, len(files))
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
