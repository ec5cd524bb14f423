"""Starter questions: the owner's, or suggested from the site's FAQ-like headings."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EXAMPLES, build, run_cli
from sitebot.text.extract import Document, Section
from sitebot.text.starters import suggest_starters


def doc(url: str, *headings: str, title: str = "T") -> Document:
    return Document(url=url, title=title, lang="en", sections=[Section("", (h,), 3, "text") for h in headings])


def test_faq_questions_come_first_and_spread_over_pages() -> None:
    docs = [
        doc("/faq/", "Can I pause my plan at any time?", "Do you ship to Norway?", "How do refunds work?", "Contact"),
        doc("/help/", "Why is my printer offline?", "Can I print from my phone?", "What paper should I use?"),
        doc("/about/", "Which one is right for you?"),  # marketing: only fills in
    ]
    got = suggest_starters(docs)
    assert got == [
        "How do refunds work?",
        "What paper should I use?",
        "Do you ship to Norway?",
        "Can I print from my phone?",
    ]
    assert "Which one is right for you?" not in got


def test_site_without_questions_gets_title_starters() -> None:
    docs = [
        doc("https://x/", "Intro", title="Acme"),
        doc("https://x/pricing/", "Plans", title="Pricing"),
        doc("https://x/docs/a/b", "Deep", title="Deep page"),
    ]
    assert suggest_starters(docs) == [
        "What can you tell me about Acme?",
        "What can you tell me about Pricing?",
        "What can you tell me about Deep page?",
    ]


def test_bundle_carries_suggested_or_owner_starters(tmp_path: Path, examples_bundle: Path) -> None:
    suggested = json.loads((examples_bundle / "sitebot.json").read_text())["settings"]["starters"]
    assert 2 <= len(suggested) <= 4 and all(q.endswith("?") for q in suggested)
    cfg = tmp_path / "sitebot.toml"
    cfg.write_text(
        f'source = "{(EXAMPLES / "site").as_posix()}"\n[bot]\nstarters = ["Where is my order?"]\nlang = "fr"\n'
    )
    out = build(EXAMPLES / "site", tmp_path / "b", "--config", str(cfg))
    settings = json.loads((out / "sitebot.json").read_text())["settings"]
    assert settings["starters"] == ["Where is my order?"] and settings["lang"] == "fr"


def test_bad_starters_and_lang_are_named(tmp_path: Path) -> None:
    cfg = tmp_path / "sitebot.toml"
    cfg.write_text('[bot]\nstarters = "not a list"\nlang = "french!"\n')
    r = run_cli("generate", str(EXAMPLES / "site"), "-o", str(tmp_path / "b"), "--config", str(cfg))
    assert r.returncode == 1 and "bot.starters" in r.stderr and "bot.lang" in r.stderr and "Traceback" not in r.stderr
