package toe

import (
	"context"
	"fmt"
	"github.com/aws/smithy-go/logging"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

// IMDSAPI is the part of *imds.Client that `{{ aws:imds:<path> }}` uses,
// in the SDK's method shape.
type IMDSAPI interface {
	GetMetadata(ctx context.Context, in *imds.GetMetadataInput, opts ...func(*imds.Options)) (*imds.GetMetadataOutput, error)
}

// imdsTimeout bounds one metadata lookup: off EC2 nothing answers.
const imdsTimeout = 3 * time.Second

// metadata resolves instance metadata paths (relative to meta-data/) once
// per run.
type metadata struct {
	mu     sync.Mutex
	client IMDSAPI
	cache  map[string]string
	errs   map[string]error
}

func newMetadata(client IMDSAPI, environ []string) *metadata {
	if client == nil {
		// No raw "falling back to IMDSv1" lines: a failed read is the step's error.
		o := imds.Options{Logger: logging.Nop{}}
		for _, kv := range environ {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "AWS_EC2_METADATA_SERVICE_ENDPOINT":
				o.Endpoint = v
			case "AWS_EC2_METADATA_DISABLED":
				if strings.EqualFold(v, "true") {
					o.ClientEnableState = imds.ClientDisabled
				}
			}
		}
		client = imds.New(o)
	}
	return &metadata{client: client, cache: map[string]string{}, errs: map[string]error{}}
}

// get returns the value at path, or why it could not.
func (m *metadata) get(path string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.cache[path]; ok {
		return v, nil
	}
	if err, ok := m.errs[path]; ok {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), imdsTimeout)
	defer cancel()
	out, err := m.client.GetMetadata(ctx, &imds.GetMetadataInput{Path: path})
	if err == nil {
		var b []byte
		b, err = io.ReadAll(out.Content)
		out.Content.Close()
		if err == nil {
			v := strings.TrimSpace(string(b))
			m.cache[path] = v
			return v, nil
		}
	}
	err = fmt.Errorf("the instance metadata service did not answer for %s (%v): run on EC2, or pass the value as a parameter", path, err)
	m.errs[path] = err
	return "", err
}
