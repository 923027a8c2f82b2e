"""gunicorn configuration of the CLI tests' DiffALL server (`gunicorn -c request_log.py`): its
server hooks log every request the server handles, to the file named by DIFFALL_REQUEST_LOG, so
the tests count requests where the rate limit counts them — at the server.

Two JSON lines per request, sharing its "request" id: {"event": "arrived", "at"} when gunicorn has
read the request line and headers (before the app reads the body), and {"event": "done", "at"
(the arrival again), "method", "path", "status", "key": a hash of X-API-Key (which key sent it;
the key itself is not written), "idempotency_key"} when the answer has been sent.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from typing import Any


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()[:16] if raw else ""


def _write(line: dict[str, Any]) -> None:
    # One write of one short line to a file opened for appending: lines from the server's
    # processes and threads never interleave.
    with open(os.environ["DIFFALL_REQUEST_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(line) + "\n")


def pre_request(worker: Any, req: Any) -> None:
    req.diffall_id, req.diffall_arrived_at = uuid.uuid4().hex, time.time()
    _write({"event": "arrived", "request": req.diffall_id, "at": req.diffall_arrived_at})


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    headers = {name.upper(): value for name, value in req.headers}
    _write({
        "event": "done",
        "request": getattr(req, "diffall_id", ""),
        "at": getattr(req, "diffall_arrived_at", time.time()),
        "method": req.method,
        "path": req.path,
        "status": int(str(resp.status).split()[0]),
        "key": key_hash(headers.get("X-API-KEY", "")),
        "idempotency_key": headers.get("IDEMPOTENCY-KEY"),
    })  # fmt: skip
