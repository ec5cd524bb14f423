"""The crawler against real HTTP servers on 127.0.0.1 (never the internet), plus unit tests
for canonical URLs, robots.txt, sitemaps and Retry-After."""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from crawl_site import Hit, Reply, TestSite
from sitebot.crawl import DEFAULT_USER_AGENT, Cached, CrawlOptions, CrawlResult, Fetched, crawl
from sitebot.crawl.http import parse_retry_after
from sitebot.crawl.robots import Robots, agent_token, robots_directives
from sitebot.crawl.sitemaps import gunzip, parse_sitemap
from sitebot.crawl.urls import TemplateBudget, canonical, in_scope, looks_like_trap, template
from sitebot.errors import ConfigError, CrawlError
from sitebot.text.extract import decode

SM_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def minimal_pdf(text: str = "Hello PDF") -> bytes:
    """A one-page PDF written by hand, with a correct xref table."""
    content = b"BT /F1 12 Tf 20 100 Td (%s) Tj ET" % text.encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def html(body: str, head: str = "") -> bytes:
    return f"<!doctype html><html><head><title>t</title>{head}</head><body>{body}</body></html>".encode()


def links(*hrefs: str) -> bytes:
    return html("".join(f'<a href="{h}">{h}</a>' for h in hrefs))


def run(opts: CrawlOptions, **kwargs: object) -> tuple[CrawlResult, list[Fetched]]:
    pages: list[Fetched] = []
    result = crawl(opts, pages.append, **kwargs)  # type: ignore[arg-type]
    return result, pages


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def other() -> Iterator[TestSite]:
    """ "Another host": 127.0.0.2 where loopback covers 127/8 (Linux), else another port."""
    try:
        site = TestSite(host="127.0.0.2")
    except OSError:
        site = TestSite()
    yield site
    site.close()


# ---------------------------------------------------------------------------------------------
# The whole site


def big_body() -> Iterator[bytes]:
    chunk = b"x" * 65536
    for _ in range(800):  # 50 MiB
        yield chunk


