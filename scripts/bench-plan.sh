#!/usr/bin/env bash
# Benchmark: `ibgitops plan` against `git diff --name-status` on the same
# two commits of a generated repository (internal/benchrepo): components
# under images/ whose recipes use them and whose pipelines build the
# recipes, ordinary files outside images/, and a history in which every
# commit changes a different resource. At SCALE=100: 16,000 components,
# 2,000 recipes, 1,000 pipelines, 1,000 other files (20,000 files), 5,000
# commits, base and head 500 apart. Prints both times, the ratio and
# ibgitops's peak memory. Repositories are created once and cached
# (IBGITOPS_BENCH_CACHE, default ~/.cache/ibgitops-bench).
#
# Env: SCALE (100), GAP (5*SCALE), RUNS (5), REPO=DIR uses that repository.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-100} RUNS=${RUNS:-5}
GAP=${GAP:-$((5 * SCALE))}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=$work/ibgitops
CGO_ENABLED=0 go build -trimpath -o "$bin" ./cmd/ibgitops
repo=${REPO:-$(go run ./internal/benchrepo/genrepo -cached -components $((160 * SCALE)) -recipes $((20 * SCALE)) \
  -pipelines $((10 * SCALE)) -sources $((10 * SCALE)) -commits $((50 * SCALE)))}
head=$(git -C "$repo" rev-parse HEAD)
base=$(git -C "$repo" rev-parse "HEAD~$GAP")
nfiles=$(git -C "$repo" ls-files | wc -l); ncommits=$(git -C "$repo" rev-list --count HEAD)
echo "repo: $nfiles files, $ncommits commits; base HEAD~$GAP, head HEAD; $(git -C "$repo" diff --name-only "$base" "$head" | wc -l) paths changed"

plan=("$bin" plan --root "$repo" --base "$base" --head "$head" --format json --no-fetch)
gitdiff=(git -C "$repo" diff --name-status "$base" "$head")
"${plan[@]}" > "$work/plan.json"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print("plan: %d changes, %d builds" % (len(p["changes"]), len(p["builds"])))' "$work/plan.json"

# --- time both -------------------------------------------------------------
if command -v hyperfine > /dev/null; then
  # The plan.json run above already warmed the caches: one more warm-up.
  hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$work/h.json" \
    -n "git diff --name-status" "${gitdiff[*]}" -n "ibgitops plan" "${plan[*]}" > "$work/hyperfine.txt"
  read -r tgit tplan < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["mean"]*1000, r[1]["mean"]*1000)' "$work/h.json")
  tool=hyperfine
else
  mean_ms() { # runs "$@" RUNS times, prints the mean in ms
    "$@" > /dev/null; local s e
    s=$(date +%s%N); for ((i = 0; i < RUNS; i++)); do "$@" > /dev/null; done; e=$(date +%s%N)
    echo $(( (e - s) / RUNS / 1000 ))e-3
  }
  tgit=$(mean_ms "${gitdiff[@]}"); tplan=$(mean_ms "${plan[@]}"); tool="date loop"
fi
# For reference: what git itself needs for the same information, the
# commits between base and head with the resource files each changes (plan
# reads them for conventional-commit bumps).
gitlog=(git -C "$repo" log --format=%H --name-only "$base..$head" -- images)
"${gitlog[@]}" > /dev/null; s=$(date +%s%N); for ((i = 0; i < RUNS; i++)); do "${gitlog[@]}" > /dev/null; done; e=$(date +%s%N)
echo "git log --name-only base..head -- images: $(( (e - s) / RUNS / 1000000 )) ms"
# One run for both peak memory and CPU (a 100x plan takes seconds).
read -r mem_kb cpu < <(/usr/bin/time -f 'TIME %M %U %S' "${plan[@]}" 2>&1 > /dev/null | awk '$1 == "TIME" {print $2, $3, $4}')
echo "ibgitops plan CPU: $(python3 -c 'import sys; print("%.0f" % ((float(sys.argv[1]) + float(sys.argv[2])) * 1000))' $cpu) ms"
python3 - "$tgit" "$tplan" "$mem_kb" "$RUNS" "$tool" <<'PY'
import sys
tgit, tplan, mem, runs, tool = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
ratio = tplan / tgit
print("git diff --name-status: %7.1f ms (mean of %s, %s)" % (tgit, runs, tool))
print("ibgitops plan:          %7.1f ms" % tplan)
print("ratio:                  %7.2f   (target <= 1.5) %s" % (ratio, "OK" if ratio <= 1.5 else "OVER"))
print("ibgitops peak memory:   %7.1f MB (target <= 300) %s" % (mem / 1024, "OK" if mem / 1024 <= 300 else "OVER"))
PY
