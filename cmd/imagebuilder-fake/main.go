// Command imagebuilder-fake serves the EC2 Image Builder wire fake
// (internal/ibfake) for manual use:
//
//	go run ./cmd/imagebuilder-fake -listen 127.0.0.1:8377
//	AWS_ENDPOINT_URL=http://127.0.0.1:8377 AWS_REGION=us-east-1 \
//	  AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake ibgitops build --backend aws
//
// Fault flags inject throttling, 5xx bursts, latency, failing builds and
// writes whose answer is lost.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ibgitops/ibgitops/internal/ibfake"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "imagebuilder-fake:", err)
		stop()
		os.Exit(2)
	}
}

// run parses flags, serves until ctx is done, and returns why it stopped.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("imagebuilder-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		listen        = fs.String("listen", "127.0.0.1:8377", "address to listen on (host:port; port 0 picks a free one)")
		region        = fs.String("region", "us-east-1", "region in the ARNs")
		account       = fs.String("account", "123456789012", "account id in the ARNs")
		pollsPerState = fs.Int("polls-per-state", 1, "GetImage polls that move an image to its next state")
		stateDuration = fs.Duration("state-duration", 0, "move images one state per this duration instead of per poll (e.g. 5s)")
		throttleNext  = fs.Int("throttle-next", 0, "answer the next N requests with 429 CallRateLimitExceededException")
		throttleEvery = fs.Int("throttle-every", 0, "throttle every Nth request")
		rateLimit     = fs.Float64("rate-limit", 0, "throttle requests beyond this many per second")
		serverErrors  = fs.Int("5xx-next", 0, "answer the next N requests with 500 ServiceException")
		unavailable   = fs.Int("503-next", 0, "answer the next N requests with 503 ServiceUnavailableException")
		latency       = fs.Duration("latency", 0, "delay every request by this much")
		failStep      = fs.String("fail-step", "", "fail image builds at this workflow step (e.g. ApplyBuildComponents, RunTestComponents, DistributeImage)")
		failReason    = fs.String("fail-reason", "", "message of the failing step")
		faultOps      = fs.String("fault-ops", "", "comma-separated operations the throttle/5xx/latency faults apply to (default all)")
		quotaOps      = fs.String("quota-exceeded-ops", "", "comma-separated operations answered with 402 ServiceQuotaExceededException")
		denyOps       = fs.String("deny-ops", "", "comma-separated operations answered with 403 AccessDeniedException")
		loseOps       = fs.String("lose-response-ops", "", "comma-separated operations whose first successful call is applied and then answered with 500 ServiceException (the write happened; a retry with the same client token gets the first answer)")
		dropConn      = fs.Bool("drop-connection", false, "with -lose-response-ops, close the connection without an answer instead (as a timeout ends one)")
		amis          = fs.String("amis", "", "comma-separated AMI ids of this account that recipes may build on (AWS-managed images are always known)")
		logRequests   = fs.Bool("log", false, "log every request (method, path, status, duration) to stderr")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fake, err := ibfake.New(ibfake.Options{Region: *region, Account: *account, PollsPerState: *pollsPerState, StateDuration: *stateDuration, AMIs: splitList(*amis)})
	if err != nil {
		return err
	}
	fake.SetFaults(ibfake.Faults{
		Ops: splitList(*faultOps), ThrottleNext: *throttleNext, ThrottleEvery: *throttleEvery, RateLimit: *rateLimit,
		ServerErrorNext: *serverErrors, UnavailableNext: *unavailable, Latency: *latency,
		FailStep: *failStep, FailReason: *failReason, QuotaExceededOps: splitList(*quotaOps), DenyOps: splitList(*denyOps),
		LoseResponses: splitList(*loseOps), DropConnection: *dropConn,
	})
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (pick another address with -listen)", *listen, err)
	}
	var handler http.Handler = fake
	if *logRequests {
		handler = logged(fake, stderr)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "imagebuilder-fake listening on %s (region %s, account %s)\n", url, *region, *account)
	fmt.Fprintf(stdout, "  export AWS_ENDPOINT_URL=%s AWS_REGION=%s AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake\n", url, *region)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func logged(next http.Handler, w io.Writer) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		fmt.Fprintf(w, "%s %s %s -> %d %s (%s)\n", start.UTC().Format(time.RFC3339), r.Method, r.URL.Path, rec.status, rec.Header().Get("X-Amzn-ErrorType"), time.Since(start).Round(time.Microsecond))
	})
}
