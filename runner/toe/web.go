package toe

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

func init() {
	register("WebDownload", module{listInputs: true, run: webDownload})
}

// webDownloadAttempts is how often WebDownload tries one URL (independent of
// the step's maxAttempts), with exponential backoff from backoffBase.
const webDownloadAttempts = 5

func newHash(algorithm string) (hash.Hash, error) {
	switch strings.ToUpper(algorithm) {
	case "MD5":
		return md5.New(), nil
	case "SHA1":
		return sha1.New(), nil
	case "SHA256":
		return sha256.New(), nil
	case "SHA512":
		return sha512.New(), nil
	}
	return nil, fmt.Errorf("unknown checksum algorithm %q: use MD5, SHA1, SHA256 or SHA512", algorithm)
}

// fileHash returns the lower-case hex digest of the file.
func fileHash(p, algorithm string) (string, error) {
	h, err := newHash(algorithm)
	if err != nil {
		return "", err
	}
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func webDownload(ctx context.Context, e *env, in any) (output, error) {
	var downloaded []string
	_, err := perItem(in, func(_ int, m map[string]any) (map[string]any, error) {
		source, dest, err := reqSourceDest(m)
		if err != nil {
			return nil, err
		}
		overwrite, err := optBool(m, "overwrite", true)
		if err != nil {
			return nil, err
		}
		checksum, _ := optString(m, "checksum", "")
		algorithm, _ := optString(m, "algorithm", "")
		insecure, err := optBool(m, "ignoreCertificateErrors", false)
		if err != nil {
			return nil, err
		}
		u, err := url.Parse(source)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("source %q is not an http(s) URL", source)
		}
		if strings.HasSuffix(dest, "/") || strings.HasSuffix(dest, `\`) {
			name := path.Base(u.Path)
			if name == "/" || name == "." || name == "" {
				return nil, fmt.Errorf("cannot name the file from %s: give destination a file name", source)
			}
			dest = filepath.Join(dest, name)
		}
		verify := checksum != "" && algorithm != ""
		if (checksum != "") != (algorithm != "") {
			return nil, fmt.Errorf("checksum and algorithm go together: set both or neither")
		}
		if _, err := os.Stat(dest); err == nil {
			if verify {
				if sum, err := fileHash(dest, algorithm); err == nil && strings.EqualFold(sum, checksum) {
					e.log.Info("WebDownload: destination already has the expected checksum; not downloading", "destination", dest)
					downloaded = append(downloaded, dest)
					return nil, nil
				}
			}
			if !overwrite {
				return nil, fmt.Errorf("%s already exists and overwrite is false: delete it first or set overwrite: true", dest)
			}
		}
		if err := os.MkdirAll(filepath.Dir(dest), 0o777); err != nil {
			return nil, err
		}
		client := e.http
		if insecure {
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the document asked for it
			client = &http.Client{Transport: tr, Timeout: e.http.Timeout}
		}
		var lastErr error
		delay := e.backoff
		for attempt := 1; attempt <= webDownloadAttempts; attempt++ {
			lastErr = fetch(ctx, client, source, dest)
			if lastErr == nil {
				break
			}
			var perm *permanentError
			if errors.As(lastErr, &perm) || ctx.Err() != nil {
				break
			}
			e.log.Warn("WebDownload attempt failed", "attempt", attempt, "url", source, "err", lastErr)
			if attempt < webDownloadAttempts {
				if err := e.sleep(ctx, delay); err != nil {
					return nil, err
				}
				delay *= 2
			}
		}
		if lastErr != nil {
			return nil, fmt.Errorf("download %s: %w", source, lastErr)
		}
		if verify {
			sum, err := fileHash(dest, algorithm)
			if err != nil {
				return nil, err
			}
			if !strings.EqualFold(sum, checksum) {
				_ = os.Remove(dest) // never leave a file that failed its check
				return nil, fmt.Errorf("checksum mismatch for %s: %s is %s, expected %s; check the URL or the checksum", dest, algorithm, sum, checksum)
			}
		}
		downloaded = append(downloaded, dest)
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return output{{"destination": strings.Join(downloaded, "\n")}}, nil
}

// permanentError stops WebDownload's retries (a 4xx answer).
type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

func fetch(ctx context.Context, client *http.Client, source, dest string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, source, nil)
	if err != nil {
		return &permanentError{err}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("HTTP %s (only 200 is accepted)", resp.Status)
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout {
			return &permanentError{err}
		}
		return err
	}
	tmp := dest + ".ibgitops-download"
	f, err := os.Create(tmp)
	if err != nil {
		return &permanentError{err}
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dest)
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
