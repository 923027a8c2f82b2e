"""The README's two CI jobs ("Use it in CI") run as written: their shell steps in order, with
GitHub's and GitLab's rules for what runs after a failed step, in a fresh virtualenv standing in
for the runner's Python. Only the server changes (DIFFALL_URL: the live one here), the secret is
filled in and DIFFALL_CLIENT names the wheel `make client` built — as the contract's curl lines
are run with only the host and key filled in."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from defusedxml import ElementTree as SafeET

from tests.client.conftest import Server, clean_env, new_account
from tests.conftest import ROOT
from tests.engines import media_images


def ci_jobs() -> list[dict[str, Any]]:
    section = (ROOT / "README.md").read_text().split("\n## Use it in CI\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", section, re.S)]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A repository with a baseline, and the screenshots an earlier step took: one unchanged,
    one re-encoded, one replaced, one new."""
    base, now = tmp_path / "screenshots/baseline", tmp_path / "screenshots/current"
    base.mkdir(parents=True), now.mkdir(parents=True)
    home = media_images.photo_at("astronaut", (320, 240))
    cart = media_images.photo_at("coffee", (320, 240))
    media_images.write(base / "home.png", home)
    shutil.copy(base / "home.png", now / "home.png")
    media_images.write_jpeg(base / "cart.jpg", cart, 95)
    media_images.write_jpeg(now / "cart.jpg", cart, 80)
    media_images.write(base / "login.png", cart), media_images.write(now / "login.png", home)
    media_images.write(now / "signup.png", home)
    return tmp_path


def shell(script: str, cwd: Path, env: dict[str, str]) -> int:
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, timeout=300).returncode


def runner_env(
    venv: Path, wheel: Path, server: Server, variables: dict[str, str], key: str
) -> dict[str, str]:
    env = clean_env(**{name: str(value) for name, value in variables.items()})
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"  # the runner's python and pip
    env.update(DIFFALL_URL=server.url, DIFFALL_API_KEY=key, DIFFALL_CLIENT=str(wheel))
    return env


def assert_report(report: Path) -> None:
    root = SafeET.parse(report / "junit.xml").getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "2", "0")
    assert [p.name for p in report.glob("diffs/*.png")] == ["login.png.diff.png"]


def test_the_github_actions_job_runs_as_written(
    server: Server, clean_venv: Path, client_wheel: Path, workspace: Path
) -> None:
    workflow = ci_jobs()[0]
    assert workflow["permissions"]["checks"] == "write"
    job = workflow["jobs"]["diffall"]
    assert job["env"]["DIFFALL_API_KEY"] == "${{ secrets.DIFFALL_API_KEY }}"
    env = runner_env(clean_venv, client_wheel, server, job["env"], new_account().key)
    env["GITHUB_STEP_SUMMARY"] = str(workspace / "step-summary.md")
    failed, codes, published = False, [], []
    for step in job["steps"]:
        if failed and step.get("if") != "always()":
            continue  # GitHub skips a step after a failure unless it asks to run always
        if "run" in step:
            codes.append(shell(step["run"], workspace, env))
            failed = failed or codes[-1] != 0
        elif "with" in step:
            published += [v for k, v in step["with"].items() if k in ("report_paths", "path")]
    assert codes == [0, 1, 0]  # install, check (a replaced and a new screenshot), summary
    report = workspace / "diffall-report"
    assert (workspace / "step-summary.md").read_text() == (report / "summary.md").read_text()
    assert published == ["diffall-report/junit.xml", "diffall-report/"]
    assert_report(report)


def test_the_gitlab_ci_job_runs_as_written(
    server: Server, clean_venv: Path, client_wheel: Path, workspace: Path
) -> None:
    job = ci_jobs()[1]["visual-regression"]
    env = runner_env(clean_venv, client_wheel, server, job["variables"], new_account().key)
    codes = []
    for line in job["script"]:
        codes.append(shell(line, workspace, env))
        if codes[-1]:
            break  # GitLab ends the script at the first failing line
    assert codes == [0, 1]
    assert job["artifacts"]["when"] == "always"  # so the failed job still publishes its report
    assert job["artifacts"]["reports"]["junit"] == "diffall-report/junit.xml"
    assert job["artifacts"]["paths"] == ["diffall-report/"]
    assert_report(workspace / "diffall-report")
