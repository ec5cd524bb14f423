"""A table row in an answer card reads as a row: in real Chromium, on the demo bundle."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import ROOT as REPO
from conftest import run_node
from test_browser import wait_ready

pytestmark = pytest.mark.browser

ROOT = "document.querySelector('sitebot-widget').shadowRoot"
# Contrast of a cell's text against what is behind it (the row when marked, else the card).
CONTRAST = """(sel) => {
  const root = document.querySelector('sitebot-widget').shadowRoot;
  const cell = root.querySelector(sel);
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  const lum = (s) => { const [r, g, b] = rgb(s); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let el = cell, bg = 'rgba(0, 0, 0, 0)';
  while (el && /rgba\\(0, 0, 0, 0\\)|transparent/.test(bg)) { bg = getComputedStyle(el).backgroundColor; el = el.parentElement; }
  const [a, b] = [lum(getComputedStyle(cell).color), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_delivery_to_germany_shows_the_germany_row_as_a_row(page: Any, served_site: str) -> None:
    page.goto(served_site + "chatbot/index.html")
    wait_ready(page, model=True)
    page.evaluate("() => window.sitebot.open()")
    page.evaluate("() => window.sitebot.ask('How long does delivery to Germany take?')")
    page.wait_for_function(f"() => {ROOT}.querySelector('.answer')")
    rows = page.evaluate(
        f"""() => [...{ROOT}.querySelectorAll('.answer .card table.row')].map((t) => ({{
            key: t.querySelector('.row-key')?.textContent,
            cells: [...t.querySelectorAll('tr')].slice(1).map((tr) => [...tr.children].map((c) => c.textContent)),
            hit: t.classList.contains('hit'), width: t.getBoundingClientRect().width,
            card: t.closest('.card').getBoundingClientRect().width }})) """
    )
    germany = [r for r in rows if r["key"] == "Germany, France, Denmark, Austria"]
    assert germany, rows
    row = germany[0]
    # Each value beside its column's header, one pair per line of the little table.
    assert row["cells"] == [["Carrier", "DHL"], ["Standard", "2–3 working days"], ["Express", "Next working day"]]
    assert row["hit"]  # the row that answers is marked, as a whole
    assert row["width"] <= row["card"]  # it fits the card: no sideways scrolling in a 400 px panel
    # No flattened table anywhere in the answer: the header words never run into the values.
    shown = page.evaluate(f"() => {ROOT}.querySelector('.answer').textContent")
    assert "Destination Carrier Standard" not in shown and "DHL 2–3 working days" not in shown
    # Readable in both themes: the marked row's text stands out from its background.
    for dark in (False, True):
        page.evaluate(f"() => {ROOT}.querySelector('.sb').classList.toggle('dark', {str(dark).lower()})")
        for sel in (".row.hit .row-key", ".row.hit td", ".row.hit th[scope=row]"):
            assert page.evaluate(CONTRAST, sel) >= 4.5, (dark, sel)
    assert page.problems == []


def test_split_sentences_keeps_a_row_whole_and_prose_is_no_row(tmp_path: Any) -> None:
    src = REPO / "runtime_js/src/shared"
    out = run_node(
        tmp_path,
        f"import {{ splitSentences }} from '{(src / 'lexical.js').as_uri()}';\n"
        f"import {{ parseRow }} from '{(src / 'rows.js').as_uri()}';\n"
        "console.log(JSON.stringify({\n"
        "  split: splitSentences('Rates follow. See below.\\nUK · Standard: 3–5 days. Tracked. · Express: 2 days'),\n"
        "  row: parseRow('UK · Standard: 3–5 days · Express: 2 days'),\n"
        "  prose: ['Note: the price includes VAT.', 'By Ann · ', 'a·b', 'Term: a definition.'].map(parseRow),\n"
        "}));\n",
    )
    assert out["split"] == ["Rates follow.", "See below.", "UK · Standard: 3–5 days. Tracked. · Express: 2 days"]
    assert out["row"] == {
        "key": "UK",
        "cells": [{"header": "Standard", "value": "3–5 days"}, {"header": "Express", "value": "2 days"}],
    }
    assert out["prose"] == [None, None, None, None]
