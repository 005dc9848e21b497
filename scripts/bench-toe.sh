#!/usr/bin/env bash
# Per-step overhead of `ibgitops toe run`: a document of N ExecuteBash steps
# running `true`, against bash running `true` N times in one script (builtin)
# and against starting `bash script` N times (the process start every
# ExecuteBash step needs, in AWSTOE too).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${STEPS:-500}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# toe run is ibgitops-full's (ibgitops hands it over; this measures the executor).
CGO_ENABLED=0 go build -o "$work/ibgitops" ./cmd/ibgitops-full
{
  printf 'name: bench\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n'
  for i in $(seq "$N"); do
    printf '      - name: Step%d\n        action: ExecuteBash\n        inputs:\n          commands: ["true"]\n' "$i"
  done
} > "$work/bench.yaml"
printf 'true\n' > "$work/true.sh"
now() { date +%s%N; }
t0=$(now); "$work/ibgitops" toe run -d "$work/bench.yaml" -l "$work/logs" >/dev/null 2>&1; t1=$(now)
bash -c "for i in \$(seq $N); do true; done"; t2=$(now)
for i in $(seq "$N"); do bash "$work/true.sh"; done; t3=$(now)
awk -v n="$N" -v toe=$((t1 - t0)) -v builtin=$((t2 - t1)) -v spawn=$((t3 - t2)) 'BEGIN {
  printf "toe run, %d ExecuteBash steps: %.3f ms/step\n", n, toe / n / 1e6
  printf "bash, true x%d (builtin):      %.3f ms/step  -> executor overhead %.3f ms/step\n", n, builtin / n / 1e6, (toe - builtin) / n / 1e6
  printf "bash script.sh x%d (spawn):    %.3f ms/step  -> executor overhead %.3f ms/step\n", n, spawn / n / 1e6, (toe - spawn) / n / 1e6
}'
