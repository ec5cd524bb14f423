"""Site chrome written as plain markup, on pages with no <main>/<article>, stays out of the
answers: found by its repetition across the site (text/boilerplate.py, issue 15 item 3)."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from conftest import build
from sitebot.index.partition import bundle_chunks
from sitebot.options import GenerateOptions
from sitebot.pipeline import read_documents

SQLITE_DOCS = Path("/usr/share/doc/sqlite3")  # sqlite3-doc: SQLite's own hand-written site (sqlite3 makes the folder)

PAGES = {
    "index.html": ("Welcome", "Acme Garden Guide helps you grow roses, tulips and herbs on a small balcony."),
    "roses.html": ("Roses", "Prune roses in early March, just above an outward-facing bud."),
    "tulips.html": ("Tulips", "Plant tulip bulbs in October, three times as deep as the bulb is tall."),
    "compost.html": ("Compost", "Turn the compost heap every two weeks so that it stays warm and airy."),
    "herbs.html": ("Herbs", "Basil wants sun and warmth; keep it indoors until the nights stay above 12 °C."),
}
SHARED = "Water in the morning, so that the leaves dry before the evening chill."  # on two pages: content
DISCLAIMER = "Prices in this guide include Dutch VAT and free delivery on orders above 50 euros."
CHROME = ("Download the ebook", "Prev", "Next", "Home › Guides", "All rights reserved", "Chapter")


def page(n: int, name: str, title: str, text: str) -> str:
    bar = f"<p><a href='p.html'>« Prev</a> · Chapter {n} of {len(PAGES)} · <a href='n.html'>Next »</a></p>"
    shared = f"<p>{SHARED}</p>" if name in ("roses.html", "herbs.html") else ""
    return f"""<!doctype html><html lang="en"><head><title>{title} — Acme Garden Guide</title></head><body>
<div class="ribbon"><a href="/book.epub">Download the ebook</a></div>
{bar}
<div class="crumbs"><a href="/">Home</a> › <a href="/guides/">Guides</a> › {title}</div>
<h1>{title}</h1>
<p>{text}</p>
<div class="admonition"><p>Tip</p><p>Ask at the counter about {title.lower()} in the shop.</p></div>
{shared}
<h2>More about {title.lower()}</h2>
<p>This page on {title.lower()} was written by our gardeners after thirty seasons in clay soil.</p>
<p>{DISCLAIMER}</p>
{bar}
<div>© 2026 Acme Garden Guide. All rights reserved.</div>
</body></html>"""


@pytest.fixture
def chrome_site(tmp_path: Path) -> Path:
    """Five pages with no <main> carrying the same chrome, and a shop page whose <main> holds it too."""
    site = tmp_path / "site"
    site.mkdir()
    for n, (name, (title, text)) in enumerate(PAGES.items(), 1):
        (site / name).write_text(page(n, name, title, text), encoding="utf-8")
    shop = page(1, "shop.html", "Shop", "Seeds, bulbs and tools, sent within two working days.")
    (site / "shop.html").write_text(shop.replace("<body>", "<body><main>").replace("</body>", "</main></body>"))
    return site


def chunk_texts(bundle: Path) -> dict[str, list[str]]:
    """The bundle's chunk texts, by the URL of their page."""
    manifest = json.loads((bundle / "sitebot.json").read_text())
    pages, rows = bundle_chunks(bundle, manifest)
    texts = [t for s in manifest["files"]["shards"] for t in json.loads((bundle / s["file"]).read_text())]
    by_page: dict[str, list[str]] = {}
    for (page_index, *_), text in zip(rows, texts, strict=True):
        by_page.setdefault(pages[page_index]["url"], []).append(text)
    return by_page


def test_chrome_repeated_across_pages_stays_out_of_every_chunk(chrome_site: Path, tmp_path: Path) -> None:
    by_page = chunk_texts(build(chrome_site, tmp_path / "out"))
    shop = "\n".join(by_page.pop("/shop.html"))
    assert len(by_page) == len(PAGES)
    joined = "\n".join(t for texts in by_page.values() for t in texts)
    for chrome in CHROME:
        assert chrome not in joined, chrome
    # The pages' own content stays, the sentence two pages share on both of them.
    for _, text in PAGES.values():
        assert text in joined
    assert joined.count(SHARED) == 2
    assert joined.count("written by our gardeners after thirty seasons") == len(PAGES)
    assert joined.count("Ask at the counter about") == len(PAGES)
    # A repeated sentence that says something is kept once, not on every page, not nowhere.
    assert joined.count(DISCLAIMER) == 1
    # A page whose <main> marks its content is read as the owner marked it.
    assert "Download the ebook" in shop and "All rights reserved" in shop and DISCLAIMER in shop


def boilerplate_share(lines_per_page: list[list[str]]) -> float:
    """The share of characters in lines that are boilerplate repeated across pages, as bench/boilerplate.py
    defines it: a line (Unicode-normalised, case, whitespace and digits folded) on at least max(3, 1 %
    of the pages) pages, at most twice per page on average (content lines recur within pages)."""

    def fold(s: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"\d+", "0", unicodedata.normalize("NFKC", s).casefold())).strip()

    pages, uses, chars = Counter[str](), Counter[str](), Counter[str]()
    for lines in lines_per_page:
        folded = [fold(ln) for ln in lines]
        pages.update(set(folded))
        uses.update(folded)
        for f, ln in zip(folded, lines, strict=True):
            chars[f] += len(ln)
    need = max(3, math.ceil(0.01 * len(lines_per_page)))
    boiler = sum(chars[f] for f, n in pages.items() if n >= need and uses[f] <= 2 * n)
    return boiler / sum(chars.values())


@pytest.mark.skipif(
    not (SQLITE_DOCS / "index.html").is_file(), reason="sqlite3-doc is not installed (scripts/test.sh installs it)"
)
def test_a_real_hand_written_site_keeps_under_one_percent_of_boilerplate() -> None:
    """SQLite's site (767 pages, no <main>) puts its tagline, a "See also" footer on its API pages,
    a releases note and "This page last modified on …" on each page: 1.8 % of the text before."""
    docs = read_documents(GenerateOptions(source=SQLITE_DOCS, output=Path("/nonexistent"), base_url="/")).docs
    assert len(docs) > 700
    lines = [[ln for s in d.sections for ln in s.text.split("\n") if ln.strip()] for d in docs]
    assert boilerplate_share(lines) <= 0.01
    text = "\n".join("\n".join(p) for p in lines)
    assert "Small. Fast. Reliable." not in text
    assert text.count("A complete list of SQLite releases in a single page") == 1


def test_the_order_pages_are_read_in_does_not_change_what_is_dropped() -> None:
    from sitebot.text.boilerplate import drop_repeated
    from sitebot.text.extract import Document, Section

    def doc(name: str, body: str) -> Document:
        lines = ["Download the ebook", body, "Prices in this guide include Dutch VAT and free delivery on orders."]
        return Document(f"/{name}", name, "en", [Section("", (), 0, "\n".join(lines))], body_root=True)

    docs = [doc(n, f"{n} grow in pots.") for n in ("roses", "tulips", "herbs", "ivy", "moss")]
    forward, _ = drop_repeated(docs)
    backward, _ = drop_repeated(list(reversed(docs)))
    as_text = lambda ds: sorted((d.url, d.text) for d in ds)  # noqa: E731
    assert as_text(forward) == as_text(backward)
    assert [d.text for d in forward if "VAT" in d.text] == [
        "ivy grow in pots.\nPrices in this guide include Dutch VAT and free delivery on orders."
    ]
