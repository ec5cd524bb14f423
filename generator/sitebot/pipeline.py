"""`generate()`: a folder of pages → a static chatbot bundle. Reads top to bottom.

    read pages → extract documents → merge duplicates → chunk → embed → index → write bundle
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .bundle.manifest import previous_records, write_bundle
from .bundle.writer import BundleWriter
from .text.chunk import Chunk, chunk_document
from .checks import is_http_url
from .index.embed import EmbeddingCache, count_tokens, embed_with_cache
from .errors import ConfigError, SourceError
from .text.extract import Document, Skipped, extract
from .index.model import default_model, describe, load, model_from_dir
from .crawl.pagecache import PageCache
from .text.sources import Page, read_folder
from .text.starters import suggest_starters

DEFAULT_RETRIEVAL: dict[str, float | int | str] = {
    "k1": 1.2, "b": 0.75, "candidates": 50,
    # Score-aware fusion (min-max normalised dense and BM25 scores, weighted 3:1, as
    # Weaviate's relative-score fusion does by default). Plain reciprocal-rank fusion let
    # chunks that are middling in both lists win (DESIGN.md); "rrf" is still selectable.
    "fusion": "convex", "w_dense": 0.75, "w_lexical": 0.25, "rrf_k": 60,
    # Below this best cosine the bot says it found nothing (off-topic questions score
    # 0.07–0.29 on the demo site, real ones 0.27 and up).
    "min_dense": 0.25,
}


@dataclass
class BotSettings:
    """Public settings shipped in sitebot.json (never secrets)."""

    title: str = "Ask this site"
    greeting: str = "Hi! Ask me a question about this site."
    placeholder: str = "Ask a question"
    not_found: str = "I couldn't find that on this site."
    accent: str = "#2563eb"
    position: str = "right"
    mode: str = "extractive"
    lang: str = ""  # UI language; "" follows the page's <html lang>
    starters: list[str] | None = None  # None: suggested from the site's headings at build time
    name: str | None = None  # the bot's display name (panel header; speaker in transcripts)
    avatar: str | None = None  # an http(s) image URL, or an image file copied into the bundle (brand/avatar.<h>.<ext>)
    launcher_text: str | None = None  # text on the launcher button, next to its icon
    theme: str = "auto"  # "auto" follows the page; "light" or "dark"
    open_after: int = 0  # seconds before the panel opens by itself, once per visit; 0: never


def _default_prompt() -> str:
    from .bot.prompt import read_template

    return read_template()


@dataclass
class LLMSettings:
    """`settings.llm` of sitebot.json when `bot.mode` is "llm" (docs/llm.md); never a key."""

    endpoint: str  # the proxy or keyless model server; absolute, or relative to the bundle
    model: str
    provider: str = "openai"  # or "anthropic"
    temperature: float = 0.2
    max_tokens: int = 600
    passages: int = 5
    history_turns: int = 4
    history_tokens: int = 600
    timeout: float = 30
    system_prompt: str = ""
    prompt: str = field(default_factory=_default_prompt)  # the template's text

    def manifest(self) -> dict[str, Any]:
        """The keys in the order docs/llm.md shows them."""
        keys = ("provider", "endpoint", "model", "temperature", "max_tokens", "passages", "history_turns",
                "history_tokens", "timeout", "system_prompt", "prompt")
        return {k: getattr(self, k) for k in keys}


@dataclass
class GenerateOptions:
    """Everything `generate` needs; only `source` and `output` are required."""

    source: Path | str  # a folder, or an http(s) start URL to crawl
    output: Path
    base_url: str = "/"
    selector: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    model_dir: Path | None = None
    max_tokens: int = 128
    overlap: int = 24
    query_max_tokens: int = 128
    cache_dir: Path | None = None
    use_cache: bool = True
    bot: BotSettings = field(default_factory=BotSettings)
    llm: LLMSettings | None = None  # required when bot.mode is "llm"
    retrieval: dict[str, float | int] = field(default_factory=dict)
    crawl: dict[str, Any] = field(default_factory=dict)  # sitebot.crawl.crawler.CrawlOptions fields
    # The [handoff], [lead], [feedback] and [scope] tables of sitebot.toml as plain values
    # (README; checked by sitebot.bot.support); None leaves the feature off.
    handoff: dict[str, Any] | None = None
    lead: dict[str, Any] | None = None
    feedback: dict[str, Any] | None = None
    scope: dict[str, Any] | None = None


@dataclass
class GenerateSummary:
    output: Path
    pages: int
    chunks: int
    embedded: int
    bundle_bytes: int
    index_bytes: int
    seconds: float
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path or url, reason)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (dropped url, kept url)
    requests: int = 0  # HTTP requests made (crawls only)
    not_modified: int = 0  # pages answered 304 and taken from the page cache


@dataclass
class Collected:
    """What reading a site gave: documents (sorted by URL) and what was left out."""

    docs: list[Document]
    skipped: list[tuple[str, str]]
    duplicates: list[tuple[str, str]]
    records: list[dict[str, Any]]  # per page: url, sha256, etag, last_modified
    requests: int = 0
    not_modified: int = 0


Progress = Callable[[str, int, int | None], None]  # (stage, advance, total)


def default_cache_dir() -> Path:
    env = os.environ.get("SITEBOT_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sitebot"


def is_url(source: Path | str) -> bool:
    return isinstance(source, str) and is_http_url(source)


class _Collector:
    """Extracts pages as they arrive (nothing but the extracted text is kept), drops
    noindex and empty pages, and merges exact duplicates, keeping the shortest URL."""

    def __init__(self, selector: str, report: Progress) -> None:
        self.selector, self.report = selector, report
        self.by_hash: dict[str, list[Document]] = {}
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

    def finish(self) -> tuple[list[Document], list[tuple[str, str]]]:
        """Documents sorted by URL, so the bundle does not depend on reading order."""
        docs, dupes = [], []
        for group in self.by_hash.values():
            keep, *drop = sorted(group, key=lambda d: (len(d.url), d.url))
            docs.append(keep)
            dupes += [(d.url, keep.url) for d in drop]
        return sorted(docs, key=lambda d: d.url), sorted(dupes)


def _read_folder(opts: GenerateOptions, report: Progress) -> Collected:
    collector = _Collector(opts.selector, report)
    for page in read_folder(
        Path(opts.source), base_url=opts.base_url, include=opts.include, exclude=opts.exclude, skip=(opts.output,)
    ):
        sha = hashlib.sha256(page.content).hexdigest()
        collector.add(page, page.path, {"url": page.url, "sha256": sha, "etag": None, "last_modified": None})
    docs, dupes = collector.finish()
    return Collected(docs, sorted(collector.skipped), dupes, sorted(collector.records, key=lambda r: r["url"]))


def _crawl(opts: GenerateOptions, report: Progress) -> Collected:
    from .crawl.crawler import CrawlOptions, Fetched, crawl

    collector = _Collector(opts.selector, report)
    cache = PageCache(_cache_dir(opts) / "pages.sqlite" if opts.use_cache else None)
    try:
        previous = cache.previous(previous_records(opts.output))

        def on_page(f: Fetched) -> None:
            page = Page(url=f.url, path=f.url, kind=f.kind, content=f.content, charset=f.charset)
            if not f.not_modified:
                cache.put(f.url, f.sha256, f.etag, f.last_modified, f.kind, f.charset, f.content)
            collector.add(page, f.url, {"url": f.url, "sha256": f.sha256, "etag": f.etag, "last_modified": f.last_modified})

        copts = CrawlOptions(start_urls=(str(opts.source),), include=opts.include, exclude=opts.exclude, **opts.crawl)
        result = crawl(copts, on_page, previous=previous, progress=report)
    finally:
        cache.close()
    docs, dupes = collector.finish()
    return Collected(docs, sorted(result.skipped + collector.skipped), dupes,
                     sorted(collector.records, key=lambda r: r["url"]), result.requests, result.not_modified)


def read_documents(opts: GenerateOptions, report: Progress | None = None) -> Collected:
    """Read the site, a folder or a crawl, into documents."""
    progress = report or (lambda stage, n, total: None)
    return _crawl(opts, progress) if is_url(opts.source) else _read_folder(opts, progress)


def plan(opts: GenerateOptions) -> list[str]:
    """What a build would read (a dry run): URLs a crawl would fetch, or the folder's pages."""
    if is_url(opts.source):
        from .crawl.crawler import CrawlOptions, crawl

        copts = CrawlOptions(start_urls=(str(opts.source),), include=opts.include, exclude=opts.exclude,
                             **{**opts.crawl, "dry_run": True})
        return crawl(copts, lambda f: None).planned
    return [p.url for p in read_folder(Path(opts.source), base_url=opts.base_url, include=opts.include,
                                       exclude=opts.exclude, skip=(opts.output,))]


