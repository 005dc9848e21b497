#!/usr/bin/env bash
# Installs and configures a container engine for the local backend and its
# tests: podman with the runc runtime and no default ulimits (what works on
# Debian CI machines without a Docker engine), plus busybox-static, and
# imports a minimal base image `localhost/ibgitops-base:latest` made from the
# host's busybox and bash so that tests and the demo need no registry.
set -euo pipefail
need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
[ -x /bin/busybox ] || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt or unattended-upgrades to release the dpkg lock
  # (apt 1.9.11 and later) instead of failing; show apt's progress.
  lock=(-o DPkg::Lock::Timeout=600)
  echo "apt: installing ${need[*]} (waits up to 10 minutes for the dpkg lock)"
  $SUDO apt-get "${lock[@]}" update -q || true
  $SUDO apt-get "${lock[@]}" install -y -q "${need[@]}"
fi
conf=/etc/containers/containers.conf
if [ -w /etc/containers ] || [ "$(id -u)" -eq 0 ]; then
  mkdir -p /etc/containers
  if ! grep -q 'ibgitops' "$conf" 2>/dev/null; then
    cat >> "$conf" <<'CONF'
# ibgitops: runc works where crun does not; no default ulimits in sandboxes
[containers]
default_ulimits = []
[engine]
runtime = "runc"
CONF
  fi
fi
exec "$(dirname "$0")/base-image.sh"