def full_site(other: TestSite) -> TestSite:
    site = TestSite()
    B, X = site.url, other.url  # noqa: N806 - short names keep the table readable (X: the other host)
    home = html(
        "".join(
            f'<a href="{h}">{h}</a>'
            for h in [
                "/about",
                "/about?utm_source=news&utm_medium=email",
                "/about#team",
                "/about-print",
                "/docs/index.html",
                "/shop;jsessionid=ABC123",
                "/cart?sid=42",
                "/cart?PHPSESSID=abc&item=2",
                "/private/secret",
                "/r1",
                "/loop-a",
                "/away",
                "/limited",
                "/flaky",
                "/broken",
                "/missing",
                "/slow",
                "/big",
                "/big-declared",
                "/latin1",
                "/doc.pdf",
                "/notes.txt",
                "/readme.md",
                "/calendar?month=1",
                "/dup",
                "/hidden",
                "/nofollow-header",
                "/other-bot-tag",
                "/none-tag",
                f"{X}/page",
                "/logo.png",
                "mailto:hello@example.com",
                "javascript:void(0)",
                "tel:+123",
                "/excluded/page",
                "/a/b/c/d/e/f/g/h/i/j/k/l/m/",
                "/x/y/x/y/x/",
            ]
        )
        + '<a href="/rel-nofollow" rel="nofollow">no</a><img src="/img.png">'
        + '<map name="m"><area href="/map-area" alt="area"></map>'
    )
    robots = (
        "# sitebot gets its own group; everyone else is shut out\n"
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: sitebot\nDisallow: /private/\nAllow: /\nCrawl-delay: 0.01\n\n"
        f"Sitemap: {B}/sitemap_index.xml\nSitemap: {X}/sitemap.xml\n"
    )
    index = (
        f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {SM_NS}>'
        f"<sitemap><loc>{B}/sitemaps/pages.xml.gz</loc></sitemap>"
        f"<sitemap><loc>{X}/other-sitemap.xml</loc></sitemap></sitemapindex>"
    )
    pages_sitemap = (
        f'<?xml version="1.0"?><urlset {SM_NS} xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
        f"<url><loc>{B}/from-sitemap</loc><image:image><image:loc>{B}/photo.jpg</image:loc></image:image></url>"
        f"<url><loc>{B}/private/listed</loc></url><url><loc>{X}/elsewhere</loc></url>"
        f"<url><loc>{B}/</loc></url></urlset>"
    )
    guessed_sitemap = f"<urlset><url><loc>{B}/from-sitemap-2</loc></url></urlset>"

    def calendar(hit: Hit) -> Reply:
        month = int(hit.target.split("=")[1])
        return Reply(links(f"/calendar?month={month + 1}", f"/calendar?month={month + 1}&utm_campaign=cal"))

    site.routes.update(
        {
            "/robots.txt": Reply(robots.encode(), type="text/plain"),
            "/sitemap_index.xml": Reply(index.encode(), type="application/xml"),
            "/sitemaps/pages.xml.gz": Reply(gzip.compress(pages_sitemap.encode()), type="application/gzip"),
            "/sitemap.xml": Reply(
                gzip.compress(guessed_sitemap.encode()), type="application/xml", headers={"Content-Encoding": "gzip"}
            ),
            "/": Reply(home),
            "/about": Reply(links("/", "/about")),
            "/about-print": Reply(html("print", '<link rel="canonical" href="/about">')),
            "/docs/": Reply(html("docs")),
            "/shop": Reply(html("shop")),
            "/cart": Reply(html("cart")),
            "/r1": Reply(status=301, headers={"Location": "/r2"}),
            "/r2": Reply(status=302, headers={"Location": f"{B}/r3"}),
            "/r3": Reply(status=307, headers={"Location": "final"}),
            "/final": Reply(html("final")),
            "/loop-a": Reply(status=302, headers={"Location": "/loop-b"}),
            "/loop-b": Reply(status=302, headers={"Location": "/loop-a"}),
            "/away": Reply(status=302, headers={"Location": f"{X}/landing"}),
            "/limited": lambda hit: (
                Reply(status=429, headers={"Retry-After": "1"}) if hit.nth == 1 else Reply(html("ok"))
            ),
            "/flaky": lambda hit: Reply(status=500) if hit.nth <= 2 else Reply(html("third time lucky")),
            "/broken": Reply(b"down", status=500),
            "/slow": Reply(html("too late"), delay=3),
            "/big": Reply(big_body),
            "/big-declared": Reply(big_body, length=800 * 65536),
            "/latin1": Reply("<html><body><p>café</p></body></html>".encode("latin-1"), type="text/html"),
            "/doc.pdf": Reply(minimal_pdf(), type="application/pdf"),
            "/notes.txt": Reply(b"plain notes", type="text/plain; charset=utf-8"),
            "/readme.md": Reply(b"# Readme\n", type="text/markdown; charset=utf-8"),
            "/calendar": calendar,
            "/dup": Reply(html("the same article", '<link rel="canonical" href="/canonical-target">')),
            "/hidden": Reply(html('<a href="/via-noindex">x</a>', '<meta name="robots" content="noindex">')),
            "/via-noindex": Reply(html("reached through a noindex page")),
            "/nofollow-header": Reply(links("/not-followed"), headers={"X-Robots-Tag": "nofollow"}),
            "/other-bot-tag": Reply(html("for us"), headers={"X-Robots-Tag": "otherbot: noindex"}),
            "/none-tag": Reply(links("/not-followed-2"), headers={"X-Robots-Tag": "sitebot: none"}),
            "/logo.png": Reply(b"\x89PNG\r\n\x1a\n", type="image/png"),
            "/map-area": Reply(html("area")),
            "/from-sitemap": Reply(html("listed")),
            "/from-sitemap-2": Reply(html("listed too")),
        }
    )
    return site


