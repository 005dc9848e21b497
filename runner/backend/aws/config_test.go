package aws

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ibgitops/ibgitops/internal/ibfake"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// isolateAWSEnv clears the AWS chain so only what a test sets applies.
func isolateAWSEnv(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_IMAGEBUILDER", "AWS_ENDPOINT_URL_STS",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestStandardChainReachesTheFake(t *testing.T) {
	e := newEnv(t, ibfake.Options{Account: "210987654321"})
	isolateAWSEnv(t)
	t.Setenv("AWS_ENDPOINT_URL", e.srv.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDFAKE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fakesecret")
	b, err := New(context.Background(), Options{PollInterval: time.Millisecond, MaxPollInterval: time.Millisecond, RetryBackoff: noDelay})
	if err != nil {
		t.Fatal(err)
	}
	res, rec := runBuild(t, b, request(repoFixture(1), "web", "web-pipeline"))
	if res.Status != backend.StatusSucceeded || !strings.Contains(res.Image, ":210987654321:image/web/1.0.0/1") {
		t.Fatalf("%+v\n%s", res, rec.text())
	}
	if e.fake.Calls()["sts:GetCallerIdentity"] != 1 {
		t.Errorf("account not learnt from STS through AWS_ENDPOINT_URL: %s", formatCalls(e.fake.Calls()))
	}
	// The retryer of clients built from the chain retries throttling.
	e.fake.SetFaults(ibfake.Faults{ThrottleNext: 4})
	res, _ = runBuild(t, b, request(repoFixture(1), "web", "web-pipeline"))
	if res.Status != backend.StatusSkipped {
		t.Fatalf("after throttling: %+v", res)
	}
}

func TestServiceSpecificEndpoint(t *testing.T) {
	e := newEnv(t, ibfake.Options{})
	isolateAWSEnv(t)
	t.Setenv("AWS_ENDPOINT_URL_IMAGEBUILDER", e.srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDFAKE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fakesecret")
	b, err := New(context.Background(), Options{Region: "us-east-1", Account: "123456789012", Partition: "aws", PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if b.Region() != "us-east-1" {
		t.Errorf("region %q", b.Region())
	}
	res, _ := runBuild(t, b, request(repoFixture(1), "web", "web-pipeline"))
	if res.Status != backend.StatusSucceeded {
		t.Fatalf("%+v", res)
	}
}

func TestChainErrorsSayWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"no region", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDFAKE", "AWS_SECRET_ACCESS_KEY": "x"}, []string{"no AWS region", "aws.region in ibgitops.yaml", "AWS_REGION"}},
		{"no credentials", map[string]string{"AWS_REGION": "eu-west-1"}, []string{"no usable AWS credentials", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE"}},
		{"unknown profile", map[string]string{"AWS_REGION": "eu-west-1", "AWS_PROFILE": "nope"}, []string{"load AWS configuration", "AWS_PROFILE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolateAWSEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := New(context.Background(), Options{})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			if strings.Contains(err.Error(), "AKIDFAKE") {
				t.Errorf("error shows the access key: %v", err)
			}
		})
	}
}
