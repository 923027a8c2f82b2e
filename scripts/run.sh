#!/usr/bin/env bash
# `make run`: the embedded default — SQLite, files and a broker folder under var/, no servers.
# Starts the website/API and a Celery worker (with its beat for the periodic sweeps); one Ctrl-C
# stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
mkdir -p var

$PY manage.py migrate --noinput >/dev/null
$PY manage.py demo_account --port "$PORT"

# One Ctrl-C (or TERM) stops the two servers started below, and each stops its own children: a
# signal to the whole group (`kill 0`) also hit Celery's pool children, and one killed while
# holding the pool's queue lock left the worker waiting for it forever after its first job.
trap 'trap - INT TERM EXIT; kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' INT TERM EXIT
.venv/bin/celery -A diffall worker --beat --queues default,media --concurrency 2 \
  --schedule var/celerybeat-schedule --loglevel WARNING &
# the web process as production runs it (diffall/gunicorn.conf.py: engines loaded and warmed once)
.venv/bin/gunicorn -c diffall/gunicorn.conf.py --bind "127.0.0.1:$PORT" \
  --workers "${WEB_CONCURRENCY:-2}" &
wait
