"""The benchmarks' one way to build the demo bot (examples/) with this checkout's CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_demo(into: Path) -> Path:
    """Build examples/ into `into` with `sitebot generate … --base-url /` and return it."""
    subprocess.run(
        [sys.executable, "-m", "sitebot", "generate", str(ROOT / "examples"), "--base-url", "/", "-o", str(into), "-q"],
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "generator")},
    )
    return into
