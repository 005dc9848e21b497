package e2e

// Fault injection across the flow: kill `ibgitops build --backend aws` at
// random points against the Image Builder fake and re-run; throttling
// storms and 5xx bursts; two runs at once on the same repository and
// account.

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/ibgitops/ibgitops/internal/ibfake"
)

// awsState is the account as an observer sees it: one line per resource
// version with its build numbers (and image states), sorted. Two runs end
// in the same state when their awsState is equal.
func awsState(t *testing.T, url string) []string {
	t.Helper()
	ctx := context.Background()
	c := imagebuilder.New(imagebuilder.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDOBSERVER", "observer", ""),
	})
	var out []string
	comps := imagebuilder.NewListComponentsPaginator(c, &imagebuilder.ListComponentsInput{Owner: types.OwnershipSelf})
	for comps.HasMorePages() {
		page, err := comps.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListComponents: %v", err)
		}
		for _, v := range page.ComponentVersionList {
			builds, err := c.ListComponentBuildVersions(ctx, &imagebuilder.ListComponentBuildVersionsInput{ComponentVersionArn: v.Arn})
			if err != nil {
				t.Fatalf("ListComponentBuildVersions: %v", err)
			}
			out = append(out, fmt.Sprintf("component %s/%s builds=%d", aws.ToString(v.Name), aws.ToString(v.Version), len(builds.ComponentSummaryList)))
		}
	}
	recipes, err := c.ListImageRecipes(ctx, &imagebuilder.ListImageRecipesInput{Owner: types.OwnershipSelf})
	if err != nil {
		t.Fatalf("ListImageRecipes: %v", err)
	}
	for _, r := range recipes.ImageRecipeSummaryList {
		out = append(out, "image-recipe "+arnTail(aws.ToString(r.Arn)))
	}
	crecipes, err := c.ListContainerRecipes(ctx, &imagebuilder.ListContainerRecipesInput{Owner: types.OwnershipSelf})
	if err != nil {
		t.Fatalf("ListContainerRecipes: %v", err)
	}
	for _, r := range crecipes.ContainerRecipeSummaryList {
		out = append(out, "container-recipe "+arnTail(aws.ToString(r.Arn)))
	}
	images, err := c.ListImages(ctx, &imagebuilder.ListImagesInput{Owner: types.OwnershipSelf})
	if err != nil {
		t.Fatalf("ListImages: %v", err)
	}
	for _, v := range images.ImageVersionList {
		builds, err := c.ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{ImageVersionArn: v.Arn})
		if err != nil {
			t.Fatalf("ListImageBuildVersions: %v", err)
		}
		var states []string
		for _, b := range builds.ImageSummaryList {
			states = append(states, string(b.State.Status))
		}
		sort.Strings(states)
		out = append(out, fmt.Sprintf("image %s/%s builds=%v", aws.ToString(v.Name), aws.ToString(v.Version), states))
	}
	infra, err := c.ListInfrastructureConfigurations(ctx, &imagebuilder.ListInfrastructureConfigurationsInput{})
	if err != nil {
		t.Fatalf("ListInfrastructureConfigurations: %v", err)
	}
	for _, r := range infra.InfrastructureConfigurationSummaryList {
		out = append(out, "infrastructure "+aws.ToString(r.Name))
	}
	dist, err := c.ListDistributionConfigurations(ctx, &imagebuilder.ListDistributionConfigurationsInput{})
	if err != nil {
		t.Fatalf("ListDistributionConfigurations: %v", err)
	}
	for _, r := range dist.DistributionConfigurationSummaryList {
		out = append(out, "distribution "+aws.ToString(r.Name))
	}
	pipes, err := c.ListImagePipelines(ctx, &imagebuilder.ListImagePipelinesInput{})
	if err != nil {
		t.Fatalf("ListImagePipelines: %v", err)
	}
	for _, r := range pipes.ImagePipelineList {
		out = append(out, "pipeline "+aws.ToString(r.Name))
	}
	sort.Strings(out)
	return out
}

func arnTail(arn string) string {
	parts := strings.Split(arn, "/")
	if len(parts) >= 3 {
		return strings.Join(parts[len(parts)-2:], "/")
	}
	return arn
}

// killer is a proxy in front of the fake that SIGKILLs the ibgitops
// process when it receives the n-th request (before answering it).
type killer struct {
	next  http.Handler
	n     int64
	seen  atomic.Int64
	pid   atomic.Int64
	fired atomic.Bool
}

func (k *killer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if k.seen.Add(1) == k.n {
		if pid := k.pid.Load(); pid > 0 {
			syscall.Kill(int(pid), syscall.SIGKILL)
			k.fired.Store(true)
		}
	}
	k.next.ServeHTTP(w, r)
}

