"""The lite query path's build (index/lite.py): what a visitor gets before the model is in.

On the demo site the map used to be fitted on its 264 chunks alone and ranked the expected page
in the top 5 for 6 of the 12 demo questions (the first for 2); fitted on the chunks' sentences
and the probe questions too, and shrunk towards the static sums read as model vectors, it
ranks 8 in the top 5 and 5 first (bench/lite.py measures every site).
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EXAMPLES, build
from sitebot.evaluate import evaluate


def test_lite_path_ranks_most_demo_answers_in_the_top_five(examples_bundle: Path) -> None:
    report = evaluate(examples_bundle, EXAMPLES / "questions.jsonl", path="lite")
    hits5 = sum(1 for r in report.results if r.rank is not None and r.rank <= 5)
    hits1 = sum(1 for r in report.results if r.rank == 1)
    assert len(report.results) == 12
    assert hits5 >= 8, [r.question for r in report.failures]
    assert hits1 >= 4


def test_a_rebuild_gives_the_same_lite_files(examples_bundle: Path, tmp_path: Path) -> None:
    again = build(EXAMPLES, tmp_path / "chatbot", "--base-url", "/")
    first = json.loads((examples_bundle / "sitebot.json").read_text())["lite"]
    second = json.loads((again / "sitebot.json").read_text())["lite"]
    assert first == second  # every file name carries its content's hash
    for key in ("weights", "map", "vectors"):
        assert (examples_bundle / first[key]).read_bytes() == (again / second[key]).read_bytes()
