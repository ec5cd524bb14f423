"""Main-content extraction: what a visitor reads is indexed, page chrome is not."""

from __future__ import annotations

import pytest

from sitebot.text.extract import Skipped, decode, extract
from sitebot.text.sources import Page, url_for


def html_page(body: str, *, head: str = "<title>Pricing — Acme</title>", path: str = "pricing/index.html") -> Page:
    doc = f"<!doctype html><html lang='en'><head>{head}</head><body>{body}</body></html>"
    return Page(url=url_for(path, "https://acme.example/"), path=path, kind="html", content=doc.encode())


CHROME = """
<header><a href="/">Acme</a><nav><a href="/pricing/">Pricing menu link</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience <form><button>Accept</button></form></div>
<main>
  <h1>Pricing</h1><p>Plans for every team.</p>
  <h2 id="team">Team plan</h2><p>The team plan costs $12 per seat per month.</p>
  <script>trackVisitor("secret-tracker")</script>
  <form><label>Email <input name=e></label><button>Subscribe to newsletter</button></form>
  <h3>Billing details</h3><p>Invoices are sent monthly.</p>
</main>
<footer>© 2026 Acme Inc. Footer legal text</footer>
"""


def test_keeps_main_content_and_drops_chrome() -> None:
    doc = extract(html_page(CHROME))
    text = doc.text
    assert "costs $12 per seat" in text
    for junk in (
        "Pricing menu link",
        "We use cookies",
        "secret-tracker",
        "Subscribe to newsletter",
        "Footer legal text",
    ):
        assert junk not in text
    assert doc.title == "Pricing — Acme"
    assert doc.lang == "en"


def test_sections_carry_heading_path_and_nearest_anchor() -> None:
    doc = extract(html_page(CHROME))
    by_heading = {s.headings: s for s in doc.sections}
    assert by_heading[("Team plan",)].anchor == "team"
    # A heading without an id links to the nearest enclosing heading that has one.
    assert by_heading[("Team plan", "Billing details")].anchor == "team"
    assert "Invoices are sent monthly." in by_heading[("Team plan", "Billing details")].text


def test_without_main_the_body_minus_header_footer_is_used() -> None:
    doc = extract(
        html_page("<header>Top bar</header><div><h2 id=a>Hours</h2><p>Open 9 to 5.</p></div><footer>Bottom</footer>")
    )
    assert "Open 9 to 5." in doc.text and "Top bar" not in doc.text and "Bottom" not in doc.text


def test_docbook_style_anchor_on_enclosing_div() -> None:
    body = '<div class="sect2" id="MEM"><div class="titlepage"><div><h3 class="title">Memory</h3></div></div><p>shared_buffers sets memory.</p></div>'
    doc = extract(html_page(body))
    assert [s.anchor for s in doc.sections if s.headings == ("Memory",)] == ["MEM"]


def test_configured_selector_wins() -> None:
    doc = extract(html_page("<main>Wrapper text</main><div class=content><p>Only this.</p></div>"), selector=".content")
    assert doc.text == "Only this."


@pytest.mark.parametrize(
    "meta", ['<meta name="robots" content="noindex, follow">', '<meta name="ROBOTS" content="NOINDEX">']
)
def test_noindex_pages_are_skipped(meta: str) -> None:
    with pytest.raises(Skipped):
        extract(html_page("<main><p>Staff only.</p></main>", head=f"<title>x</title>{meta}"))


def test_markup_in_text_stays_text() -> None:
    doc = extract(html_page("<main><p>Type &lt;img src=x onerror=alert(1)&gt; to test.</p></main>"))
    assert "<img src=x onerror=alert(1)>" in doc.text


def test_markdown_headings_get_github_style_ids() -> None:
    md = b"---\ntitle: Setup guide\n---\n# Setting up\n\nIntro.\n\n## Connect to Wi-Fi\n\nHold the button.\n\n## Connect to Wi-Fi\n\nAgain.\n"
    doc = extract(Page(url="https://acme.example/docs/setup", path="docs/setup.md", kind="markdown", content=md))
    assert doc.title == "Setup guide"
    assert [s.anchor for s in doc.sections if s.text in ("Hold the button.", "Again.")] == [
        "connect-to-wi-fi",
        "connect-to-wi-fi-1",
    ]


def test_plain_text_page() -> None:
    doc = extract(
        Page(
            url="https://acme.example/notes.txt",
            path="notes.txt",
            kind="text",
            content=b"Release notes\n\nVersion 2 adds dark mode.\n",
        )
    )
    assert doc.title == "Release notes" and "dark mode" in doc.text


def test_latin1_without_declared_charset_is_decoded() -> None:
    assert decode("Café crème".encode("latin-1"), "html") == "Café crème"
    assert decode(b'<meta charset="iso-8859-1"><p>\xe9t\xe9</p>', "html").endswith("été</p>")


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("index.html", "https://acme.example/"),
        ("pricing/index.html", "https://acme.example/pricing/"),
        ("policies/refunds.html", "https://acme.example/policies/refunds.html"),
        ("docs/wifi.md", "https://acme.example/docs/wifi"),
        ("docs/index.md", "https://acme.example/docs/"),
        ("a b.html", "https://acme.example/a%20b.html"),
    ],
)
def test_files_map_to_urls(path: str, url: str) -> None:
    assert url_for(path, "https://acme.example/") == url


def test_owner_markers_weight_and_ignore() -> None:
    doc = extract(
        html_page(
            "<main data-sitebot-weight='0.3'><p>Changelog entry.</p><div data-sitebot-ignore><p>Ad block.</p></div></main>"
        )
    )
    assert doc.weight == 0.3 and "Ad block" not in doc.text
    with pytest.raises(Skipped):
        extract(
            html_page("<main><p>x</p></main>").__class__(
                url="u",
                path="p.html",
                kind="html",
                content=b"<html><body data-sitebot-ignore><main><p>x</p></main></body></html>",
            )
        )
