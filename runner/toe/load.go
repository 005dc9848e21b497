package toe

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
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
	data, err := readRegularFile(path, maxDocumentSize, "document", documentHint)
	if err != nil {
		return nil, nil, nil, err
	}
	doc, findings := checkDocument(data, path, opts)
	return doc, data, findings, nil
}

// checkDocument parses and validates a document's text.
func checkDocument(data []byte, path string, opts awstoe.ValidateOptions) (*awstoe.Document, []diag.Finding) {
	doc, findings := parseDocument(data, path)
	if doc != nil {
		findings = append(findings, doc.Validate(opts)...)
	}
	diag.Sort(findings)
	return doc, findings
}

// readDocument returns a document's text from a local path or an
// s3://bucket/key URI (with the run's S3 client).
func readDocument(ctx context.Context, path string, s3client func(context.Context) (S3API, error)) ([]byte, error) {
	if !strings.HasPrefix(path, "s3://") {
		return readRegularFile(path, maxDocumentSize, "document", documentHint)
	}
	bucket, key, err := parseS3URI(path)
	if err != nil {
		return nil, err
	}
	client, err := s3client(ctx)
	if err != nil {
		return nil, err
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return nil, fmt.Errorf("download document %s: %w", path, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, maxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("download document %s: %w", path, err)
	}
	if len(data) > maxDocumentSize {
		return nil, fmt.Errorf("document %s is larger than the %d bytes ibgitops reads: move large content into files the document downloads", path, maxDocumentSize)
	}
	return data, nil
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

// resolveDocPath finds an ExecuteDocument path: as given (relative to the
// working directory, as AWSTOE), else relative to the calling document.
func resolveDocPath(p, parent string) string {
	if filepath.IsAbs(p) || parent == "" || strings.HasPrefix(p, "s3://") || strings.HasPrefix(parent, "s3://") {
		return p
	}
	if _, err := os.Stat(p); err == nil {
		return p
	}
	alt := filepath.Join(filepath.Dir(parent), p)
	if _, err := os.Stat(alt); err == nil {
		return alt
	}
	return p
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