// lockedBuffer is written by exec's copying goroutine and read by the
// test while the process runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// proc is ibgitops running in the background.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr lockedBuffer
	done           chan struct{} // closed when the process has been waited for
	err            error
}

func startIbg(t *testing.T, o runOpts, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Dir = o.dir
	p.cmd.Env = baseEnv(t)
	for k, v := range o.env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p
}

// running reports whether the process has not ended yet.
func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func (p *proc) wait(t *testing.T, timeout time.Duration) result {
	t.Helper()
	timedOut := false
	select {
	case <-p.done:
	case <-time.After(timeout):
		timedOut = true
		p.cmd.Process.Kill()
		<-p.done
	}
	r := result{args: p.cmd.Args[1:], code: p.cmd.ProcessState.ExitCode(), stdout: p.stdout.String(), stderr: p.stderr.String(), timedOut: timedOut}
	if ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss << 10
	}
	return r
}

func buildArgs(repo gitRepo) []string {
	return []string{"build", "--root", repo.dir, "--backend", "aws", "--base", repo.base, "--parallel", "2"}
}

// TestAWSKillAndRerun kills `ibgitops build --backend aws` (SIGKILL) at
// random requests of the run, re-runs it, and compares the account with
// the one an uninterrupted run leaves.
func TestAWSKillAndRerun(t *testing.T) {
	t.Parallel()
	repo := newGitRepo(t)
	fakeOpts := ibfake.Options{PollsPerState: 2}

	// The reference: one uninterrupted run.
	refFake, refSrv, refEnv := ibFake(t, fakeOpts, ibfake.Faults{})
	ref := run(t, runOpts{dir: repo.dir, env: refEnv}, buildArgs(repo)...)
	assertSane(t, ref)
	if ref.code != 0 {
		t.Fatalf("uninterrupted run: %s", ref)
	}
	total := 0
	for _, n := range refFake.Calls() {
		total += n
	}
	want := awsState(t, refSrv.URL)
	t.Logf("uninterrupted run: %d requests, end state:\n%s", total, strings.Join(want, "\n"))
	for _, line := range want {
		if strings.HasPrefix(line, "image ") && !strings.HasSuffix(line, "builds=[AVAILABLE]") {
			t.Errorf("uninterrupted run left %s", line)
		}
	}

	// Every request of the run is a kill point (in random order: each
	// re-run starts from a fresh account, so order does not matter, but it
	// shuffles timing on the loaded machine). -short samples 8 of them.
	points := make([]int, 0, total)
	for i := 1; i <= total; i++ {
		points = append(points, i)
	}
	seed := uint64(time.Now().UnixNano())
	rand.New(rand.NewPCG(seed, 1)).Shuffle(len(points), func(i, j int) { points[i], points[j] = points[j], points[i] })
	if testing.Short() {
		points = points[:min(8, len(points))]
	}
	t.Logf("%d kill points, seed %d", len(points), seed)
	for _, n := range points {
		t.Run(fmt.Sprintf("kill-at-request-%d", n), func(t *testing.T) {
			fake, err := ibfake.New(fakeOpts)
			if err != nil {
				t.Fatal(err)
			}
			k := &killer{next: fake, n: int64(n)}
			srv := httptest.NewServer(k)
			defer srv.Close()
			p := startIbg(t, runOpts{dir: repo.dir, env: awsEnvFor(srv.URL)}, buildArgs(repo)...)
			k.pid.Store(int64(p.cmd.Process.Pid))
			killed := p.wait(t, 60*time.Second)
			if !k.fired.Load() {
				t.Skipf("the run made fewer than %d requests this time: %s", n, killed)
			}
			if killed.code != -1 {
				t.Errorf("killed process: exit %d, want killed by SIGKILL", killed.code)
			}
			again := run(t, runOpts{dir: repo.dir, env: awsEnvFor(srv.URL)}, buildArgs(repo)...)
			assertSane(t, again)
			if again.code != 0 {
				t.Fatalf("re-run after the kill: %s", again)
			}
			if got := awsState(t, srv.URL); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("end state after kill at request %d and re-run differs from an uninterrupted run:\n got:\n%s\nwant:\n%s\nre-run: %s",
					n, strings.Join(got, "\n"), strings.Join(want, "\n"), again)
			}
		})
	}
}