def _cache_dir(opts: GenerateOptions) -> Path:
    return opts.cache_dir or default_cache_dir()


def generate(opts: GenerateOptions, progress: Progress | None = None) -> GenerateSummary:
    """Build the bundle at `opts.output`; raises a SitebotError subclass on user errors."""
    started = time.perf_counter()
    report: Progress = progress or (lambda stage, n, total: None)
    check_llm(opts)
    support, avatar = check_support(opts)
    files = model_from_dir(opts.model_dir) if opts.model_dir else default_model()
    writer = BundleWriter(opts.output)
    try:
        got = read_documents(opts, report)
        docs = got.docs
        if not docs:
            what = "site" if is_url(opts.source) else "folder"
            start = next((r for u, r in got.skipped if u.rstrip("/") == str(opts.source).rstrip("/")), None)
            if start is not None:
                raise SourceError(f"{opts.source} gave no page to index: it was skipped ({start})")
            inside = [(u, r) for u, r in got.skipped if r != "out of scope"]
            if inside:
                reasons = ", ".join(sorted({r for _, r in inside}))
                raise SourceError(f"{opts.source} has no page to index: all {len(inside)} pages were skipped ({reasons})")
            raise SourceError(
                f"{opts.source} has no readable pages (.html, .htm, .md, .markdown, .txt or .pdf); "
                f"give the {what} your site is built into"
            )
        model = load(files)
        chunks = chunk_all(docs, model, opts, report)
        cache = EmbeddingCache(_cache_dir(opts) / "embeddings.sqlite" if opts.use_cache else None)
        try:
            vectors, embedded = embed_with_cache(
                model, [c.embed_text for c in chunks], max_tokens=opts.max_tokens, cache=cache,
                progress=lambda n: report("embed", n, len(chunks)),
            )
            # Scope examples, then the allowed questions, embedded as the browser embeds a question.
            scope = support["scope"]
            examples = [*scope["examples"], *scope["allowed"]] if scope else []
            scope_vectors = embed_with_cache(model, examples, max_tokens=opts.query_max_tokens, cache=cache)[0]
        finally:
            cache.close()
        if avatar is not None:
            support["avatar"] = writer.add(f"brand/avatar{Path(str(opts.bot.avatar)).suffix.lower()}", avatar)
        manifest = write_bundle(
            writer, base_url=opts.base_url, model_files=files, model_info=describe(model), max_tokens=opts.max_tokens,
            query_max_tokens=opts.query_max_tokens, docs=docs, chunks=chunks, vectors=vectors, records=got.records,
            retrieval={**DEFAULT_RETRIEVAL, **opts.retrieval}, settings=_settings(opts, docs, support),
            scope_vectors=scope_vectors, title=opts.bot.title,
        )
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    index_bytes = sum((opts.output / manifest["files"][k]).stat().st_size for k in ("vectors", "lexical", "chunks"))
    return GenerateSummary(
        output=opts.output, pages=len(docs), chunks=len(chunks), embedded=embedded, bundle_bytes=writer.size,
        index_bytes=index_bytes, seconds=time.perf_counter() - started, skipped=got.skipped,
        duplicates=got.duplicates, requests=got.requests, not_modified=got.not_modified,
    )


