package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/importer"
)

type importOptions struct {
	root, backend, awsRegion, namePrefix string
	tags                                 []string
	force, adopt                         bool
}

func newImportCmd() *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Write a repository from what an Image Builder account already holds",
		Long: "import reads the account's own components, image and container recipes (newest version of each),\n" +
			"infrastructure and distribution configurations and pipelines, and writes one file per resource under --root:\n" +
			"components with their AWSTOE document in a documentFile, recipes naming their own components (a version\n" +
			"pin where they use an older one) and AWS-managed ones by arn:, a parent built by an imported recipe as\n" +
			"recipe:<name>. It never overwrites a file without --force. Then (unless --adopt=false) it tags what it\n" +
			"imported with the content hash of the new files, so that `ibgitops status` says in sync and builds reuse\n" +
			"the existing versions and images; only tags change.\n" +
			"Exit codes: 0 written, 2 could not (files exist, no access).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runImport(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.root, "root", ".", "folder to write the repository into")
	f.StringVar(&o.backend, "backend", "aws", "backend to import from (aws)")
	f.StringVar(&o.awsRegion, "aws-region", "", "AWS region (default: the AWS chain)")
	f.StringVar(&o.namePrefix, "name-prefix", "", "import only resources whose name starts with this")
	f.StringArrayVar(&o.tags, "tag", nil, "import only resources carrying this tag, key=value (repeat for several)")
	f.BoolVar(&o.force, "force", false, "overwrite files that already exist")
	f.BoolVar(&o.adopt, "adopt", true, "tag the imported resources with the new files' content hashes (status in sync, builds reuse them)")
	return cmd
}

func runImport(cmd *cobra.Command, o importOptions) error {
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()
	filter := backend.ExportFilter{NamePrefix: o.namePrefix, Tags: map[string]string{}}
	for _, t := range o.tags {
		k, v, ok := strings.Cut(t, "=")
		if !ok || k == "" {
			return withCode(exitCannot, fmt.Errorf("--tag %q: give key=value", t))
		}
		filter.Tags[k] = v
	}
	root, err := filepath.Abs(o.root)
	if err != nil {
		return withCode(exitCannot, err)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return withCode(exitCannot, fmt.Errorf("--root %s: %w", o.root, err))
	}
	cfg, _, err := recipes.LoadConfig(os.DirFS(root))
	if err != nil {
		cfg = recipes.DefaultConfig()
	}
	be, err := backend.Open(ctx, o.backend, backend.Config{Repo: cfg, Region: o.awsRegion})
	if err != nil {
		return withCode(exitCannot, err)
	}
	ex, ok := be.(backend.Exporter)
	if !ok {
		return withCode(exitCannot, fmt.Errorf("the %s backend cannot be imported from: use --backend aws", be.Name()))
	}
	exported, err := ex.Export(ctx, filter)
	if err != nil {
		return withCode(exitCannot, fmt.Errorf("read the account: %w", err))
	}
	if len(exported) == 0 {
		fmt.Fprintln(cmd.OutOrStdout(), "nothing to import: no resource of the account matches the filters")
		return nil
	}
	config := "backend: " + be.Name() + "\n"
	if r, ok := be.(interface{ Region() string }); ok && r.Region() != "" {
		config += "aws:\n  region: " + r.Region() + "\n"
	}
	written, err := importer.Write(exported, importer.Options{Root: root, Force: o.force, Config: config})
	if err != nil {
		return withCode(exitCannot, err)
	}
	for _, f := range written {
		fmt.Fprintln(cmd.OutOrStdout(), "wrote", escape.Term(f))
	}
	repo, findings, err := recipes.Load(os.DirFS(root))
	if err != nil {
		return withCode(exitCannot, err)
	}
	if e, _ := diag.Count(findings); e > 0 {
		diag.Sort(findings)
		for _, f := range findings {
			if f.Severity == diag.Error {
				fmt.Fprintln(stderr, " ", escape.Term(f.String()))
			}
		}
		return withCode(exitCannot, fmt.Errorf("the imported repository has %d lint error(s) (above): fix them, then run `ibgitops import --force` again or adopt by hand; nothing was tagged", e))
	}
	if o.adopt {
		done, err := ex.Adopt(ctx, repo)
		for _, line := range done {
			fmt.Fprintln(stderr, "tagged", escape.Term(line))
		}
		if err != nil {
			return withCode(exitCannot, fmt.Errorf("tag the imported resources: %w (the files are written; re-run with --force to retry)", err))
		}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "imported %d resource(s) into %s: run `ibgitops status --root %s` to compare\n", len(exported), o.root, o.root)
	return nil
}
