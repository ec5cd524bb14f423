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


def test_book_headings_become_unnumbered_questions_in_sentence_case() -> None:
    # A DocBook manual: numbered section titles, some in Headline Title Case, some not questions.
    text = "A document is a unit of searching. The document is stored in PostgreSQL. Each book says why."
    docs = [
        Document("/ch01.html", "T", "en", [Section("", ("1. Why This Book?",), 2, text)]),
        doc("/ch01s01.html", "1.1. What Is PostgreSQL ?"),
        doc("/ch12s01.html", "12.1. What Is a Document?"),
        doc("/ch12s03.html", "12.1.3. RAID or LVM?"),  # not a question a visitor types
        doc("/apa.html", "A.1. Installing Debian GNU/Linux"),
        doc("/faq/engines.html", "How do I configure logging? ¶"),  # Sphinx's permalink mark
    ]
    docs[2].sections.append(Section("", ("12.1. What Is a Document?",), 2, text))
    got = suggest_starters(docs)
    # The FAQ page's question first; the book's follow, shortest first.
    assert got == ["How do I configure logging?", "Why this book?", "What is PostgreSQL?", "What is a document?"]
    assert not any(q[0].isdigit() for q in got)


def test_other_languages_keep_their_question_forms() -> None:
    docs = [
        Document("/fr/", "T", "fr", [Section("", ("2.1. Comment changer le toner ?",), 2, "text")]),
        Document("/de/", "T", "de", [Section("", ("Wie lange dauert der Versand?",), 2, "text")]),
        Document("/es/", "T", "es", [Section("", ("¿Puedo pagar con tarjeta?",), 2, "text")]),
        Document("/fr/b", "T", "fr", [Section("", ("Acceptez-vous les chèques ?",), 2, "text")]),
    ]
    assert sorted(suggest_starters(docs)) == sorted(
        [
            "Comment changer le toner ?",
            "Wie lange dauert der Versand?",
            "¿Puedo pagar con tarjeta?",
            "Acceptez-vous les chèques ?",
        ]
    )


def test_no_starters_rather_than_bad_ones() -> None:
    # Titles that make a poor "What can you tell me about …?": a tagline, a navigation page,
    # a numbered title, and a page in French (the sentence around it is English).
    docs = [
        doc("/", "Welcome", title="The printer that looks after itself"),
        doc("/index.html", "Contents", title="Overview"),
        doc("/ch01.html", "Intro", title="1. Getting Started: Installation, Setup and First Steps"),
        Document("/fr/", "Tarifs", "fr", [Section("", ("Nos offres",), 2, "text")]),
    ]
    assert suggest_starters(docs) == []


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


def test_docbook_site_gets_unnumbered_starters(tmp_path: Path) -> None:
    site = tmp_path / "book"
    site.mkdir()
    pages = {
        "index.html": ("Acme Installation Guide", "Acme Installation Guide", "The book."),
        "ch01.html": ("Chapter 1. Welcome", "1. Why This Book?", "Acme is an operating system. This book says why."),
        "ch01s01.html": ("1.1. What Is Acme?", "1.1. What Is Acme?", "Acme is free software made by volunteers."),
        "ch01s02.html": ("1.2. RAID or LVM?", "1.2. RAID or LVM?", "Both pool disks; RAID adds redundancy."),
        "ch02.html": ("2. Getting the Media", "2.1. Official Media", "Download the media from a mirror."),
    }
    for name, (title, heading, body) in pages.items():
        (site / name).write_text(
            f"<html lang=en><head><title>{title}</title></head><body><div class=section>"
            f"<h2>{heading}</h2><p>{body}</p></div></body></html>"
        )
    settings = json.loads((build(site, tmp_path / "b") / "sitebot.json").read_text())["settings"]
    assert settings["starters"] == ["What is Acme?", "Why this book?"]
    assert settings["title"] == "Acme Installation Guide"  # the home page's title: the book's name


def test_bad_starters_and_lang_are_named(tmp_path: Path) -> None:
    cfg = tmp_path / "sitebot.toml"
    cfg.write_text('[bot]\nstarters = "not a list"\nlang = "french!"\n')
    r = run_cli("generate", str(EXAMPLES / "site"), "-o", str(tmp_path / "b"), "--config", str(cfg))
    assert r.returncode == 1 and "bot.starters" in r.stderr and "bot.lang" in r.stderr and "Traceback" not in r.stderr
