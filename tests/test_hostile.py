"""Issue 13: trying to break sitebot as an attacker and as a clumsy owner would.

Every promise stands next to its test: one sentence and exit 1, nothing of the owner's lost,
nothing leaked. The numbers are the cases of the issue; "held" cases were already true and are
kept true here. Each section is owned by one area of the code (named in its heading).
"""

from __future__ import annotations

import json
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import run_cli
from sitebot.text.extract import Skipped, extract
from sitebot.text.sources import Page, read_folder

# ---------------------------------------------------------------------------------------------
# Data loss — bundle/writer.py, deploy/plan.py
# 1. `generate -o` refuses a folder holding anything but a bundle's own files (a deployed site root).
# 2. deploy without its record never overwrites an existing, different index.html / snippet.html.
# 17. Leftovers: stale .tmp folders cleaned, SIGTERM handled, a half-done swap finished, git temp
#     folders holding a token removed.

# ---------------------------------------------------------------------------------------------
# Leaks in `sitebot serve` — serve.py
# 3. Path traversal in serve --site.
# 4. serve --llm refuses a DNS-rebinding Host.
# 13. serve --llm body lengths (Content-Length: abc, -1).

# ---------------------------------------------------------------------------------------------
# Leaks through the proxy and secrets — data/templates/proxy/*, checks.py, deploy
# 5. The proxy's rate limit behind a front proxy (rightmost hop, CF-Connecting-IP).
# 6. The proxy forwards only an allow-list of fields.
# 7. Secrets in public URLs: the whole family of names refused.
# 8. A password in --endpoint-url is masked.

# ---------------------------------------------------------------------------------------------
# Wrong content and crashes while reading a site — text/sources.py, text/extract.py
# Symlinks outside the site are skipped (generate, serve, deploy), and named.
# 9. Deeply nested HTML: iterative walk, bounded work, the page skipped with its reason.
# 10. A non-UTF-8 file name.
# 14. A binary file named .html is skipped.
# 15. UTF-16/UTF-32 pages with a BOM, or declared UTF-16.


_ORCHARD = b"<html><head><title>Orchard</title></head><body><main><h1>Orchard</h1><p>Apples grow on trees.</p></main></body></html>"


@dataclass
class _ContentBuild:
    """A `generate --verbose --report` of a tiny site: what the user sees, and what the bundle holds."""

    returncode: int
    stderr: str
    skipped: dict[str, str]  # path → reason, from the report
    text: str  # every chunk's text and every page's title and URL in the bundle


def _content_build(tmp_path: Path, files: dict[bytes, bytes]) -> _ContentBuild:
    """Build a site of `files` (raw byte names, as a file system holds them) with the real CLI."""
    site = tmp_path / "site"
    site.mkdir()
    for name, data in files.items():
        path = os.path.join(os.fsencode(site), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return _content_build_folder(site, tmp_path)


def _content_build_folder(site: Path, tmp_path: Path) -> _ContentBuild:
    out, report = tmp_path / "out", tmp_path / "report.json"
    r = run_cli("generate", str(site), "-o", str(out), "--verbose", "--report", str(report))
    if r.returncode != 0:
        return _ContentBuild(r.returncode, r.stderr, {}, "")
    rep = json.loads(report.read_text())
    text = "\n".join(p.read_text() for p in sorted((out / "text").glob("*.json")))
    text += "\n".join(p.read_text() for p in sorted((out / "index").glob("chunks.*.json")))
    text += "\n".join(p.read_text() for p in sorted((out / "index").glob("sources.*.json")))
    return _ContentBuild(r.returncode, r.stderr, {s["url"]: s["reason"] for s in rep["skipped"]}, text)


def test_symlinks_outside_the_site_are_skipped_and_named(tmp_path: Path) -> None:
    """Symlinks: generate never follows a symlink (file or folder) out of the site, and names each one it skipped."""
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "passwd").write_text("root:x:0:0:SECRET-PASSWD-LINE\n")
    (outside / "dir" / "page.html").write_text("<h1>Outside</h1><p>SECRET-OUTSIDE-FOLDER text</p>")
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "index.html").write_bytes(_ORCHARD)
    (site / "docs" / "pears.txt").write_text("Pears ripen off the tree.\n")
    (site / "users.txt").symlink_to(outside / "passwd")
    (site / "more").symlink_to(outside / "dir", target_is_directory=True)
    (site / "guide").symlink_to(site / "docs", target_is_directory=True)  # inside the site: followed
    b = _content_build_folder(site, tmp_path)
    assert b.returncode == 0, b.stderr
    assert "SECRET" not in b.text
    assert b.skipped["users.txt"] == "symlink outside the site"
    assert b.skipped["more/"] == "symlink outside the site"
    assert "skipped users.txt: symlink outside the site" in b.stderr
    assert "Apples grow on trees." in b.text and "Pears ripen off the tree." in b.text
    assert "/guide/pears.txt" in b.text  # the same page through a link inside the site (kept as a duplicate)


def test_broken_and_looping_symlinks_are_skipped_and_named(tmp_path: Path) -> None:
    """Symlinks: a broken link and a link back up the tree are skipped with their reasons, not read or followed."""
    (tmp_path / "index.html").write_bytes(_ORCHARD)
    (tmp_path / "gone.html").symlink_to(tmp_path / "missing.html")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "up").symlink_to(tmp_path, target_is_directory=True)
    skipped: list[tuple[str, str]] = []
    pages = list(read_folder(tmp_path, base_url="/", on_skip=lambda path, why: skipped.append((path, why))))
    assert [p.path for p in pages] == ["index.html"]
    assert skipped == [("gone.html", "broken symlink"), ("a/up/", "symlink loop")]


