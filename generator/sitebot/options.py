"""What a build is asked to do: the option dataclasses, their one `validate()`, and `load_options()`.

    opts = load_options("public", base_url="https://example.com/")   # defaults < sitebot.toml < flags
    opts = GenerateOptions(source=Path("public"), output=Path("chatbot"), crawl=CrawlOptions(start_urls=()))
    opts.validate()   # one ConfigError listing every problem

The CLI is a thin shell over these: a flag it was not given is passed as None, which means
"not given", never "empty".
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .bot import support
from .checks import BASE_URL_FORM, base_url_problem, embed_endpoint_error, endpoint_secret_error
from .config import SCHEMA, Config, find_config, load_config, resolve_llm
from .crawl.options import CrawlOptions
from .errors import ConfigError
from .proxy import DEFAULT_UPSTREAMS, ProxyOptions


@dataclass
class BotSettings:
    """Public settings shipped in sitebot.json (never secrets).

    A text left None is written as null: the widget shows its own default, translated into the
    visitor's language, instead of an English string the owner never chose.
    """

    title: str | None = None
    greeting: str | None = None
    placeholder: str | None = None
    not_found: str | None = None
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
    # Which query path visitors get: "auto" answers on the lite path (no model download) and loads the
    # full model in the background unless the visitor saves data; "lite" never loads it; "full" is the
    # model alone, as before the lite path (docs/bundle-format.md "Lite path").
    model: str = "auto"


def _default_prompt() -> str:
    from .bot.prompt import read_template

    return read_template()


@dataclass
class LLMSettings:
    """`settings.llm` of sitebot.json when `bot.mode` is "llm" (docs/llm.md); never a key.

    These defaults are the only ones: sitebot.toml's [llm] and `sitebot proxy` fall back to them.
    """

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
        keys = (
            "provider",
            "endpoint",
            "model",
            "temperature",
            "max_tokens",
            "passages",
            "history_turns",
            "history_tokens",
            "timeout",
            "system_prompt",
            "prompt",
        )
        return {k: getattr(self, k) for k in keys}


def _no_crawl() -> CrawlOptions:
    # The start URL is the build's source; the pipeline fills it in with dataclasses.replace.
    return CrawlOptions(start_urls=())


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
    precompress: bool = True  # write `.br`/`.gz` twins of the large text and wasm files (bundle/precompress.py)
    bot: BotSettings = field(default_factory=BotSettings)
    llm: LLMSettings | None = None  # required when bot.mode is "llm"
    retrieval: dict[str, float | int] = field(default_factory=dict)
    # How to crawl when source is a URL. Its start_urls, include and exclude are set from source,
    # include and exclude above when the crawl starts.
    crawl: CrawlOptions = field(default_factory=_no_crawl)
    # The [handoff], [lead], [feedback] and [scope] tables of sitebot.toml as plain values
    # (README; checked by sitebot.bot.support); None leaves the feature off.
    handoff: dict[str, Any] | None = None
    lead: dict[str, Any] | None = None
    feedback: dict[str, Any] | None = None
    scope: dict[str, Any] | None = None
    # An OpenAI-compatible embeddings server serving the bundle's model, for sites too large to embed
    # here (index/endpoint.py); None embeds locally. Its key is read from SITEBOT_EMBED_KEY only.
    embed_endpoint: str | None = None
    embed_model: str | None = None  # the name sent as `model`; None: the bundle model's id
    embed_batch_size: int = 64
    embed_concurrency: int = 4

    def validate(self) -> None:
        """Raise one ConfigError listing every problem, before anything is read or written."""
        found = self.problems()
        if found:
            raise ConfigError("; ".join(found))

    def problems(self, labels: Mapping[str, str] | None = None) -> list[str]:
        """Every problem, as sentences; `labels` names a setting by the flag it came from (e.g. --base-url)."""

        def name(key: str) -> str:
            return (labels or {}).get(key, key)

        found: list[str] = []
        typed = [
            _type_problems(key, getattr(self, key), cls)
            for key, cls in (("bot", BotSettings), ("llm", LLMSettings), ("crawl", CrawlOptions))
        ]
        for problems in typed:
            found += problems
        if not isinstance(self.base_url, str) or base_url_problem(self.base_url):
            problem = base_url_problem(self.base_url) if isinstance(self.base_url, str) else BASE_URL_FORM
            found.append(f"{name('base_url')} {self.base_url!r} {problem}")
        for key in ("max_tokens", "overlap"):
            if _spec_problem(SCHEMA["chunk"][key], getattr(self, key)):
                found.append(f"{name(key)} {_spec_problem(SCHEMA['chunk'][key], getattr(self, key))}")
        for key, value in (self.retrieval or {}).items():
            problem = _spec_problem(SCHEMA["retrieval"].get(key), value)
            found += [f"'retrieval.{key}' {problem}"] if problem else []
        if not typed[2]:
            found += _crawl_problems(self.crawl, name)
        found += _embed_problems(self, name)
        if not typed[0]:
            found += _bot_problems(self.bot)
            if self.bot.mode == "llm" and not typed[1]:
                found += _llm_problems(self.llm)
        for section in support.SECTIONS:
            values = getattr(self, section)
            if values is not None and not isinstance(values, Mapping):
                found.append(f"{section} must be a dict of [{section}] settings or None, not a {type(values).__name__}")
                continue
            try:
                support.normalise(section, values)
            except ConfigError as e:
                found.append(str(e))
        return found


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


def check_report_path(path: Path) -> None:
    """Refuse a --report path that cannot be written, before the build rather than after it."""
    parent = path.parent if path.parent != Path("") else Path(".")
    fix = "give a file in an existing folder with --report"
    if path.is_dir():
        raise ConfigError(f"--report {path} is a folder; {fix}")
    if not parent.is_dir():
        raise ConfigError(f"--report {path}: the folder {parent} does not exist; create it or {fix}")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ConfigError(f"--report {path} cannot be written (permission denied); {fix}")


def default_cache_dir() -> Path:
    """Where embeddings and fetched pages are cached when `cache_dir` is not set."""
    env = os.environ.get("SITEBOT_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sitebot"


def is_url(source: Path | str) -> bool:
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


# --- the checks behind validate() ------------------------------------------------------------------


def _spec_problem(spec: tuple[Any, Any, str] | None, value: Any) -> str | None:
    if spec is None:
        return "is not a setting"
    return support.spec_problem(spec, value)


def _type_problems(key: str, value: Any, cls: type) -> list[str]:
    """A library user's dict (or anything else) where a dataclass belongs: a ConfigError, not a TypeError later."""
    if isinstance(value, cls) or (key == "llm" and value is None):
        return []
    where = "sitebot.crawl" if cls is CrawlOptions else "sitebot.options"
    found = [f"{key} must be a {cls.__name__} (from {where}), not a {type(value).__name__}"]
    if isinstance(value, Mapping):
        known = {f.name for f in dataclasses.fields(cls)}
        found += [f"unknown key '{key}.{k}' (known here: {', '.join(sorted(known))})" for k in value if k not in known]
    return found


