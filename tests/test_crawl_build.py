"""`sitebot generate URL`: crawling a live site builds the same bot as its folder, and a
rebuild after a small change fetches and embeds little. Real HTTP on 127.0.0.1 only."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from conftest import invoke_cli, run_cli
from loopback import LoopbackServer
from sitebot.crawl import CrawlOptions
from sitebot.index.model import default_model, load
from sitebot.index.partition import bundle_chunks
from sitebot.options import GenerateOptions
from sitebot.pipeline import chunk_all, read_documents
from test_generate import assert_clean_failure, tree_hashes

DEBIAN_REFERENCE = Path("/usr/share/debian-reference")


@dataclass
class LoggingServer:
    """A static server on 127.0.0.1 that records (path, status) of every request."""

    url: str  # with a trailing slash
    log: list[tuple[str, int]]


@pytest.fixture
def serve(loopback: Callable[..., LoopbackServer]) -> Callable[[Path], LoggingServer]:
    """`serve(folder)` starts a LoggingServer of that folder; all stop when the test ends."""

    def start(root: Path) -> LoggingServer:
        log: list[tuple[str, int]] = []

        class Handler(SimpleHTTPRequestHandler):
            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                log.append((self.path, int(code)))

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return LoggingServer(loopback(functools.partial(Handler, directory=str(root))).url + "/", log)

    return start


def test_crawl_gives_the_same_pages_and_chunks_as_the_folder(serve: object) -> None:
    """A real documentation site nobody here wrote: Debian's debian-reference-en HTML."""
    assert DEBIAN_REFERENCE.is_dir(), "install Debian's debian-reference-en (scripts/test.sh does)"
    server = serve(DEBIAN_REFERENCE)  # type: ignore[operator]
    model = load(default_model())
    folder = GenerateOptions(
        source=DEBIAN_REFERENCE, output=Path("unused"), base_url=server.url, include=("*.en.html",)
    )
    crawled = GenerateOptions(
        source=server.url + "index.en.html",
        output=Path("unused"),
        use_cache=False,
        crawl=CrawlOptions(start_urls=(), delay=0.0),
    )
    a, b = read_documents(folder), read_documents(crawled)
    assert len(a.docs) >= 10
    assert [d.url for d in b.docs] == [d.url for d in a.docs]
    assert [(d.title, d.text) for d in b.docs] == [(d.title, d.text) for d in a.docs]
    chunks_a = [(c.url, c.anchor, c.embed_text) for c in chunk_all(a.docs, model, folder)]
    chunks_b = [(c.url, c.anchor, c.embed_text) for c in chunk_all(b.docs, model, crawled)]
    assert chunks_a == chunks_b and len(chunks_a) > 100


def make_site(root: Path, pages: int) -> None:
    """A 200-page site: a home page linking to every page, each page distinct."""
    root.mkdir(parents=True, exist_ok=True)
    links = "".join(f'<li><a href="/p/{i:03d}.html">Page {i}</a></li>' for i in range(pages))
    (root / "index.html").write_text(
        f"<html><head><title>Home</title></head><body><main><h1>Home</h1>"
        f"<p>Welcome to the product guide.</p><ul>{links}</ul></main></body></html>"
    )
    (root / "p").mkdir(exist_ok=True)
    for i in range(pages):
        write_page(root, i, f"Topic {i} covers setting number {i * 7} and its effect on widget model {i % 13}.")


def write_page(root: Path, i: int, sentence: str) -> None:
    (root / "p" / f"{i:03d}.html").write_text(
        f"<html><head><title>Guide page {i}</title></head><body><nav><a href='/'>Home</a></nav><main>"
        f"<h1>Guide page {i}</h1><h2 id=intro>Introduction</h2><p>{sentence} It explains why the value matters.</p>"
        f"<h2 id=details>Details</h2><p>Section {i} details: install step {i}, then configure option {i + 1}.</p>"
        f"</main></body></html>"
    )


