"""gunicorn's settings for DiffALL's web process: the Dockerfile, `make run` (scripts/run.sh) and
the benchmarks all start it with `gunicorn -c diffall/gunicorn.conf.py` (flags given after it win).

The application is loaded once in the master (`preload_app`), and with it the URL configuration,
the views and every engine module (the web process probes video and audio uploads too), so each
worker forks with them in memory. Each worker then runs the warm-up of the engines it runs itself
(image, text, subtitle: the types answered at once) in `post_fork`, because OpenCV's thread pool
and the image engine's decoding threads do not survive a fork. The first comparison a worker
answers thus pays for no import and no lazy initialisation.

Environment: PORT (8000), WEB_CONCURRENCY (workers, 3), WEB_TIMEOUT_S (60), WEB_ACCESS_LOG
("-": stdout, the default; "off": none).
"""

from __future__ import annotations

import os
from typing import Any

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("WEB_TIMEOUT_S", "60"))
_access_log = os.environ.get("WEB_ACCESS_LOG", "-")
accesslog = None if _access_log == "off" else _access_log
preload_app = True
wsgi_app = "diffall.wsgi:application"


def on_starting(server: Any) -> None:
    """In the master, once the application is loaded: import what requests will need."""
    from django.urls import get_resolver

    from comparisons.engines import MEDIA_TYPES, get_engine

    get_resolver().url_patterns  # noqa: B018  (imports every view and what they import)
    for media_type in MEDIA_TYPES:
        get_engine(media_type)


def post_fork(server: Any, worker: Any) -> None:
    """In each worker: one OpenCV thread (engines/threads.py), and the warm-up of the engines
    that run in the web process."""
    from comparisons.engines import MEDIA_TYPES, spec_of, warm_up
    from comparisons.engines.threads import single_threaded_opencv

    single_threaded_opencv()
    warm_up(t for t in MEDIA_TYPES if not spec_of(t).runs_async)
