package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend/local"
	"github.com/ibgitops/ibgitops/runner/report/escape"
)

func newImagesCmd() *cobra.Command {
	var root, format, recipe string
	cmd := &cobra.Command{
		Use:   "images",
		Short: "List the images the local backend built (its store, .ibgitops/ by default)",
		Long: "images lists the records of the local backend's store: recipe, version, build number, status and image.\n" +
			"Exit codes: 0 listed (also when the store is empty), 2 could not run (unreadable store or ibgitops.yaml, bad flags).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return withCode(exitCannot, fmt.Errorf("--format %q: use text or json", format))
			}
			cfg, _, err := recipes.LoadConfig(os.DirFS(root))
			if err != nil {
				return withCode(exitCannot, fmt.Errorf("read %s: %w", filepath.Join(root, "ibgitops.yaml"), err))
			}
			dir := cfg.Local.Store
			if dir == "" {
				dir = ".ibgitops"
			}
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(root, dir)
			}
			if _, err := os.Stat(dir); err != nil {
				if format == "json" {
					fmt.Fprintln(cmd.OutOrStdout(), "[]")
					return nil
				}
				fmt.Fprintf(cmd.OutOrStdout(), "no images yet: the local store %s does not exist (run `ibgitops build`)\n", dir)
				return nil
			}
			store, err := local.OpenStore(dir)
			if err != nil {
				return withCode(exitCannot, err)
			}
			recs, err := store.Records()
			if err != nil {
				return withCode(exitCannot, err)
			}
			var shown []*local.Record
			for _, r := range recs {
				if recipe == "" || r.Recipe == recipe {
					shown = append(shown, r)
				}
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				if shown == nil {
					shown = []*local.Record{}
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(shown)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RECIPE\tVERSION\tBUILD\tSTATUS\tIMAGE\tCOMMIT\tCONTENT\tSTARTED\tSECONDS")
			for _, r := range shown {
				commit := r.Commit
				if len(commit) > 12 {
					commit = commit[:12]
				}
				hash := r.ContentHash
				if len(hash) > 12 {
					hash = hash[:12]
				}
				img := r.Image
				if img == "" {
					img = "-"
				}
				if commit == "" {
					commit = "-"
				}
				secs := r.Finished.Sub(r.Started).Seconds()
				if r.Finished.IsZero() {
					secs = 0
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%.1f\n", escape.Term(r.Recipe), escape.Term(r.Version), r.BuildNumber, escape.Term(string(r.Status)), escape.Term(img), escape.Term(commit), escape.Term(hash), r.Started.UTC().Format("2006-01-02 15:04:05Z"), secs)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&root, "root", "", rootFlagUsage)
	cmd.Flags().StringVar(&format, "format", "text", "text or json (the store records)")
	cmd.Flags().StringVar(&recipe, "recipe", "", "only this recipe's images")
	return cmd
}
