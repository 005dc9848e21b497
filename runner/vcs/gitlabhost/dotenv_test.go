package gitlabhost

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/report"
)

// parseDotenvLikeGitLab applies the checks of GitLab's
// Ci::ParseDotenvArtifactService (size < 5 KiB, at most 20 variables, every
// line KEY=VALUE, values stripped) and what a later job needs (one line per
// variable, keys a shell can use, no control characters).
func parseDotenvLikeGitLab(t *testing.T, out string) map[string]string {
	t.Helper()
	if len(out) >= 5<<10 {
		t.Fatalf("dotenv is %d bytes: GitLab refuses 5 KiB or more", len(out))
	}
	if !utf8.ValidString(out) {
		t.Fatalf("dotenv is not valid UTF-8: %q", out)
	}
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("dotenv does not end with a newline: %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) > 20 {
		t.Fatalf("%d variables: GitLab refuses more than 20", len(lines))
	}
	key := regexp.MustCompile(`^IBGITOPS_[A-Z0-9_]+$`)
	vars := map[string]string{}
	for _, l := range lines {
		k, v, ok := strings.Cut(l, "=")
		if !ok || !key.MatchString(k) {
			t.Fatalf("line %q is not KEY=VALUE", l)
		}
		if v != strings.TrimSpace(v) || strings.ContainsAny(v, `"'#`) {
			t.Fatalf("value of %s would be changed by GitLab: %q", k, v)
		}
		for _, r := range v {
			if unicode.IsControl(r) {
				t.Fatalf("control character %U in %s", r, k)
			}
		}
		if _, dup := vars[k]; dup {
			t.Fatalf("%s twice", k)
		}
		vars[k] = v
	}
	return vars
}

// checkList asserts that the list variable keeps whole items, in order, and
// counts the rest.
func checkList(t *testing.T, vars map[string]string, name string, items []string) {
	t.Helper()
	var kept []string
	if v := vars[name]; v != "" {
		kept = strings.Split(v, ",")
	}
	var nonEmpty []string
	for _, it := range items {
		if it != "" {
			nonEmpty = append(nonEmpty, it)
		}
	}
	if len(kept) > len(nonEmpty) {
		t.Fatalf("%s has %d items, %d given", name, len(kept), len(nonEmpty))
	}
	for i, k := range kept {
		got, err := url.PathUnescape(k)
		if err != nil || got != nonEmpty[i] {
			t.Fatalf("%s item %d is %q (decoded %q), want the whole item %q", name, i, k, got, nonEmpty[i])
		}
	}
	omitted, err := strconv.Atoi(vars[name+"_OMITTED"])
	if err != nil || omitted != len(items)-len(kept) {
		t.Fatalf("%s_OMITTED=%q, want %d", name, vars[name+"_OMITTED"], len(items)-len(kept))
	}
}

func builtReport(names []string, image func(int, string) string) *report.Report {
	r := &report.Report{Plan: &recipes.Plan{Changes: []recipes.Change{{Name: "x"}}}}
	for i, n := range names {
		r.Plan.Builds = append(r.Plan.Builds, recipes.Build{Name: n, Version: "1.0.0"})
		r.Builds = append(r.Builds, backend.Result{Recipe: n, Version: "1.0.0", Status: backend.StatusSucceeded, Image: image(i, n)})
	}
	return r
}

func arn(_ int, name string) string {
	return "arn:aws:imagebuilder:eu-central-1:123456789012:image/" + name + "/1.0.0/1"
}

func TestDotenvCutsAtItemBoundaries(t *testing.T) {
	long := func(n int, base string) []string {
		var out []string
		for i := range n {
			s := fmt.Sprintf("%s-%03d", base, i)
			out = append(out, s+strings.Repeat("r", max(0, 124-len(s))))
		}
		return out
	}
	cases := []struct {
		name     string
		recipes  []string
		wantCut  bool
		outPath  string
		wantFile string
	}{
		{"few short recipes fit whole", []string{"app", "base"}, false, ".ibgitops/ibgitops-outputs.json", ".ibgitops/ibgitops-outputs.json"},
		// The reported panic: 40 recipes with 124-character names.
		{"40 recipes, 124-character names", long(40, "recipe"), true, "out/ibgitops-outputs.json", "out/ibgitops-outputs.json"},
		{"60 recipes", long(60, "r"), true, "o", "o"},
		{"200 recipes", long(200, "r"), true, "o", "o"},
		// A cut by bytes used to split a multi-byte character.
		{"multi-byte names", long(80, "rezept-größe-日本語"), true, "o", "o"},
		{"one item larger than the file", []string{strings.Repeat("x", 6000), "small"}, true, "o", "o"},
		{"hostile bytes in names", []string{"a,b", "c\nIBGITOPS_FAILED=false", "d#e", "\"q\"", " s ", "\x1b[31m", "\xff\xfe"}, false, "o", "o"},
		{"a report folder path too long to name", []string{"a"}, false, strings.Repeat("d/", 600) + "x.json", Outputs},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := builtReport(c.recipes, arn)
			vars := parseDotenvLikeGitLab(t, DotenvOutputs(r, c.outPath))
			var images, versions []string
			for _, n := range c.recipes {
				images = append(images, arn(0, n))
				versions = append(versions, n+"=1.0.0")
			}
			sortedVersions := append([]string(nil), versions...)
			sort.Strings(sortedVersions)
			checkList(t, vars, "IBGITOPS_IMAGES", images)
			checkList(t, vars, "IBGITOPS_VERSIONS", sortedVersions)
			cut := vars["IBGITOPS_IMAGES_OMITTED"] != "0" || vars["IBGITOPS_VERSIONS_OMITTED"] != "0"
			if cut != c.wantCut {
				t.Errorf("cut = %v, want %v: %v", cut, c.wantCut, vars)
			}
			if got, _ := url.PathUnescape(vars["IBGITOPS_OUTPUTS_FILE"]); got != c.wantFile {
				t.Errorf("IBGITOPS_OUTPUTS_FILE = %q, want %q", got, c.wantFile)
			}
			if vars["IBGITOPS_CHANGED"] != "true" || vars["IBGITOPS_FAILED"] != "false" {
				t.Errorf("scalars %v", vars)
			}
		})
	}
}

// FuzzDotenv: any list in, a dotenv file GitLab accepts out, with whole
// items only.
func FuzzDotenv(f *testing.F) {
	f.Add("arn:aws:imagebuilder:eu-central-1:123456789012:image/app/1.0.0/1", 40, 124)
	f.Add("größe\x00日本語,#\"'\n", 200, 3)
	f.Add("\xff", 1, 6000)
	f.Fuzz(func(t *testing.T, seed string, n, width int) {
		n, width = n%300, width%7000
		if n < 0 {
			n = -n
		}
		if width < 0 {
			width = -width
		}
		items := strings.Split(seed, "\x00")
		for len(items) < n {
			items = append(items, fmt.Sprintf("%s%d%s", seed, len(items), strings.Repeat("é", width/2)))
		}
		vars := parseDotenvLikeGitLab(t, encodeDotenv(nil, []dotenvList{{"IBGITOPS_IMAGES", items}, {"IBGITOPS_VERSIONS", items[:len(items)/2]}}))
		checkList(t, vars, "IBGITOPS_IMAGES", items)
		checkList(t, vars, "IBGITOPS_VERSIONS", items[:len(items)/2])
	})
}
