package toe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func init() {
	register("S3Download", module{listInputs: true, run: s3Download})
	register("S3Upload", module{listInputs: true, run: s3Upload})
}

// S3API is the part of *s3.Client the S3 modules use, in the SDK's own
// method shape so a real client (pointed at an HTTP fake in tests) fits.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// s3PrefixLimit is AWSTOE's cap on objects fetched by one prefix download.
const s3PrefixLimit = 1000

// parseS3URI splits s3://bucket/key.
func parseS3URI(uri string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an S3 URI: write s3://bucket/key", uri)
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q has no bucket: write s3://bucket/key", uri)
	}
	return bucket, key, nil
}

func optOwner(owner string) *string {
	if owner == "" {
		return nil
	}
	return aws.String(owner)
}

// s3PerItem gets the S3 client once, then runs fn on each input item with
// the source, destination and expectedBucketOwner inputs both modules share.
func s3PerItem(ctx context.Context, e *env, in any, fn func(client S3API, m map[string]any, source, dest, owner string) error) (output, error) {
	client, err := e.s3(ctx)
	if err != nil {
		return nil, err
	}
	return perItem(in, func(_ int, m map[string]any) (map[string]any, error) {
		source, dest, err := reqSourceDest(m)
		if err != nil {
			return nil, err
		}
		owner, _ := optString(m, "expectedBucketOwner", "")
		return nil, fn(client, m, source, dest, owner)
	})
}

func s3Download(ctx context.Context, e *env, in any) (output, error) {
	return s3PerItem(ctx, e, in, func(client S3API, m map[string]any, source, dest, owner string) error {
		overwrite, err := optBool(m, "overwrite", true)
		if err != nil {
			return err
		}
		bucket, key, err := parseS3URI(source)
		if err != nil {
			return err
		}
		if prefix, ok := strings.CutSuffix(key, "*"); ok {
			return s3DownloadPrefix(ctx, client, bucket, prefix, dest, owner, overwrite)
		}
		if key == "" || strings.HasSuffix(key, "/") {
			return fmt.Errorf("source %s names no object: give a key, or a prefix ending in /*", source)
		}
		if strings.HasSuffix(dest, "/") || strings.HasSuffix(dest, `\`) {
			dest = filepath.Join(dest, path.Base(key))
		}
		if st, err := os.Stat(filepath.Dir(dest)); err != nil || !st.IsDir() {
			return fmt.Errorf("S3Download: folder %s does not exist: create it first (CreateFolder)", filepath.Dir(dest))
		}
		return s3GetTo(ctx, client, bucket, key, dest, owner, overwrite)
	})
}

func s3DownloadPrefix(ctx context.Context, client S3API, bucket, prefix, dest, owner string, overwrite bool) error {
	var keys []string
	var token *string
	for {
		out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
			Bucket: aws.String(bucket), Prefix: aws.String(prefix),
			ContinuationToken: token, ExpectedBucketOwner: optOwner(owner),
		})
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range out.Contents {
			k := aws.ToString(o.Key)
			if !strings.HasSuffix(k, "/") {
				keys = append(keys, k)
			}
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil || len(keys) > s3PrefixLimit {
			break
		}
		token = out.NextContinuationToken
	}
	if len(keys) > s3PrefixLimit {
		return fmt.Errorf("s3://%s/%s* holds more than %d objects, AWSTOE's limit: download narrower prefixes", bucket, prefix, s3PrefixLimit)
	}
	if len(keys) == 0 {
		return fmt.Errorf("no objects under s3://%s/%s", bucket, prefix)
	}
	for _, k := range keys {
		rel := strings.TrimPrefix(k, prefix)
		target := filepath.Join(dest, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(target), 0o777); err != nil {
			return err
		}
		if err := s3GetTo(ctx, client, bucket, k, target, owner, overwrite); err != nil {
			return err
		}
	}
	return nil
}

func s3GetTo(ctx context.Context, client S3API, bucket, key, dest, owner string, overwrite bool) error {
	if _, err := os.Stat(dest); err == nil && !overwrite {
		return errors.New(`S3Download: File already exists and "overwrite" property for "destination" file is set to false. Cannot download.`)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ExpectedBucketOwner: optOwner(owner)})
	if err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	f, err := os.Create(dest)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, out.Body); err != nil {
		f.Close()
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	return f.Close()
}

func s3Upload(ctx context.Context, e *env, in any) (output, error) {
	return s3PerItem(ctx, e, in, func(client S3API, m map[string]any, source, dest, owner string) error {
		recurse, err := optBool(m, "recurse", false)
		if err != nil {
			return err
		}
		bucket, key, err := parseS3URI(dest)
		if err != nil {
			return err
		}
		sources, wildcard, err := expand(source)
		if err != nil {
			return err
		}
		asPrefix := wildcard || strings.HasSuffix(key, "/") || key == ""
		for _, src := range sources {
			st, err := os.Stat(src)
			if err != nil {
				return err
			}
			if st.IsDir() {
				if !recurse {
					if wildcard {
						continue
					}
					return fmt.Errorf("%s is a folder: set recurse: true to upload it", src)
				}
				base := key
				if asPrefix && wildcard {
					base = path.Join(key, filepath.Base(src)) + "/"
				} else if base != "" && !strings.HasSuffix(base, "/") {
					base += "/"
				}
				err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						return err
					}
					rel, err := filepath.Rel(src, p)
					if err != nil {
						return err
					}
					return s3Put(ctx, client, p, bucket, base+filepath.ToSlash(rel), owner)
				})
				if err != nil {
					return err
				}
				continue
			}
			k := key
			if asPrefix {
				k = key + filepath.Base(src)
				if key != "" && !strings.HasSuffix(key, "/") {
					k = key + "/" + filepath.Base(src)
				}
			}
			if err := s3Put(ctx, client, src, bucket, k, owner); err != nil {
				return err
			}
		}
		return nil
	})
}

func s3Put(ctx context.Context, client S3API, file, bucket, key, owner string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: f,
		ContentLength: aws.Int64(st.Size()), ExpectedBucketOwner: optOwner(owner),
	})
	if err != nil {
		return fmt.Errorf("put %s to s3://%s/%s: %w", file, bucket, key, err)
	}
	return nil
}
