"""Page titles lose the site's name (text/titles.py): it is noise in every chunk's embedded text
and in every citation."""

from __future__ import annotations

import json
from pathlib import Path

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
    pages = json.loads((examples_bundle / manifest["files"]["chunks"]).read_text())["pages"]
    titles = {p["url"]: p["title"] for p in pages}
    assert titles["/policies/refunds.html"] == "Returns and refunds"
    assert not any(t.endswith(" — Larkbox") for t in titles.values())
