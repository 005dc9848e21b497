#!/usr/bin/env bash
# Builds localhost/ibgitops-base:latest from the host: busybox-static for the
# userland and the host's bash with the libraries it links, because AWSTOE's
# ExecuteBash needs bash. No registry access needed.
set -euo pipefail
engine=${IBGITOPS_ENGINE:-$(command -v podman || command -v docker)}
ref=localhost/ibgitops-base:latest
if "$engine" image exists "$ref" 2>/dev/null; then exit 0; fi
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir"/{bin,usr/bin,tmp,etc,root,var/tmp}
cp /bin/busybox "$dir/bin/busybox"
for app in $("$dir/bin/busybox" --list); do
  [ -e "$dir/bin/$app" ] || ln -s busybox "$dir/bin/$app"
done
cp "$(command -v bash)" "$dir/bin/bash"
for lib in $(ldd "$(command -v bash)" | grep -o '/[^ ]*'); do
  mkdir -p "$dir$(dirname "$lib")"; cp -L "$lib" "$dir$lib"
done
ln -sf /bin/env "$dir/usr/bin/env"
echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
echo 'root:x:0:' > "$dir/etc/group"
chmod 1777 "$dir/tmp" "$dir/var/tmp"
tar -C "$dir" -c . | "$engine" import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' - "$ref" >/dev/null
echo "imported $ref"
