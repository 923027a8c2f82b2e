"""The client installs on its own. A clean virtualenv (no system site-packages) with nothing but
`pip install ./client` (which fetches requests and rich from the package index) holds no Django,
NumPy or OpenCV, imports none, and its `diffall` command works against the server; `make client`
builds a wheel of the client alone."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.client.conftest import Server, new_account, run

HEAVY = ("django", "numpy", "opencv")  # distribution names start with these (opencv-python…)


def test_a_clean_install_holds_no_django_numpy_or_opencv(clean_venv: Path) -> None:
    python = clean_venv / "bin" / "python"
    names = set(json.loads(run([python, "-c", (
        "import importlib.metadata as m, json, re; print(json.dumps(sorted("
        "re.sub(r'[-_.]+', '-', d.metadata['Name']).lower() for d in m.distributions())))"
    )])))  # fmt: skip
    assert {"diffall-cli", "requests", "rich"} <= names
    assert [name for name in names if name.startswith(HEAVY)] == []
    loaded = run([python, "-c", (
        "import sys, diffall_cli.cli, diffall_cli.check, diffall_cli.reports; "
        "print(diffall_cli.cli.__file__); "
        "print(sorted(m for m in ('django', 'numpy', 'cv2') if m in sys.modules))"
    )]).splitlines()  # fmt: skip
    assert loaded[0].startswith(str(clean_venv)), "the client must come from the venv"
    assert loaded[1] == "[]"


def test_the_installed_diffall_command_works(clean_venv: Path, server: Server) -> None:
    account = new_account(email="installed@example.com")
    diffall = clean_venv / "bin" / "diffall"
    assert run([diffall, "--version"]) == "diffall 0.1.0\n"
    shown = run([diffall, "whoami"], DIFFALL_URL=server.url, DIFFALL_API_KEY=account.key)
    assert shown.splitlines()[0].split() == ["Account", "installed@example.com"]


def test_make_client_builds_a_wheel_of_the_client_alone(client_wheel: Path) -> None:
    assert client_wheel.name == "diffall_cli-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(client_wheel) as wheel:
        names = wheel.namelist()
        metadata = wheel.read("diffall_cli-0.1.0.dist-info/METADATA").decode()
        entry_points = wheel.read("diffall_cli-0.1.0.dist-info/entry_points.txt").decode()
    assert all(n.startswith(("diffall_cli/", "diffall_cli-0.1.0.dist-info/")) for n in names)
    requires = [
        line.split(":", 1)[1].strip() for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    ]  # fmt: skip
    assert requires == ["requests<3,>=2.28", "rich<16,>=13"]
    assert "diffall = diffall_cli.cli:main" in entry_points
