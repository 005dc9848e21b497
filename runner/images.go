package runner

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend/local"
	"github.com/ibgitops/ibgitops/runner/report/escape"
)

// ImagesOptions configure the `images` command.
type ImagesOptions struct {
	Root   string
	Format string // text or json
	Recipe string // "" = every recipe
	Out    io.Writer
}

// Images lists the records of the local backend's store (`ibgitops
// images`). It returns the exit code; an error means it could not read
// the store or ibgitops.yaml.
func Images(o ImagesOptions) (int, error) {
	if o.Format != "text" && o.Format != "json" {
		return exitcodes.Cannot, fmt.Errorf("--format %q: use text or json", o.Format)
	}
	cfg, _, err := recipes.LoadConfig(os.DirFS(o.Root))
	if err != nil {
		return exitcodes.Cannot, fmt.Errorf("read %s: %w", filepath.Join(o.Root, "ibgitops.yaml"), err)
	}
	dir := cfg.Local.Store
	if dir == "" {
		dir = ".ibgitops"
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(o.Root, dir)
	}
	if _, err := os.Stat(dir); err != nil {
		if o.Format == "json" {
			fmt.Fprintln(o.Out, "[]")
			return exitcodes.OK, nil
		}
		fmt.Fprintf(o.Out, "no images yet: the local store %s does not exist (run `ibgitops build`)\n", dir)
		return exitcodes.OK, nil
	}
	store, err := local.OpenStore(dir)
	if err != nil {
		return exitcodes.Cannot, err
	}
	recs, err := store.Records()
	if err != nil {
		return exitcodes.Cannot, err
	}
	var shown []*local.Record
	for _, r := range recs {
		if o.Recipe == "" || r.Recipe == o.Recipe {
			shown = append(shown, r)
		}
	}
	if o.Format == "json" {
		if shown == nil {
			shown = []*local.Record{}
		}
		enc := json.NewEncoder(o.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(shown); err != nil {
			return exitcodes.Cannot, err
		}
		return exitcodes.OK, nil
	}
	tw := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECIPE\tVERSION\tBUILD\tSTATUS\tIMAGE\tCOMMIT\tCONTENT\tSTARTED\tSECONDS")
	for _, r := range shown {
		secs := r.Finished.Sub(r.Started).Seconds()
		if r.Finished.IsZero() {
			secs = 0
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%.1f\n", escape.Term(r.Recipe), escape.Term(r.Version), r.BuildNumber, escape.Term(string(r.Status)),
			escape.Term(orDash(r.Image)), escape.Term(orDash(cut(r.Commit, 12))), escape.Term(cut(r.ContentHash, 12)), r.Started.UTC().Format("2006-01-02 15:04:05Z"), secs)
	}
	if err := tw.Flush(); err != nil {
		return exitcodes.Cannot, err
	}
	return exitcodes.OK, nil
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
