"""robots.txt and sitemaps: what a site says about itself before any page is read.

    discovery = Discovery(http, opts)
    robots = await discovery.robots_for("https://example.com")
    urls = await discovery.sitemap_urls("https://example.com/docs/")

robots.txt is fetched once per host and kept; its Crawl-delay slows that host's Gate. A
robots.txt that cannot be read forbids everything (Google's rule); a missing one allows all.
"""

from __future__ import annotations

import asyncio

from ..text.extract import decode
from .http import Failure, Http, Landed
from .options import CrawlOptions
from .robots import MAX_ROBOTS_BYTES, Robots, agent_token
from .sitemaps import MAX_SITEMAP_BYTES, MAX_SITEMAPS, parse_sitemap
from .urls import canonical, origin

ROBOTS_REDIRECTS = 5  # Google follows five hops for robots.txt; sitemaps get the same


class Discovery:
    def __init__(self, http: Http, opts: CrawlOptions) -> None:
        self.http = http
        self.opts = opts
        self.agent = agent_token(opts.user_agent)
        self.robots: dict[str, Robots] = {}  # origin → its rules, once fetched
        self.failures: dict[str, Failure | None] = {}  # origin → why its robots.txt could not be fetched
        self._locks: dict[str, asyncio.Lock] = {}

    def allowed(self, url: str) -> bool:
        """robots.txt's verdict from the rules already fetched (a host not yet asked is allowed)."""
        robots = self.robots.get(origin(url))
        return robots is None or robots.allowed(url)

    async def robots_for(self, host: str) -> Robots:
        """The robots.txt rules of `host` (an origin), fetched once per crawl."""
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            if host not in self.robots:
                robots, failure = await self._fetch_robots(host)
                if not self.opts.respect_robots:
                    robots = Robots(sitemaps=robots.sitemaps)  # still a source of sitemaps
                elif robots.crawl_delay:
                    self.http.gate(host).delay = max(self.opts.delay, robots.crawl_delay)
                self.robots[host] = robots
                self.failures[host] = failure
        return self.robots[host]

    async def _fetch_robots(self, host: str) -> tuple[Robots, Failure | None]:
        r = await self.http.fetch(
            host + "/robots.txt", max_redirects=ROBOTS_REDIRECTS, max_bytes=MAX_ROBOTS_BYTES, truncate=True
        )
        if isinstance(r, Failure):
            if r.in_redirects:
                return Robots.allow_all(), None  # a loop or too many redirects counts as missing (Google's rule)
            if r.reason == "timeout":
                why = f"did not answer within {self.opts.timeout:g} s"
            elif r.reason.startswith("HTTP"):
                why = f"answered {r.reason}"
            else:
                why = f"could not be fetched ({r.reason})"
            return Robots.deny_all(why), r
        if 200 <= r.response.status < 300:
            return Robots.parse(decode(r.response.body or b"", "text"), self.agent), None
        return Robots.allow_all(), None  # 4xx: no robots.txt, everything allowed

    async def sitemap_urls(self, scope: str) -> list[str]:
        """Page URLs from robots.txt's sitemaps and /sitemap.xml at the scope root (indexes followed)."""
        host = origin(scope)
        robots = self.robots.get(host) or await self.robots_for(host)
        scope_dir = scope if scope.endswith("/") else scope.rsplit("/", 1)[0] + "/"
        # Sitemap: lines should be absolute; relative ones are read against robots.txt's URL.
        todo = [u for u in (canonical(s, host + "/robots.txt") for s in robots.sitemaps) if u and origin(u) == host]
        todo += [u for u in (scope_dir + "sitemap.xml", host + "/sitemap.xml") if robots.allowed(u)]
        seen: set[str] = set()
        urls: list[str] = []
        while todo and len(seen) < MAX_SITEMAPS:
            sitemap_url = todo.pop(0)
            if sitemap_url in seen:
                continue
            seen.add(sitemap_url)
            body = await self._fetch_sitemap(sitemap_url)
            if body is None:
                continue
            try:
                sitemap = parse_sitemap(body)
            except ValueError:  # corrupt gzip or a gzip bomb: ignore this sitemap
                continue
            locs = [u for u in (canonical(loc) for loc in sitemap.locs) if u]
            if sitemap.kind == "sitemapindex":
                todo += [u for u in locs if origin(u) == host]  # never another host
            else:
                urls += locs
        return urls

    async def _fetch_sitemap(self, url: str) -> bytes | None:
        async def same_host(target: str) -> Failure | None:
            return None if origin(target) == origin(url) else Failure("sitemap redirects to another host")

        r = await self.http.fetch(url, max_redirects=ROBOTS_REDIRECTS, max_bytes=MAX_SITEMAP_BYTES, check_hop=same_host)
        if not isinstance(r, Landed):
            return None
        return r.response.body if r.response.status == 200 and not r.response.too_large else None
