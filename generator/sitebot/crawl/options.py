"""What to crawl and how politely: `CrawlOptions`, and the one place its values are checked.

    opts = CrawlOptions(start_urls=("https://example.com/",), max_pages=200)
    opts.problems()  # [] — or [("max_pages", "must be > 0"), ...]

A CrawlOptions may be built before the start URL is known (sitebot.toml's [crawl] section),
so `start_urls` defaults to empty; crawl() refuses to start without one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import is_http_url

DEFAULT_USER_AGENT = "sitebot/0.1 (+https://github.com/sitebot/sitebot)"


@dataclass(frozen=True)
class CrawlOptions:
    """What to crawl and how politely.

    CrawlOptions(start_urls=("https://example.com/",))
    CrawlOptions(start_urls=("https://example.com/docs/",), scope="https://example.com/docs/", exclude=("/docs/old/*",))
    """

    start_urls: tuple[str, ...] = ()
    scope: str | None = None  # URL prefix in scope; default: scheme://host/ of the first start URL
    include: tuple[str, ...] = ()  # fnmatch globs on the URL path (+ "?query"); empty = all
    exclude: tuple[str, ...] = ()
    max_pages: int = 5000  # pages fetched (not counting robots.txt / sitemaps)
    max_depth: int = 50  # link hops from a start URL (sitemap URLs are depth 1)
    concurrency: int = 4  # simultaneous requests per host
    delay: float = 0.1  # seconds between request starts to one host; a larger Crawl-delay wins
    timeout: float = 20.0  # per request, whole response
    max_bytes: int = 10_000_000  # per page; bigger bodies are abandoned mid-stream
    retries: int = 3  # on 5xx, timeouts and connection errors, backoff 0.5 s, 1 s, 2 s…
    max_retry_after: float = 30.0  # a longer 429/503 Retry-After gives up on that URL
    user_agent: str = DEFAULT_USER_AGENT
    respect_robots: bool = True
    dry_run: bool = False  # discover and list URLs (robots, sitemaps, scope) but fetch no page

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) for every value out of bounds, in field order; [] when all are usable.

        The messages complete "crawl option <field> …", and are the ones sitebot.toml's
        [crawl] section shows.
        """
        checks = (
            ("max_pages", self.max_pages > 0, "must be > 0"),
            ("max_depth", self.max_depth >= 0, "must be ≥ 0"),
            ("concurrency", 1 <= self.concurrency <= 64, "must be between 1 and 64"),
            ("delay", 0 <= self.delay <= 60, "must be between 0 and 60 seconds"),
            ("timeout", 0 < self.timeout <= 600, "must be between 0 and 600 seconds"),
            ("max_bytes", self.max_bytes > 0, "must be > 0"),
            ("retries", 0 <= self.retries <= 10, "must be between 0 and 10"),
            ("max_retry_after", self.max_retry_after >= 0, "must be ≥ 0"),
            # Site owners write robots.txt rules for a product token; ours must be findable in it.
            (
                "user_agent",
                "sitebot" in self.user_agent.lower(),
                "must name sitebot (site owners match robots.txt rules on it)",
            ),
            (
                "scope",
                self.scope is None or is_http_url(self.scope),
                "must be a URL prefix starting with http:// or https://",
            ),
        )
        return [(name, message) for name, ok, message in checks if not ok]
