package cli

import (
	"github.com/spf13/cobra"

	"github.com/ibgitops/ibgitops/runner"
)

func newImportCmd() *cobra.Command {
	var o runner.ImportOptions
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Out, o.Err = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return exitWith(runner.Import(cmd.Context(), o))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Root, "root", ".", "folder to write the repository into")
	f.StringVar(&o.BackendName, "backend", "aws", "backend to import from (aws)")
	f.StringVar(&o.AWSRegion, "aws-region", "", "AWS region (default: the AWS chain)")
	f.StringVar(&o.NamePrefix, "name-prefix", "", "import only resources whose name starts with this")
	f.StringArrayVar(&o.Tags, "tag", nil, "import only resources carrying this tag, key=value (repeat for several)")
	f.BoolVar(&o.Force, "force", false, "overwrite files that already exist")
	f.BoolVar(&o.Adopt, "adopt", true, "tag the imported resources with the new files' content hashes (status in sync, builds reuse them)")
	return cmd
}
