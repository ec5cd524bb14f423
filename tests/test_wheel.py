"""The wheel carries everything a user needs: no Node, no checkout, just `pip install`."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

from conftest import ROOT


def test_wheel_builds_a_working_bundle_without_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = wheels.glob("sitebot-*.whl")
    # A fresh environment that sees the test environment's dependencies but not the checkout.
    env_dir = tmp_path / "env"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><head><title>Hi</title></head><body><main><h2 id=a>Hours</h2><p>Open 9 to 5 on weekdays.</p></main></body></html>")
    out = tmp_path / "bundle"
    r = subprocess.run([str(py), "-c", "import sitebot, sys; print(sitebot.__file__); sys.argv = ['sitebot', 'generate', 'site', '-o', 'bundle', '-q']; from sitebot.cli import main; main()"],
                       cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert str(env_dir) in r.stdout  # the installed wheel ran, not the checkout
    manifest = json.loads((out / "sitebot.json").read_text())
    assert (out / manifest["runtime"]["worker"]).is_file() and (out / "widget.js").is_file()
    assert manifest["counts"]["pages"] == 1 and "<script src=\"widget.js\"" in (out / "index.html").read_text()
