"""The frontier: which URLs the crawl fetches, in what order, and why the others are skipped.

    frontier = Frontier(opts, scope="https://example.com/")
    level0 = frontier.seed(["https://example.com/"])
    frontier.admit("https://example.com/a", depth=1)     # queued for the next level, or skipped
    frontier.next_level_urls()                            # ['https://example.com/a'], sorted

No I/O here: robots.txt's verdict comes in as `allowed` (rules already fetched), and every
decision depends only on the URLs and facts given, in the order given. The crawler feeds it
one level at a time, results in sorted-URL order, which is what makes a crawl repeatable.

A URL's state: "queued" (for the next level), "done" (fetched, whatever the answer),
"indexed" (its content handed over) or "skipped"; `skipped` keeps the first reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase

from ..text.sources import artefact
from .options import CrawlOptions
from .urls import TemplateBudget, in_scope, looks_like_trap, path_and_query


def _always(url: str) -> bool:
    return True


def _quiet(stage: str, n: int) -> None:
    pass


class Frontier:
    def __init__(
        self,
        opts: CrawlOptions,
        scope: str,
        *,
        allowed: Callable[[str], bool] = _always,
        report: Callable[[str, int], None] = _quiet,
    ) -> None:
        """`scope` is the canonical scope prefix; `allowed(url)` is robots.txt's verdict;
        `report(stage, n)` hears "found" and "skip" counts as they happen."""
        self.scope = scope  # may move once: the first start URL's redirect to the site's real origin
        self.include = opts.include
        self.exclude = opts.exclude
        self.max_pages = opts.max_pages
        self.max_depth = opts.max_depth
        self.allowed = allowed
        self.report = report
        self.state: dict[str, str] = {}  # url → "queued" | "done" | "indexed" | "skipped"
        self.next_level: set[str] = set()
        self.skipped: dict[str, str] = {}
        self.scheduled = 0  # page fetches scheduled, for max_pages
        self.budget = TemplateBudget()
        self._known: frozenset[str] = frozenset()  # state's URLs when the current level started
        self._claimed: set[str] = set()  # redirect targets being fetched in the current level

    # -- rules ------------------------------------------------------------------------------------

    def excluded(self, url: str) -> bool:
        """True when the include/exclude globs (on path + query) keep `url` out."""
        target = path_and_query(url)
        if self.include and not any(fnmatchcase(target, g) for g in self.include):
            return True
        return any(fnmatchcase(target, g) for g in self.exclude)

    def skip(self, url: str, reason: str) -> None:
        if url not in self.skipped:  # the first reason is the one that counts
            self.skipped[url] = reason
            self.report("skip", 1)

    # -- levels -----------------------------------------------------------------------------------

    def seed(self, starts: Iterable[str]) -> list[str]:
        """Level 0: the start URLs that are in scope and allowed, cut at max_pages."""
        starts = list(starts)
        allowed = [u for u in starts if in_scope(u, self.scope) and self.allowed(u)]
        for url in starts:
            if not in_scope(url, self.scope):
                self.skip(url, "out of scope")
            elif url not in allowed:
                self.skip(url, "robots.txt")
            self.state[url] = "skipped" if url not in allowed else "queued"
        level0 = allowed[: self.max_pages]
        for url in allowed[self.max_pages :]:
            self.state[url] = "skipped"
            self.skip(url, "max pages")
        self.scheduled = len(level0)
        self.report("found", len(level0))
        return level0

    def next_level_urls(self) -> list[str]:
        """The queued URLs, sorted (the order the next level is fetched and processed in)."""
        urls = sorted(self.next_level)
        self.next_level = set()
        return urls

    def cut(self, urls: list[str]) -> list[str]:
        """The URLs of a level that fit under max_pages; the rest are skipped."""
        room = max(0, self.max_pages - self.scheduled)
        for url in urls[room:]:
            self.state[url] = "skipped"
            self.skip(url, "max pages")
        self.scheduled += len(urls[:room])
        return urls[:room]

    def begin_level(self) -> None:
        """Fetches are about to start: redirects to URLs known now are left to their own fetch."""
        self._known = frozenset(self.state)
        self._claimed = set()

    def claim(self, target: str) -> bool:
        """A redirect leads to `target`: True when this fetch may follow it, False when another
        fetch of the crawl handles it (known before the level started, or claimed earlier)."""
        if target in self._known or target in self._claimed:
            return False
        self._claimed.add(target)
        return True

    # -- URLs seen --------------------------------------------------------------------------------

    def admit(self, url: str, depth: int) -> None:
        """Queue a newly seen URL for the next level, or record why not."""
        if url in self.state:
            return
        if not in_scope(url, self.scope):
            reason = "out of scope"
        elif self.excluded(url):
            reason = "excluded"
        elif why := artefact(path_and_query(url), self.include):
            reason = why  # e.g. a Sphinx page's "Show source" link to its _sources/ copy
        elif looks_like_trap(url) or not self.budget.admit(url):
            reason = "trap"
        elif not self.allowed(url):
            reason = "robots.txt"
        elif depth > self.max_depth:
            reason = "max depth"
        else:
            self.state[url] = "queued"
            self.next_level.add(url)
            self.report("found", 1)
            return
        self.state[url] = "skipped"
        self.skip(url, reason)

    def take(self, url: str) -> bool:
        """Claim `url` for content already in hand: True when it is new or only queued for the next level."""
        if url in self.next_level:
            self.next_level.discard(url)  # saves its request
            return True
        return url not in self.state

    def failed(self, url: str, reason: str | None) -> None:
        """`url` was fetched without a page to show for it (skipped with `reason`, if any)."""
        self.state[url] = "done"
        if reason is not None:
            self.skip(url, reason)

    def landed(self, url: str, final: str, chain: list[str]) -> bool:
        """`url` was fetched and its content found at `final` after redirects through `chain`.
        False when `final` is (or was) fetched on its own, so this copy is dropped."""
        self.state[url] = "done"
        if final == url:
            return True
        if not self.take(final):
            return False
        for hop in chain:
            self.take(hop)
            self.state[hop] = "done"
        self.state[final] = "done"
        return True

    def target(self, url: str, depth: int, *, noindex: bool, canonical: str | None) -> str | None:
        """The URL to index page `url`'s content under, or None when it is not indexed."""
        if noindex:
            self.skip(url, "noindex")
            return None
        if depth == 0 and self.excluded(url):
            self.skip(url, "excluded")  # a start URL is fetched only to find links
            return None
        if canonical and canonical != url:
            return self._canonical_target(url, canonical)
        return url

    def _canonical_target(self, url: str, canon: str) -> str | None:
        """`url`'s page names `canon` as its rel=canonical; None: a duplicate."""
        state = self.state.get(canon)
        usable = (
            in_scope(canon, self.scope)
            and not self.excluded(canon)
            and not looks_like_trap(canon)
            and self.allowed(canon)
        )
        if not usable:
            return url  # a hint we cannot follow: the page stays under its own URL
        if self.take(canon):
            self.skip(url, "duplicate")
            return canon
        if state in ("queued", "indexed"):
            self.skip(url, "duplicate")  # the canonical page is (or will be) indexed from its own fetch
            return None
        return url  # the canonical page failed or was skipped: keep this copy

    def indexed(self, url: str) -> None:
        self.state[url] = "indexed"
