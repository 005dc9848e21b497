package toe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
)

// RunCommand is `ibgitops toe run`: it runs the documents the flags name,
// echoes step output on stderr and prints AWSTOE's summary JSON on stdout.
// It returns the exit code; with an error, the code is the one to exit
// with and the error what to print.
func RunCommand(ctx context.Context, f toedoc.RunFlags, stdout, stderr io.Writer) (int, error) {
	opts := Options{
		ExecutionID: f.ExecutionID, LogDirectory: f.LogDirectory,
		StateDirectory: f.StateDirectory, Trace: f.Trace, FailOnEmpty: f.FailOnEmpty,
		SecretVars: toedoc.SplitList(f.SecretVars), AllowMissingSteps: f.AllowMissingSteps,
	}
	for _, p := range toedoc.SplitList(f.Documents) {
		opts.Documents = append(opts.Documents, DocumentSpec{Path: p})
	}
	opts.Phases = toedoc.SplitList(f.Phases)
	if f.Parameters != "" {
		ps, err := ParseParameters(f.Parameters)
		if err != nil {
			return exitcodes.Cannot, err
		}
		opts.Parameters = ps
	}
	if f.ConfigFile != "" {
		if err := LoadConfig(f.ConfigFile, &opts); err != nil {
			return exitcodes.Cannot, err
		}
	}
	if len(opts.Documents) == 0 {
		return exitcodes.Cannot, errors.New("--documents or --config is required")
	}
	opts.Console = stderr
	opts.TraceOut = stderr
	summary, err := Run(ctx, opts)
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Findings {
			fmt.Fprintln(stderr, escape.Term(f.String()))
		}
		return exitcodes.Findings, errors.New("the documents are invalid; nothing ran: fix the findings above (ibgitops toe validate lists them)")
	}
	if summary != nil {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if encErr := enc.Encode(summary); encErr != nil {
			return exitcodes.Cannot, encErr
		}
	}
	if err != nil {
		return exitcodes.Cannot, err
	}
	return ExitCode(summary), nil
}
