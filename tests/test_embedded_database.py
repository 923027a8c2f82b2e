"""The embedded default's SQLite runs in WAL mode with synchronous=NORMAL: the web process and the
worker read while one writes, and a commit waits for no fsync (three commits per comparison cost
14-18 ms each of fsync on this machine's disk before)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE_VARS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_KEY_PREFIX")
PROBE = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    cursor.execute("PRAGMA synchronous")
    print(journal, cursor.fetchone()[0])
"""


def test_the_embedded_database_commits_through_a_write_ahead_log(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env.update(DIFFALL_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="diffall.settings")
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["wal", "1"]  # 1 = NORMAL
    assert (tmp_path / "diffall.sqlite3").exists()
