"""Sitemaps (sitemaps.org): `urlset`, `sitemapindex`, plain-text lists, gzip or not.

    >>> parse_sitemap(b"<urlset><url><loc>https://x/a</loc></url></urlset>")
    Sitemap(kind='urlset', locs=['https://x/a'])

Fetching lives in discovery.py; this module only turns bytes into URLs.
"""

from __future__ import annotations

import html
import io
import re
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the protocol's limit for one (uncompressed) sitemap
MAX_SITEMAPS = 50  # sitemaps read per crawl, index children included
_GZIP_MAGIC = b"\x1f\x8b"
_LOC = re.compile(rb"<loc>\s*(.*?)\s*</loc>", re.S)  # unprefixed only: <image:loc> is not a page


@dataclass(frozen=True)
class Sitemap:
    kind: str  # "urlset" | "sitemapindex"
    locs: list[str]  # page URLs, or child sitemap URLs for an index


def gunzip(data: bytes, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """Decompress gzip data (recognised by its magic bytes); other data is returned as is.

    Raises ValueError for corrupt data or when the result would pass `limit` (a gzip bomb).
    """
    if not data.startswith(_GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as e:
        raise ValueError(f"corrupt gzip data: {e}") from e
    if len(out) > limit:
        raise ValueError(f"sitemap is larger than {limit} bytes uncompressed")
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_sitemap(data: bytes) -> Sitemap:
    """The URLs a sitemap lists. Namespaced or not; gzip is undone first; malformed XML is read
    leniently (every `<loc>`) because hand-written sitemaps often are malformed."""
    data = gunzip(data)
    head = data.lstrip()[:1]
    if head and head != b"<":
        # A plain-text sitemap: one absolute URL per line.
        lines = data.decode("utf-8", "replace").splitlines()
        return Sitemap("urlset", [s.strip() for s in lines if s.strip().startswith(("http://", "https://"))])
    kind = "urlset"
    locs: list[str] = []
    stack: list[str] = []
    try:
        for event, elem in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):
            name = _local(elem.tag)
            if event == "start":
                if not stack and name == "sitemapindex":
                    kind = "sitemapindex"
                stack.append(name)
                continue
            stack.pop()
            # Only <url><loc> and <sitemap><loc>: image and video extensions have their own <loc>.
            if name == "loc" and stack and stack[-1] in ("url", "sitemap") and elem.text:
                locs.append(elem.text.strip())
            if name in ("url", "sitemap"):
                elem.clear()  # keep memory flat on 50,000-URL sitemaps
    except ElementTree.ParseError:
        kind = "sitemapindex" if b"<sitemapindex" in data[:4096] else "urlset"
        locs = [html.unescape(m.decode("utf-8", "replace")) for m in _LOC.findall(data)]
    return Sitemap(kind, [loc for loc in locs if loc])
