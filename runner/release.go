package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/git"
	"github.com/ibgitops/ibgitops/runner/vcs"
)

// releaseStep checks that the tag names a recipe of this repository and
// that the file at this commit carries exactly the tag's version, then
// sets that one version to build.
type releaseStep struct{}

func (releaseStep) String() string { return "checking the release tag" }

func (releaseStep) Skip(s *State) (string, bool) { return "", !s.Release }

func (releaseStep) Run(ctx context.Context, s *State) error {
	if s.Repo == nil {
		return errors.New("the repository was not loaded")
	}
	pattern := s.Repo.Config.Release.TagPattern
	if pattern == "" {
		pattern = recipes.DefaultConfig().Release.TagPattern
	}
	name, version, err := ParseTag(pattern, s.Opts.ReleaseTag)
	if err != nil {
		return err
	}
	rec, kind, ok := s.Repo.Recipe(name)
	if !ok {
		return fmt.Errorf("tag %s names recipe %q, which this commit does not have: check the tag or release.tagPattern (%q) in ibgitops.yaml", s.Opts.ReleaseTag, name, pattern)
	}
	if rec.Version != version {
		return fmt.Errorf("tag %s names version %s, but %s:%d has version %s at this commit: tag the commit that carries %s, or raise the version in the file and tag again",
			s.Opts.ReleaseTag, version, rec.File, rec.VersionPos.Line, rec.Version, version)
	}
	var pipelines []string
	for _, p := range s.Repo.Pipelines {
		if p.RecipeName() == name {
			pipelines = append(pipelines, p.Name)
		}
	}
	s.Builds = []recipes.Build{{Kind: kind, Name: name, Version: version, Pipelines: pipelines}}
	s.progressf("  %s %s (%s)", name, version, rec.File)
	return nil
}

// ParseTag reads the recipe name and version out of tag with pattern
// ("{name}/v{version}").
func ParseTag(pattern, tag string) (name, version string, err error) {
	if !strings.Contains(pattern, "{name}") || !strings.Contains(pattern, "{version}") {
		return "", "", fmt.Errorf("release.tagPattern %q in ibgitops.yaml must contain {name} and {version}", pattern)
	}
	expr := "^" + regexp.QuoteMeta(pattern) + "$"
	// A version part has no leading zero, as in lint's version-format
	// rule: v01.2.3 names no version a file can hold.
	expr = strings.Replace(expr, regexp.QuoteMeta("{name}"), `(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*?)`, 1)
	expr = strings.Replace(expr, regexp.QuoteMeta("{version}"), `(?P<version>(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*))`, 1)
	re, err := regexp.Compile(expr)
	if err != nil {
		return "", "", fmt.Errorf("release.tagPattern %q: %w", pattern, err)
	}
	m := re.FindStringSubmatch(tag)
	if m == nil {
		example := strings.NewReplacer("{name}", "web-server", "{version}", "1.4.3").Replace(pattern)
		return "", "", fmt.Errorf("tag %q does not match release.tagPattern %q: a release tag looks like %s", tag, pattern, example)
	}
	return m[re.SubexpIndex("name")], m[re.SubexpIndex("version")], nil
}

// releaseCommitStep checks the tag before anything is loaded: it must
// match release.tagPattern and be the commit checked out, so that what is
// built is what the tag names. The lint then reads the tag's tree.
type releaseCommitStep struct{}

func (releaseCommitStep) String() string { return "resolving the release tag" }

func (releaseCommitStep) Skip(s *State) (string, bool) { return "", !s.Release }

func (releaseCommitStep) Run(_ context.Context, s *State) error {
	cfg, _, err := recipes.LoadConfig(os.DirFS(s.Opts.Root))
	if err != nil {
		return fmt.Errorf("read %s: %w", filepath.Join(s.Opts.Root, "ibgitops.yaml"), err)
	}
	pattern := cfg.Release.TagPattern
	if pattern == "" {
		pattern = recipes.DefaultConfig().Release.TagPattern
	}
	if _, _, err := ParseTag(pattern, s.Opts.ReleaseTag); err != nil {
		return err
	}
	if s.Opts.Source != nil {
		return nil // the caller chose the files (tests)
	}
	if s.CI.Event == vcs.EventTag && s.CI.Tag == s.Opts.ReleaseTag {
		// A tag pipeline: the host checked out the tag's commit (CI.SHA)
		// and may not have fetched the tag ref itself; the work tree is
		// the tag's.
		return nil
	}
	commit, tree, err := releaseCommit(s.Opts.Root, s.Opts.ReleaseTag)
	if err != nil {
		return err
	}
	ci := *s.CI
	ci.SHA = commit
	s.CI, s.Opts.Source = &ci, tree
	return nil
}

// releaseCommit resolves the tag, checks that it is what is checked out
// (so that the files the backend builds from are the tag's), and returns
// the commit and its tree, which the release check reads.
func releaseCommit(root, tag string) (string, fs.FS, error) {
	repo, err := git.Open(root)
	if err != nil {
		return "", nil, err
	}
	tagged, err := repo.Resolve("refs/tags/" + tag)
	if err != nil {
		return "", nil, fmt.Errorf("release tag %s: %w", tag, err)
	}
	head, err := repo.Resolve("HEAD")
	if err != nil {
		return "", nil, err
	}
	if head != tagged {
		return "", nil, fmt.Errorf("tag %s is commit %s but %s is checked out: check out the tag first (git checkout %s) so that what is built is what the tag names",
			tag, tagged.String()[:7], head.String()[:7], tag)
	}
	tree, err := repo.TreeFS(tagged)
	if err != nil {
		return "", nil, fmt.Errorf("read the files of tag %s: %w", tag, err)
	}
	sub, err := subFS(tree, repo.WorkDir(), root)
	if err != nil {
		return "", nil, err
	}
	return tagged.String(), sub, nil
}

// subFS narrows the commit's tree to --root when it is a subfolder of the
// repository.
func subFS(tree fs.FS, workDir, root string) (fs.FS, error) {
	rel, err := filepath.Rel(workDir, root)
	if err != nil || rel == "." {
		return tree, nil
	}
	return fs.Sub(tree, filepath.ToSlash(rel))
}
