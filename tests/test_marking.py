"""What an extractive card marks, in Debian's Chromium on the demo bundle.

A card marks the one or two units (sentences, or a table row) that answer, chosen with the
question's vector against the shown passages' unit signatures (sign bits of each unit's
vector, built with the bundle: no model run per unit) and the words they share,
and shows the rest of its window unmarked. Before the model is in, the keyword answer is
marked by words; the upgrade re-marks it with vectors.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, wait_for_held, without_lite_path

pytestmark = pytest.mark.browser

ROOT_JS = "document.querySelector('sitebot-widget').shadowRoot"
HOURS = "If I ring you at 7pm on a Tuesday, will anybody pick up?"
PAUSE = "We're abroad from June to September. Can I freeze the monthly ink charges without quitting altogether?"
# The answer to PAUSE; it shares none of the question's words. Its neighbour "You don't pay
# the monthly fee while your plan is on hold, …" shares "monthly", and word overlap marked it.
ON_HOLD = "Instead of cancelling, you can put your InkPlan on hold for one, two or three months"
# Before the model: "summer" (a rare word) marks the sentence restating the question; the
# vectors add the answer beside it.
SUMMER = "Can I pause my monthly InkPlan while I am abroad for the summer?"
CARDS = f"""() => {{
  const asked = {ROOT_JS}.querySelectorAll('.log > .msg.user');
  const answer = asked[asked.length - 1].nextElementSibling;
  return [...answer.querySelectorAll('.card')].map((c) => ({{
    href: c.querySelector('.source').getAttribute('href'),
    text: c.querySelector('.excerpt').textContent,
    marks: [...c.querySelectorAll('mark')].map((m) => m.textContent),
    prelim: Boolean(answer.querySelector('.prelim-note')),
  }}));
}}"""


def open_panel(page: Any, url: str, model: bool = True) -> None:
    page.goto(url + "chatbot/index.html")
    page.wait_for_function("() => window.sitebot && window.sitebot.ready")
    page.evaluate(f"() => window.sitebot.ready({{model: {'true' if model else 'false'}}})")
    page.evaluate("() => window.sitebot.open()")


def ask(page: Any, question: str) -> list[dict[str, Any]]:
    box = page.locator("sitebot-widget input.input")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.log > .copy').length >= 1")
    return page.evaluate(CARDS)


def card(cards: list[dict[str, Any]], anchor: str) -> dict[str, Any]:
    found = [c for c in cards if (c["href"] or "").endswith("#" + anchor)]
    assert found, [c["href"] for c in cards]
    return found[0]


def test_the_answering_sentence_is_marked_and_the_rest_is_context(page: Any, served_site: str) -> None:
    open_panel(page, served_site)
    hours = card(ask(page, HOURS), "support-hours")
    # The hours, and at most one sentence more.
    assert 1 <= len(hours["marks"]) <= 2, hours
    assert "Monday to Friday, 9:00–18:00 CET" in hours["marks"][0]
    # The card still reads as a passage: the sentence before the hours, unmarked.
    assert "Most questions are solved in a single reply." in hours["text"]
    assert not any("Most questions" in m for m in hours["marks"])
    # No card marks a whole passage: at most two units, and never all of what it shows.
    for c in page.evaluate(CARDS):
        assert len(c["marks"]) <= 2, c
        assert sum(map(len, c["marks"])) < len(c["text"]), c


def test_vectors_pick_the_answer_over_the_sentence_sharing_more_words(page: Any, served_site: str) -> None:
    open_panel(page, served_site)
    pause = card(ask(page, PAUSE), "taking-a-break-from-your-plan")
    assert any(m.startswith(ON_HOLD) for m in pause["marks"]), pause
    assert len(pause["marks"]) <= 2
    # ask() hands the page the marked text, one entry per citation.
    result = page.evaluate("(q) => window.sitebot.ask(q)", PAUSE)
    assert len(result["marked"]) == len(result["citations"])
    assert any(ON_HOLD in m for m in result["marked"]), result["marked"]


def test_the_keyword_answer_is_marked_by_words_then_re_marked_with_vectors(page: Any, served_site: str) -> None:
    held: list[Any] = []
    # These are the keyword answer's tests: the bundle is served without its lite path, as one
    # built with bot.model = "full"; what a visitor sees with it is tests/test_lite_path.py.
    page.route(re.compile(r".*/sitebot\.json(\?.*)?$"), without_lite_path)
    page.route(re.compile(r".*\.onnx$"), lambda route: held.append(route))
    open_panel(page, served_site, model=False)
    first = ask(page, SUMMER)
    assert first and first[0]["prelim"], first
    pause = card(first, "taking-a-break-from-your-plan")
    # By words alone: the sentence holding "summer", not the answer next to it.
    assert pause["marks"] == ["Going travelling for the summer, or not printing for a while?"], pause

    wait_for_held(page, held)  # the model is asked for once the first answer is out
    assert held, "the model was never requested"
    for route in held:
        route.continue_()
    page.wait_for_function(f"() => !{ROOT_JS}.querySelector('.prelim-note')", timeout=90000)
    after = card(page.evaluate(CARDS), "taking-a-break-from-your-plan")
    assert any(m.startswith(ON_HOLD) for m in after["marks"]), after


def test_a_bundle_without_units_files_still_answers_and_marks_by_words(
    page: Any, examples_bundle: Path, tmp_path: Path
) -> None:
    """A bundle built before units files: the model still ranks, the cards are marked by words."""
    from sitebot.serve import serve_in_thread

    root = tmp_path / "site"
    shutil.copytree(EXAMPLES / "site", root)
    shutil.copytree(examples_bundle, root / "chatbot")
    manifest = json.loads((root / "chatbot/sitebot.json").read_text())
    for shard in manifest["files"]["shards"]:
        (root / "chatbot" / shard.pop("units")).unlink()
    (root / "chatbot/sitebot.json").write_text(json.dumps(manifest))
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    server, url = serve_in_thread(root, require_bundle=False)
    try:
        open_panel(page, url)
        cards = ask(page, PAUSE)
    finally:
        server.shutdown()
        server.server_close()
    # The model ranks, but the marks are the sentence sharing "monthly", as before the model.
    assert cards and not cards[0]["prelim"], cards
    pause = card(cards, "taking-a-break-from-your-plan")
    assert pause["marks"] and all("monthly" in m.lower() for m in pause["marks"]), pause
    assert not any(m.startswith(ON_HOLD) for m in pause["marks"]), pause
    assert not any("/text/units." in u for u in asked)
    assert not page.problems, page.problems  # type: ignore[attr-defined]
