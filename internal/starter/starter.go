// Package starter holds the starter repository `ibgitops init` writes: an
// ibgitops.yaml, one component, recipe, infrastructure, distribution and
// pipeline that lint clean and build locally, and the CI file for the
// repository's host.
package starter

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed all:files
var files embed.FS

// Hosts are the CI hosts init writes a workflow for.
var Hosts = []string{"github", "gitlab", "none"}

// HostOf names the CI host of a git remote URL (https or ssh form), or
// "none" when it is neither GitHub nor GitLab.
func HostOf(remoteURL string) string {
	u := strings.ToLower(remoteURL)
	switch {
	case strings.Contains(u, "github.com") || strings.Contains(u, "github."):
		return "github"
	case strings.Contains(u, "gitlab"):
		return "gitlab"
	}
	return "none"
}

// NextStep is the last thing to do after init for host: what to edit in
// its CI file before the first push. Each host's wording stays beside its
// files.
func NextStep(host string) string {
	switch host {
	case "github":
		return "edit role-to-assume in .github/workflows/images.yml (docs/aws-credentials.md), then push"
	case "gitlab":
		return "store IBGITOPS_GITLAB_TOKEN and edit AWS_ROLE_ARN in .gitlab-ci.yml (docs/gitlab.md), then push"
	}
	return "no GitHub or GitLab origin found: ibgitops init --host github|gitlab writes the CI file"
}

// File is one file init considered, with what it did.
type File struct {
	Path    string // slash-separated, relative to the target folder
	Written bool   // false: it existed and was kept
}

// Write writes the starter repository and the CI file of host into dir.
// An existing file is kept unless force is set.
func Write(dir, host string, force bool) ([]File, error) {
	sets := []string{"files/repo"}
	switch host {
	case "github", "gitlab":
		sets = append(sets, "files/"+host)
	case "none":
	default:
		return nil, fmt.Errorf("--host %q: use %s", host, strings.Join(Hosts, ", "))
	}
	var out []File
	for _, set := range sets {
		err := fs.WalkDir(files, set, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel := strings.TrimPrefix(p, set+"/")
			target := filepath.Join(dir, filepath.FromSlash(rel))
			if _, err := os.Lstat(target); err == nil && !force {
				out = append(out, File{Path: rel})
				return nil
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			data, err := files.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(target, data, 0o644); err != nil {
				return err
			}
			out = append(out, File{Path: rel, Written: true})
			return nil
		})
		if err != nil {
			return out, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Paths lists the files Write writes for host, for docs and tests.
func Paths(host string) []string {
	var out []string
	for _, set := range []string{"files/repo", "files/" + host} {
		fs.WalkDir(files, set, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				out = append(out, path.Clean(strings.TrimPrefix(p, set+"/")))
			}
			return nil
		})
	}
	sort.Strings(out)
	return out
}
