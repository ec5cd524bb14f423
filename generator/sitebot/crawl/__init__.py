"""Crawl a live site: `crawl(CrawlOptions(start_urls=(...,)), on_page)` (see crawler.py for the rules)."""

from __future__ import annotations

from .crawler import CrawlResult, crawl
from .options import DEFAULT_USER_AGENT, CrawlOptions
from .pages import Cached, Fetched

__all__ = ["DEFAULT_USER_AGENT", "Cached", "CrawlOptions", "CrawlResult", "Fetched", "crawl"]