def test_crawl_whole_site(other: TestSite) -> None:
    site = full_site(other)
    B, X = site.url, other.url  # noqa: N806
    stages: Counter[str] = Counter()
    threads: set[int] = set()
    pages: list[Fetched] = []

    def on_page(page: Fetched) -> None:
        threads.add(threading.get_ident())
        pages.append(page)

    started = time.monotonic()
    try:
        opts = CrawlOptions(
            start_urls=(B + "/",), exclude=("/excluded/*",), delay=0, timeout=1.0, max_bytes=1_000_000, retries=2
        )
        result = crawl(opts, on_page, progress=lambda stage, n, total: stages.update({stage: n}))
        elapsed = time.monotonic() - started
        # The server notices the client hung up on the 50 MB pages (poll: its thread may still be writing).
        deadline = time.monotonic() + 5
        while (
            not all(h.aborted for h in site.hits("/big") + site.hits("/big-declared")) and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        log = list(site.log)
    finally:
        site.close()

    months = [f"/calendar?month={n}" for n in range(1, 51)]
    indexed = [
        "/",
        "/about",
        "/docs/",
        "/shop",
        "/cart",
        "/cart?item=2",
        "/final",
        "/limited",
        "/flaky",
        "/latin1",
        "/doc.pdf",
        "/notes.txt",
        "/readme.md",
        "/canonical-target",
        "/via-noindex",
        "/nofollow-header",
        "/other-bot-tag",
        "/map-area",
        "/from-sitemap",
        "/from-sitemap-2",
        *months,
    ]
    assert sorted(p.url for p in pages) == sorted(B + u for u in indexed)
    assert len(pages) == len({p.url for p in pages}) == result.pages
    assert result.skipped == sorted(
        [
            (B + "/a/b/c/d/e/f/g/h/i/j/k/l/m/", "trap"),
            (B + "/about-print", "duplicate"),
            (B + "/away", "redirect out of scope"),
            (B + "/big", "too large"),
            (B + "/big-declared", "too large"),
            (B + "/broken", "HTTP 500"),
            (B + "/calendar?month=51", "trap"),
            (B + "/dup", "duplicate"),
            (B + "/excluded/page", "excluded"),
            (B + "/hidden", "noindex"),
            (B + "/logo.png", "unsupported type image/png"),
            (B + "/loop-a", "redirect loop"),
            (B + "/missing", "HTTP 404"),
            (B + "/none-tag", "noindex"),
            (B + "/private/listed", "robots.txt"),
            (B + "/private/secret", "robots.txt"),
            (B + "/slow", "timeout"),
            (B + "/x/y/x/y/x/", "trap"),
            (X + "/page", "out of scope"),
        ]
    )
    assert result.planned == []
    assert result.not_modified == 0

    # Requests: each page once (retries apart), nothing out of scope, disallowed, tracked or nofollowed.
    assert other.log == []
    counts = Counter(h.target for h in log)
    retried = {"/limited": 2, "/flaky": 3, "/broken": 3, "/slow": 3}
    assert {t: n for t, n in counts.items() if n > 1} == retried
    expected_targets = {
        "/robots.txt",
        "/sitemap_index.xml",
        "/sitemaps/pages.xml.gz",
        "/sitemap.xml",
        "/",
        "/about",
        "/about-print",
        "/docs/",
        "/shop",
        "/cart",
        "/cart?item=2",
        "/r1",
        "/r2",
        "/r3",
        "/final",
        "/loop-a",
        "/loop-b",
        "/away",
        "/limited",
        "/flaky",
        "/broken",
        "/missing",
        "/slow",
        "/big",
        "/big-declared",
        "/latin1",
        "/doc.pdf",
        "/notes.txt",
        "/readme.md",
        *months,
        "/dup",
        "/hidden",
        "/via-noindex",
        "/nofollow-header",
        "/other-bot-tag",
        "/none-tag",
        "/logo.png",
        "/map-area",
        "/from-sitemap",
        "/from-sitemap-2",
    }
    assert set(counts) == expected_targets
    assert log[0].target == "/robots.txt" and log[1].target == "/"
    for hit in log:
        assert not hit.path.startswith("/private/")
        assert not any(bad in hit.target.lower() for bad in ("utm_", "sid=", "jsessionid", "phpsessid"))
        assert hit.headers["User-Agent"] == DEFAULT_USER_AGENT
    assert result.requests == len(log)

    # Retry-After: 1 was honoured; the big pages were abandoned early.
    first, second = site.hits("/limited")
    assert second.time - first.time >= 0.9
    for target in ("/big", "/big-declared"):
        (hit,) = site.hits(target)
        assert hit.aborted and hit.sent < 20_000_000

    by_url = {p.url.removeprefix(B): p for p in pages}
    assert by_url["/latin1"].charset is None and "café" in decode(by_url["/latin1"].content, "html")
    assert by_url["/notes.txt"].kind == "text" and by_url["/notes.txt"].charset == "utf-8"
    assert by_url["/readme.md"].kind == "markdown"
    assert by_url["/doc.pdf"].kind == "pdf" and by_url["/doc.pdf"].content == minimal_pdf()
    assert by_url["/canonical-target"].content == html(
        "the same article", '<link rel="canonical" href="/canonical-target">'
    )
    assert by_url["/"].depth == 0 and by_url["/final"].depth == 1 and by_url["/from-sitemap"].depth == 1
    assert by_url["/calendar?month=50"].depth == 50
    assert all(p.sha256 == hashlib.sha256(p.content).hexdigest() and not p.not_modified for p in pages)
    assert all(p.etag for p in pages)

    assert threads == {threading.get_ident()}  # on_page runs on the caller's thread
    assert stages["skip"] == len(result.skipped)
    # One "fetch" per page requested as itself: not robots.txt, the 3 sitemaps, nor redirect hops.
    assert stages["fetch"] == len(counts) - 4 - len(["/r2", "/r3", "/final", "/loop-b"])
    assert stages["found"] == stages["fetch"]
    assert elapsed < 30


# ---------------------------------------------------------------------------------------------
# Smaller crawls


def test_conditional_requests_second_crawl_gets_304s() -> None:
    lm = "Wed, 21 Oct 2015 07:28:00 GMT"
    routes = {
        "/": Reply(links("/a", "/b")),
        "/a": Reply(html("a")),
        "/b": Reply(b"b text", type="text/plain; charset=utf-8", headers={"Last-Modified": lm}),
    }
    with TestSite(routes) as site:
        opts = CrawlOptions(start_urls=(site.url + "/",), delay=0)
        first, pages = run(opts)
        previous = {
            # /b is kept with its Last-Modified only, to exercise If-Modified-Since on its own.
            p.url: Cached(p.etag if not p.url.endswith("/b") else None, p.last_modified, p.kind, p.charset, p.content)
            for p in pages
        }
        n = len(site.log)
        second, again = run(opts, previous=previous)
        hits = {h.target: h for h in site.log[n:]}
    assert first.pages == 3 and first.not_modified == 0
    assert second.pages == 3 and second.not_modified == 3
    assert [(p.url, p.content, p.kind, p.charset) for p in again] == [
        (p.url, p.content, p.kind, p.charset) for p in pages
    ]
    assert all(p.not_modified for p in again)
    assert "If-None-Match" in hits["/"].headers and "If-None-Match" in hits["/a"].headers
    assert hits["/b"].headers.get("If-Modified-Since") == lm and "If-None-Match" not in hits["/b"].headers
    assert again[2].last_modified == lm


def test_dry_run_fetches_no_page() -> None:
    with TestSite({"/robots.txt": Reply(b"User-agent: *\nDisallow: /private/\n", type="text/plain")}) as site:
        B = site.url  # noqa: N806
        sitemap = (
            f"<urlset {SM_NS}>"
            + "".join(f"<url><loc>{B}{p}</loc></url>" for p in ("/b", "/a", "/private/x", "/excluded/y", "/"))
            + "</urlset>"
        )
        site.routes["/sitemap.xml"] = Reply(sitemap.encode(), type="application/xml")
        result, pages = run(CrawlOptions(start_urls=(B + "/",), exclude=("/excluded/*",), dry_run=True, delay=0))
        targets = site.targets()
    assert pages == [] and result.pages == 0
    assert result.planned == [B + "/", B + "/a", B + "/b"]
    assert result.skipped == [(B + "/excluded/y", "excluded"), (B + "/private/x", "robots.txt")]
    assert targets == ["/robots.txt", "/sitemap.xml"]
    assert result.requests == 2


def test_dry_run_respects_max_pages_and_depth() -> None:
    with TestSite() as site:
        B = site.url  # noqa: N806
        site.routes["/sitemap.xml"] = Reply(
            ("<urlset>" + "".join(f"<url><loc>{B}/p{i}</loc></url>" for i in range(5)) + "</urlset>").encode(),
            type="application/xml",
        )
        capped, _ = run(CrawlOptions(start_urls=(B + "/",), dry_run=True, max_pages=3, delay=0))
        shallow, _ = run(CrawlOptions(start_urls=(B + "/",), dry_run=True, max_depth=0, delay=0))
    assert capped.planned == [B + "/", B + "/p0", B + "/p1"]
    assert capped.skipped == [(B + f"/p{i}", "max pages") for i in (2, 3, 4)]
    assert shallow.planned == [B + "/"]
    assert {r for _, r in shallow.skipped} == {"max depth"}


def test_results_do_not_depend_on_timing() -> None:
    """Concurrency 4 with random-ish latencies: the same pages, order and skips every time."""
    routes: dict[str, object] = {"/": Reply(links(*[f"/p{i}" for i in range(12)]))}
    for i in range(12):
        routes[f"/p{i}"] = Reply(
            html(f'<a href="/q{i}">q</a>', '<link rel="canonical" href="/shared">' if i % 4 == 0 else ""),
            delay=(i * 7 % 5) / 100,
        )
        routes[f"/q{i}"] = Reply(html("q"), delay=(i * 3 % 4) / 100)
    outcomes = []
    with TestSite(routes) as site:  # type: ignore[arg-type]
        for _ in range(2):
            result, pages = run(CrawlOptions(start_urls=(site.url + "/",), delay=0, concurrency=4, max_pages=20))
            outcomes.append(([(p.url, p.depth) for p in pages], result.skipped, result.pages))
    assert outcomes[0] == outcomes[1]
    urls = [u.removeprefix(site.url) for u, _ in outcomes[0][0]]
    assert "/shared" in urls and "/p0" not in urls  # /p0 (first in order) gives its content to /shared
    # "/" and 12 /pN make 13 fetches; 7 of the 12 /qN fit under max_pages=20.
    assert sum(1 for _, r in outcomes[0][1] if r == "max pages") == 5


def test_crawl_delay_spaces_request_starts() -> None:
    routes = {
        "/robots.txt": Reply(b"User-agent: sitebot\nCrawl-delay: 0.2\n", type="text/plain"),
        "/": Reply(links(*[f"/p{i}" for i in range(4)])),
    }
    with TestSite(routes) as site:
        for i in range(4):
            site.routes[f"/p{i}"] = Reply(html("p"))
        run(CrawlOptions(start_urls=(site.url + "/",), delay=0, concurrency=4))
        times = [h.time for h in site.log]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 7  # robots, /, /sitemap.xml, 4 pages
    assert min(gaps[1:]) >= 0.15  # robots.txt is read before the delay is known


def test_rate_limit_longer_than_allowed_gives_up() -> None:
    routes = {
        "/": Reply(links("/busy", "/unavailable")),
        "/busy": Reply(status=429, headers={"Retry-After": "120"}),
        "/unavailable": Reply(status=503, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}),
    }
    with TestSite(routes) as site:
        started = time.monotonic()
        result, _ = run(CrawlOptions(start_urls=(site.url + "/",), delay=0, max_retry_after=5))
        assert time.monotonic() - started < 5
        assert len(site.hits("/busy")) == 1
    assert result.skipped == [(site.url + "/busy", "rate limited"), (site.url + "/unavailable", "rate limited")]


