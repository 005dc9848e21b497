#!/usr/bin/env bash
# Local backend benchmark.
#  1. overhead: a recipe of three components built by `ibgitops build`
#     against a plain shell script doing the same engine commands (create,
#     start, exec the executor per component, commit, a fresh container for
#     the tests, tag, remove); ratio = ibgitops / script (target <= 1.2).
#  2. parallelism: four independent one-component recipes with --parallel 4
#     against --parallel 1.
# Needs podman (or docker) and localhost/ibgitops-base:latest
# (scripts/setup-engine.sh). RUNS (default 3) repetitions; medians reported.
set -euo pipefail
cd "$(dirname "$0")/.."
engine=${IBGITOPS_ENGINE:-$(command -v podman || command -v docker || true)}
if [ -z "$engine" ] || ! "$engine" image inspect localhost/ibgitops-base:latest >/dev/null 2>&1; then
  echo "bench-local: skipped: needs podman or docker and localhost/ibgitops-base:latest (scripts/setup-engine.sh)"
  exit 0
fi
runs=${RUNS:-3}
make -s build
bin=$PWD/bin/ibgitops
work=$(mktemp -d "${TMPDIR:-/tmp}/ibgitops-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/repo/components" "$work/repo/recipes"
cd "$work/repo"
echo "local: {store: .ibgitops}" > ibgitops.yaml
component() { # name
  cat > "components/$1.yaml" <<EOF
kind: Component
name: $1
version: 1.0.0
platform: Linux
document:
  schemaVersion: 1.0
  phases:
    - name: build
      steps:
        - name: Write
          action: ExecuteBash
          inputs:
            commands:
              - mkdir -p /opt/bench
              - echo $1 > /opt/bench/$1
    - name: validate
      steps:
        - name: Check
          action: ExecuteBash
          inputs:
            commands:
              - test -s /opt/bench/$1
    - name: test
      steps:
        - name: InImage
          action: ExecuteBash
          inputs:
            commands:
              - grep -q $1 /opt/bench/$1
EOF
}
recipe() { # name components...
  local name=$1; shift
  { echo "kind: ImageRecipe"; echo "name: $name"; echo "version: 1.0.0"
    echo "parentImage: ami-0123456789abcdef0"; echo "components:"
    for c in "$@"; do echo "  - name: $c"; done
    echo "local:"; echo "  parentImage: localhost/ibgitops-base:latest"; } > "recipes/$name.yaml"
}
for c in one two three a b c d; do component "bench-$c"; done
recipe bench-three bench-one bench-two bench-three
for r in a b c d; do recipe "bench-r$r" "bench-$r"; done
"$bin" lint --root . >/dev/null

# The plain script: what a careful shell script would do for the same recipe.
mkdir -p "$work/plain/docs"
for c in one two three; do
  sed -n '/^document:/,$p' "components/bench-$c.yaml" | sed '1d; s/^  //' > "$work/plain/docs/$c.yaml"
done
plain() {
  local e=$engine d=$work/plain
  rm -rf "$d/logs"; mkdir -p "$d/logs"
  local ctr img t rmf=(rm -f)
  [ "$(basename "$e")" != podman ] || rmf=(rm -f --time 0)
  ctr=$($e create --label bench=plain -v "$d:/.ibgitops" -v "$bin:/.ibgitops/ibgitops:ro" --entrypoint /bin/sh localhost/ibgitops-base:latest -c 'trap "exit 0" TERM; while :; do sleep 3600 & wait $!; done')
  $e start "$ctr" >/dev/null
  for c in one two three; do
    $e exec "$ctr" /.ibgitops/ibgitops toe run --documents /.ibgitops/docs/$c.yaml --phases build,validate --log-directory /.ibgitops/logs/b-$c >/dev/null 2>&1
  done
  img=$($e commit -q --change 'ENTRYPOINT []' --change 'CMD ["/bin/sh"]' "$ctr")
  $e "${rmf[@]}" "$ctr" >/dev/null
  t=$($e create --label bench=plain -v "$d:/.ibgitops" -v "$bin:/.ibgitops/ibgitops:ro" --entrypoint /bin/sh "$img" -c 'trap "exit 0" TERM; while :; do sleep 3600 & wait $!; done')
  $e start "$t" >/dev/null
  for c in one two three; do
    $e exec "$t" /.ibgitops/ibgitops toe run --documents /.ibgitops/docs/$c.yaml --phases test --log-directory /.ibgitops/logs/t-$c >/dev/null 2>&1
  done
  $e "${rmf[@]}" "$t" >/dev/null
  $e tag "$img" localhost/bench-plain:1.0.0
  echo "$img" >> "$work/plain-images"
}
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { local t0; t0=$(now); "$@" >/dev/null 2>&1; awk -v a="$(now)" -v b="$t0" 'BEGIN {printf "%.3f\n", a - b}'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

echo "local backend benchmark ($runs runs each, median; $(basename "$engine"), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
plain_t=$(for _ in $(seq "$runs"); do timeit plain; done | median)
ib_t=$(for _ in $(seq "$runs"); do timeit "$bin" build --only bench-three --force; done | median)
ratio=$(div "$ib_t" "$plain_t")
printf '  three-component recipe: plain script %.2fs, ibgitops build %.2fs, overhead ratio %s (target <= 1.2)\n' "$plain_t" "$ib_t" "$ratio"
serial=$(for _ in $(seq "$runs"); do timeit "$bin" build --only bench-ra,bench-rb,bench-rc,bench-rd --force --parallel 1; done | median)
parallel=$(for _ in $(seq "$runs"); do timeit "$bin" build --only bench-ra,bench-rb,bench-rc,bench-rd --force --parallel 4; done | median)
speedup=$(div "$serial" "$parallel")
printf '  four independent recipes: one after another %.2fs, parallel %.2fs, speed-up %sx\n' "$serial" "$parallel" "$speedup"

# Leave nothing behind.
for r in bench-three bench-ra bench-rb bench-rc bench-rd; do
  "$engine" images -q --filter "label=ibgitops.recipe=$r" | sort -u | xargs -r "$engine" rmi -f >/dev/null 2>&1 || true
done
[ ! -f "$work/plain-images" ] || xargs -r "$engine" rmi -f < "$work/plain-images" >/dev/null 2>&1 || true
