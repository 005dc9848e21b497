package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ibgitops/ibgitops/recipes"
	awsbackend "github.com/ibgitops/ibgitops/runner/backend/aws"
)

// newAWSImageBuilder builds the EC2 Image Builder backend for `build` and
// `run`: region from the flag, else aws.region in ibgitops.yaml, else the
// AWS chain; credentials and endpoints (AWS_ENDPOINT_URL...) from the
// chain. IBGITOPS_AWS_POLL_INTERVAL (a Go duration such as 2s) shortens
// the first GetImage poll interval, e.g. against cmd/imagebuilder-fake.
func newAWSImageBuilder(region string, cfg recipes.Config) (*awsbackend.Backend, error) {
	if region == "" {
		region = cfg.AWS.Region
	}
	opts := awsbackend.Options{Region: region}
	if v := os.Getenv("IBGITOPS_AWS_POLL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("IBGITOPS_AWS_POLL_INTERVAL=%q: give a positive duration such as 5s", v)
		}
		opts.PollInterval, opts.MaxPollInterval = d, 4*d
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := awsbackend.New(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("aws backend: %w", err)
	}
	return b, nil
}
