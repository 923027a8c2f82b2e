"""The embedded default's broker: kombu's filesystem transport, with each message written whole
before a worker can see it.

kombu 5.7 creates a message's file in the queue folder and then writes it. A worker polling that
folder (every 0.1 s here) can move and read the file in between: it gets an empty or partial
message, and kombu's `loads` raises a JSONDecodeError that stopped the worker (seen under a
benchmark's load). Here the message is written to a temporary file in the same folder, under a
name the consumer skips, and renamed to its queue name: a rename is atomic on one file system.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps

PARTIAL_SUFFIX = ".part"  # kombu takes only names ending in ".<queue>.msg"


class Channel(filesystem.Channel):
    # kombu names the message `payload` here and `message` in the base class it overrides
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        # the name kombu gives a message: the time first, so the folder lists in order
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        folder = self.data_folder_out
        try:
            with tempfile.NamedTemporaryFile(
                dir=folder, prefix=".", suffix=PARTIAL_SUFFIX, delete=False
            ) as partial:
                partial.write(dumps(payload).encode())  # type: ignore[no-untyped-call]
            os.replace(partial.name, os.path.join(folder, name))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
