package cli

import (
	"strings"

	"github.com/ibgitops/ibgitops/runner"
	"github.com/ibgitops/ibgitops/runner/report"
	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
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
			return exitWith(runner.ValidateDocuments(toedoc.SplitList(documents), format, platform, allowMissing, cmd.OutOrStdout()))
		},
	}
	cmd.Flags().StringVarP(&documents, "documents", "d", "", "comma-separated AWSTOE documents (no spaces)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: "+strings.Join(report.FindingFormats, ", "))
	cmd.Flags().BoolP("trace", "t", false, "accepted for awstoe compatibility (validation output is always complete)")
	cmd.Flags().StringVar(&platform, "platform", "", "validate for Linux, Windows or macOS (default: this machine's, "+toedoc.HostPlatform()+")")
	cmd.Flags().BoolVar(&allowMissing, "allow-missing-steps", false, "a chaining reference to a step the document lacks is a warning, not an error (templates a generator completes)")
	return cmd
}

func toeRunCmd() *cobra.Command {
	var f toedoc.RunFlags
	cmd := &cobra.Command{
		Use:   "run --documents a.yaml[,b.yaml] [--phases build,validate]",
		Short: "Run AWSTOE documents; prints AWSTOE's summary JSON on stdout",
		Long: "Run AWSTOE documents with AWSTOE's semantics and write its log folder " +
			"<log-directory>/TOE_<date>_UTC-0_<executionId>/ (detailedoutput.json, console.log, application.log, " +
			"document.yaml, chaining.json). Step output is echoed on stderr; stdout holds only the summary JSON.\n\n" +
			"Exit codes: 0 success (also with ignored failures), 1 a step failed or the documents are invalid, " +
			"2 could not run (bad flags, unreadable files), 194 a step asked for a reboot: the state is saved in " +
			"--state-directory; reboot (or restart the container) and run the same command again to resume.",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{needsFullAnnotation: "the AWSTOE executor (S3 and instance metadata modules)"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			code, err := full.ToeRun(cmd.Context(), f, cmd.OutOrStdout(), cmd.ErrOrStderr())
			if err != nil || code != exitOK {
				return withCode(code, err)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.Documents, "documents", "d", "", "comma-separated AWSTOE documents: paths or s3://bucket/key (no spaces)")
	fl.StringVarP(&f.ConfigFile, "config", "c", "", "AWSTOE run config JSON (documents, parameters, phases, ...); flags win")
	fl.StringVarP(&f.Phases, "phases", "p", "", "comma-separated phases to run (they run in document order); default all")
	fl.StringVar(&f.Parameters, "parameters", "", "name=value,name2=value2 document parameters")
	fl.StringVarP(&f.ExecutionID, "execution-id", "i", "", "run id used in the log folder name (default: a new UUID)")
	fl.StringVarP(&f.LogDirectory, "log-directory", "l", "", "parent folder of the TOE_* log folder (default: .)")
	fl.StringVarP(&f.StateDirectory, "state-directory", "s", "", "where reboot/resume state is kept (default: the log directory)")
	fl.BoolVarP(&f.Trace, "trace", "t", false, "echo application.log on stderr")
	fl.BoolVar(&f.AllowMissingSteps, "allow-missing-steps", false, "accept chaining references to steps a document lacks (they fail when reached); for templates a generator completes")
	fl.StringVar(&f.SecretVars, "secret-vars", "", "comma-separated environment variables whose values are redacted from every output, besides "+strings.Join(toedoc.SecretVars, ", ")+" and those IBGITOPS_SECRET_VARS lists")
	fl.BoolVar(&f.FailOnEmpty, "fail-on-empty", false, "fail when a --phases name matches nothing (default: a warning in the summary)")
	return cmd
}
