#!/usr/bin/env bash
# Benchmark: start-up, what a pre-commit hook feels (issue #15).
#   `ibgitops version` against a hello-world Go binary built the same way
#   (the floor of any Go program on this machine), `git --version` and
#   `ibgitops-full version` (the binary with the AWS SDK and the API
#   clients, which ibgitops leaves out: docs/design.md, "Two binaries");
#   `ibgitops plan` of a 9-file repository one commit apart against
#   `git diff --name-status` of the same commits.
# Each command runs RUNS times, interleaved with its peer so that both see
# the same load; it prints the median and the minimum of the wall time and
# of the CPU time (user + system of the child, from wait4), and the load
# average. Targets: version under 10 ms wall, plan within 2x git diff.
#
# Env: RUNS (40).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-40}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# As released (Makefile build): static, stripped.
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/" ./cmd/ibgitops ./cmd/ibgitops-full
mkdir "$work/hello"
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' > "$work/hello/main.go"
printf 'module hello\n' > "$work/hello/go.mod"
(cd "$work/hello" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/hello-go" .)
repo=$(go run ./internal/benchrepo/genrepo -cached -components 4 -recipes 2 -pipelines 1 -sources 0 -commits 3)
echo "small repo: $(git -C "$repo" ls-files | wc -l) files; plan HEAD~1..HEAD"

python3 - "$RUNS" "$work/ibgitops" "$work/hello-go" "$repo" <<'PY'
import os, sys, time, statistics
runs, ibg, hello, repo = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
null = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0), (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]

def once(argv):
    t = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=null)
    _, status, ru = os.wait4(pid, 0)
    wall = (time.perf_counter() - t) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("%s exited with %d" % (" ".join(argv), os.waitstatus_to_exitcode(status)))
    return wall, (ru.ru_utime + ru.ru_stime) * 1000

def compare(cmds):
    """runs the commands interleaved, RUNS times each after 3 warm-ups"""
    res = {name: ([], []) for name, _ in cmds}
    for i in range(runs + 3):
        for name, argv in cmds:
            w, c = once(argv)
            if i >= 3:
                res[name][0].append(w)
                res[name][1].append(c)
    return res

def report(res):
    for name, (w, c) in res.items():
        print("%s: wall median %.1f ms min %.1f ms; CPU median %.1f ms min %.1f ms" % (
            name, statistics.median(w), min(w), statistics.median(c), min(c)))

load0 = os.getloadavg()[0]
report(compare([("ibgitops version", [ibg, "version"]), ("hello-world Go", [hello]), ("git --version", ["git", "--version"]),
                ("ibgitops-full version", [ibg + "-full", "version"])]))
report(compare([("ibgitops plan small", [ibg, "plan", "--root", repo, "--base", "HEAD~1", "--head", "HEAD", "--format", "json", "--no-fetch"]),
                ("git diff small", ["git", "-C", repo, "diff", "--name-status", "HEAD~1", "HEAD"])]))
print("load average: %.1f before, %.1f after (%d runs each)" % (load0, os.getloadavg()[0], runs))
PY
