"""Personas and real inputs for the API tests: alice and bob, each with a working API key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from rest_framework.test import APIClient
from skimage import data as photos

from accounts import services as accounts


@dataclass
class Persona:
    user: object
    key: str
    api_key: object
    client: APIClient

    def compare(self, file1: Path | None, file2: Path | None, **fields: object):  # type: ignore[no-untyped-def]
        payload: dict[str, object] = dict(fields)
        handles = []
        for name, path in (("file1", file1), ("file2", file2)):
            if path is not None:
                handle = path.open("rb")
                handles.append(handle)
                payload[name] = handle
        try:
            return self.client.post("/api/v1/compare", payload, format="multipart")
        finally:
            for handle in handles:
                handle.close()


def make_persona(email: str) -> Persona:
    user, _ = accounts.user_get_or_create(email=email)
    api_key, raw = accounts.api_key_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    return Persona(user=user, key=raw, api_key=api_key, client=client)


@pytest.fixture
def alice(db) -> Persona:
    return make_persona("alice@example.com")


@pytest.fixture
def bob(db) -> Persona:
    return make_persona("bob@example.com")


def write_image(path: Path, rgb: np.ndarray, **params: int) -> Path:
    flags = [cv2.IMWRITE_JPEG_QUALITY, params["quality"]] if "quality" in params else []
    assert cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), flags)
    return path


@pytest.fixture(scope="session")
def images(tmp_path_factory) -> dict[str, Path]:
    """Real photos from scikit-image and near-duplicates of them."""
    folder = tmp_path_factory.mktemp("images")
    astronaut = photos.astronaut()
    edited = astronaut.copy()
    edited[40:200, 300:460] = photos.coffee()[100:260, 200:360]  # a patch of another photo
    return {
        "astronaut": write_image(folder / "astronaut.png", astronaut),
        "astronaut_jpeg": write_image(folder / "astronaut.jpg", astronaut, quality=70),
        "astronaut_edited": write_image(folder / "astronaut-edited.png", edited),
        "coffee": write_image(folder / "coffee.png", photos.coffee()),
        "chelsea": write_image(folder / "chelsea.png", photos.chelsea()),
    }


@pytest.fixture(scope="session")
def texts(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("texts")
    licence = Path("/usr/share/common-licenses/Apache-2.0").read_text()
    edited = licence.replace("Licensor", "Grantor", 3)
    (folder / "apache.txt").write_text(licence)
    (folder / "apache-edited.txt").write_text(edited)
    return {"apache": folder / "apache.txt", "apache_edited": folder / "apache-edited.txt"}
