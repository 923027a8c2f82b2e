"""Real inputs shared by the API and website tests: photos that ship with scikit-image, their
near-duplicates and edits, and licence texts Debian installs. Registered from tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data as photos


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