// TestAWSThrottlingAndServerErrors: throttling storms and 5xx bursts end
// in a finished build or a clear message, never a hang or a crash.
func TestAWSThrottlingAndServerErrors(t *testing.T) {
	t.Parallel()
	repo := newGitRepo(t)
	cases := []struct {
		name   string
		faults ibfake.Faults
		// code 0: must complete; 1: a build must fail naming one of
		// mention; 2: the backend could not do its job (the service keeps
		// failing, access denied, quota), named the same way.
		code    int
		mention []string
	}{
		{"throttle every 3rd request", ibfake.Faults{ThrottleEvery: 3}, 0, nil},
		{"rate limit 20/s", ibfake.Faults{RateLimit: 20}, 0, nil},
		{"burst of 6 throttles", ibfake.Faults{ThrottleNext: 6}, 0, nil},
		{"burst of 4 HTTP 500", ibfake.Faults{ServerErrorNext: 4}, 0, nil},
		{"burst of 4 HTTP 503", ibfake.Faults{UnavailableNext: 4}, 0, nil},
		{"mixed 500/503/throttle", ibfake.Faults{ServerErrorNext: 2, UnavailableNext: 2, ThrottleEvery: 5}, 0, nil},
		{"CreateComponent always 500", ibfake.Faults{Ops: []string{"CreateComponent"}, ServerErrorNext: 1000}, 2, []string{"CreateComponent", "ServiceException", "500"}},
		{"build fails at a workflow step", ibfake.Faults{FailStep: "RunTestComponents"}, 1, []string{"RunTestComponents"}},
		{"access denied", ibfake.Faults{DenyOps: []string{"CreateImageRecipe"}}, 2, []string{"CreateImageRecipe", "AccessDenied", "denied"}},
		{"quota exceeded", ibfake.Faults{QuotaExceededOps: []string{"CreateComponent"}}, 2, []string{"quota", "Quota"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake, srv, env := ibFake(t, ibfake.Options{}, tc.faults)
			r := run(t, runOpts{dir: repo.dir, env: env, timeout: 4 * time.Minute}, buildArgs(repo)...)
			assertSane(t, r)
			fake.SetFaults(ibfake.Faults{}) // the observer is not throttled
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r)
			}
			if tc.code == 0 {
				for _, line := range awsState(t, srv.URL) {
					if strings.HasPrefix(line, "image ") && !strings.HasSuffix(line, "builds=[AVAILABLE]") {
						t.Errorf("after the storm: %s", line)
					}
				}
				return
			}
			found := false
			for _, m := range tc.mention {
				found = found || strings.Contains(r.output(), m)
			}
			if !found {
				t.Errorf("the failure names none of %v: %s", tc.mention, r)
			}
		})
	}
}

// TestAWSTwoRunsAtOnce starts two builds of the same plan at the same
// moment against one account: no resource version may be created twice,
// and the one that did not build must say why (reused, waited for, or
// refused).
func TestAWSTwoRunsAtOnce(t *testing.T) {
	t.Parallel()
	knownBug(t)
	repo := newGitRepo(t)
	_, refSrv, refEnv := ibFake(t, ibfake.Options{PollsPerState: 3}, ibfake.Faults{})
	if r := run(t, runOpts{dir: repo.dir, env: refEnv}, buildArgs(repo)...); r.code != 0 {
		t.Fatalf("reference run: %s", r)
	}
	want := awsState(t, refSrv.URL)

	rounds := 3
	if long() {
		rounds = 20
	}
	for i := range rounds {
		t.Run(fmt.Sprint("round-", i), func(t *testing.T) {
			// Latency widens the window in which both see "absent".
			fake, srv, env := ibFake(t, ibfake.Options{PollsPerState: 3}, ibfake.Faults{Latency: 20 * time.Millisecond})
			var wg sync.WaitGroup
			res := make([]result, 2)
			for j := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res[j] = run(t, runOpts{dir: repo.dir, env: env, timeout: 3 * time.Minute}, buildArgs(repo)...)
				}()
			}
			wg.Wait()
			fake.SetFaults(ibfake.Faults{})
			for j, r := range res {
				assertSane(t, r)
				t.Logf("run %d: exit %d", j, r.code)
			}
			// The two met: at least one of them must say so (reading what
			// the other created, or waiting for the other's build).
			both := res[0].output() + res[1].output()
			if !strings.Contains(both, "another run") && !strings.Contains(both, "waiting for") {
				t.Errorf("neither run says it met the other (\"another run\" / \"waiting for\"):\n--- run 0: %s\n--- run 1: %s", res[0], res[1])
			}
			got := awsState(t, srv.URL)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("two concurrent runs left a different account than one run:\n got:\n%s\nwant:\n%s\n--- run 0: %s\n--- run 1: %s",
					strings.Join(got, "\n"), strings.Join(want, "\n"), res[0], res[1])
			}
			for j, r := range res {
				if r.code != 0 && !strings.Contains(r.output(), "already") && !strings.Contains(r.output(), "another") && !strings.Contains(r.output(), "waiting") {
					t.Errorf("run %d failed without saying it met another run: %s", j, r)
				}
			}
		})
	}
}
