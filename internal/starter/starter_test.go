package starter

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ibgitops/ibgitops/recipes"
)

func TestHostOf(t *testing.T) {
	for url, want := range map[string]string{
		"git@github.com:acme/images.git":          "github",
		"https://github.com/acme/images":          "github",
		"https://github.example.com/acme/images":  "github", // GitHub Enterprise
		"git@gitlab.com:acme/images.git":          "gitlab",
		"https://gitlab.acme.internal/ops/images": "gitlab",
		"https://bitbucket.org/acme/images.git":   "none",
		"":                                        "none",
		"ssh://git@codeberg.org/acme/images.git":  "none",
		"HTTPS://GITHUB.COM/ACME/IMAGES":          "github",
	} {
		if got := HostOf(url); got != want {
			t.Errorf("HostOf(%q) = %s, want %s", url, got, want)
		}
	}
}

// TestStarterLintsClean: what init writes passes lint with no finding at
// all, for every host.
func TestStarterLintsClean(t *testing.T) {
	for _, host := range Hosts {
		t.Run(host, func(t *testing.T) {
			dir := t.TempDir()
			written, err := Write(dir, host, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(written) != len(Paths(host)) {
				t.Errorf("wrote %d files, Paths lists %d", len(written), len(Paths(host)))
			}
			repo, findings, err := recipes.Load(os.DirFS(dir))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range findings {
				t.Errorf("starter finding: %s", f)
			}
			if len(repo.Components) != 1 || len(repo.ImageRecipes) != 1 || len(repo.Infrastructures) != 1 ||
				len(repo.Distributions) != 1 || len(repo.Pipelines) != 1 {
				t.Errorf("want one resource of each kind, got %d components, %d recipes, %d infrastructures, %d distributions, %d pipelines",
					len(repo.Components), len(repo.ImageRecipes), len(repo.Infrastructures), len(repo.Distributions), len(repo.Pipelines))
			}
			ci := map[string]string{"github": ".github/workflows/images.yml", "gitlab": ".gitlab-ci.yml"}[host]
			if ci != "" {
				if _, err := os.Stat(filepath.Join(dir, ci)); err != nil {
					t.Errorf("no CI file for %s: %v", host, err)
				}
			}
		})
	}
}

func TestWriteKeepsExistingFiles(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "ibgitops.yaml")
	os.WriteFile(mine, []byte("backend: aws\n"), 0o644)
	written, err := Write(dir, "none", false)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(mine); string(data) != "backend: aws\n" {
		t.Errorf("init overwrote ibgitops.yaml: %q", data)
	}
	for _, f := range written {
		if f.Path == "ibgitops.yaml" && f.Written {
			t.Errorf("reported ibgitops.yaml as written")
		}
	}
	if _, err := Write(dir, "none", true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(mine); string(data) == "backend: aws\n" {
		t.Errorf("--force kept the old ibgitops.yaml")
	}
	if _, err := Write(dir, "bitbucket", false); err == nil {
		t.Errorf("an unknown host was accepted")
	}
}
