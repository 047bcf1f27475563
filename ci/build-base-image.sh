#!/usr/bin/env bash
# Builds a minimal Debian (bookworm) base image from the Debian mirror this machine already uses and
# imports it into the local Docker engine, for places where no image registry is reachable.
# Skips all work when the image exists. Needs root (debootstrap) and a running engine (ci/docker-start.sh).
# Options: BASE_IMAGE (tag, default speech-mamba/debian-base:bookworm), DEBIAN_SUITE (default bookworm),
#          DEBIAN_MIRROR (default: the first deb.debian.org-style URI in /etc/apt/sources.list*).
set -euo pipefail

image="${BASE_IMAGE:-speech-mamba/debian-base:bookworm}"
suite="${DEBIAN_SUITE:-bookworm}"

say() { echo "build-base-image: $*" >&2; }
fail() { say "$*"; exit 1; }

if docker image inspect "$image" >/dev/null 2>&1; then say "$image exists; nothing to do"; exit 0; fi
[[ $(id -u) -eq 0 ]] || fail "debootstrap needs root"

mirror="${DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
  # One-line format: "deb [opts] URI suite comp..."; deb822 format: "URIs: URI". Security mirrors are skipped.
  mirror="$( { grep -hsE '^\s*deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
                 | sed -E 's/^\s*deb\s+(\[[^]]*\]\s+)?(\S+).*/\2/';
               grep -hsE '^\s*URIs:' /etc/apt/sources.list.d/*.sources | sed -E 's/^\s*URIs:\s*(\S+).*/\1/'; } \
             | grep -v -- '-security' | grep -E '/debian/?$' | head -n 1 || true)"
fi
[[ -n "$mirror" ]] || fail "no Debian mirror found in /etc/apt/sources.list*; set DEBIAN_MIRROR"

if ! command -v debootstrap >/dev/null 2>&1; then
  say "installing debootstrap ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null \
    || { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
         DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; } \
    || fail "apt-get install debootstrap failed"
fi

rootfs="$(mktemp -d /tmp/speech-mamba-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
say "debootstrap --variant=minbase $suite from $mirror ..."
start=$SECONDS
# minbase: dpkg, apt and essential packages only; the server image needs a libc and a shell, nothing more.
# ca-certificates is left out: the image reaches no network.
debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" > "$rootfs.log" 2>&1 \
  || { tail -n 20 "$rootfs.log" >&2; rm -f "$rootfs.log"; fail "debootstrap failed"; }
rm -f "$rootfs.log"
# Package caches and lists are useless in an image that never runs apt.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
say "imported $image in $((SECONDS - start))s ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
