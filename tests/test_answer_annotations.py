"""The answering phrases of the question sets (bench/questions/README.md, "The `answer` field") are on their pages.

The marked-answer accuracy of issue 15 is only as good as this ground truth: a phrase that is not on its target page
could never be marked, and a question left without phrases would silently drop out of the measure.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITES = {
    "examples": ROOT / "examples/site",
    "debian-installation-guide": Path("/usr/share/doc/installation-guide-amd64/en"),
    "sqlalchemy-14": Path("/usr/share/doc/python-sqlalchemy-doc/html"),
}


@pytest.mark.parametrize("name", list(SITES))
def test_every_answerable_question_has_phrases_found_on_its_page(name: str) -> None:
    if not SITES[name].is_dir():
        pytest.skip(f"{SITES[name]} is not installed")
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench/check_answers.py"), name], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert " 0 failures" in run.stdout
