package awstoe_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/internal/testutil"
	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/ibgitops/ibgitops/recipes/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var (
	wantRE     = regexp.MustCompile(`(?m)^#\s*want:\s*(\S+)`)
	platformRE = regexp.MustCompile(`(?m)^#\s*platform:\s*(\S+)`)
)

// check parses and validates a document as lint does.
func check(data []byte, file, platform string) []diag.Finding {
	d, fs := awstoe.Parse(data, file)
	fs = append(fs, d.Validate(awstoe.ValidateOptions{Platform: platform})...)
	diag.Sort(fs)
	return fs
}

func render(fs []diag.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	testutil.Golden(t, path, []byte(got), *update)
}

// TestCases runs every testdata/cases/*.yaml: each states the rules it
// expects inline (# want: rule-id, once per expected finding of that
// rule) and the platform (# platform: Linux); the full findings text is
// compared with the .golden file next to it.
func TestCases(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test cases in testdata/cases: %v", err)
	}
	covered := map[string]bool{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			platform := ""
			if m := platformRE.FindSubmatch(data); m != nil {
				platform = string(m[1])
			}
			fs := check(data, filepath.Base(file), platform)
			want := map[string]int{}
			for _, m := range wantRE.FindAllSubmatch(data, -1) {
				want[string(m[1])]++
			}
			if len(want) == 0 {
				t.Fatalf("%s states no '# want: rule-id'", file)
			}
			got := map[string]int{}
			for _, f := range fs {
				got[f.Rule]++
				covered[f.Rule] = true
				if f.Line == 0 && f.Rule != awstoe.RuleTooLarge {
					t.Errorf("finding without a line: %s", f)
				}
				if _, ok := awstoe.RuleByID(f.Rule); !ok {
					t.Errorf("rule %s is not in awstoe.Rules", f.Rule)
				}
			}
			for rule, n := range want {
				if got[rule] != n {
					t.Errorf("want %d finding(s) of %s, got %d:\n%s", n, rule, got[rule], render(fs))
				}
			}
			for rule := range got {
				if want[rule] == 0 {
					t.Errorf("unexpected finding(s) of %s:\n%s", rule, render(fs))
				}
			}
			golden(t, strings.TrimSuffix(file, ".yaml")+".golden", render(fs))
		})
	}
	if t.Failed() || *update {
		return
	}
	for _, r := range awstoe.Rules {
		if !covered[r.ID] {
			t.Errorf("rule %s has no failing case in testdata/cases", r.ID)
		}
	}
}

// TestValid: realistic documents that use every feature must have no
// findings at all.
func TestValid(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no documents in testdata/valid")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			d, fs := awstoe.Parse(data, filepath.Base(file))
			platform := awstoe.InferPlatform(d)
			if m := platformRE.FindSubmatch(data); m != nil {
				platform = string(m[1])
			}
			fs = append(fs, d.Validate(awstoe.ValidateOptions{Platform: platform})...)
			if len(fs) != 0 {
				t.Errorf("want no findings, got:\n%s", render(fs))
			}
		})
	}
}

// TestCorpus: every published component in ../shared/corpus/components
// must parse and validate without error findings.
func TestCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "components")
	files, _ := filepath.Glob(filepath.Join(dir, "*.y*ml"))
	if len(files) == 0 {
		t.Skipf("corpus folder %s is absent or empty; nothing to check", dir)
	}
	declared := sourcePlatforms(filepath.Join(dir, "..", "SOURCES.md"))
	platforms := map[string]int{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			d, fs := awstoe.Parse(data, filepath.Base(file))
			if d == nil {
				t.Fatalf("not parsed:\n%s", render(fs))
			}
			platform := awstoe.InferPlatform(d)
			if platform == "" {
				platform = awstoe.PlatformLinux
			}
			platforms[platform]++
			if want, ok := declared[filepath.Base(file)]; ok && want != platform {
				t.Errorf("inferred platform %s, SOURCES.md says %s", platform, want)
			}
			strict := d.Validate(awstoe.ValidateOptions{Platform: platform})
			if generatorTemplates[filepath.Base(file)] {
				// Refused as it stands (a reference to a step the
				// generator inserts), accepted with --allow-missing-steps.
				if !hasError(strict, "toe-unknown-reference") {
					t.Errorf("a generator template must be refused without --allow-missing-steps:\n%s", render(strict))
				}
				strict = d.Validate(awstoe.ValidateOptions{Platform: platform, AllowMissingSteps: true})
			}
			fs = append(fs, strict...)
			var errs []diag.Finding
			for _, f := range fs {
				if f.Severity == diag.Error {
					errs = append(errs, f)
				}
			}
			if len(errs) > 0 {
				t.Errorf("%s document has error findings:\n%s", platform, render(errs))
			}
		})
	}
	t.Logf("corpus: %d documents (%v), %d platforms cross-checked against SOURCES.md", len(files), platforms, len(declared))
}

