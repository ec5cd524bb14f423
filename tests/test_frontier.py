"""The frontier's decisions, without HTTP: scope, globs, traps, duplicates, depth, max_pages, order."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from sitebot.crawl.frontier import Frontier
from sitebot.crawl.options import CrawlOptions
from sitebot.crawl.urls import TEMPLATE_BUDGET

B = "https://example.com"


def frontier(
    scope: str = B + "/", allowed: Callable[[str], bool] = lambda url: True, **options: Any
) -> tuple[Frontier, list[tuple[str, int]]]:
    events: list[tuple[str, int]] = []
    f = Frontier(CrawlOptions(**options), scope, allowed=allowed, report=lambda stage, n: events.append((stage, n)))
    return f, events


def test_in_scope_urls_are_queued_once() -> None:
    f, events = frontier()
    f.admit(B + "/a", 1)
    f.admit(B + "/a", 1)
    f.admit(B + "/a", 2)
    assert f.next_level_urls() == [B + "/a"]
    assert events == [("found", 1)]
    assert f.skipped == {}


def test_scope() -> None:
    f, _ = frontier(scope=B + "/docs")
    for url in (B + "/docs", B + "/docs/a", B + "/docs?x=1", B + "/docs-old/", B + "/", "https://other.test/docs/"):
        f.admit(url, 1)
    assert f.next_level_urls() == [B + "/docs", B + "/docs/a", B + "/docs?x=1"]
    assert f.skipped == {
        B + "/docs-old/": "out of scope",
        B + "/": "out of scope",
        "https://other.test/docs/": "out of scope",
    }


def test_include_and_exclude_globs_see_path_and_query() -> None:
    f, _ = frontier(include=("/docs/*",), exclude=("/docs/old/*", "*print=*"))
    for url in (B + "/docs/a", B + "/blog/a", B + "/docs/old/a", B + "/docs/b?print=1"):
        f.admit(url, 1)
    assert f.next_level_urls() == [B + "/docs/a"]
    assert f.skipped == {B + "/blog/a": "excluded", B + "/docs/old/a": "excluded", B + "/docs/b?print=1": "excluded"}


def test_traps_by_shape_and_by_template_budget() -> None:
    f, _ = frontier()
    f.admit(B + "/a/a/a/page", 1)  # a segment repeated: relative links nesting forever
    f.admit(B + "/" + "/".join(f"s{i}" for i in range(13)), 1)  # too deep
    for month in range(TEMPLATE_BUDGET + 5):
        f.admit(f"{B}/calendar?month={month}", 1)
    queued = f.next_level_urls()
    assert len(queued) == TEMPLATE_BUDGET
    assert all(url.startswith(B + "/calendar?") for url in queued)
    assert list(f.skipped.values()) == ["trap"] * 7
    # Numbered paths are real pages on real sites: no budget on them.
    for n in range(TEMPLATE_BUDGET + 5):
        f.admit(f"{B}/product/{n}", 1)
    assert len(f.next_level_urls()) == TEMPLATE_BUDGET + 5


def test_robots_verdict_and_reason_precedence() -> None:
    f, _ = frontier(allowed=lambda url: "/private/" not in url, exclude=("/private/old/*",), max_depth=2)
    f.admit(B + "/private/a", 1)
    f.admit(B + "/private/old/a", 1)  # excluded is checked before robots.txt
    f.admit(B + "/private/deep", 5)  # robots.txt before max depth
    assert f.skipped == {
        B + "/private/a": "robots.txt",
        B + "/private/old/a": "excluded",
        B + "/private/deep": "robots.txt",
    }
    assert f.state[B + "/private/a"] == "skipped"


def test_max_depth() -> None:
    f, _ = frontier(max_depth=2)
    f.admit(B + "/two", 2)
    f.admit(B + "/three", 3)
    assert f.next_level_urls() == [B + "/two"]
    assert f.skipped == {B + "/three": "max depth"}
    f.admit(B + "/three", 1)  # seen once is decided once
    assert f.next_level_urls() == []


def test_max_pages_cuts_start_urls_then_levels() -> None:
    f, events = frontier(max_pages=3)
    starts = [B + "/", B + "/b", "https://other.test/"]
    assert f.seed(starts) == [B + "/", B + "/b"]
    assert f.skipped == {"https://other.test/": "out of scope"}
    assert events[-1] == ("found", 2)
    for name in "zyx":
        f.admit(f"{B}/{name}", 1)
    assert f.cut(f.next_level_urls()) == [B + "/x"]  # sorted, then cut
    assert f.skipped[B + "/y"] == f.skipped[B + "/z"] == "max pages"
    assert f.cut([B + "/later"]) == []


def test_seed_skips_start_urls_robots_forbids() -> None:
    f, _ = frontier(allowed=lambda url: not url.endswith("/admin/"))
    assert f.seed([B + "/", B + "/admin/"]) == [B + "/"]
    assert f.skipped == {B + "/admin/": "robots.txt"}
    assert f.state == {B + "/": "queued", B + "/admin/": "skipped"}


def test_order_does_not_depend_on_admission_order() -> None:
    urls = [f"{B}/p{n}" for n in range(40)] + [f"{B}/q?id={n}" for n in range(10)]
    results = []
    for seed in range(5):
        shuffled = urls[:]
        random.Random(seed).shuffle(shuffled)
        f, _ = frontier(max_pages=30)
        f.seed([B + "/"])
        for url in shuffled:
            f.admit(url, 1)
        results.append(f.cut(f.next_level_urls()))
    assert results[0] == sorted(results[0])
    assert all(r == results[0] for r in results)
    assert len(results[0]) == 29


def test_redirect_targets_known_or_claimed_are_left_to_their_own_fetch() -> None:
    f, _ = frontier()
    f.seed([B + "/"])
    f.admit(B + "/a", 1)
    f.begin_level()
    assert not f.claim(B + "/a")  # known when the level started
    assert f.claim(B + "/new")
    assert not f.claim(B + "/new")  # another fetch of this level claimed it first
    f.begin_level()
    assert f.claim(B + "/new")  # a claim lasts one level


def test_landed_after_redirects_dedupes_the_target() -> None:
    f, _ = frontier()
    f.seed([B + "/"])
    f.admit(B + "/queued", 1)
    assert f.landed(B + "/old", B + "/queued", [B + "/old", B + "/mid"])
    assert f.next_level_urls() == []  # its content is in hand: the queued fetch is saved
    assert f.state[B + "/queued"] == f.state[B + "/mid"] == "done"
    f.indexed(B + "/queued")
    assert not f.landed(B + "/other", B + "/queued", [B + "/other"])  # already indexed: drop this copy


def test_target_noindex_excluded_start_and_canonical() -> None:
    f, _ = frontier(exclude=("/tag/*",))
    f.seed([B + "/"])
    assert f.target(B + "/n", 1, noindex=True, canonical=None) is None
    assert f.target(B + "/tag/x", 0, noindex=False, canonical=None) is None  # a start page read only for links
    assert f.target(B + "/tag/y", 1, noindex=False, canonical=None) == B + "/tag/y"
    # A new canonical URL takes the content; the page itself is a duplicate.
    assert f.target(B + "/a?print=1", 1, noindex=False, canonical=B + "/a") == B + "/a"
    # A canonical URL indexed already: this copy is a duplicate and not indexed.
    f.indexed(B + "/a")
    assert f.target(B + "/a?print=2", 1, noindex=False, canonical=B + "/a") is None
    # A canonical hint out of scope or excluded is ignored: the page stays under its own URL.
    assert f.target(B + "/b", 1, noindex=False, canonical="https://other.test/b") == B + "/b"
    assert f.target(B + "/c", 1, noindex=False, canonical=B + "/tag/c") == B + "/c"
    # A canonical page that failed: keep this copy.
    f.failed(B + "/gone", "HTTP 404")
    assert f.target(B + "/d", 1, noindex=False, canonical=B + "/gone") == B + "/d"
    assert f.skipped == {
        B + "/n": "noindex",
        B + "/tag/x": "excluded",
        B + "/a?print=1": "duplicate",
        B + "/a?print=2": "duplicate",
        B + "/gone": "HTTP 404",
    }


def test_first_skip_reason_counts() -> None:
    f, events = frontier()
    f.skip(B + "/x", "robots.txt")
    f.skip(B + "/x", "max pages")
    assert f.skipped == {B + "/x": "robots.txt"}
    assert events == [("skip", 1)]