def _crawl_problems(crawl: CrawlOptions, name: Any) -> list[str]:
    """The crawl values sitebot.toml's [crawl] accepts, under the same rules."""
    found = []
    for key, spec in SCHEMA["crawl"].items():
        value = getattr(crawl, key)
        problem = support.spec_problem(spec, value) if value is not None else None
        if problem:
            label = name(f"crawl.{key}")
            found.append(f"{label} {problem}" if label.startswith("--") else f"'{label}' {problem}")
    return found


def _embed_problems(opts: GenerateOptions, name: Any) -> list[str]:
    """The embeddings endpoint and its settings, under sitebot.toml's [embed] rules."""
    found = []
    if opts.embed_endpoint is not None:
        problem = embed_endpoint_error(opts.embed_endpoint, name("embed.endpoint"))
        found += [problem] if problem else []
    for key in ("model", "batch_size", "concurrency"):
        value = getattr(opts, f"embed_{key}")
        problem = support.spec_problem(SCHEMA["embed"][key], value) if value is not None else None
        found += [f"{name(f'embed.{key}')} {problem}"] if problem else []
    return found


def _bot_problems(bot: BotSettings) -> list[str]:
    found = []
    if bot.mode not in ("extractive", "llm"):
        found.append(f"bot.mode {bot.mode!r} must be extractive or llm")
    if bot.model not in ("auto", "lite", "full"):
        found.append(f"bot.model {bot.model!r} must be auto, lite or full")
    try:
        support.check_bot(bot)
    except ConfigError as e:
        found.append(str(e))
    avatar = str(bot.avatar) if bot.avatar is not None else None
    if avatar is not None and not support.is_avatar_url(avatar) and support.avatar_problem(avatar) is None:
        try:
            support.read_avatar(Path(avatar))
        except ValueError as e:
            found.append(f"'bot.avatar' {e}; give an image file or an https:// URL")
    return found


