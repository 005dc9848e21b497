package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ibgitops/ibgitops/runner"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/report/escape"
	"github.com/ibgitops/ibgitops/runner/toe"
	"github.com/spf13/cobra"
)

func newToeCmd() *cobra.Command {
	toeCmd := &cobra.Command{
		Use:   "toe",
		Short: "Validate and run AWSTOE component documents (AWS's awstoe, compatible flags and outputs)",
		Long: "toe validate and toe run take awstoe's documents and flags.\n" +
			"Exit codes: 0 valid / succeeded, 1 findings / a failed step, 2 could not run, 194 (toe run) reboot requested.",
	}
	toeCmd.AddCommand(toeValidateCmd(), toeRunCmd())
	return toeCmd
}

func toeValidateCmd() *cobra.Command {
	var documents, format, platform string
	var allowMissing bool
	cmd := &cobra.Command{
		Use:   "validate --documents a.yaml[,b.yaml] [--platform Linux|Windows|macOS]",
		Short: "Validate AWSTOE documents for this OS (or --platform); findings printed as lint prints them",
		Long: "Validate AWSTOE documents for this OS, or for --platform, with the same rules and printers as lint " +
			"(text: file:line:col: severity: message [rule]). Exit codes: 0 valid (warnings allowed), " +
			"1 validation errors, 2 could not run (missing file, bad flags).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exitWith(runner.ValidateDocuments(toe.SplitList(documents), format, platform, allowMissing, cmd.OutOrStdout()))
		},
	}
	cmd.Flags().StringVarP(&documents, "documents", "d", "", "comma-separated AWSTOE documents (no spaces)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: "+strings.Join(report.FindingFormats, ", "))
	cmd.Flags().BoolP("trace", "t", false, "accepted for awstoe compatibility (validation output is always complete)")
	cmd.Flags().StringVar(&platform, "platform", "", "validate for Linux, Windows or macOS (default: this machine's, "+toe.HostPlatform()+")")
	cmd.Flags().BoolVar(&allowMissing, "allow-missing-steps", false, "a chaining reference to a step the document lacks is a warning, not an error (templates a generator completes)")
	return cmd
}

func toeRunCmd() *cobra.Command {
	var (
		documents, configFile, phases, parameters, secretVars string
		flagOpts                                              toe.Options // bound to flags
	)
	cmd := &cobra.Command{
		Use:   "run --documents a.yaml[,b.yaml] [--phases build,validate]",
		Short: "Run AWSTOE documents; prints AWSTOE's summary JSON on stdout",
		Long: "Run AWSTOE documents with AWSTOE's semantics and write its log folder " +
			"<log-directory>/TOE_<date>_UTC-0_<executionId>/ (detailedoutput.json, console.log, application.log, " +
			"document.yaml, chaining.json). Step output is echoed on stderr; stdout holds only the summary JSON.\n\n" +
			"Exit codes: 0 success (also with ignored failures), 1 a step failed or the documents are invalid, " +
			"2 could not run (bad flags, unreadable files), 194 a step asked for a reboot: the state is saved in " +
			"--state-directory; reboot (or restart the container) and run the same command again to resume.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := toe.Options{
				ExecutionID: flagOpts.ExecutionID, LogDirectory: flagOpts.LogDirectory,
				StateDirectory: flagOpts.StateDirectory, Trace: flagOpts.Trace, FailOnEmpty: flagOpts.FailOnEmpty,
				SecretVars: toe.SplitList(secretVars), AllowMissingSteps: flagOpts.AllowMissingSteps,
			}
			for _, p := range toe.SplitList(documents) {
				opts.Documents = append(opts.Documents, toe.DocumentSpec{Path: p})
			}
			opts.Phases = toe.SplitList(phases)
			if parameters != "" {
				ps, err := toe.ParseParameters(parameters)
				if err != nil {
					return withCode(exitCannot, err)
				}
				opts.Parameters = ps
			}
			if configFile != "" {
				if err := toe.LoadConfig(configFile, &opts); err != nil {
					return withCode(exitCannot, err)
				}
			}
			if len(opts.Documents) == 0 {
				return withCode(exitCannot, errors.New("--documents or --config is required"))
			}
			opts.Console = cmd.ErrOrStderr()
			opts.TraceOut = cmd.ErrOrStderr()
			summary, err := toe.Run(cmd.Context(), opts)
			var ve *toe.ValidationError
			if errors.As(err, &ve) {
				for _, f := range ve.Findings {
					fmt.Fprintln(cmd.ErrOrStderr(), escape.Term(f.String()))
				}
				return withCode(exitFindings, errors.New("the documents are invalid; nothing ran: fix the findings above (ibgitops toe validate lists them)"))
			}
			if summary != nil {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if encErr := enc.Encode(summary); encErr != nil {
					return withCode(exitCannot, encErr)
				}
			}
			if err != nil {
				return withCode(exitCannot, err)
			}
			if code := toe.ExitCode(summary); code != 0 {
				return withCode(code, nil)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&documents, "documents", "d", "", "comma-separated AWSTOE documents: paths or s3://bucket/key (no spaces)")
	f.StringVarP(&configFile, "config", "c", "", "AWSTOE run config JSON (documents, parameters, phases, ...); flags win")
	f.StringVarP(&phases, "phases", "p", "", "comma-separated phases to run (they run in document order); default all")
	f.StringVar(&parameters, "parameters", "", "name=value,name2=value2 document parameters")
	f.StringVarP(&flagOpts.ExecutionID, "execution-id", "i", "", "run id used in the log folder name (default: a new UUID)")
	f.StringVarP(&flagOpts.LogDirectory, "log-directory", "l", "", "parent folder of the TOE_* log folder (default: .)")
	f.StringVarP(&flagOpts.StateDirectory, "state-directory", "s", "", "where reboot/resume state is kept (default: the log directory)")
	f.BoolVarP(&flagOpts.Trace, "trace", "t", false, "echo application.log on stderr")
	f.BoolVar(&flagOpts.AllowMissingSteps, "allow-missing-steps", false, "accept chaining references to steps a document lacks (they fail when reached); for templates a generator completes")
	f.StringVar(&secretVars, "secret-vars", "", "comma-separated environment variables whose values are redacted from every output, besides "+strings.Join(toe.SecretVars, ", ")+" and those IBGITOPS_SECRET_VARS lists")
	f.BoolVar(&flagOpts.FailOnEmpty, "fail-on-empty", false, "fail when a --phases name matches nothing (default: a warning in the summary)")
	return cmd
}