def test_default_scope_follows_a_redirect_to_another_origin(other: TestSite) -> None:
    with TestSite({"/": Reply(status=301, headers={"Location": other.url + "/"})}) as site:
        other.routes.update({"/": Reply(links("/a", site.url + "/old")), "/a": Reply(html("a"))})
        result, pages = run(CrawlOptions(start_urls=(site.url + "/",), delay=0))
        assert [h.target for h in site.log] == ["/robots.txt", "/"]
    assert [p.url for p in pages] == [other.url + "/", other.url + "/a"]
    assert result.skipped == [(site.url + "/old", "out of scope")]


def test_path_scope_include_and_start_url_outside_include() -> None:
    routes = {
        "/docs/": Reply(links("/docs/a", "/docs/b?x=1", "/blog/", "/docs-old/")),
        "/docs/a": Reply(html("a")),
        "/docs/b": Reply(html("b")),
    }
    with TestSite(routes) as site:
        B = site.url  # noqa: N806
        result, pages = run(
            CrawlOptions(
                start_urls=(B + "/docs/",), scope=B + "/docs/", include=("/docs/?*",), exclude=("*x=*",), delay=0
            )
        )
        targets = site.targets()
    assert [p.url for p in pages] == [B + "/docs/a"]
    assert result.skipped == [
        (B + "/blog/", "out of scope"),
        (B + "/docs-old/", "out of scope"),
        (B + "/docs/", "excluded"),  # a start URL outside include is fetched for its links only
        (B + "/docs/b?x=1", "excluded"),
    ]
    assert "/docs/sitemap.xml" in targets and "/sitemap.xml" in targets


