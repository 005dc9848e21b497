package runner

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/ibgitops/ibgitops/recipes"
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
	expr = strings.Replace(expr, regexp.QuoteMeta("{name}"), `(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*?)`, 1)
	expr = strings.Replace(expr, regexp.QuoteMeta("{version}"), `(?P<version>[0-9]+\.[0-9]+\.[0-9]+)`, 1)
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
