#!/usr/bin/env bash
# Runs every benchmark of the project and prints ONE table of figures and
# ratios (docs/PERFORMANCE.md explains each row). The raw output of every
# benchmark goes to a log file whose path is printed first.
#
#   lint      recipes.BenchmarkLoad / BenchmarkYAMLDecodeOnly (10,000 components, 2,000 recipes)
#             e2e.BenchmarkLintScale at 1x, 10x, 100x (120 / 1,200 / 12,000 files)
#   plan      scripts/bench-plan.sh at 1x, 10x, 100x (200 files / 50 commits ... 20,000 / 5,000),
#             the binary against git diff --name-status; runner/plan.BenchmarkPlanRepo/25k
#             (5,000 changed components of 25,000, in process, against git diff);
#             recipes.BenchmarkPlanChanges (the pure planner). Generated repositories
#             are cached (internal/benchrepo): the first run creates them (minutes).
#   executor  runner/toe.BenchmarkExecutor500Steps (per ExecuteBash step vs bash),
#             BenchmarkRunPrints1GB and BenchmarkLoop10M (peak RSS of toe run, bound 200 MB)
#   aws       runner/backend/aws.BenchmarkRerunNothingChanged (calls of a no-op re-run)
#             runner/backend/aws.BenchmarkStatusInSync (reads of an in-sync `ibgitops status`)
#   local     scripts/bench-local.sh (ibgitops build vs a plain engine script; skipped without podman)
#   start-up  scripts/bench-startup.sh (ibgitops version vs a hello-world Go binary and git --version;
#             plan of a 9-file repository one commit apart vs git diff --name-status)
#   pr        e2e.BenchmarkPRFeedback (run on a pull_request event, 2,000 recipes, fake GitHub host,
#             vs git diff and lint and plan alone)
#
# Env: BENCHTIME (Go -benchtime, default 1x), PLAN_RUNS (timed runs, 3),
# LOCAL_RUNS (3 by default in bench-local.sh; 1 here), PLAN_SCALES ("1 10 100"),
# SKIP_LOCAL=1, BENCH_LOG (log path), STARTUP_RUNS (40).
set -euo pipefail
cd "$(dirname "$0")/.."
log=${BENCH_LOG:-$(mktemp "${TMPDIR:-/tmp}/ibgitops-bench.XXXXXX")}
: > "$log"
bt=${BENCHTIME:-1x}
echo "raw benchmark output: $log" >&2

gobench() { # package regexp
  echo "== go $1 $2" >> "$log"
  go test -run '^$' -bench "$2" -benchtime "$bt" -benchmem "$1" >> "$log" 2>&1 || echo "FAILED: go $1 $2" >> "$log"
}
# step prints what runs next, with the time the previous step took, so a
# slow step shows in the terminal (the whole run's target is 10 minutes).
last=$SECONDS
step() { echo "  [$((SECONDS - last)) s] $*" >&2; last=$SECONDS; }

# Start-up first: it measures milliseconds, best before the machine is
# warm with the other benchmarks' garbage.
step "start-up (version, small plan)"
echo "== startup" >> "$log"
RUNS=${STARTUP_RUNS:-40} bash scripts/bench-startup.sh >> "$log" 2>&1 || echo "FAILED: startup" >> "$log"
step "lint (recipes, e2e scales), pull request feedback"
gobench ./recipes '^(BenchmarkLoad|BenchmarkYAMLDecodeOnly|BenchmarkPlanChanges)$'
gobench ./e2e '^(BenchmarkLintScale|BenchmarkPRFeedback)$'
step "plan, 25,000 components"
gobench ./runner/plan '^BenchmarkPlanRepo$/^25k'
step "executor"
gobench ./runner/toe '^(BenchmarkExecutor500Steps|BenchmarkRunPrints1GB|BenchmarkLoop10M)$'
gobench ./recipes/awstoe '^BenchmarkParseValidate$'
step "aws no-op re-run"
gobench ./runner/backend/aws '^BenchmarkRerunNothingChanged$'
gobench ./runner/backend/aws '^BenchmarkStatusInSync$'
for s in ${PLAN_SCALES:-1 10 100}; do
  step "plan ${s}x"
  echo "== plan ${s}x" >> "$log"
  SCALE=$s RUNS=${PLAN_RUNS:-3} bash scripts/bench-plan.sh >> "$log" 2>&1 \
    || echo "FAILED: plan ${s}x" >> "$log"
done
if [ "${SKIP_LOCAL:-}" != 1 ]; then
  step "local build overhead"
  echo "== local" >> "$log"
  RUNS=${LOCAL_RUNS:-1} bash scripts/bench-local.sh >> "$log" 2>&1 || echo "FAILED: local" >> "$log"
fi

step "done in $SECONDS s (load average $(cut -d' ' -f1-3 /proc/loadavg))"

python3 - "$log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()

