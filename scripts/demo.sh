#!/usr/bin/env bash
# The README's first command (`make demo`): the main job of ibgitops on the
# embedded local backend, on a throw-away copy of testdata/demo.
#
#   1. installs what is missing (podman, runc, busybox-static: scripts/setup-engine.sh)
#      and prepares the parent image localhost/ibgitops-base:latest locally
#   2. builds the static binary (make build)
#   3. copies testdata/demo into a temporary git repository, commits it,
#      then commits a change to one component and the version bumps
#      `ibgitops bump --write` makes for it
#   4. runs `ibgitops run` on that change: lint, plan (version bumps), build,
#      test and distribute in containers, report
#
# Environment: IBGITOPS_DEMO_DIR (where the repository goes; default a new
# temporary folder), IBGITOPS_ENGINE (podman or docker; default: what
# ibgitops itself would pick: podman, then docker with a running daemon).
# The engine chosen here is written into the demo's ibgitops.yaml
# (local.engine), so the demo, ibgitops and the closing hints use one engine.
#
# First run on a cold machine: apt installs the engine (a minute or more,
# longer when another apt holds the dpkg lock: it waits, up to 10 minutes)
# and Go compiles ibgitops (a few minutes on 2 cores). Later runs take
# under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# pick_engine prints the engine ibgitops's local.engine: auto would use:
# podman, else docker when its daemon answers.
pick_engine() {
  if command -v podman >/dev/null 2>&1; then command -v podman; return; fi
  if command -v docker >/dev/null 2>&1 && docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
    command -v docker
  fi
}

say "container engine"
engine=${IBGITOPS_ENGINE:-$(pick_engine)}
if [ -z "$engine" ] || { [ "$(basename "$engine")" = podman ] && ! command -v runc >/dev/null 2>&1; }; then
  if command -v docker >/dev/null 2>&1 && [ -z "$engine" ]; then
    echo "docker is installed but its daemon is not running; installing podman instead (or start docker and re-run)"
  fi
  echo "installing podman and runc with apt (scripts/setup-engine.sh; needs root or sudo; a minute or more on a cold machine)"
  scripts/setup-engine.sh
  engine=$(command -v podman)
fi
engine_name=$(basename "$engine")
echo "using $engine ($("$engine" --version))"
if ! "$engine" image inspect localhost/ibgitops-base:latest >/dev/null 2>&1; then
  echo "preparing the parent image localhost/ibgitops-base:latest from the host's busybox and bash"
  if [ ! -x /bin/busybox ]; then scripts/setup-engine.sh; else IBGITOPS_ENGINE=$engine scripts/base-image.sh; fi
fi
if ! command -v git >/dev/null 2>&1; then
  echo "installing git"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq || true
  $SUDO apt-get install -y -qq git >/dev/null
fi

say "building bin/ibgitops and bin/ibgitops-full (static, so ibgitops-full can run inside the containers; the first build downloads modules and compiles for a few minutes)"
# go build -v names each package it compiles: count them as progress, and
# show the whole log when the build fails.
buildlog=$(mktemp)
if ! GOFLAGS=${GOFLAGS:--v} make -s build 2>&1 | tee "$buildlog" | awk '{ n++; if (n % 25 == 0) printf "  ... %d packages compiled\n", n }'; then
  cat "$buildlog"
  exit 1
fi
rm -f "$buildlog"
bin=$src/bin/ibgitops

say "demo repository"
work=${IBGITOPS_DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ibgitops-demo.XXXXXX")}
mkdir -p "$work"
cp -R testdata/demo/. "$work/"
cd "$work"
# ibgitops builds with the engine the demo prepared the base image in.
sed -i "s/^  engine: .*/  engine: $engine_name/" ibgitops.yaml
git init -q -b main 2>/dev/null || { git init -q && git checkout -q -b main; }
git config user.email demo@ibgitops.invalid
git config user.name "ibgitops demo"
git add -A
git commit -q -m "feat: demo repository"
base=$(git rev-parse HEAD)
echo "$work: committed testdata/demo as $(git rev-parse --short HEAD)"
sed -i 's/Welcome to the ibgitops demo image/Welcome aboard the ibgitops demo image/' components/motd.yaml recipes/demo-base.yaml
git commit -q -am "fix(motd): a friendlier greeting"
echo "committed a change to components/motd.yaml (and its parameter in recipes/demo-base.yaml):"
git show --stat --format='  %h %s' HEAD | sed 's/^/  /'

say "ibgitops bump --write: raise the versions the change calls for"
if "$bin" bump --help >/dev/null 2>&1; then
  "$bin" bump --base "$base" --write
  git --no-pager diff --stat | sed 's/^/  /'
  git commit -q -am "chore: bump versions"
fi

say "ibgitops run --base ${base:0:12}"
export IBGITOPS_BINARY=$bin-full
status=0
if "$bin" run --help >/dev/null 2>&1; then
  "$bin" run --base "$base" || status=$?
else
  # Before `run` existed: plan, then build what it says.
  "$bin" plan --base "$base" || status=$?
  [ $status -ne 0 ] || "$bin" build --base "$base" || status=$?
fi

say "what it made"
"$bin" images
report=$(ls -d "$work"/.ibgitops/runs/*/ 2>/dev/null | sort | tail -n 1 || true)
echo
echo "demo repository: $work"
echo "image store:     $work/.ibgitops (records in images/, build logs in builds/, OCI archives in archives/)"
if [ -n "$report" ] && [ -e "$report/report.md" ]; then
  echo "report:          ${report}report.md and ${report}report.json"
fi
echo "try:             $engine_name run --rm localhost/demo/demo-base:latest cat /etc/motd"
echo "                 $engine_name run --rm localhost/demo/app:1.0.1 bash /opt/demo/bin/start.sh"
exit $status
