#!/usr/bin/env bash
# Runs every fuzz target for the given time each (default 5m).
# Crashers land in the package's testdata/fuzz/ and must be committed.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-5m}
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -hoE '^func (Fuzz[A-Za-z0-9_]+)' "$dir"/*_test.go 2>/dev/null | awk '{print $2}'); do
    echo "== $pkg $f ($t)"
    go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg"
  done
done
