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
from sitebot.evaluate import evaluate, load_questions, query_vectors, rank_pages
from sitebot.index.lists import entry_files
from sitebot.retrieve import Retriever


def test_lite_path_ranks_most_demo_answers_in_the_top_five(examples_bundle: Path) -> None:
    report = evaluate(examples_bundle, EXAMPLES / "questions.jsonl", path="lite")
    hits5 = sum(1 for r in report.results if r.rank is not None and r.rank <= 5)
    hits1 = sum(1 for r in report.results if r.rank == 1)
    assert len(report.results) == 12
    assert hits5 >= 8, [r.question for r in report.failures]
    assert hits1 >= 4


def test_a_rebuild_gives_the_same_lite_files(examples_bundle: Path, tmp_path: Path, cache_dir: Path) -> None:
    again = build(EXAMPLES, tmp_path / "chatbot", "--base-url", "/", env={"SITEBOT_CACHE_DIR": str(cache_dir)})
    first = json.loads((examples_bundle / "sitebot.json").read_text())["lite"]
    second = json.loads((again / "sitebot.json").read_text())["lite"]
    assert first == second  # every file name carries its content's hash
    files = [first["weights"], first["map"], *entry_files(examples_bundle, first["vectors"])]
    for name in files:
        assert (examples_bundle / name).read_bytes() == (again / name).read_bytes()


def test_the_lite_and_full_paths_agree_on_the_top_page_for_half_the_demo_questions(examples_bundle: Path) -> None:
    """On the demo they agree for 6 of 12 (on the installation guide for more: bench/lite.py)."""
    questions = [q for q in load_questions(EXAMPLES / "questions.jsonl") if q.expected]
    full, lite = Retriever(examples_bundle), Retriever(examples_bundle, path="lite")
    texts = [q.text for q in questions]
    full_vectors = query_vectors(examples_bundle, full.manifest, texts)
    lite_vectors = lite.lite.vectors(texts)  # type: ignore[union-attr]
    same = 0
    for text, f, v in zip(texts, full_vectors, lite_vectors, strict=True):
        by_full, _ = rank_pages(full, text, f)
        by_lite, _ = rank_pages(lite, text, v)
        same += bool(by_full and by_lite and by_full[0] == by_lite[0])
    assert same >= len(questions) // 2, f"{same} of {len(questions)}"
