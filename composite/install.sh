#!/usr/bin/env bash
# Downloads the ibgitops release $VERSION for this runner from GitHub
# releases, checks the archive against the release's checksums.txt (SHA-256)
# and puts its two binaries on PATH: ibgitops, and ibgitops-full, which
# ibgitops runs from the same folder for run, build and release. The local
# backend runs a linux ibgitops-full inside the build containers
# (IBGITOPS_BINARY): on macOS and Windows it also fetches the linux archive
# of the same architecture for it.
set -euo pipefail
: "${VERSION:?VERSION is the release to install, e.g. v0.1.0}"
base=${IBGITOPS_RELEASES_URL:-https://github.com/ibgitops/ibgitops/releases/download}/$VERSION
case "${RUNNER_OS:-Linux}" in
  Linux) os=linux ;; macOS) os=darwin ;; Windows) os=windows ;;
  *) echo "ibgitops: no release for RUNNER_OS=$RUNNER_OS" >&2; exit 2 ;;
esac
case "${RUNNER_ARCH:-X64}" in
  X64) arch=amd64 ;; ARM64) arch=arm64 ;;
  *) echo "ibgitops: no release for RUNNER_ARCH=$RUNNER_ARCH (amd64 and arm64 only)" >&2; exit 2 ;;
esac
dir=${RUNNER_TEMP:-$(mktemp -d)}/ibgitops-$VERSION
mkdir -p "$dir/bin"
cd "$dir"
fetch() { curl -fsSL --retry 3 --retry-delay 2 -o "$2" "$base/$1"; }
fetch checksums.txt checksums.txt
sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
unpack() { # os, arch: the checked archive, unpacked into x-<os>
  local ext=tar.gz
  [ "$1" = windows ] && ext=zip
  local archive="ibgitops_${VERSION#v}_$1_$2.$ext"
  fetch "$archive" "$archive"
  grep -F " $archive" checksums.txt > "$archive.sha256" || { echo "ibgitops: $archive is not in checksums.txt of $VERSION" >&2; exit 2; }
  sha256 -c "$archive.sha256"
  mkdir -p "x-$1"
  if [ "$ext" = zip ]; then unzip -q -o "$archive" -d "x-$1"; else tar -xzf "$archive" -C "x-$1"; fi
}
unpack "$os" "$arch"
exe=""
[ "$os" = windows ] && exe=.exe
mv "x-$os/ibgitops$exe" "x-$os/ibgitops-full$exe" bin/
if [ "$os" = linux ]; then
  linux_bin=$dir/bin/ibgitops-full
else
  unpack linux "$arch"
  mv x-linux/ibgitops-full bin/ibgitops-full-linux
  linux_bin=$dir/bin/ibgitops-full-linux
fi
echo "$dir/bin" >> "${GITHUB_PATH:-/dev/null}"
echo "IBGITOPS_BINARY=$linux_bin" >> "${GITHUB_ENV:-/dev/null}"
"$dir/bin/ibgitops" --version
