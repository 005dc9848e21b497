package recipes

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzLoad feeds one arbitrary file to the loader: it must never panic
// and every finding must name the file and a rule.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"../testdata/example", lintCases} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
				if data, err := os.ReadFile(p); err == nil {
					f.Add(data)
				}
			}
			return nil
		})
	}
	f.Add([]byte("kind: Component\ndocument: &a [*a]\n"))
	f.Add([]byte("kind: ImageRecipe\nname: x\nparentImage: recipe:x\nversion: 1.0.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"r.yaml": {Data: data}}
		repo, findings, err := Load(fsys)
		if err != nil {
			t.Fatalf("Load failed to run: %v", err)
		}
		if repo == nil {
			t.Fatal("nil repo without an error")
		}
		for _, fd := range findings {
			if fd.Rule == "" || fd.File == "" || fd.Message == "" || fd.Line < 0 || fd.Column < 0 {
				t.Fatalf("malformed finding %+v", fd)
			}
			if fd.Rule == RuleInternal {
				t.Fatalf("a checker panicked: %s", fd)
			}
		}
	})
}

// FuzzLoadConfig feeds arbitrary bytes as ibgitops.yaml next to the
// example's resources.
func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte("root: .\nbackend: aws\n"))
	if data, err := os.ReadFile("../testdata/example/ibgitops.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("root: ../..\nlocal: {components: {'[': x.yaml}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"ibgitops.yaml":   {Data: data},
			"c/doc.yaml":      {Data: []byte("schemaVersion: 1.0\nphases:\n  - name: build\n    steps: []\n")},
			"c/infra.yaml":    {Data: []byte("kind: InfrastructureConfiguration\nname: infra\ninstanceProfileName: x\n")},
			"other/note.yaml": {Data: []byte("just: text\n")},
		}
		repo, findings, err := Load(fsys)
		if err != nil || repo == nil {
			t.Fatalf("Load failed to run: %v", err)
		}
		for _, fd := range findings {
			if fd.Rule == "" || fd.File == "" || fd.Message == "" {
				t.Fatalf("malformed finding %+v", fd)
			}
		}
		if !fs.ValidPath(repo.Config.Root) {
			t.Fatalf("invalid root %q accepted", repo.Config.Root)
		}
	})
}
