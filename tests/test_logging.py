"""Each warning reaches the log once: Django's own "django" console handler used to print every
django.request warning a second time next to the root's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import django
django.setup()
from django.test import Client
Client().get("/no-such-page-for-the-log-test")
"""


def test_it_logs_a_not_found_warning_once() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "diffall.settings", "DEBUG": "true"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    lines = [line for line in result.stderr.splitlines() if "no-such-page-for-the-log-test" in line]
    assert len(lines) == 1, result.stderr
    assert "WARNING django.request Not Found" in lines[0]
