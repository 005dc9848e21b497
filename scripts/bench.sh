#!/usr/bin/env bash
# Runs every benchmark of the project and prints one table of figures.
# Go benchmarks run with -run '^$' so no tests run; the shell comparisons
# (against git, bash and plain podman) are separate scripts listed below.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp); trap 'rm -f "$out"' EXIT
go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-1x}" ./... 2>&1 | tee "$out" | grep -E '^(Benchmark|ok|FAIL|---)' || true
echo
echo "== comparisons against external tools =="
for s in scripts/bench-*.sh; do
  [ -e "$s" ] || continue
  echo "-- $s"
  bash "$s" || echo "   ($s failed)"
done