def test_rebuild_after_one_change_fetches_and_embeds_only_that_page(serve: object, tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, 200)
    server = serve(site)  # type: ignore[operator]
    out, r1, r2 = tmp_path / "bundle", tmp_path / "r1.json", tmp_path / "r2.json"
    args = ["generate", server.url, "-o", str(out), "--delay", "0", "--concurrency", "8"]
    first = run_cli(*args, "--report", str(r1))
    assert first.returncode == 0, first.stderr
    before = tree_hashes(out)
    report1 = json.loads(r1.read_text())
    assert report1["pages"] == 201 and report1["not_modified"] == 0

    # Change one page (and move its mtime on, as a deploy would), then rebuild.
    write_page(site, 42, "Topic 42 now covers a brand new calibration routine for the printer head.")
    os.utime(site / "p" / "042.html", (2_000_000_000, 2_000_000_000))
    server.log.clear()
    second = run_cli(*args, "--report", str(r2))
    assert second.returncode == 0, second.stderr
    report2 = json.loads(r2.read_text())
    manifest = json.loads((out / "sitebot.json").read_text())
    pages, rows = bundle_chunks(out, manifest)
    page42 = next(i for i, p in enumerate(pages) if p["url"].endswith("/p/042.html"))
    changed_chunks = sum(1 for c in rows if c[0] == page42)
    assert report2["embedded"] == changed_chunks >= 1
    statuses = dict(server.log)
    assert statuses["/p/042.html"] == 200
    assert sum(1 for path, code in server.log if path.startswith("/p/") and code == 304) == 199
    assert report2["not_modified"] == 200  # 199 guide pages and the home page

    after = tree_hashes(out)
    # The .br/.gz twins follow their files and are left out here.
    changed = {f for f in set(before) | set(after) if before.get(f) != after.get(f) and not f.endswith((".br", ".gz"))}
    # What must change: the manifest, the whole-index files, the source records, and the one
    # text shard holding page 42 (its old and new names), and that shard's units file when its
    # sentences changed. Nothing else: not the model, the runtime, the other shards or (headings
    # unchanged) the chunk metadata.
    kinds = {f.split(".")[0] for f in changed}
    assert {"index/lexical", "index/sources", "sitebot", "text/chunks"} <= kinds
    allowed = {
        "index/chunks",
        "index/rows",  # the chunk metadata's parts
        "index/lexical",
        "index/terms",  # the BM25 term shards
        "index/sources",
        "index/vectors-centroids",
        "index/vectors-lists",
        "index/vectors/list",
        "index/lite-vectors-centroids",
        "index/lite-vectors-lists",
        "index/lite-vectors/list",
        "lite/weights",  # the lite path's per-site part; its token table is the model's and stays
        "lite/map",
        "sitebot",
        "text/chunks",
        "text/units",
    }
    assert kinds <= allowed, changed
    plain = [f for f in changed if not f.endswith((".br", ".gz"))]  # twins follow their files
    assert len([f for f in plain if f.startswith("text/chunks")]) == 2
    assert len([f for f in plain if f.startswith("text/units")]) in (0, 2)


def test_dry_run_lists_pages_and_writes_nothing(serve: object, tmp_path: Path) -> None:
    """A dry run reads robots.txt and the sitemaps, fetches no page (so follows no link)."""
    site = tmp_path / "site"
    make_site(site, 5)
    server = serve(site)  # type: ignore[operator]
    locs = "".join(f"<url><loc>{server.url}p/{i:03d}.html</loc></url>" for i in range(5))
    (site / "sitemap.xml").write_text(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>')
    r = run_cli("generate", server.url, "-o", str(tmp_path / "out"), "--dry-run", "--delay", "0")
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.split()) == sorted([server.url] + [f"{server.url}p/{i:03d}.html" for i in range(5)])
    assert not (tmp_path / "out").exists()
    assert not any(path.startswith("/p/") for path, _ in server.log)  # listed, not fetched


