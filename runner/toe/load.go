package toe

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
)

// readDocument returns a document's text from a local path or an
// s3://bucket/key URI (with the run's S3 client).
func readDocument(ctx context.Context, path string, s3client func(context.Context) (S3API, error)) ([]byte, error) {
	if !strings.HasPrefix(path, "s3://") {
		return toedoc.ReadRegularFile(path, toedoc.MaxDocumentSize, "document", toedoc.DocumentHint)
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
	data, err := io.ReadAll(io.LimitReader(out.Body, toedoc.MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("download document %s: %w", path, err)
	}
	if len(data) > toedoc.MaxDocumentSize {
		return nil, fmt.Errorf("document %s is larger than the %d bytes ibgitops reads: move large content into files the document downloads", path, toedoc.MaxDocumentSize)
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
