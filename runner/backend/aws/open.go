package aws

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ibgitops/ibgitops/runner/backend"
)

func init() { backend.Register("aws", Open) }

// Open is the EC2 Image Builder backend's backend.Opener: region from
// --aws-region, else aws.region in ibgitops.yaml, else the AWS chain;
// credentials and endpoints (AWS_ENDPOINT_URL...) from the chain.
// IBGITOPS_AWS_POLL_INTERVAL (a Go duration such as 2s) shortens the first
// GetImage poll interval, e.g. against cmd/imagebuilder-fake.
func Open(ctx context.Context, cfg backend.Config) (backend.Backend, error) {
	region := cfg.Region
	if region == "" {
		region = cfg.Repo.AWS.Region
	}
	opts := Options{Region: region}
	if v := os.Getenv("IBGITOPS_AWS_POLL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("IBGITOPS_AWS_POLL_INTERVAL=%q: give a positive duration such as 5s", v)
		}
		opts.PollInterval, opts.MaxPollInterval = d, 4*d
	}
	// Resolving the account must not hang a run: the caller's context may
	// have no deadline.
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	b, err := New(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("aws backend: %w", err)
	}
	return b, nil
}
