package toe

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestWebDownload(t *testing.T) {
	var mu sync.Mutex
	flaky := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/file.txt":
			io.WriteString(w, "payload")
		case "/flaky":
			mu.Lock()
			flaky++
			n := flaky
			mu.Unlock()
			if n < 3 {
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
			io.WriteString(w, "third time")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	s, _ := runCase(t, dir, Options{
		Documents:   []DocumentSpec{{Path: "testdata/cases/web.yaml"}},
		ExecutionID: "exec-web",
		Parameters:  []Param{{Name: "Base", Value: srv.URL}},
	})
	if ExitCode(s) != 1 || s.FailedStepCount != 2 {
		t.Errorf("want the checksum and 404 steps to fail, got %+v", s)
	}
	if flaky != 3 {
		t.Errorf("flaky URL fetched %d times, want 3 (two 503s retried)", flaky)
	}
	golden(t, "web.txt", strings.ReplaceAll(caseOutput(t, dir, s), srv.URL, "<server>"))
}

// s3Fake is a path-style S3 endpoint holding objects in memory; it checks
// the expected-bucket-owner header as S3 does.
type s3Fake struct {
	mu      sync.Mutex
	objects map[string]string // "bucket/key" -> body
	owner   string
}

func (f *s3Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o := r.Header.Get("X-Amz-Expected-Bucket-Owner"); o != "" && o != f.owner {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	switch {
	case r.Method == http.MethodPut:
		b, _ := io.ReadAll(r.Body)
		f.objects[bucket+"/"+key] = string(b)
		w.Header().Set("ETag", `"etag"`)
	case r.Method == http.MethodGet && key == "" && r.URL.Query().Get("list-type") == "2":
		prefix := r.URL.Query().Get("prefix")
		type content struct {
			Key  string `xml:"Key"`
			Size int    `xml:"Size"`
		}
		var res struct {
			XMLName     xml.Name  `xml:"ListBucketResult"`
			Name        string    `xml:"Name"`
			Prefix      string    `xml:"Prefix"`
			KeyCount    int       `xml:"KeyCount"`
			IsTruncated bool      `xml:"IsTruncated"`
			Contents    []content `xml:"Contents"`
		}
		res.Name, res.Prefix = bucket, prefix
		var keys []string
		for k := range f.objects {
			if b, kk, _ := strings.Cut(k, "/"); b == bucket && strings.HasPrefix(kk, prefix) {
				keys = append(keys, kk)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			res.Contents = append(res.Contents, content{Key: k, Size: len(f.objects[bucket+"/"+k])})
		}
		res.KeyCount = len(keys)
		w.Header().Set("Content-Type", "application/xml")
		xml.NewEncoder(w).Encode(res)
	case r.Method == http.MethodGet:
		body, ok := f.objects[bucket+"/"+key]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>%s</Key></Error>`, key)
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		io.WriteString(w, body)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

var regexpRequestID = regexp.MustCompile(`RequestID: [^,)\\"]*`)

func newS3Test(t *testing.T, fake *s3Fake) (*httptest.Server, *s3.Client) {
	t.Helper()
	srv := httptest.NewServer(fake)
	return srv, s3.New(s3.Options{
		BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, Region: "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDTEST", "not-a-secret", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           1,
	})
}

func TestS3Modules(t *testing.T) {
	fixUmask(t)
	fake := &s3Fake{objects: map[string]string{}, owner: "111122223333"}
	srv, client := newS3Test(t, fake)
	defer srv.Close()
	dir := t.TempDir()
	s, _ := runCase(t, dir, Options{
		Documents:   []DocumentSpec{{Path: "testdata/cases/s3.yaml"}},
		ExecutionID: "exec-s3",
		S3:          client,
	})
	var keys []string
	for k, v := range fake.objects {
		keys = append(keys, k+"="+v)
	}
	sort.Strings(keys)
	want := "bucket/logs/two.log=two bucket/single/renamed.txt=one bucket/tree/deep/three.txt=three bucket/tree/one.txt=one bucket/tree/two.log=two"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("uploaded objects:\n got %s\nwant %s", got, want)
	}
	if s.FailedStepCount != 4 {
		t.Errorf("want 4 failed steps (no recurse, no overwrite, wrong owner, missing key), got %+v", s)
	}
	out := caseOutput(t, dir, s)
	out = regexpRequestID.ReplaceAllString(strings.ReplaceAll(out, srv.URL, "<server>"), "RequestID: <id>")
	golden(t, "s3.txt", out)
}

// imdsFake answers IMDSv2 token and meta-data requests.
func imdsFake(t *testing.T, values map[string]string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
			io.WriteString(w, "token")
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/latest/meta-data/"):
			if r.Header.Get("X-Aws-Ec2-Metadata-Token") != "token" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			v, ok := values[strings.TrimPrefix(r.URL.Path, "/latest/meta-data/")]
			if !ok {
				http.NotFound(w, r)
				return
			}
			io.WriteString(w, v)
		default:
			http.NotFound(w, r)
		}
	}))
}

func TestAWSReferences(t *testing.T) {
	srv := imdsFake(t, map[string]string{"placement/region": "eu-west-1", "instance-id": "i-0123456789abcdef0"})
	defer srv.Close()
	dir := t.TempDir()
	s, _ := runCase(t, dir, Options{
		Documents:   []DocumentSpec{{Path: "testdata/cases/aws_refs.yaml"}},
		ExecutionID: "exec-aws-refs",
		Environ:     testEnviron("AWS_EC2_METADATA_SERVICE_ENDPOINT=" + srv.URL),
	})
	if s.FailedStepCount != 2 || s.ExecutedStepCount != 3 {
		t.Errorf("want the missing path and the ssm reference to fail, got %+v", s)
	}
	out := regexp.MustCompile(`\(operation error[^)]*\)`).ReplaceAllString(caseOutput(t, dir, s), "(<sdk error>)")
	golden(t, "aws_refs.txt", strings.ReplaceAll(out, srv.URL, "<imds>"))
}

// Documents (and ExecuteDocument children) can come from s3:// URIs.
func TestS3Documents(t *testing.T) {
	fake := &s3Fake{objects: map[string]string{
		"bucket/docs/main.yaml":  "name: main\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Child\n        action: ExecuteDocument\n        inputs:\n          document: s3://bucket/docs/child.yaml\n",
		"bucket/docs/child.yaml": "name: child\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Hello\n        action: ExecuteBash\n        inputs:\n          commands: [\"echo from s3\"]\n",
	}}
	srv, client := newS3Test(t, fake)
	defer srv.Close()
	s, err := Run(context.Background(), Options{Documents: []DocumentSpec{{Path: "s3://bucket/docs/main.yaml"}}, S3: client, LogDirectory: t.TempDir(), Environ: testEnviron()})
	if err != nil || s.Status != StatusSuccess {
		t.Fatalf("%v %+v", err, s)
	}
	console, _ := os.ReadFile(filepath.Join(s.LogURL, "console.log"))
	if !strings.Contains(string(console), "from s3") {
		t.Errorf("the child document did not run:\n%s", console)
	}
	_, err = Run(context.Background(), Options{Documents: []DocumentSpec{{Path: "s3://bucket/docs/none.yaml"}}, S3: client, LogDirectory: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "download document s3://bucket/docs/none.yaml") {
		t.Errorf("missing object: want a download error naming it, got %v", err)
	}
}
