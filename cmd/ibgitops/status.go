package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner"
	"github.com/ibgitops/ibgitops/runner/reconcile"
)

type statusOptions struct {
	root, backend, awsRegion, format string
}

func newStatusCmd() *cobra.Command {
	var o statusOptions
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Compare the repository (desired) with what the backend holds (actual), per resource",
		Long: "status reads what the backend holds for every resource of the repository at the work tree and says, per\n" +
			"resource: in sync; missing (never built or created, or its last build failed: when and in which run);\n" +
			"drifted (a pipeline, infrastructure or distribution configuration whose live fields differ from the file:\n" +
			"each field, live and file value); version taken (the version exists with other content); not in git\n" +
			"(carries ibgitops' tags but no file defines it: listed, never deleted). It only reads.\n" +
			"Formats: text (default), json, markdown.\n" +
			"Exit codes: 0 everything in sync, 1 something differs, 2 could not run (or a resource could not be read).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runStatus(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.root, "root", "", rootFlagUsage)
	f.StringVar(&o.backend, "backend", "", "local or aws (default: `backend` in ibgitops.yaml, else local)")
	f.StringVar(&o.awsRegion, "aws-region", "", "AWS region for the aws backend (default: aws.region in ibgitops.yaml, then the AWS chain)")
	f.StringVar(&o.format, "format", "text", "output format: text, json, markdown")
	return cmd
}

func runStatus(cmd *cobra.Command, o statusOptions) error {
	write, ok := map[string]func(*bytes.Buffer, *reconcile.Status) error{
		"text":     func(b *bytes.Buffer, s *reconcile.Status) error { return reconcile.WriteText(b, s) },
		"json":     func(b *bytes.Buffer, s *reconcile.Status) error { return reconcile.WriteJSON(b, s) },
		"markdown": func(b *bytes.Buffer, s *reconcile.Status) error { return reconcile.WriteMarkdown(b, s) },
		"md":       func(b *bytes.Buffer, s *reconcile.Status) error { return reconcile.WriteMarkdown(b, s) },
	}[o.format]
	if !ok {
		return withCode(exitCannot, fmt.Errorf("--format %q: use text, json or markdown", o.format))
	}
	absRoot, err := filepath.Abs(o.root)
	if err != nil {
		return withCode(exitCannot, err)
	}
	if st, err := os.Stat(absRoot); err != nil || !st.IsDir() {
		return withCode(exitCannot, fmt.Errorf("--root %s is not a folder: pass the folder holding ibgitops.yaml", o.root))
	}
	repo, findings, err := recipes.Load(os.DirFS(absRoot))
	if err != nil {
		return withCode(exitCannot, err)
	}
	if e, _ := diag.Count(findings); e > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "ibgitops status: warning: the repository has %d lint error(s) (`ibgitops lint` lists them): what does not load is not compared\n", e)
	}
	name := o.backend
	if name == "" {
		name = repo.Config.Backend
	}
	be, err := buildBackend(name, repo.Config, buildOptions{awsRegion: o.awsRegion})
	if err != nil {
		return withCode(exitCannot, err)
	}
	st, err := runner.ObserveStatus(cmd.Context(), be, repo, absRoot)
	if err != nil {
		return withCode(exitCannot, err)
	}
	var buf bytes.Buffer
	if err := write(&buf, st); err != nil {
		return withCode(exitCannot, err)
	}
	if _, err := cmd.OutOrStdout().Write(buf.Bytes()); err != nil {
		return withCode(exitCannot, err)
	}
	switch {
	case st.Unreadable():
		return withCode(exitCannot, fmt.Errorf("some resources could not be read (see above): grant the permissions named, then re-run"))
	case !st.InSync():
		return withCode(exitFindings, nil)
	}
	return nil
}