def test_deeply_nested_html_is_skipped_and_the_build_goes_on(tmp_path: Path) -> None:
    """9. A page nested thousands of elements deep is skipped with its reason; the other pages are indexed."""
    deep = b"<html><body><main><h1>Deep</h1>" + b"<div>" * 5_000 + b"<p>DEEP-PAGE-TEXT</p></main></body></html>"
    b = _content_build(tmp_path, {b"index.html": _ORCHARD, b"deep.html": deep})
    assert b.returncode == 0, b.stderr
    assert "Traceback" not in b.stderr
    assert "Apples grow on trees." in b.text
    assert "DEEP-PAGE-TEXT" not in b.text
    assert b.skipped == {"deep.html": "nested deeper than 1,000 elements"}


def test_deeply_nested_html_costs_little() -> None:
    """9. The work per page is bounded: 100,000 nested elements (hiding in quotes, comments, script) are refused fast."""
    for wrap in (b"<div>", b'<div title="</div>">', b"<div><!-- </div> -->", b"<div><script></div></script>", b"<x/>"):
        page = Page(url="/deep", path="deep.html", kind="html", content=b"<body>" + wrap * 100_000 + b"<p>x</p>")
        start = time.monotonic()
        with pytest.raises(Skipped, match="nested deeper than"):
            extract(page)
        assert time.monotonic() - start < 2
    # Real markup stays inside the bound: 990 levels, and thousands of <p>, <li> and SVG <path/>.
    fine = b"<body>" + b"<div>" * 990 + b"<p>a" * 3_000 + b"<ul>" + b"<li>b" * 3_000 + b"<svg>" + b"<path/>" * 3_000
    assert extract(Page(url="/ok", path="ok.html", kind="html", content=fine)).text.startswith("a")


def test_a_file_name_that_is_not_utf8_is_indexed_under_its_percent_encoded_url(tmp_path: Path) -> None:
    """10. A non-UTF-8 file name (caf\\xe9.html) is published at its percent-encoded bytes, no traceback."""
    page = b"<html><head><title>Menu</title></head><body><main><p>Espresso is served hot.</p></main></body></html>"
    b = _content_build(tmp_path, {b"index.html": _ORCHARD, b"caf\xe9.html": page})
    assert b.returncode == 0, b.stderr
    assert "Traceback" not in b.stderr
    assert "Espresso is served hot." in b.text
    assert '"url":"/caf%E9.html"' in b.text


def test_binary_files_with_text_names_are_skipped(tmp_path: Path) -> None:
    """14. Binary data named .html, .md or .txt is skipped as "binary content, not text", never indexed."""
    rnd = random.Random(14)
    no_nul = bytes(rnd.randrange(1, 256) for _ in range(3_000))  # caught by the share of control characters
    b = _content_build(
        tmp_path,
        {
            b"index.html": _ORCHARD,
            b"photo.html": rnd.randbytes(3_000),
            b"notes.md": rnd.randbytes(3_000),
            b"data.txt": no_nul,
        },
    )
    assert b.returncode == 0, b.stderr
    assert b.skipped == {p: "binary content, not text" for p in ("photo.html", "notes.md", "data.txt")}
    assert "Apples grow on trees." in b.text
    chunks = [c for p in (tmp_path / "out" / "text").glob("*.json") for c in json.loads(p.read_text())]
    assert not any(ord(ch) < 32 and ch not in "\n\t" for c in chunks for ch in c)


def test_utf16_and_utf32_pages_are_decoded(tmp_path: Path) -> None:
    """15. Pages in UTF-16/UTF-32 with a BOM, and UTF-16 declared in <meta> without one, are indexed as their text."""

    def page(word: str, meta: str = "") -> str:
        return f"<html><head>{meta}<title>{word}</title></head><body><main><p>{word} ripen in summer.</p></main></body></html>"

    b = _content_build(
        tmp_path,
        {
            b"a.html": page("Blueberries").encode("utf-16"),  # with a BOM
            b"b.html": page("Cherries").encode("utf-32"),
            b"c.html": page("Damsons", '<meta charset="utf-16">').encode("utf-16-le"),
            b"d.html": page(
                "Elderberries", '<meta http-equiv="Content-Type" content="text/html; charset=utf-16">'
            ).encode("utf-16-be"),
            b"e.txt": "Figs ripen in autumn.".encode("utf-16"),
        },
    )
    assert b.returncode == 0, b.stderr
    assert b.skipped == {}
    for word in ("Blueberries", "Cherries", "Damsons", "Elderberries"):
        assert f"{word} ripen in summer." in b.text
    assert "Figs ripen in autumn." in b.text
    assert "<html" not in b.text and "<meta" not in b.text


# ---------------------------------------------------------------------------------------------
# Crashes and unclear errors — index/embed.py, options.py, deploy/
# 11. A broken cache: one sentence, moved aside, rebuilt.
# 12. Bad paths and URLs: --report to a missing folder, --base-url 'https://[::1/', deploy --endpoint-url 'not a url'.
# 16. Incomplete bundles refused before anything is sent (every file the manifest and runtime need, by hash).

# ---------------------------------------------------------------------------------------------
# Held today; kept held
