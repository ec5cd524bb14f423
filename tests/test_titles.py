"""Page titles lose the site's name (text/titles.py): it is noise in every chunk's embedded text
and in every citation."""

from __future__ import annotations

import json
from pathlib import Path

from sitebot.index.partition import bundle_chunks
from sitebot.text.titles import site_name, strip_site_name

SPHINX = [
    "Session Basics\n —\n SQLAlchemy 1.4 Documentation",
    "Working with Engines and Connections — SQLAlchemy 1.4 Documentation",
    "ORM Quick Start — SQLAlchemy 1.4 Documentation",
    "SQLAlchemy 1.4 Documentation",
    "Index",
]


def test_a_shared_suffix_is_taken_off() -> None:
    found = site_name(SPHINX)
    assert found == ("SQLAlchemy 1.4 Documentation", " — ", "suffix")
    assert [strip_site_name(t, found) for t in SPHINX] == [
        "Session Basics",
        "Working with Engines and Connections",
        "ORM Quick Start",
        "SQLAlchemy 1.4 Documentation",  # only the name: kept
        "Index",
    ]


def test_a_shared_prefix_is_taken_off() -> None:
    titles = ["Acme Help | Billing", "Acme Help | Refunds", "Acme Help | Shipping", "Contact"]
    found = site_name(titles)
    assert [strip_site_name(t, found) for t in titles] == ["Billing", "Refunds", "Shipping", "Contact"]


def test_titles_without_a_shared_part_stay() -> None:
    titles = ["A.1. Preliminaries", "A.2. Booting the installer", "6.3. Using Individual Components", "Foo - Bar"]
    assert site_name(titles) is None
    assert site_name(["Refunds — Larkbox", "Shipping — Larkbox"]) is None  # too few pages to tell


def test_the_demo_bundle_cites_pages_without_the_site_name(examples_bundle: Path) -> None:
    manifest = json.loads((examples_bundle / "sitebot.json").read_text())
    pages, _ = bundle_chunks(examples_bundle, manifest)
    titles = {p["url"]: p["title"] for p in pages}
    assert titles["/policies/refunds.html"] == "Returns and refunds"
    assert not any(t.endswith(" — Larkbox") for t in titles.values())


def _site(folder: Path, titles: list[str], head: str = "") -> Path:
    folder.mkdir()
    for i, title in enumerate(titles):
        name = "index.html" if i == 0 else f"p{i}.html"
        folder.joinpath(name).write_text(
            f"<html lang=en><head><title>{title}</title>{head}</head>"
            f"<body><main><h1>{title}</h1><p>Page {i} tells how the Larkbox prints.</p></main></body></html>"
        )
    return folder


def _settings(bundle: Path) -> dict:
    return json.loads((bundle / "sitebot.json").read_text())["settings"]


def test_bot_title_is_the_sites_name_unless_the_owner_set_one(tmp_path: Path) -> None:
    from conftest import build

    titles = ["Home — Larkbox Help", "Shipping — Larkbox Help", "Returns — Larkbox Help", "Warranty — Larkbox Help"]
    # The common suffix of page titles names the site.
    suffix = build(_site(tmp_path / "suffix", titles), tmp_path / "b1")
    assert _settings(suffix)["title"] == "Larkbox Help"
    assert "Larkbox Help" in (suffix / "index.html").read_text()  # the demo page's heading too
    # og:site_name is the owner's own word for it, and wins over the titles.
    og = _site(tmp_path / "og", titles, '<meta property="og:site_name" content="Larkbox">')
    assert _settings(build(og, tmp_path / "b2"))["title"] == "Larkbox"
    # The owner's bot.title wins over both.
    assert _settings(build(og, tmp_path / "b3", "--title", "Ask Lark"))["title"] == "Ask Lark"


def test_a_long_site_name_is_shortened_at_a_word() -> None:
    from sitebot.text.extract import Document
    from sitebot.text.titles import bot_title

    docs = [
        Document("/", "x", "en", site_name="The Comprehensive Illustrated Handbook of Home-Office Printing Machines")
    ]
    title = bot_title(docs)
    assert title == "The Comprehensive Illustrated Handbook…" and len(title) <= 40
    assert bot_title([Document("/a.html", "A", "en"), Document("/b.html", "B", "en")]) is None
