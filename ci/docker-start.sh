#!/usr/bin/env bash
# Makes a Docker engine answer on this machine: does nothing when `docker info` already works; otherwise
# installs Debian's docker.io when dockerd is missing (root only) and starts dockerd in the background,
# then waits for it. Exit 0: the engine answers. Exit 1: it cannot run here (the reason is printed).
# Options: DOCKER_START_TIMEOUT (seconds to wait for the engine, default 60),
#          DOCKER_START_LOG (dockerd's log, default /tmp/speech-mamba-dockerd.log).
set -euo pipefail

timeout_s="${DOCKER_START_TIMEOUT:-60}"
log="${DOCKER_START_LOG:-/tmp/speech-mamba-dockerd.log}"

say() { echo "docker-start: $*" >&2; }
fail() { say "$*"; exit 1; }

engine_answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

if engine_answers; then say "the Docker engine already answers"; exit 0; fi

if ! command -v dockerd >/dev/null 2>&1; then
  [[ $(id -u) -eq 0 ]] || fail "dockerd is not installed and this is not root (install docker.io, then rerun)"
  command -v apt-get >/dev/null 2>&1 || fail "dockerd is not installed and apt-get is missing"
  say "installing docker.io (Debian) ..."
  # The client may already come from elsewhere (/usr/local/bin/docker); docker.io brings dockerd,
  # containerd and runc. A failed update (offline mirror) still lets an install from the cache try.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || say "apt-get update failed; trying the cached lists"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io iptables >/dev/null \
    || fail "apt-get install docker.io failed"
fi

[[ $(id -u) -eq 0 ]] || fail "dockerd is installed but not running, and starting it needs root"

# A stale pid file from an engine that died makes dockerd refuse to start.
if [[ -f /var/run/docker.pid ]] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  rm -f /var/run/docker.pid
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  say "starting dockerd (log: $log)"
  # setsid: the engine outlives this script and the build that called it (CI ends it with the session).
  setsid dockerd >"$log" 2>&1 < /dev/null &
fi

for ((waited = 0; waited < timeout_s; waited++)); do
  if engine_answers; then say "the Docker engine answers (after ${waited}s)"; exit 0; fi
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    say "dockerd exited; the last lines of its log:"
    tail -n 15 "$log" >&2 || true
    exit 1
  fi
  sleep 1
done
say "dockerd did not answer within ${timeout_s}s; the last lines of its log:"
tail -n 15 "$log" >&2 || true
exit 1
