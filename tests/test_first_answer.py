"""The first questions, asked before the model has loaded, in Debian's Chromium.

A keyword (BM25) answer is shown at once, marked as preliminary, and replaced in place by
the hybrid answer when the model arrives; if the model cannot load, only the note goes.
The model file is held back with page.route until the test lets it through.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import wait_for_held, without_lite_path

pytestmark = pytest.mark.browser

ROOT_JS = "document.querySelector('sitebot-widget').shadowRoot"
NOTE = "Quick keyword answer — improving…"
# Keywords alone send this one to the product page; with the model, the shipping page leads.
MUNICH = "I'm in Munich. How long before the box turns up at my door?"
WATTS = "How many watts does it pull when it's just sitting there doing nothing?"
COLLEAGUES = "Is there a way to keep colleagues from fiddling with how the office printer is configured?"


def hold_model(page: Any) -> list[Any]:
    """Holds every request for the model file; the test releases (or aborts) them."""
    held: list[Any] = []
    # These are the keyword answer's tests: the bundle is served without its lite path, as one
    # built with bot.model = "full"; what a visitor sees with it is tests/test_lite_path.py.
    page.route(re.compile(r".*/sitebot\.json(\?.*)?$"), without_lite_path)
    page.route(re.compile(r".*\.onnx$"), lambda route: held.append(route))
    return held


def open_panel(page: Any, url: str) -> None:
    page.goto(url + "chatbot/index.html")
    page.wait_for_function("() => window.sitebot && window.sitebot.ready")
    page.evaluate("() => window.sitebot.ready()")  # the keyword index, not the model
    page.evaluate("() => window.sitebot.open()")


def ask(page: Any, question: str, answers: int) -> None:
    """Asks in the panel and waits until `answers` turns have their answer (a Copy button each)."""
    box = page.locator("sitebot-widget input.input")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.log > .copy').length >= {answers}")


def turns(page: Any) -> list[dict[str, Any]]:
    """Each exchange in the log: the question, its answer's note (or None) and first link."""
    return page.evaluate(f"""() => [...{ROOT_JS}.querySelectorAll('.log > .msg.user')].map((q) => {{
      const a = q.nextElementSibling;
      const note = a.querySelector('.prelim-note');
      const link = a.querySelector('a.source');
      return {{q: q.textContent, note: note && note.textContent, href: link && link.getAttribute('href'),
               kind: a.className}};
    }})""")


def page_path(url: str) -> str:
    return re.sub(r"^https?://[^/]+/", "", url or "").split("#")[0]


def test_keyword_answer_is_marked_then_upgraded_in_place(page: Any, served_site: str) -> None:
    held = hold_model(page)
    open_panel(page, served_site)
    ask(page, MUNICH, 1)
    first = turns(page)
    assert len(first) == 1 and first[0]["note"] == NOTE, first
    assert page.locator("sitebot-widget .prelim-note").is_visible()
    keyword_page = page_path(first[0]["href"])
    assert keyword_page  # a keyword answer with its link, not a blank wait

    # Two more questions while the model is still held back: every one is preliminary.
    ask(page, WATTS, 2)
    ask(page, COLLEAGUES, 3)
    assert [t["note"] for t in turns(page)] == [NOTE] * 3
    # The visitor scrolls up: the third question is at the top of the view, the first
    # two answers above it, out of sight. Chromium's own scroll anchoring is off, as in
    # browsers without it: the widget must hold the view itself.
    anchor_top = page.evaluate(f"""() => {{
      const log = {ROOT_JS}.querySelector('.log');
      log.style.overflowAnchor = 'none';
      const q3 = [...log.querySelectorAll('.msg.user')][2];
      log.scrollTop = q3.offsetTop - 8;
      return q3.getBoundingClientRect().top;
    }}""")
    assert held, "the model was never requested"

    wait_for_held(page, held)

    for route in held:
        route.continue_()
    page.wait_for_function(f"() => !{ROOT_JS}.querySelector('.prelim-note')", timeout=90000)

    after = turns(page)
    assert [t["q"] for t in after] == [MUNICH, WATTS, COLLEAGUES]  # the same turns, no new bubble
    assert all(t["note"] is None and "answer" in t["kind"] for t in after), after
    assert page.evaluate(f"() => {ROOT_JS}.querySelectorAll('.log > .copy').length") == 3
    # What the visitor was reading did not move, though the answers above it changed.
    now_top = page.evaluate(f"() => [...{ROOT_JS}.querySelectorAll('.log .msg.user')][2].getBoundingClientRect().top")
    assert abs(now_top - anchor_top) <= 1, (anchor_top, now_top)
    # Each turn now shows the hybrid answer: the page the model-backed search puts first.
    page.evaluate("() => window.sitebot.ready({model: true})")
    for t in after:
        hybrid = page.evaluate("(q) => window.sitebot.search(q, {k: 1})", t["q"])
        assert page_path(t["href"]) == page_path(hybrid[0]["url"]), t
    assert page_path(after[0]["href"]) == "policies/shipping.html" != keyword_page
    assert page.problems == []


def test_model_that_never_arrives_leaves_the_keyword_answer(page: Any, served_site: str) -> None:
    held = hold_model(page)
    open_panel(page, served_site)
    ask(page, MUNICH, 1)
    before = turns(page)
    assert before[0]["note"] == NOTE
    wait_for_held(page, held)
    for route in held:
        route.abort("connectionfailed")
    page.wait_for_function(f"() => !{ROOT_JS}.querySelector('.prelim-note')", timeout=30000)
    after = turns(page)
    assert len(after) == 1 and after[0]["href"] == before[0]["href"]  # the keyword answer stays
    assert after[0]["note"] is None and "answer" in after[0]["kind"]
    # Nothing alarming in the panel, and later questions are not promised an improvement.
    assert "Sorry" not in page.locator("sitebot-widget [role=log]").inner_text()
    ask(page, WATTS, 2)
    assert [t["note"] for t in turns(page)] == [None, None]
    # The cause is for the site owner, in the console: one warning.
    assert page.problems == ["console.warning: [sitebot] model: Failed to fetch"]
