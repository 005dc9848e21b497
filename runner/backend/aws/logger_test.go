package aws

import (
	"context"
	"testing"

	"github.com/aws/smithy-go/logging"
)

// TestNoRawSDKLogLines: the SDK's own log lines (such as "WARN falling
// back to IMDSv1" from the credential chain off EC2) never reach the user.
func TestNoRawSDKLogLines(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fake")
	cfg, err := LoadConfig(context.Background(), "us-east-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Logger.(logging.Nop); !ok {
		t.Errorf("the SDK logs through %T; want logging.Nop", cfg.Logger)
	}
}