def test_ignoring_robots_still_reads_its_sitemaps() -> None:
    with TestSite() as site:
        B = site.url  # noqa: N806
        site.routes.update(
            {
                "/robots.txt": Reply(f"User-agent: *\nDisallow: /\nSitemap: {B}/map.xml\n".encode(), type="text/plain"),
                "/map.xml": Reply(f"<urlset><url><loc>{B}/listed</loc></url></urlset>".encode(), type="text/xml"),
                "/": Reply(html("home")),
                "/listed": Reply(html("listed")),
            }
        )
        result, pages = run(CrawlOptions(start_urls=(B + "/",), respect_robots=False, delay=0))
    assert [p.url for p in pages] == [B + "/", B + "/listed"]


def test_on_page_error_stops_the_crawl() -> None:
    routes = {"/": Reply(links(*[f"/p{i}" for i in range(30)]))}
    with TestSite(routes) as site:
        for i in range(30):
            site.routes[f"/p{i}"] = Reply(html("p"))
        seen: list[str] = []

        def on_page(page: Fetched) -> None:
            seen.append(page.url)
            if len(seen) == 3:
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            crawl(CrawlOptions(start_urls=(site.url + "/",), delay=0.05), on_page)
        n = len(site.log)
        time.sleep(0.2)
        assert len(site.log) == n  # nothing runs on after crawl() returned
    assert len(seen) == 3 and n < 25


def test_transport_can_be_injected() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/":
            return httpx.Response(200, headers={"Content-Type": "text/html"}, content=links("/a"))
        if request.url.path == "/a":
            return httpx.Response(200, headers={"Content-Type": "text/plain"}, content=b"a")
        return httpx.Response(404)

    result, pages = run(
        CrawlOptions(start_urls=("https://example.test/",), delay=0), transport=httpx.MockTransport(handler)
    )
    assert [p.url for p in pages] == ["https://example.test/", "https://example.test/a"]
    assert result.requests == 4  # robots.txt, /, /sitemap.xml, /a


# ---------------------------------------------------------------------------------------------
# Errors about the start URL: one sentence naming it and what to do


@pytest.mark.parametrize("url", ["example.com", "ftp://example.com/", "http://", "https://exa mple.com:port/"])
def test_malformed_start_url(url: str) -> None:
    with pytest.raises(CrawlError, match="not a valid http"):
        run(CrawlOptions(start_urls=(url,)))


@pytest.mark.usefixtures("unresolvable")
def test_dns_failure() -> None:
    with pytest.raises(CrawlError, match=r"could not resolve host sitebot-test\.invalid"):
        run(CrawlOptions(start_urls=("http://sitebot-test.invalid/",), retries=1))


def test_connection_refused() -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    with pytest.raises(CrawlError, match=r"could not connect to .*connection refused.*check that the site is up"):
        run(CrawlOptions(start_urls=(url,), retries=0))


