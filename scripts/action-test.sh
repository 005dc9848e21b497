#!/usr/bin/env bash
# Runs the action's image the way the GitHub runner runs a Docker action
# (docker run with the workspace at /github/workspace, the event file under
# /github/workflow, the file commands under /github/file_commands and the
# inputs as INPUT_* variables, hyphens kept) on a pull request against a copy
# of testdata/example, then checks what the user would see: the outputs, the
# step summary and the exit code, for each command the action offers.
#
#   ENGINE=podman IMAGE=localhost/ibgitops:dev scripts/action-test.sh
#
# `make action-test` builds the image and runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=${ENGINE:-$(command -v podman || command -v docker)}
IMAGE=${IMAGE:-localhost/ibgitops:dev}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ibgitops-action.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ws=$tmp/workspace
mkdir -p "$ws" "$tmp/workflow" "$tmp/home"

# A repository with a main branch and a pull request that changes a component.
cp -R testdata/example/. "$ws/"
git -C "$ws" init -q -b main
git -C "$ws" -c user.email=t@ibgitops.invalid -c user.name=test add -A
git -C "$ws" -c user.email=t@ibgitops.invalid -c user.name=test commit -q -m "feat: images"
base=$(git -C "$ws" rev-parse HEAD)
git -C "$ws" checkout -q -b feature
sed -i -e "s/^description: .*/description: changed by the action test/" -e "s/^version: 1.2.0/version: 1.2.1/" "$ws/components/linux-hardening.yaml"
git -C "$ws" -c user.email=t@ibgitops.invalid -c user.name=test commit -q -am "fix: hardening"
head=$(git -C "$ws" rev-parse HEAD)
# The runner's checkout is owned by the runner user, not by root.
chown -R 1001:1001 "$ws" 2>/dev/null || true
cat > "$tmp/workflow/event.json" <<JSON
{"action":"synchronize","number":7,"pull_request":{"number":7,"head":{"sha":"$head","ref":"feature"},"base":{"sha":"$base","ref":"main"}},"repository":{"full_name":"acme/images","default_branch":"main"}}
JSON

fail=0
# run_action NAME EXPECTED_EXIT INPUT=VALUE...
run_action() {
  local name=$1 want=$2
  shift 2
  local fc=$tmp/file_commands-$name
  mkdir -p "$fc"
  : > "$fc/output"; : > "$fc/summary"
  local inputs=()
  for kv in "$@"; do inputs+=(-e "INPUT_${kv%%=*}=${kv#*=}"); done
  echo "==> action: $name ($*)"
  set +e
  "$ENGINE" run --rm --workdir /github/workspace \
    -e HOME=/github/home -e CI=true -e GITHUB_ACTIONS=true \
    -e GITHUB_EVENT_NAME=pull_request -e GITHUB_EVENT_PATH=/github/workflow/event.json \
    -e GITHUB_WORKSPACE=/github/workspace -e GITHUB_REPOSITORY=acme/images \
    -e GITHUB_SHA="$head" -e GITHUB_REF=refs/pull/7/merge -e GITHUB_BASE_REF=main -e GITHUB_HEAD_REF=feature \
    -e GITHUB_SERVER_URL=http://127.0.0.1:9 -e GITHUB_API_URL=http://127.0.0.1:9 -e GITHUB_RUN_ID=1 \
    -e GITHUB_OUTPUT=/github/file_commands/output -e GITHUB_STEP_SUMMARY=/github/file_commands/summary \
    -e INPUT_TOKEN= "${inputs[@]}" \
    -v "$tmp/home:/github/home" -v "$tmp/workflow:/github/workflow" \
    -v "$fc:/github/file_commands" -v "$ws:/github/workspace" \
    "$IMAGE" run > "$tmp/$name.log" 2>&1
  local got=$?
  set -e
  sed 's/^/    /' "$tmp/$name.log" | tail -n 15
  if [ "$got" -ne "$want" ]; then echo "FAIL $name: exit $got, want $want"; fail=1; fi
  if [ "$want" -ne 2 ]; then
    grep -qE '^failed(=|<<)' "$fc/output" || { echo "FAIL $name: no 'failed' output in GITHUB_OUTPUT"; fail=1; }
    [ -s "$fc/summary" ] || { echo "FAIL $name: empty step summary"; fail=1; }
  fi
  cp "$fc/output" "$tmp/$name.output"
}

run_action run 0 COMMAND=run FAIL-ON=error
grep -A1 -E '^changed(=|<<)' "$tmp/run.output" | grep -q true || { echo "FAIL run: changed is not true"; fail=1; }
run_action lint 0 COMMAND=lint FAIL-ON=error
run_action plan 0 COMMAND=plan
grep -qE '^versions(=|<<)' "$tmp/plan.output" || { echo "FAIL plan: no versions output"; fail=1; }
# No engine in the image: refused after lint and plan reported, with the fix.
run_action test-components 2 COMMAND=run TEST-COMPONENTS=true
grep -q 'composite' "$tmp/test-components.log" || { echo "FAIL test-components: the message does not name the composite action"; fail=1; }
"$ENGINE" run --rm "$IMAGE" --version | grep -q '^ibgitops ' || { echo "FAIL: --version"; fail=1; }

if [ "$fail" -ne 0 ]; then echo "action test FAILED"; exit 1; fi
echo "action test passed: run, lint, plan, test-components refused, --version"
