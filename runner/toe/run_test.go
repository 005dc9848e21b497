package toe

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"github.com/ibgitops/ibgitops/internal/testutil"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testEnviron is the environment the test documents run with.
func testEnviron(extra ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"LC_ALL=C",
		"TOE_TEST_VALUE=from-env",
	}, extra...)
}

// runCase runs documents with Dir=<tmp> and returns the summary and the log folder.
func runCase(t *testing.T, dir string, opts Options) (*Summary, string) {
	t.Helper()
	if opts.LogDirectory == "" {
		opts.LogDirectory = t.TempDir()
		logDirs[dir] = opts.LogDirectory
	}
	if opts.Environ == nil {
		opts.Environ = testEnviron()
	}
	opts.Parameters = append(opts.Parameters,
		Param{Name: "Dir", Value: dir},
		Param{Name: "Uid", Value: strconv.Itoa(os.Getuid())},
		Param{Name: "Gid", Value: strconv.Itoa(os.Getgid())})
	if opts.RetryBackoff == 0 {
		opts.RetryBackoff = time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Run(ctx, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return s, s.LogURL
}

// logDirs maps a case's work folder to its log folder (tests of one
// package run sequentially unless they call t.Parallel).
var logDirs = map[string]string{}

var (
	reTime    = regexp.MustCompile(`"(startTime|endTime)": "[^"]*"`)
	reLogDir  = regexp.MustCompile(`TOE_\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_UTC-0_`)
	reDateISO = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
	reScript  = regexp.MustCompile(`\S*ibgitops-toe-\d+/input-\d+\.sh`)
)

// normalise makes a run's outputs comparable: times, the temp folder and
// the log folder's timestamp are replaced by placeholders.
func normalise(s, dir string) string {
	if logs, ok := logDirs[dir]; ok {
		s = strings.ReplaceAll(s, logs, "<logs>")
	}
	s = strings.ReplaceAll(s, dir, "<dir>")
	for _, key := range []string{"owner", "group"} {
		for _, id := range []int{os.Getuid(), os.Getgid()} {
			s = strings.ReplaceAll(s, `\"`+key+`\":\"`+strconv.Itoa(id)+`\"`, `\"`+key+`\":\"<id>\"`)
		}
	}
	s = reTime.ReplaceAllString(s, `"$1": "<time>"`)
	s = reLogDir.ReplaceAllString(s, "TOE_<time>_UTC-0_")
	s = reDateISO.ReplaceAllString(s, "<datetime>")
	s = reScript.ReplaceAllString(s, "<script>")
	return s
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", "golden", name), []byte(got), *update)
}

// caseOutput is what a golden file holds for one case.
func caseOutput(t *testing.T, dir string, s *Summary) string {
	t.Helper()
	var b bytes.Buffer
	sum, _ := json.MarshalIndent(s, "", "  ")
	b.WriteString("== summary (exit " + strconv.Itoa(ExitCode(s)) + ")\n")
	b.Write(sum)
	for _, f := range []string{"detailedoutput.json", "console.log", "chaining.json"} {
		data, err := os.ReadFile(filepath.Join(s.LogURL, f))
		if err != nil {
			t.Fatalf("%s missing: %v", f, err)
		}
		b.WriteString("\n== " + f + "\n")
		b.Write(data)
	}
	return normalise(b.String(), dir)
}

func TestRunGolden(t *testing.T) {
	fixUmask(t)
	cases := []struct {
		name   string
		docs   []string
		phases []string
		empty  bool // --fail-on-empty
		exit   int
	}{
		{name: "bash_chaining", docs: []string{"bash_chaining"}, exit: 0},
		{name: "onfailure_abort", docs: []string{"onfailure_abort"}, exit: 1},
		{name: "onfailure_continue", docs: []string{"onfailure_continue"}, exit: 1},
		{name: "onfailure_ignore", docs: []string{"onfailure_ignore"}, exit: 0},
		{name: "max_attempts", docs: []string{"max_attempts"}, exit: 1},
		{name: "timeout", docs: []string{"timeout"}, exit: 1},
		{name: "loops", docs: []string{"loops"}, exit: 1},
		{name: "conditions", docs: []string{"conditions"}, exit: 1},
		{name: "files", docs: []string{"files"}, exit: 0},
		{name: "nested", docs: []string{"nested_main"}, exit: 1},
		{name: "unresolved", docs: []string{"unresolved"}, exit: 1},
		{name: "phases_order", docs: []string{"phases"}, phases: []string{"test", "build"}, exit: 0},
		{name: "phases_two_docs", docs: []string{"phases", "onfailure_ignore"}, phases: []string{"validate", "build"}, exit: 0},
		{name: "phases_empty_warning", docs: []string{"phases"}, phases: []string{"buld"}, exit: 0},
		{name: "phases_fail_on_empty", docs: []string{"phases"}, phases: []string{"buld"}, empty: true, exit: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{Phases: tc.phases, FailOnEmpty: tc.empty, ExecutionID: "exec-" + tc.name}
			for _, d := range tc.docs {
				opts.Documents = append(opts.Documents, DocumentSpec{Path: "testdata/cases/" + d + ".yaml"})
			}
			s, _ := runCase(t, dir, opts)
			if got := ExitCode(s); got != tc.exit {
				t.Errorf("exit code %d, want %d (summary %+v)", got, tc.exit, s)
			}
			golden(t, tc.name+".txt", caseOutput(t, dir, s))
		})
	}
}
