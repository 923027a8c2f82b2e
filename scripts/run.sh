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

# Everything started below is in this script's process group: one signal ends them all.
trap 'trap - INT TERM EXIT; kill 0 2>/dev/null; wait 2>/dev/null' INT TERM EXIT
.venv/bin/celery -A diffall worker --beat --queues default,media --concurrency 2 \
  --schedule var/celerybeat-schedule --loglevel WARNING &
# the web process as production runs it (diffall/gunicorn.conf.py: engines loaded and warmed once)
.venv/bin/gunicorn -c diffall/gunicorn.conf.py --bind "127.0.0.1:$PORT" \
  --workers "${WEB_CONCURRENCY:-2}" &
wait