def check_llm(opts: GenerateOptions) -> None:
    """The llm settings are complete, keyless and their template renders (before anything is written)."""
    from .config import endpoint_secret_error
    from .bot.prompt import check_template

    if opts.bot.mode not in ("extractive", "llm"):
        raise ConfigError(f"bot.mode {opts.bot.mode!r} must be extractive or llm")
    if opts.bot.mode != "llm":
        return
    if opts.llm is None or not opts.llm.endpoint or not opts.llm.model:
        raise ConfigError('bot.mode is "llm" but llm.endpoint or llm.model is not set; set both under [llm]')
    if opts.llm.provider not in ("openai", "anthropic"):
        raise ConfigError(f"llm.provider {opts.llm.provider!r} must be openai or anthropic")
    problem = endpoint_secret_error(opts.llm.endpoint, "llm.endpoint")
    if problem:
        raise ConfigError(problem)
    check_template(opts.llm.prompt, name="llm prompt template")


def check_support(opts: GenerateOptions) -> tuple[dict[str, Any], bytes | None]:
    """Branding, handoff, lead, feedback and scope settings checked (before anything is written).

    Returns the manifest's settings for them and the avatar file's bytes when it is a file.
    """
    from .bot import support

    support.check_bot(opts.bot)
    settings: dict[str, Any] = {s: support.normalise(s, getattr(opts, s)) for s in support.SECTIONS}
    avatar = str(opts.bot.avatar) if opts.bot.avatar is not None else None
    if avatar is None or support.is_avatar_url(avatar):
        return settings, None
    try:
        return settings, support.read_avatar(Path(avatar))
    except ValueError as e:
        raise ConfigError(f"'bot.avatar' {e}; give an image file or an https:// URL") from None


def chunk_all(docs: list[Document], model: Any, opts: GenerateOptions, report: Progress | None = None) -> list[Chunk]:
    """Chunk every document with the model's tokenizer (also used by the benchmarks)."""
    count = lambda texts: count_tokens(model, texts)  # noqa: E731
    chunks: list[Chunk] = []
    for i, doc in enumerate(docs):
        chunks.extend(chunk_document(doc, i, count=count, max_tokens=opts.max_tokens, overlap=opts.overlap))
        if report:
            report("chunk", 1, len(docs))
    if not chunks:
        raise SourceError(f"{opts.source} has pages but no text to index")
    return chunks


def _settings(opts: GenerateOptions, docs: list[Document], support: dict[str, Any] | None = None) -> dict[str, Any]:
    settings: dict[str, Any] = dict(vars(opts.bot))
    if opts.bot.starters is None:
        settings["starters"] = suggest_starters(docs)
    if opts.bot.mode == "llm" and opts.llm is not None:
        settings["llm"] = opts.llm.manifest()
    support = dict(support or {})
    avatar = support.pop("avatar", None)  # an avatar file's path in the bundle
    settings["avatar"] = avatar or (str(opts.bot.avatar) if opts.bot.avatar is not None else None)
    if support.get("scope"):
        scope = support["scope"]
        support["scope"] = {**scope, "examples": len(scope["examples"]), "allowed": len(scope["allowed"])}
    return {**settings, **support}
