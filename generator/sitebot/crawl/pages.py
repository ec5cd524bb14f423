"""Pages: what a response is (kind, charset, 304 from the cache), and what an HTML page says.

page = page_from(landed, conditional.cached)   # a Page, or a Failure naming why not
facts = read_html(page.content, page.url, "sitebot")   # links, rel=canonical, robots meta
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
from selectolax.lexbor import LexborHTMLParser

from ..text.extract import decode, too_complex
from .http import Failure, Landed
from .robots import robots_directives
from .urls import canonical

KINDS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "application/pdf": "pdf",
}
ACCEPT = "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.9,application/pdf;q=0.8,*/*;q=0.1"


@dataclass(frozen=True)
class Cached:
    """What a previous build kept of a page, for conditional requests."""

    etag: str | None
    last_modified: str | None
    kind: str
    charset: str | None
    content: bytes


@dataclass(frozen=True)
class Fetched:
    """One indexable response, handed to on_page."""

    url: str  # canonical URL (after redirects and <link rel=canonical> within scope)
    kind: str  # "html" | "text" | "markdown" | "pdf"
    content: bytes
    charset: str | None  # from the Content-Type header, if any
    etag: str | None
    last_modified: str | None
    sha256: str  # hex sha256 of content
    not_modified: bool  # answered 304 and content came from `previous`
    depth: int


@dataclass
class Elsewhere:
    """A redirect to a URL that another fetch of this crawl handles."""

    url: str


@dataclass
class Page:
    url: str  # canonical URL of the last hop
    chain: list[str]  # the URLs that redirected to it
    kind: str
    content: bytes
    charset: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    robots_tags: list[str]  # X-Robots-Tag header values


def content_type(headers: httpx.Headers) -> tuple[str, str | None]:
    """(mime, charset) from a Content-Type header; mime is "" when there is none."""
    mime, _, params = headers.get("content-type", "").partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return mime.strip().lower(), charset


def sniff(body: bytes) -> str | None:
    """The kind of an untyped body: a PDF or an HTML document, else None."""
    if body.startswith(b"%PDF-"):
        return "pdf"
    head = body[:1024].lstrip().lower()
    return "html" if head.startswith((b"<!doctype html", b"<html")) else None


def wants_body(resp: httpx.Response) -> bool:
    mime, _ = content_type(resp.headers)
    return mime in KINDS or not mime  # untyped bodies are read and sniffed


class Conditional:
    """Request headers for each hop of a page fetch: If-None-Match / If-Modified-Since when a
    previous build kept that URL. Remembers the last hop's entry, so a 304 has content to give."""

    def __init__(self, previous: Mapping[str, Cached]) -> None:
        self.previous = previous
        self.cached: Cached | None = None

    def __call__(self, url: str) -> dict[str, str]:
        self.cached = cached = self.previous.get(url)
        headers = {}
        if cached is not None and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached is not None and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        return headers


def page_from(landed: Landed, cached: Cached | None) -> Page | Failure:
    """The page a final response carries, or why it is not one we index."""
    r = landed.response
    if r.status == 304 and cached is not None:
        return Page(
            url=landed.url,
            chain=landed.chain,
            kind=cached.kind,
            content=cached.content,
            charset=cached.charset,
            etag=r.headers.get("etag") or cached.etag,
            last_modified=r.headers.get("last-modified") or cached.last_modified,
            not_modified=True,
            robots_tags=r.headers.get_list("x-robots-tag"),
        )
    if not 200 <= r.status < 300:
        return Failure(f"HTTP {r.status}")
    mime, charset = content_type(r.headers)
    kind = KINDS.get(mime) or (sniff(r.body) if not mime and r.body is not None else None)
    if kind is None:
        return Failure(f"unsupported type {mime or 'unknown'}", "type", mime or "no Content-Type")
    if r.too_large or r.body is None:
        return Failure("too large")
    return Page(
        url=landed.url,
        chain=landed.chain,
        kind=kind,
        content=r.body,
        charset=charset,
        etag=r.headers.get("etag"),
        last_modified=r.headers.get("last-modified"),
        not_modified=False,
        robots_tags=r.headers.get_list("x-robots-tag"),
    )


@dataclass
class HtmlFacts:
    links: list[str]
    canonical: str | None
    directives: set[str] = field(default_factory=set)


def read_html(content: bytes, url: str, agent: str) -> HtmlFacts:
    """Links to follow (`a`/`area`, not rel=nofollow), rel=canonical and robots meta of one page.

    A page too deep or too large to parse cheaply (extract's bound) yields nothing: it is then
    skipped with its reason by extract, and must not stall the crawl here first.
    """
    text = decode(content, "html")
    if too_complex(text):
        return HtmlFacts([], None, robots_directives([], agent))
    tree = LexborHTMLParser(text)
    base = url
    node = tree.css_first("base[href]")
    if node is not None:
        base = canonical(node.attributes.get("href") or "", url) or url
    meta = [
        m.attributes.get("content") or ""
        for m in tree.css("meta[name]")
        if (m.attributes.get("name") or "").strip().lower() in ("robots", agent)
    ]
    node = tree.css_first("link[rel~=canonical i][href]")
    canon = canonical(node.attributes.get("href") or "", base) if node is not None else None
    links = []
    for a in tree.css("a[href], area[href]"):
        if "nofollow" in (a.attributes.get("rel") or "").lower().split():
            continue
        link = canonical(a.attributes.get("href") or "", base)
        if link:
            links.append(link)
    return HtmlFacts(links, canon, robots_directives(meta, agent))