def bench(name):
    """metrics of the last `Benchmark<name>-N` line: {unit: value}"""
    m = None
    for m in re.finditer(r'^%s(?:-\d+)?\s+\d+\s+(.*)$' % re.escape(name), text, re.M):
        pass
    if not m:
        return {}
    parts = m.group(1).split()
    return {parts[i + 1]: float(parts[i]) for i in range(0, len(parts) - 1, 2)}

def section(title):
    m = re.search(r'^== %s\n(.*?)(?=^== |\Z)' % re.escape(title), text, re.M | re.S)
    return m.group(1) if m else ""

rows = []
def row(area, what, size, figure, baseline="", ratio=""):
    rows.append((area, what, size, figure, baseline, ratio))
def f(v, fmt="%.0f"):
    return "n/a" if v is None else fmt % v

load, dec = bench("BenchmarkLoad"), bench("BenchmarkYAMLDecodeOnly")
if load and dec:
    row("lint", "recipes.Load, CPU (wall)", "10k comp + 2k recipes",
        "%s ms (%s ms), %.0f MB heap" % (f(load.get("cpu-ms/op")), f(load["ns/op"] / 1e6), load.get("peak-heap-MB", 0)),
        "yaml decode %s ms (%s ms)" % (f(dec.get("cpu-ms/op")), f(dec["ns/op"] / 1e6)),
        "%.2f CPU (%.2f wall)" % (load.get("cpu-ms/op", 0) / max(dec.get("cpu-ms/op", 1), 1e-9), load["ns/op"] / dec["ns/op"]))
for s in ("1x", "10x", "100x"):
    b = bench("BenchmarkLintScale/" + s)
    if b:
        row("lint", "growth: lint CPU (wall)", "%s: %d files" % (s, b["files"]),
            "%s ms (%s ms)" % (f(b["lint-cpu-ms"]), f(b["lint-ms"])),
            "yaml decode %s ms (%s ms)" % (f(b["decode-cpu-ms"]), f(b["decode-ms"])),
            "%.2f CPU (%.2f wall)" % (b["cpu-ratio"], b["wall-ratio"]))
for s in ("1x", "10x", "100x"):
    sec = section("plan " + s)
    g = re.search(r'git diff --name-status:\s+([\d.]+) ms', sec)
    p = re.search(r'ibgitops plan:\s+([\d.]+) ms', sec)
    cpu = re.search(r'ibgitops plan CPU: (\d+) ms', sec)
    gl = re.search(r'git log --name-only base..head -- images: (\d+) ms', sec)
    mem = re.search(r'peak memory:\s+([\d.]+) MB', sec)
    repo = re.search(r'repo: (\d+) files, (\d+) commits', sec)
    if g and p:
        row("plan", "ibgitops plan --format json (CPU)", "%s: %s files, %s commits" % (s, repo.group(1), repo.group(2)) if repo else s,
            "%.0f ms (%s ms CPU), %s MB RSS" % (float(p.group(1)), cpu.group(1) if cpu else "?", mem.group(1) if mem else "?"),
            "git diff --name-status %.0f ms; git log -- images %s ms" % (float(g.group(1)), gl.group(1) if gl else "?"),
            "%.2f" % (float(p.group(1)) / float(g.group(1))))
    elif sec:
        row("plan", "ibgitops plan", s, "failed (see log)")
pr = bench("BenchmarkPlanRepo/25k-components-5k-changed")
if pr:
    row("plan", "plan in process, 5,000 changed comp.", "25k comp, 5k recipes, 5,264 commits",
        "%.0f ms, %.0f MB heap" % (pr["plan-ms"], pr["peak-heap-MB"]), "git diff --name-status %.0f ms" % pr["git-diff-ms"], "%.2f" % pr["ratio"])
pc = bench("BenchmarkPlanChanges")
if pc:
    row("plan", "pure planner (recipes.PlanChanges)", "500 comp, 200 recipes, 500 commits", "%.1f ms/plan" % (pc["ns/op"] / 1e6))
ex = bench("BenchmarkExecutor500Steps")
if ex:
    row("executor", "toe run, per ExecuteBash step", "500 steps", "%.2f ms/step (%.2f ms CPU)" % (ex["ms/step"], ex.get("executor-cpu-ms/step", 0)),
        "bash script spawn %.2f ms/step" % ex["bash-spawn-ms/step"], "%.2f (+%.2f ms/step)" % (ex["ms/step"] / ex["bash-spawn-ms/step"], ex["overhead-vs-spawn-ms/step"]))
big, lp = bench("BenchmarkRunPrints1GB"), bench("BenchmarkLoop10M")
if big:
    row("executor", "toe run, a step printing 1 GiB", "1 step", "%.0f MB peak RSS, %.1f s" % (big["peak-RSS-MB"], big["wall-s"]), "bound 200 MB", "%.2f" % (big["peak-RSS-MB"] / 200))
