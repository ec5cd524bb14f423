"""Issue 14, item 0: index what a visitor browses. A site generator's artefacts (Sphinx's
_sources/ copies, search and index pages, 404 pages) are skipped with their reason, in a folder
and in a crawl; a Markdown copy of an HTML page is merged into the page; release notes weigh 0.5
unless the owner says otherwise. Real builds, real CLI, real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from sitebot.index.partition import bundle_chunks
from sitebot.serve import serve_in_thread

GUIDE = (
    "To reset the router, hold the small button on its back for ten seconds until the light blinks orange. "
    "The router then restarts with the settings it had when it left the factory, so write down your "
    "network name and password first. After the restart, connect to the network printed on the label "
    "and open the setup page to choose a new password for the administrator account."
)


def _html(title: str, body: str, attrs: str = "") -> str:
    return f"<html><head><title>{title}</title></head><body><main{attrs}><h1>{title}</h1>{body}</main></body></html>"


def make_sphinx_like_site(root: Path) -> Path:
    """A tiny site as Sphinx and friends leave it: pages plus their artefacts."""
    (root / "_sources").mkdir(parents=True)
    (root / "index.html").write_text(
        _html(
            "Acme router",
            "<p>The Acme router connects your home to the internet and shares it over Wi-Fi.</p>"
            '<p><a href="_sources/index.rst.txt">Show source</a> <a href="search.html">Search</a> '
            '<a href="genindex.html">Index</a> <a href="guide.html">Reset guide</a> '
            '<a href="release-notes.html">Release notes</a> <a href="whats-new.html">New</a></p>',
        )
    )
    (root / "_sources" / "index.rst.txt").write_text(
        "Acme router\n===========\n\nThe Acme router connects your home to the internet and shares it over Wi-Fi.\n"
    )
    (root / "search.html").write_text(
        _html("Search", "<p>Searching for multiple words only shows matches that contain all words.</p>")
    )
    (root / "genindex.html").write_text(_html("Index", "<p>A | B | C</p><p>reset (router method)</p>"))
    (root / "guide.html").write_text(_html("Resetting the router", f"<p>{GUIDE}</p>"))
    # The guide's Markdown source, published next to it: the same words, with markup and a
    # slightly different last sentence (a near-duplicate, not an exact one).
    (root / "guide.md").write_text(
        "# Resetting the router\n\n" + GUIDE.replace("ten seconds", "**ten seconds**").replace("account.", "user.")
    )
    (root / "release-notes.html").write_text(
        _html("Release notes", "<p>Version 2.1 makes resetting the router faster and fixes Wi-Fi drops.</p>")
    )
    (root / "whats-new.html").write_text(
        _html("What's new", "<p>Parental controls arrive in version 3.</p>", " data-sitebot-weight='1'")
    )
    return root


@dataclass
class Built:
    report: dict[str, Any]
    stderr: str
    pages: list[str]  # page URLs in the bundle
    weights: dict[str, float]  # page URL → the weight of its chunks


def _build(source: str, out: Path, *extra: str) -> Built:
    report = out.parent / (out.name + ".json")
    r = run_cli("generate", source, "-o", str(out), "--verbose", "--report", str(report), *extra)
    assert r.returncode == 0, r.stderr
    manifest = json.loads((out / "sitebot.json").read_text())
    page_list, rows = bundle_chunks(out, manifest)
    pages = [p["url"] for p in page_list]
    weights = {pages[c[0]]: c[3] for c in rows}
    return Built(json.loads(report.read_text()), r.stderr, pages, weights)


@pytest.fixture(scope="module")
def sphinx_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sphinx_like_site(tmp_path_factory.mktemp("artefacts") / "site")


@pytest.fixture(scope="module")
def folder_build(sphinx_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(str(sphinx_site), tmp_path_factory.mktemp("folder") / "bot", "--base-url", "https://acme.example/")


@pytest.fixture(scope="module")
def crawl_build(sphinx_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    server, url = serve_in_thread(sphinx_site, require_bundle=False)
    try:
        yield _build(url.rstrip("/") + "/", tmp_path_factory.mktemp("crawl") / "bot", "--delay", "0")
    finally:
        server.shutdown()
        server.server_close()


def test_a_sphinx_folder_builds_without_its_artefacts_and_says_why(folder_build: Built) -> None:
    skipped = {s["url"]: s["reason"] for s in folder_build.report["skipped"]}
    assert skipped == {
        "_sources/index.rst.txt": "site generator artefact (Sphinx _sources)",
        "search.html": "site generator artefact (search page)",
        "genindex.html": "site generator artefact (Sphinx index page)",
    }
    assert "skipped _sources/index.rst.txt: site generator artefact (Sphinx _sources)" in folder_build.stderr
    assert not any("_sources" in u or "search" in u or "genindex" in u for u in folder_build.pages)


def test_a_crawl_skips_the_artefacts_its_pages_link_to(crawl_build: Built) -> None:
    skipped = {s["url"].rsplit("/", 1)[1]: s["reason"] for s in crawl_build.report["skipped"]}
    assert skipped == {
        "index.rst.txt": "site generator artefact (Sphinx _sources)",
        "search.html": "site generator artefact (search page)",
        "genindex.html": "site generator artefact (Sphinx index page)",
    }
    assert "site generator artefact (Sphinx _sources)" in crawl_build.stderr
    assert sorted(u.rsplit("/", 1)[1] for u in crawl_build.pages) == [
        "",
        "guide.html",
        "release-notes.html",
        "whats-new.html",
    ]


def test_an_include_glob_that_names_the_artefact_brings_it_back(sphinx_site: Path, tmp_path: Path) -> None:
    r = run_cli("generate", str(sphinx_site), "-o", str(tmp_path / "b"), "--dry-run", "--include", "_sources/*")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["/_sources/index.rst.txt"]
    # A glob that only happens to match (it does not name _sources) keeps the default.
    r = run_cli("generate", str(sphinx_site), "-o", str(tmp_path / "b"), "--dry-run", "--include", "*.txt")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == []


def test_a_markdown_copy_of_an_html_page_is_merged_into_the_page(folder_build: Built) -> None:
    assert folder_build.report["duplicates"] == [
        {"url": "https://acme.example/guide", "kept": "https://acme.example/guide.html"}
    ]
    assert "https://acme.example/guide" not in folder_build.pages
    assert "https://acme.example/guide.html" in folder_build.pages


def test_release_notes_weigh_half_unless_the_owner_set_a_weight(folder_build: Built) -> None:
    w = folder_build.weights
    assert w["https://acme.example/release-notes.html"] == 0.5
    assert w["https://acme.example/whats-new.html"] == 1.0  # the owner's data-sitebot-weight wins
    assert w["https://acme.example/guide.html"] == 1.0
