"""Crawl a live site: `crawl(CrawlOptions(start_urls=(...,)), on_page)` (see crawler.py for the rules).

The names load on first use, so reading CrawlOptions (as `import sitebot` and `sitebot --help`
do) does not import httpx and the rest of the crawler.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .options import DEFAULT_USER_AGENT, CrawlOptions

_LAZY = {"CrawlResult": ".crawler", "crawl": ".crawler", "Cached": ".pages", "Fetched": ".pages"}

__all__ = ["DEFAULT_USER_AGENT", "Cached", "CrawlOptions", "CrawlResult", "Fetched", "crawl"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
