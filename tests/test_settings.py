"""The settings fail loudly on bad values, refuse production without secrets, and a production
environment passes `check --deploy` with no warnings."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "p" * 30 + "-production-like-secret-key-0123456789",
    "API_KEY_PEPPER": "pepper-for-the-test",
    "ALLOWED_HOSTS": "diff-all.example",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
}


TEST_ONLY = ("DJANGO_ALLOW_ASYNC_UNSAFE",)  # set by pytest-env for Playwright; never in production


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and k not in TEST_ONLY and not k.startswith("AWS_")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_it_passes_check_deploy_with_a_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_the_default_api_key_pepper_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "API_KEY_PEPPER"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "API_KEY_PEPPER must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("MAX_UPLOAD_MB", "lots", "MAX_UPLOAD_MB must be a whole number"),
        ("DATABASE_URL", "nonsense://x", "DATABASE_URL is not a database URL"),
        ("API_RATE_LIMITS", "3/s,60/fortnight", "API_RATE_LIMITS must list limits like 3/s,60/m"),
    ],
)
def test_it_fails_loudly_on_a_bad_value(name, value, message):
    result = manage("check", env={name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_it_ships_a_valid_compose_file():
    # `make test` installs docker-compose when it is missing; a skip here would hide a failure.
    assert shutil.which("docker-compose"), "docker-compose is not installed"
    result = subprocess.run(
        ["docker-compose", "-f", "docker/compose.yml", "config", "-q"],
        cwd=ROOT, env={**os.environ, "SECRET_KEY": "s", "API_KEY_PEPPER": "p"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_librosas_compiled_kernels_are_cached_where_the_process_can_write() -> None:
    """numba caches librosa's kernels beside librosa's files unless told otherwise; a process
    that may not write there (the Docker image's user over a venv owned by root) could not
    import librosa at all, and every audio job failed. A process that loads diffall caches them
    in a folder of its own."""
    show_cache = (
        "import diffall, tempfile, librosa.core.notation as notation; "
        "print(getattr(notation, '__o_fold')._cache._cache_path); print(tempfile.gettempdir())"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}

    done = subprocess.run(
        [sys.executable, "-c", show_cache], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    cache_path, temporary = done.stdout.split()
    assert Path(cache_path).is_relative_to(Path(temporary) / f"diffall-numba-{os.getuid()}")
    assert "site-packages" not in cache_path
