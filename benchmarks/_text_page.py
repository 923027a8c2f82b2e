"""The text result page's part of bench_text.py (run that): the page of a finished text result
with its view kept against the same page built from the uploads, in one process."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks import _server
from tests.engines.media_texts import edited_lines

if TYPE_CHECKING:
    from django.test import Client

LIMIT = 2 * 1024 * 1024 - 4096  # just under what the page still shows from the files
STDLIB = Path(json.__file__).parent.parent


def stdlib_pair() -> tuple[str, str]:
    """Python's own modules, concatenated up to the limit, and a copy with 60 lines edited."""
    parts, size = [], 0
    for path in sorted(STDLIB.glob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if size + len(text.encode()) > LIMIT:
            break
        parts.append(text)
        size += len(text.encode())
    original = "".join(parts)
    return original, edited_lines(original, seed=1, edits=60)


def minified_json_pair() -> tuple[str, str]:
    """botocore's QuickSight model (1.7 MB minified, no line breaks): 40 documentation values
    with a word replaced. The page lays both out a value a line before diffing them."""
    import botocore

    model = Path(botocore.__file__).parent / "data/quicksight/2018-04-01/service-2.json.gz"
    with gzip.open(model) as packed:
        value = json.loads(packed.read())
    original = json.dumps(value, separators=(",", ":"))
    docs: list[dict[str, str]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("documentation"), str):
                docs.append(node)
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(value)
    rng = random.Random(7)
    for node in rng.sample(docs, 40):
        words = node["documentation"].split(" ")
        words[rng.randrange(len(words))] = "EDITED"
        node["documentation"] = " ".join(words)
    return original, json.dumps(value, separators=(",", ":"))


@contextmanager
def embedded_site() -> Iterator[None]:
    """Django set up in this process on the embedded default, files on moto's S3 server."""
    with (
        tempfile.TemporaryDirectory(prefix="diffall-bench-") as tmp,
        _server._storage("s3") as (s3_env, _),
    ):
        for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
            os.environ.pop(name, None)
        os.environ.update({**_server._env(Path(tmp)), **s3_env})
        os.environ["DJANGO_SETTINGS_MODULE"] = "diffall.settings"
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        yield


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main(runs: int) -> None:
    with embedded_site():
        measure(runs)


def measure(runs: int) -> None:
    from django.core.management import call_command
    from django.test import Client
    from rest_framework.test import APIClient

    from accounts.models import User

    out = io.StringIO()
    call_command("create_api_key", "bench@diffall.local", "--credits", "100", stdout=out)
    api = APIClient(headers={"X-API-Key": out.getvalue().strip().splitlines()[-1]})
    web = Client()
    web.force_login(User.objects.get(email="bench@diffall.local"))
    print("result page (Django test client, in process; files on moto S3):")
    for name, ext, (a, b) in (
        ("Python modules, 60 lines edited", "txt", stdlib_pair()),
        ("minified JSON, 40 values edited", "json", minified_json_pair()),
    ):
        with tempfile.TemporaryDirectory() as tmp:
            paths = [Path(tmp) / f"{side}.{ext}" for side in "ab"]
            for path, content in zip(paths, (a, b), strict=True):
                path.write_text(content)
            with paths[0].open("rb") as one, paths[1].open("rb") as two:
                job = api.post("/api/v1/compare", {"file1": one, "file2": two}).json()["job_id"]
        times, changes = measure_page(web, job, runs)
        report(name, len(a.encode()), len(b.encode()), changes, times)


def measure_page(web: Client, job: str, runs: int) -> tuple[dict[str, list[float]], int]:
    from comparisons.models import Comparison
    from comparisons.results import kept, text
    from comparisons.serializers import ComparisonSerializer

    comparison = Comparison.objects.get(id=job)
    result = ComparisonSerializer(comparison).data
    changes, identical = result.get("changes") or [], bool(result.get("identical"))
    page = f"/c/{job}"
    assert web.get(page).status_code == 200  # warm: imports, templates, the view kept
    times: dict[str, list[float]] = {"built": [], "kept": [], "view built": [], "view kept": []}
    for _ in range(runs):  # in alternation: machine noise falls on both alike
        kept.forget(comparison_id=comparison.id)
        times["built"].append(timed(lambda: web.get(page)))
        times["kept"].append(timed(lambda: web.get(page)))
        kept.forget(comparison_id=comparison.id)
        times["view built"].append(timed(lambda: text.view(comparison, changes, identical)))
        times["view kept"].append(timed(lambda: text.view(comparison, changes, identical)))
    return times, len(changes)


def report(
    name: str, size_a: int, size_b: int, changes: int, times: dict[str, list[float]]
) -> None:
    med = {key: statistics.median(values) for key, values in times.items()}
    print(f"  {name}: {size_a:,} / {size_b:,} bytes, {changes} changes, {len(times['kept'])} runs")
    print(
        f"    page GET, view kept  median {med['kept'] * 1000:7.1f} ms; built from the files "
        f"(baseline) {med['built'] * 1000:7.1f} ms; ratio {med['kept'] / med['built']:.2f}"
    )
    print(
        f"    text.view, kept      median {med['view kept'] * 1000:7.1f} ms; built from the files "
        f"(baseline) {med['view built'] * 1000:7.1f} ms; "
        f"ratio {med['view kept'] / med['view built']:.3f}"
    )
