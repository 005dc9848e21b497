package e2e

import (
	"net/http/httptest"
	"testing"

	"github.com/ibgitops/ibgitops/internal/ibfake"
)

// Fake credentials: recognisable, so the secrets test can grep for them.
const (
	fakeAWSKeyID   = "AKIAE2EFAKEKEYDONOTLEAK"
	fakeAWSSecret  = "e2eFakeSecretDoNotLeak/0123456789abcdefGHIJ"
	fakeAWSSession = "e2eFakeSessionTokenDoNotLeak+FwoGZXIvYXdzEJr"
)

// ibFake starts an in-process Image Builder fake and returns it with the
// environment that points the aws backend at it.
func ibFake(t testing.TB, opts ibfake.Options, faults ibfake.Faults) (*ibfake.Server, *httptest.Server, map[string]string) {
	t.Helper()
	fake, err := ibfake.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	fake.SetFaults(faults)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv, awsEnvFor(srv.URL)
}

// fakePollInterval is the backend's first GetImage poll interval against
// the fake (at most 4x it after backing off). The fake moves an image on
// by polls, not by time (ibfake.Options.PollsPerState), so the requests a
// run makes do not depend on it; a run only waits less.
const fakePollInterval = "1ms"

func awsEnvFor(url string) map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": fakeAWSKeyID, "AWS_SECRET_ACCESS_KEY": fakeAWSSecret,
		"AWS_SESSION_TOKEN": fakeAWSSession, "AWS_REGION": "us-east-1", "IBGITOPS_AWS_POLL_INTERVAL": fakePollInterval,
	}
}
