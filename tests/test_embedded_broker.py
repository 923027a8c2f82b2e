"""The embedded broker (diffall/embedded_broker.py): a worker polling the queue folder while a
task is being sent never takes a half-written message. The same probe, run against kombu's own
filesystem transport, shows the race it closes. tests/test_make_run.py runs a job through it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kombu import Connection
from kombu.transport import filesystem
from kombu.utils.json import dumps as kombu_dumps

from diffall import embedded_broker


def channel(transport: type, folder: Path) -> Any:
    (folder / "processed").mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(folder / "processed"),
    }
    return Connection(transport=transport, transport_options=options).default_channel


def probe_while_writing(monkeypatch, module: Any, transport: type, folder: Path) -> list[Any]:
    """Send one message, and let a second channel (the worker) poll the folder at the moment the
    sender has serialised it and is about to write it. Returns what that poll got."""
    sender, worker = channel(transport, folder), channel(transport, folder)
    seen: list[Any] = []

    def dumps_then_poll(payload: Any) -> str:
        text: str = kombu_dumps(payload)
        try:
            seen.append(worker._get("jobs"))
        except Exception as exc:  # what the worker's loop would have raised
            seen.append(exc)
        return text

    monkeypatch.setattr(module, "dumps", dumps_then_poll)
    sender._put("jobs", {"body": "compare", "id": 1})
    return seen


def test_a_poll_during_a_send_finds_nothing_then_the_whole_message(monkeypatch, tmp_path):
    seen = probe_while_writing(monkeypatch, embedded_broker, embedded_broker.Transport, tmp_path)
    assert len(seen) == 1 and isinstance(seen[0], filesystem.Empty)
    assert channel(embedded_broker.Transport, tmp_path)._get("jobs") == {
        "body": "compare",
        "id": 1,
    }
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == []  # nothing half-left


def test_kombus_own_transport_hands_the_poll_an_empty_message(monkeypatch, tmp_path):
    """Why the embedded broker is not kombu's transport as it ships (kombu 5.7)."""
    seen = probe_while_writing(monkeypatch, filesystem, filesystem.Transport, tmp_path)
    assert len(seen) == 1 and isinstance(seen[0], ValueError), seen  # JSONDecodeError
