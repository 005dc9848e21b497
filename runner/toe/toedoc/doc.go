// Package toedoc reads and validates AWSTOE documents the way `toe run`
// does before it runs them: what `lint` and `toe validate` need. It links
// neither the executor nor the AWS SDK (runner/toe has S3 documents and
// modules), so the ibgitops binary a pre-commit hook starts stays small
// (issue #15).
package toedoc

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"

	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"gopkg.in/yaml.v3"
)

// HostPlatform is the Image Builder platform name of this OS: what `toe
// validate` checks for without --platform, as AWSTOE validates for the
// machine it runs on.
func HostPlatform() string {
	switch runtime.GOOS {
	case "windows":
		return awstoe.PlatformWindows
	case "darwin":
		return awstoe.PlatformMacOS
	}
	return awstoe.PlatformLinux
}

// LoadDocument reads and validates one AWSTOE document for this OS. It also
// accepts an ibgitops Component file and runs its inline `document:`.
// Findings with errors mean the document must not run.
func LoadDocument(path string) (*awstoe.Document, []byte, []diag.Finding, error) {
	return LoadDocumentFor(path, awstoe.ValidateOptions{Platform: HostPlatform()})
}

// LoadDocumentFor is LoadDocument validating with opts (another platform,
// lenient step references).
func LoadDocumentFor(path string, opts awstoe.ValidateOptions) (*awstoe.Document, []byte, []diag.Finding, error) {
	data, err := ReadRegularFile(path, MaxDocumentSize, "document", DocumentHint)
	if err != nil {
		return nil, nil, nil, err
	}
	doc, findings := CheckDocument(data, path, opts)
	return doc, data, findings, nil
}

// CheckDocument parses and validates a document's text.
func CheckDocument(data []byte, path string, opts awstoe.ValidateOptions) (*awstoe.Document, []diag.Finding) {
	doc, findings := parseDocument(data, path)
	if doc != nil {
		findings = append(findings, doc.Validate(opts)...)
	}
	diag.Sort(findings)
	return doc, findings
}

// parseDocument parses a pure AWSTOE document or, for a file with `kind:`
// and an inline `document:` mapping, that mapping.
func parseDocument(data []byte, path string) (*awstoe.Document, []diag.Finding) {
	if !bytes.HasPrefix(data, []byte("kind:")) && !bytes.Contains(data, []byte("\nkind:")) {
		return awstoe.Parse(data, path)
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) == nil && len(root.Content) == 1 && root.Content[0].Kind == yaml.MappingNode {
		m := root.Content[0]
		var kind, inline *yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			switch m.Content[i].Value {
			case "kind":
				kind = m.Content[i+1]
			case "document":
				inline = m.Content[i+1]
			}
		}
		if kind != nil && inline != nil && inline.Kind == yaml.MappingNode {
			return awstoe.ParseNode(inline, path)
		}
	}
	return awstoe.Parse(data, path)
}

// ValidateFor returns the validation options for `toe validate`: platform
// is Linux, Windows or macOS in any case ("" = this machine's).
func ValidateFor(platform string, allowMissingSteps bool) (awstoe.ValidateOptions, error) {
	opts := awstoe.ValidateOptions{Platform: HostPlatform(), AllowMissingSteps: allowMissingSteps}
	if platform == "" {
		return opts, nil
	}
	for _, p := range []string{awstoe.PlatformLinux, awstoe.PlatformWindows, awstoe.PlatformMacOS} {
		if strings.EqualFold(platform, p) {
			opts.Platform = p
			return opts, nil
		}
	}
	return opts, fmt.Errorf("--platform %q: use Linux, Windows or macOS", platform)
}

// SplitList splits a comma-separated flag value, dropping empty items.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// RunFlags are the flags of `toe run`, as given: the command tree binds
// them here, and runner/toe.RunCommand (linked only by ibgitops-full)
// reads them.
type RunFlags struct {
	Documents, ConfigFile, Phases, Parameters, SecretVars string
	ExecutionID, LogDirectory, StateDirectory             string
	Trace, AllowMissingSteps, FailOnEmpty                 bool
}
