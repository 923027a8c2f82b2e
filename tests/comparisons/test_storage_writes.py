"""Storing a comparison's files costs one write each: on S3 a single PUT (no HEAD looking for a
free name first: keys are unique per job), in a local folder a hard link to the upload (no byte
copied), with a copy when the folder is on another filesystem."""

from __future__ import annotations

import errno
import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import override_settings

from comparisons import storage
from diffall.settings import s3_storage
from tests.conftest import S3Server


def _local_storage(folder: Path) -> dict[str, object]:
    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "allow_overwrite": True},
        },
    }


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    path = tmp_path / "upload-1"
    path.write_bytes(os.urandom(300_000))
    return path


def test_it_stores_an_input_on_s3_with_one_put_and_no_head(
    upload: Path, backing_services: S3Server
) -> None:
    # a storage of this test's own on the session's S3 server, so the client whose calls are
    # counted is the one that stores, whatever earlier tests did to the default storage
    stores = {**settings.STORAGES, "default": s3_storage(backing_services.env)}
    with override_settings(STORAGES=stores):
        calls: list[str] = []
        events = default_storage.connection.meta.client.meta.events  # type: ignore[attr-defined]
        events.register("before-call.s3", lambda model, **_: calls.append(model.name))
        job = uuid.uuid4()
        name = storage.input_save(comparison_id=job, slot="a", path=upload, extension="png")
        diff = storage.artifact_save(comparison_id=job, name="diff.png", data=b"png bytes")
        assert calls == ["PutObject", "PutObject"]
        assert storage.read(name=name) == upload.read_bytes()
        assert storage.read(name=diff) == b"png bytes"


def test_it_links_an_input_into_a_local_folder_without_copying_it(
    upload: Path, tmp_path: Path
) -> None:
    with override_settings(STORAGES=_local_storage(tmp_path / "media")):
        name = storage.input_save(
            comparison_id=uuid.uuid4(), slot="b", path=upload, extension="png"
        )
        stored = Path(default_storage.path(name))
    assert stored.read_bytes() == upload.read_bytes()
    assert stored.stat().st_ino == upload.stat().st_ino  # one file, two names
    upload.unlink()  # the request's temporary folder goes away; the stored input stays
    assert stored.stat().st_size == 300_000


def test_it_copies_an_input_when_the_folder_is_on_another_filesystem(
    upload: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def across_devices(*_: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", across_devices)
    with override_settings(STORAGES=_local_storage(tmp_path / "media")):
        name = storage.input_save(
            comparison_id=uuid.uuid4(), slot="a", path=upload, extension="png"
        )
        stored = Path(default_storage.path(name))
    assert stored.read_bytes() == upload.read_bytes()
    assert stored.stat().st_ino != upload.stat().st_ino