def test_start_url_that_is_not_html() -> None:
    with TestSite({"/logo.png": Reply(b"\x89PNG\r\n\x1a\n", type="image/png")}) as site:
        with pytest.raises(
            CrawlError, match=r"/logo\.png is not an HTML page \(image/png\); give the site's home page"
        ):
            run(CrawlOptions(start_urls=(site.url + "/logo.png",), delay=0))


def test_robots_disallows_every_start_url() -> None:
    with TestSite({"/robots.txt": Reply(b"User-agent: *\nDisallow: /\n", type="text/plain")}) as site:
        with pytest.raises(CrawlError, match=r"robots\.txt forbids user agent 'sitebot'"):
            run(CrawlOptions(start_urls=(site.url + "/", site.url + "/docs/"), delay=0))
        assert site.targets() == ["/robots.txt"]


def test_robots_server_error_forbids_crawling() -> None:
    with TestSite({"/robots.txt": Reply(b"oops", status=503, type="text/plain")}) as site:
        with pytest.raises(CrawlError, match=r"robots\.txt answered HTTP 503.*cannot be read forbids all crawling"):
            run(CrawlOptions(start_urls=(site.url + "/",), delay=0, retries=1))
        assert site.targets() == ["/robots.txt", "/robots.txt"]


def test_start_url_redirecting_out_of_an_explicit_scope(other: TestSite) -> None:
    with TestSite({"/docs/": Reply(status=301, headers={"Location": other.url + "/docs/"})}) as site:
        with pytest.raises(CrawlError, match=r"/docs/ redirects to http://.*/docs/, outside the crawl scope"):
            run(CrawlOptions(start_urls=(site.url + "/docs/",), scope=site.url + "/docs/", delay=0))
    assert other.log == []


def test_start_url_outside_scope() -> None:
    with pytest.raises(CrawlError, match="outside the crawl scope"):
        run(CrawlOptions(start_urls=("https://example.com/blog/",), scope="https://example.com/docs/"))


def test_one_bad_start_url_among_good_ones_is_a_skip() -> None:
    routes = {"/": Reply(html("home")), "/logo.png": Reply(b"png", type="image/png")}
    with TestSite(routes) as site:
        result, pages = run(CrawlOptions(start_urls=(site.url + "/logo.png", site.url + "/"), delay=0))
    assert [p.url for p in pages] == [site.url + "/"]
    assert result.skipped == [(site.url + "/logo.png", "unsupported type image/png")]


# ---------------------------------------------------------------------------------------------
# Units


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM:80/a/./b/../index.html?utm_source=x&b=2&a=1#top", "http://example.com/a/?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:443/docs/index.htm", "https://example.com/docs/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        (
            "https://example.com/x?gclid=1&fbclid=2&msclkid=3&mc_cid=4&mc_eid=5&_ga=6&ref_src=7&UTM_Term=8",
            "https://example.com/x",
        ),
        (
            "https://example.com/x?SID=1&sessionid=2&session_id=3&PHPSESSID=4&jsessionid=5&sessid=6&q=7",
            "https://example.com/x?q=7",
        ),
        ("https://example.com/shop;jsessionid=A1B2/item;JSESSIONID=zz?x=1", "https://example.com/shop/item?x=1"),
        ("https://example.com/caf%c3%a9/%7euser/a b", "https://example.com/caf%C3%A9/~user/a%20b"),
        ("https://example.com/café", "https://example.com/caf%C3%A9"),
        ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),
        ("https://example.com/?b=2&a=1&a=0", "https://example.com/?a=1&a=0&b=2"),
        ("https://example.com/search?q=a+b&&empty=", "https://example.com/search?empty=&q=a+b"),
        ("https://Bücher.example/", "https://xn--bcher-kva.example/"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("mailto:a@example.com", None),
        ("javascript:void(0)", None),
        ("ftp://example.com/", None),
        ("http:///path", None),
        ("http://example.com:99999/", None),
    ],
)
def test_canonical(url: str, expected: str | None) -> None:
    assert canonical(url) == expected


def test_canonical_resolves_relative_links() -> None:
    base = "https://example.com/docs/guide/index.html"
    assert canonical("../api/#x", base) == "https://example.com/docs/api/"
    assert canonical("?page=2", base) == "https://example.com/docs/guide/?page=2"
    assert canonical("//cdn.example.com/a", base) == "https://cdn.example.com/a"
    assert canonical("  /a  ", base) == "https://example.com/a"
    assert canonical("tel:+1", base) is None


def test_in_scope() -> None:
    assert in_scope("https://x.com/a", "https://x.com/")
    assert not in_scope("https://y.com/a", "https://x.com/")
    assert not in_scope("http://x.com/a", "https://x.com/")
    assert in_scope("https://x.com/docs", "https://x.com/docs")
    assert in_scope("https://x.com/docs/a", "https://x.com/docs")
    assert not in_scope("https://x.com/docs-old/", "https://x.com/docs")
    assert not in_scope("https://x.com/docs", "https://x.com/docs/")


