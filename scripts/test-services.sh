#!/usr/bin/env bash
# `make test` needs PostgreSQL and Redis at 127.0.0.1 and Debian's Chromium for the browser tests.
# Start what is installed but down; install Chromium (and docker-compose, to validate the compose
# file) with apt when missing and we are allowed to. Extra commands to install may be named as
# arguments (`make bench` asks for ffmpeg, the video benchmark's baseline).
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "PostgreSQL is down; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
fi

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "Redis is down; starting it"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v npm >/dev/null || missing+=(npm)  # installs axe-core for the accessibility checks
command -v curl >/dev/null || missing+=(curl)  # the contract's curl lines run as written
for extra in "$@"; do command -v "$extra" >/dev/null || missing+=("$extra"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing ${missing[*]} with apt"
    apt-get update -qq -o DPkg::Lock::Timeout=300 >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
  else
    echo "Missing ${missing[*]} and cannot install them: install them, or the tests that need them fail." >&2
  fi
fi
