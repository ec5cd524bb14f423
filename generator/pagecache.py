"""Crawled pages kept between builds, so a 304 Not Modified still has content to index.

The bundle records each URL's ETag, Last-Modified and sha256 (index/sources.<h>.json); the
bodies live here, in the cache folder, keyed by URL. A conditional request is sent only
when both agree, so a missing or stale cache just means a plain fetch.
"""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path
from typing import Any


class PageCache:
    def __init__(self, path: Path | None) -> None:
        self.db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path)
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, sha256 TEXT, etag TEXT, "
                "last_modified TEXT, kind TEXT, charset TEXT, content BLOB)"
            )

    def previous(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """`crawl.Cached` entries for the recorded URLs whose body is cached unchanged."""
        from .crawl import Cached

        out: dict[str, Any] = {}
        if self.db is None:
            return out
        for rec in records:
            row = self.db.execute(
                "SELECT sha256, kind, charset, content FROM pages WHERE url = ?", (rec["url"],)
            ).fetchone()
            if row and row[0] == rec.get("sha256") and (rec.get("etag") or rec.get("last_modified")):
                out[rec["url"]] = Cached(rec.get("etag"), rec.get("last_modified"), row[1], row[2], zlib.decompress(row[3]))
        return out

    def put(self, url: str, sha256: str, etag: str | None, last_modified: str | None, kind: str,
            charset: str | None, content: bytes) -> None:
        if self.db is None:
            return
        self.db.execute(
            "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?)",
            (url, sha256, etag, last_modified, kind, charset, zlib.compress(content, 6)),
        )

    def close(self) -> None:
        if self.db is not None:
            self.db.commit()
            self.db.close()