@pytest.fixture
def previous_bundle(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    site = tmp_path / "small"
    make_site(site, 2)
    out = tmp_path / "bundle"
    r = run_cli("generate", str(site), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    return out, tree_hashes(out)


@pytest.mark.parametrize(
    "case",
    [
        "unreachable host",
        "DNS failure",
        "not HTML",
        "all disallowed",
        "malformed URL",
        "not http",
        "start page missing",
    ],
)
@pytest.mark.usefixtures("unresolvable")  # the DNS failure without a resolver: the CLI runs in-process
def test_bad_start_urls_fail_cleanly(
    case: str, serve: object, tmp_path: Path, previous_bundle: tuple[Path, dict[str, str]]
) -> None:
    out, before = previous_bundle
    images, closed = tmp_path / "images", tmp_path / "closed"
    images.mkdir()
    (images / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    closed.mkdir()
    (closed / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    (closed / "index.html").write_text("<html><body><main><p>Hidden by robots.</p></main></body></html>")
    image_server, closed_server = serve(images), serve(closed)  # type: ignore[operator]
    url, expect = {
        "unreachable host": ("http://127.0.0.1:9/", "127.0.0.1"),
        "DNS failure": ("http://no-such-host.invalid/", "no-such-host.invalid"),
        "not HTML": (image_server.url + "logo.png", "not an HTML page"),
        "all disallowed": (closed_server.url, "robots.txt"),
        "malformed URL": ("http://exa mple.com/", "exa mple.com"),
        "not http": ("ftp://example.com/", "ftp://example.com/"),
        "start page missing": (image_server.url + "missing.html", "HTTP 404"),
    }[case]
    r = invoke_cli("generate", url, "-o", str(out), "--delay", "0")
    assert_clean_failure(r, expect)
    assert tree_hashes(out) == before


def test_report_is_written_for_folder_builds_too(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, 3)
    (site / "p" / "hidden.html").write_text('<meta name="robots" content="noindex"><p>x</p>')
    r = run_cli("generate", str(site), "-o", str(tmp_path / "b"), "--report", str(tmp_path / "r.json"))
    assert r.returncode == 0, r.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["pages"] == 4 and report["skipped"] == [{"url": "p/hidden.html", "reason": "noindex"}]
    assert report["chunks"] >= 4 and report["bundle_bytes"] > 0


def test_crawl_summary_counts_links_to_other_sites_and_warns_only_of_faults(serve: object, tmp_path: Path) -> None:
    """The build report a site owner reads: off-site links are links left alone, not skipped pages;
    a broken link is a warning; a page the owner marked noindex is not."""
    site = tmp_path / "site"
    make_site(site, 3)
    away = "".join(f'<a href="https://other{i}.example/page">partner {i}</a>' for i in range(3))
    home = site / "index.html"
    home.write_text(home.read_text().replace("</main>", f"<p>{away} <a href='/gone.html'>old</a></p></main>"))
    (site / "p" / "hidden.html").write_text('<meta name="robots" content="noindex"><p>x</p>')
    home.write_text(home.read_text().replace("</main>", "<a href='/p/hidden.html'>hidden</a></main>"))
    server = serve(site)  # type: ignore[operator]
    out = tmp_path / "bundle"
    r = run_cli("generate", server.url, "-o", str(out), "--delay", "0")
    assert r.returncode == 0, r.stderr
    err = r.stderr
    assert "Left 3 links to other sites alone" in err and "out of scope" not in err
    assert "left out as asked: 1 marked noindex" in err
    warnings = [ln for ln in err.splitlines() if ln.startswith("Warning:")]
    assert len(warnings) == 1 and "1 page could not be indexed (HTTP 404: 1)" in warnings[0], err
    # The preview serves the bundle, not the owner's pages, and says so.
    assert f"Preview: sitebot serve {out}" in err and "not served" in err and "snippet.html" in err


def test_folder_build_preview_hint_is_the_full_command(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site, 2)
    out = tmp_path / "bundle"
    r = run_cli("generate", str(site), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert f"sitebot serve {out} --site {site}" in r.stderr
    assert "Warning" not in r.stderr