def _llm_problems(llm: LLMSettings | None) -> list[str]:
    """Complete, keyless, and a template that renders (the mode is "llm")."""
    from .bot.prompt import check_template

    if llm is None or not llm.endpoint or not llm.model:
        return ['bot.mode is "llm" but llm.endpoint or llm.model is not set; set both under [llm]']
    found = []
    if llm.provider not in ("openai", "anthropic"):
        found.append(f"llm.provider {llm.provider!r} must be openai or anthropic")
    problem = endpoint_secret_error(llm.endpoint, "llm.endpoint")
    if problem:
        found.append(problem)
    try:
        check_template(llm.prompt, name="llm prompt template")
    except ConfigError as e:
        found.append(str(e))
    return found


# --- defaults < sitebot.toml < flags ----------------------------------------------------------------

# Flags of `load_options` → the crawl setting each sets (the rest of [crawl] comes from the file only).
_CRAWL_FLAGS = ("max_pages", "max_depth", "concurrency", "delay", "user_agent", "scope")
_FLAGS = {
    "output",
    "base_url",
    "model_dir",
    "selector",
    "include",
    "exclude",
    "max_tokens",
    "title",
    "mode",
    "llm_endpoint",
    "llm_model",
    "llm_provider",
    "cache_dir",
    "use_cache",
    "precompress",
    "embed_endpoint",
    "embed_model",
    *_CRAWL_FLAGS,
}


def _source(source: Path | str | None, config: Path | None) -> tuple[Path | str | None, Config]:
    """The pages to read and the config that goes with them (a folder may hold its own sitebot.toml)."""
    if isinstance(source, str) and not is_url(source):
        if "://" in source:
            raise ConfigError(f"{source!r} is not a folder or an http(s) URL; give a folder or https://your.site/")
        source = Path(source)
    folder = source if isinstance(source, Path) and source.is_dir() else None
    cfg = load_config(find_config(folder, config))
    if folder is not None and cfg.path is not None and cfg.path.parent.resolve() == folder.resolve():
        src = cfg.get("source")  # the folder holds the config; its `source` names the pages
        source = src if src and is_url(src) else (cfg.path_value("source") or folder)
    elif source is None:
        src = cfg.get("source")
        source = src if src and is_url(src) else cfg.path_value("source")
    return source, cfg


