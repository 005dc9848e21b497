package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ibgitops/ibgitops/runner/git"
	"github.com/spf13/cobra"
)

func newReleaseCmd() *cobra.Command {
	var o runOptions
	var tag string
	cmd := &cobra.Command{
		Use:   "release --tag TAG",
		Short: "Build, test and distribute the recipe version a release tag names",
		Long: "release reads the recipe name and version from the tag with release.tagPattern in ibgitops.yaml\n" +
			"(default {name}/v{version}, e.g. web-server/v1.4.3), refuses when the recipe's file at the tag's commit\n" +
			"carries another version, then builds, tests and distributes that version and reports like run.\n" +
			"The tag's commit must be checked out. `ibgitops run` does the same on a tag event.\n" +
			"Exit codes: 0 released, 1 a failed build (or lint findings per --fail-on), 2 could not run (unknown tag, version mismatch).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyActionInputs(cmd, os.Getenv); err != nil {
				return withCode(exitCannot, err)
			}
			if tag == "" {
				tag = ciTag(os.Getenv)
			}
			if tag == "" {
				return withCode(exitCannot, fmt.Errorf("--tag is required outside a tag pipeline: the release tag, e.g. --tag web-server/v1.4.3"))
			}
			return runRun(cmd, o, tag)
		},
	}
	addRunFlags(cmd, &o)
	cmd.Flags().StringVar(&tag, "tag", "", "the release tag, e.g. web-server/v1.4.3 (default: the tag of a GitHub or GitLab tag pipeline)")
	return cmd
}

// ciTag is the tag a CI tag pipeline runs for, or "".
func ciTag(getenv func(string) string) string {
	if t := getenv("CI_COMMIT_TAG"); t != "" && getenv("GITLAB_CI") == "true" {
		return t
	}
	if ref := getenv("GITHUB_REF"); getenv("GITHUB_ACTIONS") == "true" && strings.HasPrefix(ref, "refs/tags/") {
		return strings.TrimPrefix(ref, "refs/tags/")
	}
	return ""
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
