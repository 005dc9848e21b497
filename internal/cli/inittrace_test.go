package cli

import (
	"fmt"
	"net/url"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/internal/testutil"
)

// Start-up guard (issue #15): every command, `ibgitops version` included,
// pays for the init functions of every package linked into the binary. A
// package-level regexp.MustCompile, template parse or table build costs
// each run of a pre-commit hook. These budgets are allocations at init,
// read from GODEBUG=inittrace=1 (allocations, not time: they do not move
// with the machine's load). docs/PERFORMANCE.md ("Start-up") has the
// figures and what each listed package does at init.

const (
	// ownInitBudget is for this module's packages: move work out of init
	// (internal/lazyre for a regexp, sync.OnceValue for a table) rather
	// than raise it.
	ownInitBudget = 50
	// depInitBudget is for any dependency not in initBudgets.
	depInitBudget = 150
	// totalInitBudget bounds all packages of ibgitops together (3,582
	// allocations now): linking an AWS service (about 700 allocations of
	// endpoint tables each, and its schemas), a host's API client or
	// another heavy dependency fails here, on purpose: it belongs in
	// ibgitops-full (runner/full).
	totalInitBudget = 4000
)

// initBudgets are the packages of ibgitops allowed more, with why.
// Measured on 2026-12-07 (Go 1.26, semver v3.5.0); the budget is about 10%
// over the figure. ibgitops-full is not held to these: it links the AWS
// SDK, whose services compile one region regexp per partition at init
// (about 700 allocations each), and it does not start for a hook.
var initBudgets = map[string]int{
	// Compiles its version and constraint regexps at init, with no lazy
	// path (v3.5.0); recipes/bump uses StrictNewVersion: 1,266.
	"github.com/Masterminds/semver/v3": 1400,
	// go-git's dependencies: gcfg links encoding/gob (its type registry),
	// signed-commit support links openpgp's curve tables.
	"encoding/gob": 400,
	"github.com/ProtonMail/go-crypto/openpgp/internal/ecc": 540,
	"gopkg.in/yaml.v3":                 310,
	"github.com/kevinburke/ssh_config": 170,
}

// initRecord is one line of GODEBUG=inittrace=1:
// "init <package> @<t> ms, <d> ms clock, <bytes> bytes, <n> allocs".
type initRecord struct {
	pkg    string
	allocs int
}

func parseInitTrace(trace string) ([]initRecord, error) {
	var out []initRecord
	for _, line := range strings.Split(trace, "\n") {
		f := strings.Fields(line)
		if len(f) < 10 || f[0] != "init" || f[len(f)-1] != "allocs" {
			continue
		}
		n, err := strconv.Atoi(f[len(f)-2])
		if err != nil {
			return nil, fmt.Errorf("inittrace line %q: %v", line, err)
		}
		pkg, err := url.PathUnescape(f[1]) // gopkg.in/yaml%2ev3
		if err != nil {
			pkg = f[1]
		}
		out = append(out, initRecord{pkg, n})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no init lines in the trace: is GODEBUG=inittrace=1 honoured?\n%s", trace)
	}
	return out, nil
}

// overBudget lists every package over its budget, and the total when it
// is over totalInitBudget.
func overBudget(recs []initRecord) []string {
	var out []string
	total := 0
	for _, r := range recs {
		total += r.allocs
		budget, listed := initBudgets[r.pkg]
		if !listed {
			budget = depInitBudget
			if r.pkg == "main" || strings.HasPrefix(r.pkg, "github.com/ibgitops/ibgitops/") {
				budget = ownInitBudget
			}
		}
		if r.allocs > budget {
			out = append(out, fmt.Sprintf("%s allocates %d times at init (budget %d): make the work lazy (internal/lazyre, sync.OnceValue), "+
				"or for a dependency that cannot, list it in initBudgets with the reason", r.pkg, r.allocs, budget))
		}
	}
	if total > totalInitBudget {
		out = append(out, fmt.Sprintf("all packages allocate %d times at init (budget %d): a new dependency or AWS service is linked in; "+
			"every command, `ibgitops version` included, pays for it", total, totalInitBudget))
	}
	return out
}

func TestOverBudget(t *testing.T) {
	trace := `init internal/bytealg @0.004 ms, 0 ms clock, 0 bytes, 0 allocs
init gopkg.in/yaml%2ev3 @1.1 ms, 0.2 ms clock, 25736 bytes, 276 allocs
init github.com/ibgitops/ibgitops/runner/toe @9 ms, 0.05 ms clock, 3928 bytes, 17 allocs
init github.com/example/newdep @9 ms, 0.1 ms clock, 9000 bytes, 151 allocs
init github.com/ibgitops/ibgitops/runner/report @9 ms, 0.3 ms clock, 90000 bytes, 400 allocs
init github.com/Masterminds/semver/v3 @10 ms, 1.2 ms clock, 200160 bytes, 1266 allocs
ibgitops dev`
	recs, err := parseInitTrace(trace)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 || recs[1].pkg != "gopkg.in/yaml.v3" || recs[5].allocs != 1266 {
		t.Fatalf("parsed %+v", recs)
	}
	got := strings.Join(overBudget(recs), "\n")
	for _, want := range []string{"github.com/example/newdep allocates 151", "runner/report allocates 400 times at init (budget 50)"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	for _, not := range []string{"yaml", "semver", "runner/toe", "all packages"} {
		if strings.Contains(got, not) {
			t.Errorf("%s is within its budget but reported:\n%s", not, got)
		}
	}
	if got := overBudget(append(recs, initRecord{"github.com/aws/aws-sdk-go-v2/service/ec2/internal/endpoints", totalInitBudget})); !strings.Contains(strings.Join(got, "\n"), "all packages allocate") {
		t.Errorf("a total over %d is not reported: %q", totalInitBudget, got)
	}
	if _, err := parseInitTrace("ibgitops dev\n"); err == nil {
		t.Error("a trace without init lines parsed")
	}
}

// TestStartupInitBudget runs the built binary's `version` with
// GODEBUG=inittrace=1 and holds every package to its init budget.
func TestStartupInitBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary: skipped with -short (make test runs it)")
	}
	bin, err := testutil.Binary(runtime.GOOS)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = []string{"GODEBUG=inittrace=1", "HOME=" + t.TempDir()}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ibgitops version: %v\n%s", err, stderr.String())
	}
	recs, err := parseInitTrace(stderr.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range overBudget(recs) {
		t.Error(p)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].allocs > recs[j].allocs })
	total := 0
	for _, r := range recs {
		total += r.allocs
	}
	t.Logf("%d packages, %d allocations at init; the most: %v", len(recs), total, recs[:min(5, len(recs))])
}
