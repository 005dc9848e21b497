package recipes_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/internal/refdoc"
	"github.com/ibgitops/ibgitops/internal/testutil"
	"github.com/ibgitops/ibgitops/recipes"
)

var updateReference = flag.Bool("update", false, "rewrite the generated reference in docs/reference/")

const referenceDir = "../docs/reference"

// TestReference fails when a page of docs/reference/ generated from the
// field tables or the rule lists is stale: a new key, field or rule must
// reach the docs in the same change (-update rewrites them).
func TestReference(t *testing.T) {
	rules, err := refdoc.Rules(lintCaseSources()...)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{
		"configuration.md": refdoc.Configuration(),
		"resources.md":     refdoc.Resources(),
		"rules.md":         rules,
		"README.md":        refdoc.Index(refdoc.Pages),
	}
	for name, text := range pages {
		t.Run(name, func(t *testing.T) {
			testutil.Golden(t, filepath.Join(referenceDir, name), []byte(text), *updateReference)
		})
	}
}

// TestReferenceCoversEverything checks the generator against the tables it
// reads, so a generator bug cannot drop a key or a rule silently.
func TestReferenceCoversEverything(t *testing.T) {
	res := refdoc.Resources()
	for _, k := range recipes.Kinds {
		for _, p := range refdoc.KeyPaths(recipes.Schema(k)) {
			if !strings.Contains(res, "| `"+p+"` |") {
				t.Errorf("resources.md lacks %s key %s", k, p)
			}
		}
	}
	cfg := refdoc.Configuration()
	for _, p := range refdoc.KeyPaths(recipes.ConfigSchema()) {
		if !strings.Contains(cfg, "| `"+p+"` |") {
			t.Errorf("configuration.md lacks key %s", p)
		}
	}
	rules, err := refdoc.Rules(lintCaseSources()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range append(append([]recipes.RuleDoc(nil), recipes.RuleDocs...), recipes.BaseRuleDocs...) {
		if !strings.Contains(rules, "\n### "+d.ID+"\n") {
			t.Errorf("rules.md lacks rule %s", d.ID)
		}
	}
}

// TestConfigurationGuideCoversEveryKey keeps the hand-written guide
// docs/configuration.md complete: every key of ibgitops.yaml is explained
// there, in its table.
func TestConfigurationGuideCoversEveryKey(t *testing.T) {
	guide, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range refdoc.LeafKeyPaths(recipes.ConfigSchema()) {
		if !strings.Contains(string(guide), "| `"+p+"` |") {
			t.Errorf("docs/configuration.md has no row for key %s: add it to the table", p)
		}
	}
}

func lintCaseSources() []refdoc.Cases {
	return []refdoc.Cases{
		{Dir: "testdata/lint", FS: os.DirFS("../testdata/lint")},
		{Dir: "recipes/awstoe/testdata/cases", FS: os.DirFS("awstoe/testdata/cases")},
	}
}