def test_traps() -> None:
    assert looks_like_trap("https://x/" + "/".join("abcdefghijklm") + "/")
    assert not looks_like_trap("https://x/" + "/".join("abcdefghijkl") + "/")
    assert looks_like_trap("https://x/a/b/a/c/a")
    assert not looks_like_trap("https://x/a/b/a/c")
    assert looks_like_trap("https://x/s?q=" + "a" * 260)
    assert looks_like_trap("https://x/s?" + "&".join(f"k{i}=1" for i in range(11)))
    assert not looks_like_trap("https://x/s?" + "&".join(f"k{i}=1" for i in range(10)))
    assert template("https://x/cal/2024/05?month=12&day=3") == "/cal/0/0?day&month"
    budget = TemplateBudget(limit=3)
    assert [budget.admit(f"https://x/cal?month={i}") for i in range(5)] == [True, True, True, False, False]
    assert all(budget.admit(f"https://x/product/{i}") for i in range(10))  # numbered pages are real pages


def test_robots_longest_match_and_ties() -> None:
    r = Robots.parse(
        "User-agent: *\nDisallow: /docs/\nAllow: /docs/public/\nDisallow: /docs/public/secret\n", "sitebot"
    )
    assert not r.allowed("https://x/docs/a")
    assert r.allowed("https://x/docs/public/a")
    assert not r.allowed("https://x/docs/public/secret.html")
    assert r.allowed("https://x/other")
    tie = Robots.parse("User-agent: *\nDisallow: /page\nAllow: /page\n", "sitebot")
    assert tie.allowed("https://x/page")


def test_robots_wildcards_and_dollar() -> None:
    r = Robots.parse("User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?print=\nDisallow: /a*b/\n", "sitebot")
    assert not r.allowed("https://x/files/report.pdf")
    assert r.allowed("https://x/files/report.pdf?download=1")
    assert r.allowed("https://x/files/report.pdfx")
    assert not r.allowed("https://x/page?print=1")
    assert not r.allowed("https://x/aXYZb/c")
    assert r.allowed("https://x/robots.txt")
    exact = Robots.parse("User-agent: *\nDisallow: /$\n", "sitebot")
    assert not exact.allowed("https://x/") and exact.allowed("https://x/a")


def test_robots_user_agent_groups() -> None:
    text = (
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: otherbot\nUser-agent: SiteBot/2.0\nDisallow: /private/\nCrawl-delay: 2\n\n"
        "User-agent: sitebot\nDisallow: /tmp/\n"
        "Sitemap: https://x/sitemap.xml # a comment\n"
    )
    ours = Robots.parse(text, agent_token(DEFAULT_USER_AGENT))
    assert (
        ours.allowed("https://x/docs/")
        and not ours.allowed("https://x/private/a")
        and not ours.allowed("https://x/tmp/a")
    )
    assert ours.crawl_delay == 2
    assert ours.sitemaps == ["https://x/sitemap.xml"]
    theirs = Robots.parse(text, "somebot")
    assert not theirs.allowed("https://x/docs/")
    assert Robots.parse("User-agent: *\nDisallow:\n", "sitebot").allowed("https://x/a")
    assert Robots.parse("Disallow: /\n", "sitebot").allowed("https://x/a")  # rules outside any group
    assert Robots.parse("User-agent: otherbot\nDisallow: /\n", "sitebot").allowed("https://x/a")
    encoded = Robots.parse("User-agent: *\nDisallow: /café\n", "sitebot")
    assert not encoded.allowed(canonical("https://x/café") or "")
    assert not Robots.deny_all("answered HTTP 500").allowed("https://x/a")
    assert agent_token("MyBot/1.0 (+https://example.com)") == "mybot"


def test_page_level_robots_directives() -> None:
    assert robots_directives(["noindex, NoFollow"], "sitebot") == {"noindex", "nofollow"}
    assert robots_directives(["sitebot: none"], "sitebot") == {"none"}
    assert robots_directives(["otherbot: noindex, nofollow"], "sitebot") == set()
    assert robots_directives(["otherbot: noindex", "nofollow"], "sitebot") == {"nofollow"}
    assert robots_directives(["unavailable_after: 25 Jun 2010 15:00:00 PST"], "sitebot") == {
        "unavailable_after: 25 jun 2010 15:00:00 pst"
    }