// generatorTemplates are the published documents that reference steps
// they lack because a generator inserts them before upload (runner/toe
// names the same ones): valid only with --allow-missing-steps.
var generatorTemplates = map[string]bool{
	// pcluster adds the ScriptUrlScheme and ScriptUrl steps.
	"aws__aws-parallelcluster__cli_src_pcluster_resources_imagebuilder_custom_script.yaml": true,
}

func hasError(findings []diag.Finding, rule string) bool {
	for _, f := range findings {
		if f.Severity == diag.Error && f.Rule == rule {
			return true
		}
	}
	return false
}

// sourcePlatforms reads the platform column of the corpus's SOURCES.md
// ("- `file` | repo | path | commit | licence | platform | ..."); empty
// when the file is absent.
func sourcePlatforms(path string) map[string]string {
	out := map[string]string{}
	data, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Split(line, " | ")
		if !strings.HasPrefix(line, "- `") || len(fields) < 6 {
			continue
		}
		out[strings.Trim(strings.TrimPrefix(fields[0], "- "), "`")] = strings.TrimSpace(fields[5])
	}
	return out
}

func TestRulesTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range awstoe.Rules {
		if !strings.HasPrefix(r.ID, "toe-") {
			t.Errorf("rule %s lacks the toe- prefix", r.ID)
		}
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Description == "" || (r.Severity != diag.Error && r.Severity != diag.Warning) {
			t.Errorf("rule %s needs a description and a severity", r.ID)
		}
	}
}

func TestActionsTable(t *testing.T) {
	// The 30 modules of awstoe.md section 3 (CDK enum).
	want := strings.Fields(`AppendFile Assert CopyFile CopyFolder CreateFile CreateFolder CreateSymlink
		DeleteFile DeleteFolder ExecuteBash ExecuteBinary ExecuteDocument ExecutePowerShell InstallMSI
		ListFiles MoveFile MoveFolder ReadFile Reboot S3Download S3Upload SetFileEncoding SetFileOwner
		SetFilePermissions SetFolderOwner SetFolderPermissions SetRegistry UninstallMSI UpdateOS WebDownload`)
	got := awstoe.ActionNames()
	if !sort.StringsAreSorted(got) {
		t.Errorf("Actions is not sorted by name: %v", got)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("actions\n got %v\nwant %v", got, want)
	}
	windowsOnly := map[string]bool{"ExecutePowerShell": true, "InstallMSI": true, "UninstallMSI": true, "SetRegistry": true}
	notWindows := map[string]bool{"ExecuteBash": true, "CreateSymlink": true, "SetFileOwner": true, "SetFolderOwner": true, "SetFilePermissions": true, "SetFolderPermissions": true}
	listShaped := map[string]bool{}
	for _, n := range strings.Fields(`AppendFile CopyFile CopyFolder CreateFile CreateFolder CreateSymlink DeleteFile DeleteFolder
		ListFiles MoveFile MoveFolder ReadFile SetFileEncoding SetFileOwner SetFolderOwner SetFilePermissions
		SetFolderPermissions SetRegistry S3Download S3Upload WebDownload`) {
		listShaped[n] = true
	}
	for _, name := range want {
		a, ok := awstoe.LookupAction(name)
		if !ok {
			t.Fatalf("LookupAction(%q) failed", name)
		}
		if got := a.SupportsPlatform(awstoe.PlatformLinux); got == windowsOnly[name] {
			t.Errorf("%s: Linux support = %v", name, got)
		}
		if got := a.SupportsPlatform(awstoe.PlatformWindows); got == notWindows[name] {
			t.Errorf("%s: Windows support = %v", name, got)
		}
		if (a.Shape == awstoe.ShapeList) != listShaped[name] {
			t.Errorf("%s: list-shaped inputs = %v", name, a.Shape == awstoe.ShapeList)
		}
	}
	if _, ok := awstoe.LookupAction("executebash"); ok {
		t.Error("action names are case-sensitive")
	}
}