if lp:
    row("executor", "toe run, for loop of no-op Assert", "10^7 iterations", "%.0f MB peak RSS, %.0f ns/iteration" % (lp["peak-RSS-MB"], lp["ns/iteration"]), "bound 200 MB", "%.2f" % (lp["peak-RSS-MB"] / 200))
pv = bench("BenchmarkParseValidate")
if pv:
    row("executor", "AWSTOE parse + validate", "feature docs + corpus", "%.0f µs/doc" % pv["µs/doc"])
aws = bench("BenchmarkRerunNothingChanged")
if aws:
    row("aws", "no-op re-run: API calls (writes)", "50 comp, 20 recipes", "%.0f calls (%.0f writes), %.0f ms" % (aws["calls/rerun"], aws["writes/rerun"], aws["ns/op"] / 1e6),
        "1 read per resource: 94", "%.2f" % (aws["calls/rerun"] / 94))
st = bench("BenchmarkStatusInSync")
if st:
    budget = st["resources"] + st["list-pages/status"]
    row("aws", "in-sync status: reads (writes)", "50 comp, 20 recipes, 5 pipelines", "%.0f reads (%.0f writes), %.0f ms" % (st["reads/status"], st["writes/status"], st["ns/op"] / 1e6),
        "1 read per resource + list pages: %.0f" % budget, "%.2f" % (st["reads/status"] / budget))
loc = section("local")
m = re.search(r'plain script ([\d.]+)s, ibgitops build ([\d.]+)s, overhead ratio ([\d.]+)', loc)
if m:
    row("local", "ibgitops build, 3-component recipe", "1 recipe", "%ss" % m.group(2), "plain engine script %ss" % m.group(1), m.group(3))
m = re.search(r'one after another ([\d.]+)s, parallel ([\d.]+)s, speed-up ([\d.]+)x', loc)
if m:
    row("local", "4 recipes --parallel 4", "4 recipes", "%ss" % m.group(2), "--parallel 1 %ss" % m.group(1), "%sx faster" % m.group(3))
elif "skipped" in loc:
    row("local", "ibgitops build overhead", "-", "skipped: " + loc.strip().splitlines()[-1][:60])
st = section("startup")
def startup(name):
    m = re.search(r'^%s: wall median ([\d.]+) ms min ([\d.]+) ms; CPU median ([\d.]+) ms min ([\d.]+) ms' % re.escape(name), st, re.M)
    return tuple(float(x) for x in m.groups()) if m else None
v, hw, gv = startup("ibgitops version"), startup("hello-world Go"), startup("git --version")
fv = startup("ibgitops-full version")
ld = re.search(r'^load average: ([\d.]+) before, ([\d.]+) after', st, re.M)
load = " (load %s-%s)" % ld.groups() if ld else ""
if v and hw and gv:
    row("start-up", "ibgitops version, wall (CPU), median", "-", "%.1f ms (%.1f ms CPU)%s" % (v[0], v[2], load),
        "hello-world Go %.1f ms (%.1f); git --version %.1f ms%s" % (hw[0], hw[2], gv[0], "; ibgitops-full %.1f ms" % fv[0] if fv else ""),
        "%.1fx hello-world (target: 10 ms)" % (v[0] / hw[0]))
ps, gd = startup("ibgitops plan small"), startup("git diff small")
if ps and gd:
    row("start-up", "plan one commit apart, wall (CPU), median", "9 files, 3 commits", "%.1f ms (%.1f ms CPU)" % (ps[0], ps[2]),
        "git diff --name-status %.1f ms (%.1f)" % (gd[0], gd[2]), "%.2f (target 2)" % (ps[0] / gd[0]))
elif st:
    row("start-up", "version, small plan", "-", "failed (see log)")
pf = bench("BenchmarkPRFeedback")
if pf:
    row("pr", "run on pull_request: lint+plan+comment", "%.0f recipes, %.0f files, %.0f commits" % (pf["recipes"], pf["files"], pf.get("pr-commits", 0)),
        "%.0f ms (%.0f ms CPU)" % (pf["run-ms"], pf["run-cpu-ms"]),
        "alone: lint %.0f ms (%.0f CPU), plan %.0f ms (%.0f CPU); git diff %.0f ms" % (pf["lint-ms"], pf.get("lint-cpu-ms", 0), pf["plan-ms"], pf.get("plan-cpu-ms", 0), pf["git-diff-ms"]),
        "%.2f of lint+plan (target 5 s)" % (pf["run-ms"] / max(pf["lint-ms"] + pf["plan-ms"], 1e-9)))
fails = re.findall(r'^FAILED: (.*)$', text, re.M)

head = ("area", "measure", "size", "figure", "baseline", "ratio")
w = [max(len(str(r[i])) for r in rows + [head]) for i in range(6)]
line = lambda r: "| " + " | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)) + " |"
print(line(head))
print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in rows:
    print(line(r))
for x in fails:
    print("FAILED: %s (see %s)" % (x, sys.argv[1]))
PY
