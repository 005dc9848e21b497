package toe

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
)

// HostPlatform is the Image Builder platform name of this OS (toedoc).
func HostPlatform() string { return toedoc.HostPlatform() }

// LoadDocument reads and validates one AWSTOE document for this OS
// (toedoc.LoadDocument).
func LoadDocument(path string) (*awstoe.Document, []byte, []diag.Finding, error) {
	return toedoc.LoadDocument(path)
}

// LoadDocumentFor is LoadDocument validating with opts (toedoc).
func LoadDocumentFor(path string, opts awstoe.ValidateOptions) (*awstoe.Document, []byte, []diag.Finding, error) {
	return toedoc.LoadDocumentFor(path, opts)
}

// ValidateFor returns the validation options for `toe validate` (toedoc).
func ValidateFor(platform string, allowMissingSteps bool) (awstoe.ValidateOptions, error) {
	return toedoc.ValidateFor(platform, allowMissingSteps)
}

// SplitList splits a comma-separated flag value, dropping empty items.
func SplitList(s string) []string { return toedoc.SplitList(s) }

// SecretVars: toedoc.SecretVars.
var SecretVars = toedoc.SecretVars

const maxDocumentSize = toedoc.MaxDocumentSize

func readRegularFile(path string, max int64, what, hint string) ([]byte, error) {
	return toedoc.ReadRegularFile(path, max, what, hint)
}

// readDocument returns a document's text from a local path or an
// s3://bucket/key URI (with the run's S3 client).
func readDocument(ctx context.Context, path string, s3client func(context.Context) (S3API, error)) ([]byte, error) {
	if !strings.HasPrefix(path, "s3://") {
		return toedoc.ReadRegularFile(path, maxDocumentSize, "document", toedoc.DocumentHint)
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