def load_options(source: Path | str | None, config: Path | None = None, **flags: Any) -> GenerateOptions:
    """The build's options: defaults < sitebot.toml < flags, validated (one ConfigError lists every problem).

    `source` is a folder, an http(s) URL, a folder holding a sitebot.toml whose `source` names
    the pages, or None to take `source` from ./sitebot.toml. `config` is the sitebot.toml to read
    (default: one in the source folder, else in the working folder). A flag that is None was not
    given: the file's value, else the default, stands. Flags are named as the CLI's options
    (`base_url`, `max_tokens`, `llm_endpoint`, `max_pages`…, `use_cache` and `precompress`).
    """
    unknown = sorted(set(flags) - _FLAGS)
    if unknown:
        raise ConfigError(f"unknown option {', '.join(map(repr, unknown))} (known: {', '.join(sorted(_FLAGS))})")
    given = {k: v for k, v in flags.items() if v is not None}
    src, cfg = _source(source, config)
    found: list[str] = []
    if src is None:
        found.append("no site folder given; run `sitebot generate PATH` with the folder your site is built into")
    base = given.get("base_url") or cfg.get("base_url") or "/"
    if isinstance(base, str) and base.startswith(("http://", "https://", "/")) and not base.endswith("/"):
        base += "/"
    bot = BotSettings(**(cfg.get("bot") or {}))
    if bot.avatar and not bot.avatar.lower().startswith(("http://", "https://")):
        bot.avatar = str(cfg.path_value("bot.avatar"))  # a file, relative to sitebot.toml
    if given.get("title"):
        bot.title = given["title"]
    if "mode" in given:
        bot.mode = given["mode"]
    llm, llm_failed = None, False
    try:
        values = resolve_llm(
            cfg,
            mode=given.get("mode"),
            endpoint=given.get("llm_endpoint"),
            model=given.get("llm_model"),
            provider=given.get("llm_provider"),
        )
        llm = LLMSettings(**values) if values is not None else None
    except ConfigError as e:
        found.append(str(e))
        llm_failed = True  # already said, with the file's line: problems() would say it again
    crawl = dataclasses.replace(
        _no_crawl(), **{**(cfg.get("crawl") or {}), **{k: given[k] for k in _CRAWL_FLAGS if k in given}}
    )
    opts = GenerateOptions(
        source=src if src is not None else Path("."),
        output=given.get("output") or cfg.path_value("output") or Path("chatbot"),
        base_url=base,
        selector=given.get("selector", cfg.get("extract.selector") or ""),
        include=tuple(given.get("include", cfg.get("extract.include") or ())),
        exclude=tuple(given.get("exclude", cfg.get("extract.exclude") or ())),
        model_dir=given.get("model_dir") or cfg.path_value("model"),
        max_tokens=given.get("max_tokens", cfg.get("chunk.max_tokens", 128)),
        overlap=cfg.get("chunk.overlap", 24),
        cache_dir=given.get("cache_dir") or cfg.path_value("cache_dir"),
        use_cache=given.get("use_cache", True),
        precompress=given.get("precompress", cfg.get("bundle.precompress", True)),
        bot=bot,
        llm=llm,
        retrieval=dict(cfg.get("retrieval") or {}),
        crawl=crawl,
        handoff=cfg.get("handoff"),
        lead=cfg.get("lead"),
        feedback=cfg.get("feedback"),
        scope=cfg.get("scope"),
        embed_endpoint=given.get("embed_endpoint", cfg.get("embed.endpoint")),
        embed_model=given.get("embed_model", cfg.get("embed.model")),
        embed_batch_size=cfg.get("embed.batch_size", 64),
        embed_concurrency=cfg.get("embed.concurrency", 4),
    )
    # Values from flags are named by their flag, as the owner typed them.
    labels = {k: "--" + k.replace("_", "-") for k in ("base_url", "max_tokens") if k in given}
    labels |= {f"embed.{k}": f"--embed-{k}" for k in ("endpoint", "model") if f"embed_{k}" in given}
    labels |= {f"crawl.{k}": "--" + k.replace("_", "-") for k in _CRAWL_FLAGS if k in given}
    found += [p for p in opts.problems(labels) if not (llm_failed and p.startswith('bot.mode is "llm"'))]
    if found:
        raise ConfigError("; ".join(found))
    return opts


def load_proxy_options(
    config: Path | None = None,
    *,
    provider: str | None = None,
    upstream: str | None = None,
    allow_origins: tuple[str, ...] | None = None,
    model: str | None = None,
    max_tokens: int | None = None,
    rate_limit: int | None = None,
    max_body: int | None = None,
) -> ProxyOptions:
    """`sitebot proxy`'s options: defaults < sitebot.toml's [llm] and base_url < flags (None: not given).

    With no origin given, the origin of an absolute base_url is allowed.
    """
    from urllib.parse import urlsplit

    cfg = load_config(find_config(None, config))
    llm_defaults = {f.name: f.default for f in dataclasses.fields(LLMSettings)}
    chosen = provider or cfg.get("llm.provider") or llm_defaults["provider"]
    origins = tuple(allow_origins or ())
    base = cfg.get("base_url") or ""
    if not origins and base.startswith(("http://", "https://")):
        origins = (f"{urlsplit(base).scheme}://{urlsplit(base).netloc}",)
    proxy_defaults = {f.name: f.default for f in dataclasses.fields(ProxyOptions)}
    return ProxyOptions(
        provider=chosen,
        upstream=upstream or DEFAULT_UPSTREAMS.get(chosen, ""),
        allow_origins=origins,
        model=model or cfg.get("llm.model") or "",
        max_tokens=max_tokens or cfg.get("llm.max_tokens") or llm_defaults["max_tokens"],
        rate_limit=rate_limit if rate_limit is not None else proxy_defaults["rate_limit"],
        max_body=max_body if max_body is not None else proxy_defaults["max_body"],
    )
