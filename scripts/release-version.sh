#!/usr/bin/env bash
# The version of ibgitops that the published files pin: action.yml's image,
# the composite action's default version, the GitLab template's image, the
# pre-commit example, the README, docs/ and the files `ibgitops init` writes.
# They must all name the same release, the one being tagged.
#
#   scripts/release-version.sh check [vX.Y.Z]   # every pin names vX.Y.Z (default: action.yml's)
#   scripts/release-version.sh set vX.Y.Z       # rewrite every pin to vX.Y.Z
#
# IBGITOPS_ROOT: the repository to look at (default: this script's).
set -euo pipefail
root=${IBGITOPS_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
semver='v[0-9]+\.[0-9]+\.[0-9]+'
# A pin is a version right after one of these.
pin="(ibgitops/ibgitops(/composite)?@|ghcr\.io/ibgitops/ibgitops:|raw\.githubusercontent\.com/ibgitops/ibgitops/|rev: |ref: |default: )"
files=()
for f in action.yml composite/action.yml .gitlab-ci-template.yml .pre-commit-hooks.yaml README.md docs/*.md; do
  [ -f "$f" ] && files+=("$f")
done
if [ -d internal/starter/files ]; then
  while IFS= read -r f; do files+=("$f"); done < <(find internal/starter/files -type f)
fi

usage() { echo "usage: $0 check [vX.Y.Z] | set vX.Y.Z" >&2; exit 2; }
[ $# -ge 1 ] || usage
case "$1" in
  check)
    want=${2:-$(grep -oE "ghcr\.io/ibgitops/ibgitops:$semver" action.yml | head -n 1 | sed 's/.*://')}
    [[ "$want" =~ ^$semver$ ]] || { echo "release-version: no version to check (action.yml pins none?)" >&2; exit 2; }
    bad=$(grep -nHoE "$pin$semver" "${files[@]}" | grep -vE "$pin${want//./\\.}\$" || true)
    if ! grep -qE "ghcr\.io/ibgitops/ibgitops:${want//./\\.}\b" action.yml; then
      bad="action.yml: does not pin ghcr.io/ibgitops/ibgitops:$want
$bad"
    fi
    if [ -n "$bad" ]; then
      echo "release-version: these pins do not name $want (run: scripts/release-version.sh set $want):" >&2
      echo "$bad" >&2
      exit 1
    fi
    echo "every pin names $want"
    ;;
  set)
    if [ $# -ne 2 ] || ! [[ "$2" =~ ^$semver$ ]]; then usage; fi
    sed -E -i "s#$pin$semver#\\1$2#g" "${files[@]}"
    "$0" check "$2"
    ;;
  *) usage ;;
esac
