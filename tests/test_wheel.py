"""The wheel carries everything a user needs: no Node, no checkout, just `pip install`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

from conftest import CALLER_ENV, ROOT

# The checkout must not leak into the fresh environment: PYTHONPATH points at generator/ when the
# tests run from a worktree, and VIRTUAL_ENV/PYTHONHOME would name the test environment.
LEAKY = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONUSERBASE")


def _clean(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in LEAKY}


def test_wheel_builds_a_working_bundle_without_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("sitebot-*.whl")
    # A truly fresh environment: no system site packages, so the wheel's own dependencies must
    # install (markdown-it-py and the rest), as on a user's machine.
    env_dir = tmp_path / "env"
    venv.create(env_dir, system_site_packages=False, with_pip=True)
    py, script = env_dir / "bin" / "python", env_dir / "bin" / "sitebot"
    # pip runs with the caller's home: its configured index and its cache, nothing sitebot reads.
    r = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", str(wheel)],
        env=_clean(CALLER_ENV),
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    env = _clean(dict(os.environ))  # the test's home and cache, without the checkout

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)

    # -I: isolated mode, so neither the current folder nor a user site can supply a module.
    r = run(
        str(py),
        "-I",
        "-c",
        "import importlib.util, sitebot; print(sitebot.__file__); print(importlib.util.find_spec('generator'))",
    )
    assert r.returncode == 0, r.stderr
    where, generator = r.stdout.splitlines()
    assert where.startswith(str(env_dir))  # the installed wheel, not the checkout
    assert generator == "None"  # the old import name is gone
    r = run(str(py), "-I", "-m", "sitebot", "--version")
    assert r.returncode == 0 and r.stdout.startswith("sitebot"), r.stdout + r.stderr

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        "<html><head><title>Hi</title></head><body><main><h2 id=a>Hours</h2><p>Open 9 to 5 on weekdays.</p></main></body></html>"
    )
    r = run(str(script), "generate", "site", "-o", "bundle", "-q")  # the console script
    assert r.returncode == 0, r.stderr
    out = tmp_path / "bundle"
    manifest = json.loads((out / "sitebot.json").read_text())
    assert (out / manifest["runtime"]["worker"]).is_file() and (out / "widget.js").is_file()
    assert manifest["counts"]["pages"] == 1 and '<script src="widget.js"' in (out / "index.html").read_text()
