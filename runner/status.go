package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
	"github.com/ibgitops/ibgitops/runner/reconcile"
)

// ObserveStatus asks the backend what it holds for the repository and
// compares it with the files: `ibgitops status`, and the first half of a
// reconciling run.
func ObserveStatus(ctx context.Context, be backend.Backend, repo *recipes.Repo, root string) (*reconcile.Status, error) {
	obs, ok := be.(backend.Observer)
	if !ok {
		return nil, fmt.Errorf("the %s backend cannot report what it holds (it does not implement backend.Observer)", be.Name())
	}
	a, err := obs.Observe(ctx, backend.ObserveRequest{Repo: repo, Root: root})
	if err != nil {
		return nil, fmt.Errorf("read what the %s backend holds: %w", be.Name(), err)
	}
	return reconcile.Compare(repo, a), nil
}

// StatusOptions configure the `status` command.
type StatusOptions struct {
	Root        string
	BackendName string // --backend; "" = ibgitops.yaml's, else local
	AWSRegion   string
	Format      string // text, json, markdown
	Out, Err    io.Writer
}

// Status compares the work tree with what the backend holds, prints it in
// Format and returns the exit code: Findings when something differs.
func Status(ctx context.Context, o StatusOptions) (int, error) {
	write, ok := map[string]func(io.Writer, *reconcile.Status) error{
		"text":     reconcile.WriteText,
		"json":     reconcile.WriteJSON,
		"markdown": reconcile.WriteMarkdown,
		"md":       reconcile.WriteMarkdown,
	}[o.Format]
	if !ok {
		return exitcodes.Cannot, fmt.Errorf("--format %q: use text, json or markdown", o.Format)
	}
	opts := Options{Root: o.Root}
	if err := checkRoot(&opts); err != nil {
		return exitcodes.Cannot, err
	}
	repo, findings, err := recipes.Load(os.DirFS(opts.Root))
	if err != nil {
		return exitcodes.Cannot, err
	}
	if e, _ := diag.Count(findings); e > 0 {
		fmt.Fprintf(o.Err, "ibgitops status: warning: the repository has %d lint error(s) (`ibgitops lint` lists them): what does not load is not compared\n", e)
	}
	be, err := backend.Open(ctx, o.BackendName, backend.Config{Repo: repo.Config, Region: o.AWSRegion})
	if err != nil {
		return exitcodes.Cannot, err
	}
	st, err := ObserveStatus(ctx, be, repo, opts.Root)
	if err != nil {
		return exitcodes.Cannot, err
	}
	var buf bytes.Buffer
	if err := write(&buf, st); err != nil {
		return exitcodes.Cannot, err
	}
	if _, err := o.Out.Write(buf.Bytes()); err != nil {
		return exitcodes.Cannot, err
	}
	switch {
	case st.Unreadable():
		return exitcodes.Cannot, fmt.Errorf("some resources could not be read (see above): grant the permissions named, then re-run")
	case !st.InSync():
		return exitcodes.Findings, nil
	}
	return exitcodes.OK, nil
}