def test_sitemap_urlset_index_gzip_text() -> None:
    urlset = (
        f'<?xml version="1.0"?><urlset {SM_NS} xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
        "<url><loc> https://x/a </loc><image:image><image:loc>https://x/i.jpg</image:loc></image:image></url>"
        "<url><loc>https://x/b?x=1&amp;y=2</loc></url></urlset>"
    ).encode()
    assert parse_sitemap(urlset).kind == "urlset"
    assert parse_sitemap(urlset).locs == ["https://x/a", "https://x/b?x=1&y=2"]
    assert parse_sitemap(gzip.compress(urlset)).locs == ["https://x/a", "https://x/b?x=1&y=2"]
    index = b"<sitemapindex><sitemap><loc>https://x/s1.xml.gz</loc></sitemap></sitemapindex>"
    assert parse_sitemap(index).kind == "sitemapindex" and parse_sitemap(index).locs == ["https://x/s1.xml.gz"]
    assert parse_sitemap(b"https://x/a\nhttps://x/b\n\nnot a url\n").locs == ["https://x/a", "https://x/b"]
    broken = b"<urlset><url><loc>https://x/a</loc></url><url><loc>https://x/b&c</loc>"
    assert parse_sitemap(broken).locs == ["https://x/a", "https://x/b&c"]
    with pytest.raises(ValueError, match="larger than"):
        gunzip(gzip.compress(b"0" * 10_000), limit=1000)


def test_parse_retry_after() -> None:
    assert parse_retry_after("1") == 1.0
    assert parse_retry_after(" 120 ") == 120.0
    now = 1_445_412_480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now=now) == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None


def test_fixture_pdf_is_valid() -> None:
    pypdf = pytest.importorskip("pypdf")
    import io

    reader = pypdf.PdfReader(io.BytesIO(minimal_pdf()))
    assert "Hello PDF" in reader.pages[0].extract_text()


def test_options_problems_name_every_bad_value() -> None:
    assert CrawlOptions().problems() == []
    assert CrawlOptions(start_urls=("https://example.com/",), scope="https://example.com/docs/").problems() == []
    bad = CrawlOptions(
        max_pages=0,
        max_depth=-1,
        concurrency=65,
        delay=-0.1,
        timeout=0,
        max_bytes=0,
        retries=11,
        max_retry_after=-1,
        user_agent="curl/8",
        scope="example.com/",
    )
    assert [name for name, _ in bad.problems()] == [
        "max_pages",
        "max_depth",
        "concurrency",
        "delay",
        "timeout",
        "max_bytes",
        "retries",
        "max_retry_after",
        "user_agent",
        "scope",
    ]
    assert ("max_pages", "must be > 0") in bad.problems()


def test_crawl_refuses_bad_options_before_any_request() -> None:
    with pytest.raises(ConfigError, match=r"^crawl option max_pages must be > 0 \(got 0\)$"):
        crawl(CrawlOptions(start_urls=("http://127.0.0.1:9/",), max_pages=0), lambda f: None)
    with pytest.raises(
        ConfigError, match=r"max_pages must be > 0 \(got 0\); crawl option user_agent must name sitebot"
    ):
        crawl(CrawlOptions(start_urls=("http://127.0.0.1:9/",), max_pages=0, user_agent="x"), lambda f: None)
    with pytest.raises(CrawlError, match="no start URL given"):
        crawl(CrawlOptions(), lambda f: None)


def test_robots_and_sitemap_redirects_share_the_page_follower() -> None:
    """robots.txt follows redirects (to another host too); a loop counts as no robots.txt.
    A sitemap redirecting to another host is ignored; within the host it is followed."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        seen.append(url)
        html = {"Content-Type": "text/html"}
        if url == "https://a.test/robots.txt":
            return httpx.Response(301, headers={"Location": "https://cdn.test/robots.txt"})
        if url == "https://cdn.test/robots.txt":
            return httpx.Response(200, text="User-agent: *\nDisallow: /private/\nSitemap: https://a.test/sm.xml\n")
        if url == "https://a.test/sm.xml":
            return httpx.Response(302, headers={"Location": "/sm2.xml"})
        if url == "https://a.test/sm2.xml":
            return httpx.Response(200, text="https://a.test/from-sitemap\nhttps://a.test/private/x\n")
        if url == "https://a.test/sitemap.xml":
            return httpx.Response(302, headers={"Location": "https://other.test/sitemap.xml"})
        if url == "https://b.test/robots.txt":
            return httpx.Response(302, headers={"Location": "https://b.test/robots2.txt"})
        if url == "https://b.test/robots2.txt":
            return httpx.Response(302, headers={"Location": "https://b.test/robots.txt"})
        if url.endswith("/robots.txt") or url.endswith("sitemap.xml"):
            return httpx.Response(404)
        return httpx.Response(200, headers=html, content=b"<html><body>page</body></html>")

    result, pages = run(CrawlOptions(start_urls=("https://a.test/",), delay=0), transport=httpx.MockTransport(handler))
    assert [p.url for p in pages] == ["https://a.test/", "https://a.test/from-sitemap"]
    assert ("https://a.test/private/x", "robots.txt") in result.skipped
    assert "https://other.test/sitemap.xml" not in seen

    seen.clear()
    result, pages = run(CrawlOptions(start_urls=("https://b.test/",), delay=0), transport=httpx.MockTransport(handler))
    assert [p.url for p in pages] == ["https://b.test/"]
    assert seen[:3] == ["https://b.test/robots.txt", "https://b.test/robots2.txt", "https://b.test/"]
