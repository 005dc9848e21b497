package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/importer"
	"github.com/ibgitops/ibgitops/runner/report/escape"
)

// ImportOptions configure the `import` command.
type ImportOptions struct {
	Root        string // folder to write the repository into
	BackendName string // backend to read (aws)
	AWSRegion   string
	NamePrefix  string
	Tags        []string // key=value filters
	Force       bool     // overwrite existing files
	Adopt       bool     // tag what was imported with the new files' hashes
	Out, Err    io.Writer
}

// Import writes a repository from what the backend's account holds, lints
// it and (with Adopt) tags the imported resources so that status says in
// sync. It returns the exit code; an error means it could not import.
func Import(ctx context.Context, o ImportOptions) (int, error) {
	filter := backend.ExportFilter{NamePrefix: o.NamePrefix, Tags: map[string]string{}}
	for _, t := range o.Tags {
		k, v, ok := strings.Cut(t, "=")
		if !ok || k == "" {
			return exitcodes.Cannot, fmt.Errorf("--tag %q: give key=value", t)
		}
		filter.Tags[k] = v
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return exitcodes.Cannot, err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return exitcodes.Cannot, fmt.Errorf("--root %s: %w", o.Root, err)
	}
	cfg, _, err := recipes.LoadConfig(os.DirFS(root))
	if err != nil {
		cfg = recipes.DefaultConfig()
	}
	be, err := backend.Open(ctx, o.BackendName, backend.Config{Repo: cfg, Region: o.AWSRegion})
	if err != nil {
		return exitcodes.Cannot, err
	}
	ex, ok := be.(backend.Exporter)
	if !ok {
		return exitcodes.Cannot, fmt.Errorf("the %s backend cannot be imported from: use --backend aws", be.Name())
	}
	exported, err := ex.Export(ctx, filter)
	if err != nil {
		return exitcodes.Cannot, fmt.Errorf("read the account: %w", err)
	}
	if len(exported) == 0 {
		fmt.Fprintln(o.Out, "nothing to import: no resource of the account matches the filters")
		return exitcodes.OK, nil
	}
	config := "backend: " + be.Name() + "\n"
	if r, ok := be.(interface{ Region() string }); ok && r.Region() != "" {
		config += "aws:\n  region: " + r.Region() + "\n"
	}
	written, err := importer.Write(exported, importer.Options{Root: root, Force: o.Force, Config: config})
	if err != nil {
		return exitcodes.Cannot, err
	}
	for _, f := range written {
		fmt.Fprintln(o.Out, "wrote", escape.Term(f))
	}
	repo, findings, err := recipes.Load(os.DirFS(root))
	if err != nil {
		return exitcodes.Cannot, err
	}
	if e, _ := diag.Count(findings); e > 0 {
		diag.Sort(findings)
		for _, f := range findings {
			if f.Severity == diag.Error {
				fmt.Fprintln(o.Err, " ", escape.Term(f.String()))
			}
		}
		return exitcodes.Cannot, fmt.Errorf("the imported repository has %d lint error(s) (above): fix them, then run `ibgitops import --force` again or adopt by hand; nothing was tagged", e)
	}
	if o.Adopt {
		done, err := ex.Adopt(ctx, repo)
		for _, line := range done {
			fmt.Fprintln(o.Err, "tagged", escape.Term(line))
		}
		if err != nil {
			return exitcodes.Cannot, fmt.Errorf("tag the imported resources: %w (the files are written; re-run with --force to retry)", err)
		}
	}
	fmt.Fprintf(o.Out, "imported %d resource(s) into %s: run `ibgitops status --root %s` to compare\n", len(exported), o.Root, o.Root)
	return exitcodes.OK, nil
}
