"""Crawled pages kept between builds, so a 304 Not Modified still has content to index.

The bundle records each URL's ETag, Last-Modified and sha256 (index/sources.<h>.json); the
bodies live here, in the cache folder, keyed by URL. A conditional request is sent only
when both agree, so a missing or stale cache just means a plain fetch.
"""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..cachefile import open_cache

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, sha256 TEXT, etag TEXT, "
    "last_modified TEXT, kind TEXT, charset TEXT, content BLOB)"
)


class PageCache:
    def __init__(self, path: Path | None) -> None:
        self.db: sqlite3.Connection | None = None
        if path is not None:
            # The crawler reads from its own thread: one connection, guarded by a lock. A
            # corrupt file is moved aside and a new one started (cachefile.py).
            self.db = open_cache(path, SCHEMA, check_same_thread=False)
        self.lock = threading.Lock()

    def previous(self, records: list[dict[str, Any]]) -> Mapping[str, Any]:
        """`crawl.Cached` entries for the recorded URLs, read lazily (bodies stay on disk)."""
        return _Previous(self, {r["url"]: r for r in records if r.get("etag") or r.get("last_modified")})

    def _cached(self, rec: dict[str, Any]) -> Any:
        from .pages import Cached

        if self.db is None:
            return None
        with self.lock:
            row = self.db.execute(
                "SELECT sha256, kind, charset, content FROM pages WHERE url = ?", (rec["url"],)
            ).fetchone()
        if not row or row[0] != rec.get("sha256"):
            return None  # the cache lost or replaced this page: fetch it plainly
        return Cached(rec.get("etag"), rec.get("last_modified"), row[1], row[2], zlib.decompress(row[3]))

    def put(
        self,
        url: str,
        sha256: str,
        etag: str | None,
        last_modified: str | None,
        kind: str,
        charset: str | None,
        content: bytes,
    ) -> None:
        if self.db is None:
            return
        with self.lock:
            self.db.execute(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?)",
                (url, sha256, etag, last_modified, kind, charset, zlib.compress(content, 6)),
            )

    def close(self) -> None:
        if self.db is not None:
            self.db.commit()
            self.db.close()


class _Previous(Mapping[str, Any]):
    """What the crawler sees as `previous`: it only ever calls .get(url)."""

    def __init__(self, cache: PageCache, records: dict[str, dict[str, Any]]) -> None:
        self.cache, self.records = cache, records

    def __getitem__(self, url: str) -> Any:
        rec = self.records[url]
        found = self.cache._cached(rec)
        if found is None:
            raise KeyError(url)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)
