"""Reading a site into documents: a folder or a crawl, extracted, with duplicates merged (exact ones, and
text/Markdown copies of HTML pages).

read_site_folder(opts, report) / crawl_site(opts, report, previous) → Collected
plan(opts) → the pages or URLs a build would read (a dry run)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .crawl.pagecache import PageCache
from .errors import SourceError
from .options import GenerateOptions, default_cache_dir, is_url
from .text.extract import Document, Skipped, extract
from .text.sources import Page, read_folder

Progress = Callable[[str, int, int | None], None]  # (stage, advance, total)


@dataclass
class Collected:
    """What reading a site gave: documents (sorted by URL) and what was left out."""

    docs: list[Document]
    skipped: list[tuple[str, str]]
    duplicates: list[tuple[str, str]]
    records: list[dict[str, Any]]  # per page: url, sha256, etag, last_modified
    requests: int = 0
    not_modified: int = 0


# A text or Markdown page whose words overlap an HTML page's this much (Jaccard over 5-word
# shingles) is that page's source or export: the HTML page is what a visitor browses.
NEAR_DUPLICATE = 0.8
_SHINGLE = 5
_WORD = re.compile(r"\w+")


def shingles(text: str) -> frozenset[str]:
    """The text's 5-word shingles, lowercased, punctuation and markup symbols dropped (so a
    Markdown source and its HTML page compare on their words); a shorter text is one shingle."""
    words = _WORD.findall(text.lower())
    if len(words) <= _SHINGLE:
        return frozenset({" ".join(words)}) if words else frozenset()
    return frozenset(" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1))


def near_duplicates(html: list[Document], others: list[Document]) -> list[tuple[Document, Document]]:
    """(page, HTML page it near-duplicates) for each of `others` (text/Markdown) that near-duplicates one of `html`.

    Shingles of the HTML pages are indexed, so each other page is compared only with the HTML
    pages it shares a shingle with: linear in the sites' text, not in pairs of pages. Ties go to
    the first page in `html` order (sorted by URL), so the answer does not depend on reading order."""
    postings: dict[str, list[int]] = {}
    sizes: list[int] = []
    for i, doc in enumerate(html):
        sh = shingles(doc.text)
        sizes.append(len(sh))
        for s in sh:
            postings.setdefault(s, []).append(i)
    found: list[tuple[Document, Document]] = []
    for doc in others:
        sh = shingles(doc.text)
        shared: dict[int, int] = {}
        for s in sh:
            for i in postings.get(s, ()):
                shared[i] = shared.get(i, 0) + 1
        best = max(shared, key=lambda i: (shared[i] / (len(sh) + sizes[i] - shared[i]), -i), default=None)
        if best is not None and shared[best] / (len(sh) + sizes[best] - shared[best]) >= NEAR_DUPLICATE:
            found.append((doc, html[best]))
    return found


class _Collector:
    """Extracts pages as they arrive (nothing but the extracted text is kept), drops
    noindex and empty pages, merges exact duplicates, keeping the HTML page and then the
    shortest URL, and drops text/Markdown pages that near-duplicate an HTML page."""

    def __init__(self, selector: str, report: Progress) -> None:
        self.selector, self.report = selector, report
        self.by_hash: dict[str, list[Document]] = {}
        self.kinds: dict[int, str] = {}  # id() of a document → the kind of page it was read from
        self.skipped: list[tuple[str, str]] = []
        self.records: list[dict[str, Any]] = []

    def add(self, page: Page, label: str, record: dict[str, Any]) -> None:
        self.report("read", 1, None)
        self.records.append(record)
        try:
            doc = extract(page, selector=self.selector)
        except Skipped as s:
            self.skipped.append((label, str(s)))
            return
        if not doc.text.strip():
            self.skipped.append((label, "no text"))
            return
        key = hashlib.sha256(f"{doc.title}\0{doc.text}".encode()).hexdigest()
        self.by_hash.setdefault(key, []).append(doc)
        self.kinds[id(doc)] = page.kind

    def finish(self) -> tuple[list[Document], list[tuple[str, str]]]:
        """Documents sorted by URL, so the bundle does not depend on reading order."""
        docs, dupes = [], []
        for group in self.by_hash.values():
            keep, *drop = sorted(group, key=lambda d: (self.kinds[id(d)] != "html", len(d.url), d.url))
            docs.append(keep)
            dupes += [(d.url, keep.url) for d in drop]
        docs.sort(key=lambda d: d.url)
        html = [d for d in docs if self.kinds[id(d)] == "html"]
        # PDFs are left alone: a PDF is a download of its own, not a copy of a page's source.
        others = [d for d in docs if self.kinds[id(d)] in ("text", "markdown")]
        near = near_duplicates(html, others)
        dropped = {id(d) for d, _ in near}
        dupes += [(d.url, keep.url) for d, keep in near]
        return [d for d in docs if id(d) not in dropped], sorted(dupes)


def read_site_folder(opts: GenerateOptions, report: Progress) -> Collected:
    """Every page of the folder `opts.source`, as documents."""
    collector = _Collector(opts.selector, report)
    for page in read_folder(
        Path(opts.source),
        base_url=opts.base_url,
        include=opts.include,
        exclude=opts.exclude,
        skip=(opts.output,),
        on_skip=lambda path, reason: collector.skipped.append((path, reason)),
    ):
        sha = hashlib.sha256(page.content).hexdigest()
        collector.add(page, page.path, {"url": page.url, "sha256": sha, "etag": None, "last_modified": None})
    docs, dupes = collector.finish()
    return Collected(docs, sorted(collector.skipped), dupes, sorted(collector.records, key=lambda r: r["url"]))


def crawl_site(opts: GenerateOptions, report: Progress, previous: list[dict[str, Any]]) -> Collected:
    """Crawl from `opts.source`; `previous` are the records of the bundle being rebuilt, for conditional requests."""
    from .crawl import Fetched, crawl

    collector = _Collector(opts.selector, report)
    cache = PageCache((opts.cache_dir or default_cache_dir()) / "pages.sqlite" if opts.use_cache else None)
    try:
        known = cache.previous(previous)

        def on_page(f: Fetched) -> None:
            page = Page(url=f.url, path=f.url, kind=f.kind, content=f.content, charset=f.charset)
            if not f.not_modified:
                cache.put(f.url, f.sha256, f.etag, f.last_modified, f.kind, f.charset, f.content)
            collector.add(
                page, f.url, {"url": f.url, "sha256": f.sha256, "etag": f.etag, "last_modified": f.last_modified}
            )

        copts = replace(opts.crawl, start_urls=(str(opts.source),), include=opts.include, exclude=opts.exclude)
        result = crawl(copts, on_page, previous=known, progress=report)
    finally:
        cache.close()
    docs, dupes = collector.finish()
    return Collected(
        docs,
        sorted(result.skipped + collector.skipped),
        dupes,
        sorted(collector.records, key=lambda r: r["url"]),
        result.requests,
        result.not_modified,
    )


def plan(opts: GenerateOptions) -> list[str]:
    """What a build would read (a dry run): URLs a crawl would fetch, or the folder's pages."""
    opts.validate()
    if is_url(opts.source):
        from .crawl import crawl

        copts = replace(
            opts.crawl, start_urls=(str(opts.source),), include=opts.include, exclude=opts.exclude, dry_run=True
        )
        return crawl(copts, lambda f: None).planned
    return [
        p.url
        for p in read_folder(
            Path(opts.source), base_url=opts.base_url, include=opts.include, exclude=opts.exclude, skip=(opts.output,)
        )
    ]


def nothing_to_index(source: Path | str, skipped: list[tuple[str, str]]) -> SourceError:
    """The error for a site that gave no document, saying why as precisely as the skips allow."""
    what = "site" if is_url(source) else "folder"
    start = next((r for u, r in skipped if u.rstrip("/") == str(source).rstrip("/")), None)
    if start is not None:
        return SourceError(f"{source} gave no page to index: it was skipped ({start})")
    inside = [(u, r) for u, r in skipped if r != "out of scope"]
    if inside:
        reasons = ", ".join(sorted({r for _, r in inside}))
        return SourceError(f"{source} has no page to index: all {len(inside)} pages were skipped ({reasons})")
    return SourceError(
        f"{source} has no readable pages (.html, .htm, .md, .markdown, .txt or .pdf); "
        f"give the {what} your site is built into"
    )
