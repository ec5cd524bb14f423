"""sitebot.toml: load, validate (every problem at once, with its line), and merge with flags.

Precedence: defaults < sitebot.toml < flags (a flag left unset never overrides the file).
Secrets are never read from the file: a key-like setting, or an LLM endpoint that would need
one in the page, is refused before anything else is checked (docs/llm.md).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .bot import support
from .checks import (
    EMBED_KEY_FIX,
    ENDPOINT_FORM,
    SECRET_FIX,
    base_url_problem,
    embed_endpoint_error,
    endpoint_problem,
    endpoint_secret_error,
    is_secret_name,
    spec_problem,
    url_secret,
)
from .crawl.options import CrawlOptions
from .errors import ConfigError


def crawl_rule(field: str) -> Callable[[Any], str | None]:
    """The check of one [crawl] value: CrawlOptions.problems() is the one home of those rules."""

    def check(value: Any) -> str | None:
        return next((msg for name, msg in CrawlOptions(**{field: value}).problems() if name == field), None)

    return check


# key → (type, check, message), checked by checks.spec_problem: a check returns a bool, or a problem
# string (then message is unused). Sections are dicts of the same. [handoff], [lead], [feedback],
# [scope] and the branding keys of [bot] live in support.py, which checks them the same way for
# library users.
SCHEMA: dict[str, Any] = {
    "source": (str, None, ""),
    "base_url": (str, base_url_problem, ""),
    "output": (str, None, ""),
    "model": (str, None, ""),
    "cache_dir": (str, None, ""),
    "extract": {
        "selector": (str, None, ""),
        "include": (list, lambda v: all(isinstance(x, str) for x in v), "must be a list of glob strings"),
        "exclude": (list, lambda v: all(isinstance(x, str) for x in v), "must be a list of glob strings"),
    },
    "bundle": {
        "precompress": (bool, None, ""),
    },
    "chunk": {
        "max_tokens": (int, lambda v: 32 <= v <= 512, "must be between 32 and 512"),
        "overlap": (int, lambda v: 0 <= v <= 128, "must be between 0 and 128"),
    },
    # The value rules live with CrawlOptions (crawl/options.py); here only the types.
    "crawl": {
        "max_pages": (int, crawl_rule("max_pages"), ""),
        "max_depth": (int, crawl_rule("max_depth"), ""),
        "concurrency": (int, crawl_rule("concurrency"), ""),
        "delay": (float, crawl_rule("delay"), ""),
        "timeout": (float, crawl_rule("timeout"), ""),
        "max_bytes": (int, crawl_rule("max_bytes"), ""),
        "retries": (int, crawl_rule("retries"), ""),
        "user_agent": (str, crawl_rule("user_agent"), ""),
        "scope": (str, crawl_rule("scope"), ""),
        "respect_robots": (bool, None, ""),
    },
    "bot": {
        "title": (str, None, ""),
        "greeting": (str, None, ""),
        "placeholder": (str, None, ""),
        "not_found": (str, None, ""),
        "accent": support.ACCENT,
        "position": support.POSITION,
        "mode": (str, lambda v: v in ("extractive", "llm"), "must be extractive or llm"),
        "model": (str, lambda v: v in ("auto", "lite", "full"), "must be auto, lite or full"),
        "lang": (
            str,
            lambda v: v == "" or bool(re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", v)),
            "must be a language code like fr or pt-BR, or empty to follow the page",
        ),
        "starters": (
            list,
            lambda v: len(v) <= 6 and all(isinstance(x, str) and 0 < len(x) <= 120 for x in v),
            "must be a list of at most 6 questions of 1 to 120 characters",
        ),
        **support.BOT,
    },
    "llm": {
        "provider": (str, lambda v: v in ("openai", "anthropic"), "must be openai or anthropic"),
        "endpoint": (str, lambda v: endpoint_problem(v) is None, ENDPOINT_FORM),
        "model": (str, lambda v: bool(v.strip()), "must not be empty"),
        "temperature": (float, lambda v: 0 <= v <= 2, "must be between 0 and 2"),
        "max_tokens": (int, lambda v: 1 <= v <= 32768, "must be between 1 and 32768"),
        "passages": (int, lambda v: 1 <= v <= 20, "must be between 1 and 20"),
        "history_turns": (int, lambda v: 0 <= v <= 50, "must be between 0 and 50"),
        "history_tokens": (int, lambda v: 0 <= v <= 32768, "must be between 0 and 32768"),
        "timeout": (float, lambda v: 1 <= v <= 600, "must be between 1 and 600 seconds"),
        "system_prompt": (str, None, ""),
        "prompt_template": (str, None, ""),  # a readable jinja2 file: checked in load_config
    },
    # An OpenAI-compatible embeddings server for large builds (index/endpoint.py); its key only from the env.
    "embed": {
        "endpoint": (str, lambda v: embed_endpoint_error(v, "") is None, "must be an http(s) URL"),
        "model": (str, lambda v: bool(v.strip()), "must not be empty"),
        "batch_size": (int, lambda v: 1 <= v <= 2048, "must be between 1 and 2048"),
        "concurrency": (int, lambda v: 1 <= v <= 64, "must be between 1 and 64"),
    },
    "retrieval": {
        "fusion": (str, lambda v: v in ("adaptive", "convex", "rrf"), "must be adaptive, convex or rrf"),
        "w_dense": (float, lambda v: v >= 0, "must be ≥ 0"),
        "w_lexical": (float, lambda v: v >= 0, "must be ≥ 0"),
        "w_lexical_min": (float, lambda v: 0 <= v <= 1, "must be between 0 and 1"),
        "w_lexical_max": (float, lambda v: 0 <= v <= 1, "must be between 0 and 1"),
        "page_bonus": (float, lambda v: 0 <= v < 1, "must be ≥ 0 and below 1"),
        "min_dense": (float, lambda v: -1 <= v <= 1, "must be between -1 and 1"),
        "rrf_k": (int, lambda v: v > 0, "must be > 0"),
        "candidates": (int, lambda v: v > 0, "must be > 0"),
        "nprobe": (int, lambda v: v > 0, "must be > 0"),
        "k1": (float, lambda v: v > 0, "must be > 0"),
        "b": (float, lambda v: 0 <= v <= 1, "must be between 0 and 1"),
    },
    **support.SPECS,
}


def _secret_errors(values: dict[str, Any], text: str, name: str, section: str | None, errors: list[str]) -> None:
    """Secrets anywhere in the file (checked before anything else, so no other error hides them)."""
    for key, value in values.items():
        dotted = f"{section}.{key}" if section else key
        if isinstance(value, dict):
            _secret_errors(value, text, name, dotted, errors)
            continue
        line = _line_of(text, section, key)
        where = f"{name}:{line}" if line else name
        if is_secret_name(key) and section == "embed":
            errors.append(f"{where}: '{dotted}' is a secret and sitebot.toml is no place for it; {EMBED_KEY_FIX}")
        elif dotted == "embed.endpoint" and isinstance(value, str):
            problem = embed_endpoint_error(value, where)
            if problem and url_secret(value):
                errors.append(problem)
        elif is_secret_name(key):
            errors.append(f"{where}: '{dotted}' would put a secret into the public bundle; {SECRET_FIX}")
        elif dotted == "llm.endpoint" and isinstance(value, str):
            problem = endpoint_secret_error(value, where)
            if problem:
                errors.append(problem)


@dataclass
class Config:
    path: Path | None
    values: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # the file's text, for line numbers

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.values
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def path_value(self, key: str) -> Path | None:
        """A path from the file, relative to the file's folder."""
        v = self.get(key)
        if v is None:
            return None
        base = self.path.parent if self.path else Path(".")
        return (base / v) if not Path(v).is_absolute() else Path(v)


def _line_of(text: str, section: str | None, key: str) -> int | None:
    """The line a key is written on (tomllib does not report positions)."""
    current = None
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        m = re.match(r"^\[\s*([^\]]+?)\s*\]$", s)
        if m:
            current = m.group(1)
            continue
        if current == section and re.match(rf"^{re.escape(key)}\s*=", s):
            return n
    return None


def _check(
    values: dict[str, Any], schema: dict[str, Any], text: str, name: str, section: str | None, errors: list[str]
) -> None:
    for key, value in values.items():
        dotted = f"{section}.{key}" if section else key
        line = _line_of(text, section, key) if not isinstance(value, dict) else None
        where = f"{name}:{line}" if line else name
        spec = schema.get(key)
        if spec is None:
            known = ", ".join(sorted(schema))
            errors.append(f"{where}: unknown key '{dotted}' (known here: {known})")
            continue
        if isinstance(spec, dict):
            if not isinstance(value, dict):
                errors.append(f"{where}: '{dotted}' must be a [{dotted}] table")
            else:
                _check(value, spec, text, name, dotted, errors)
            continue
        problem = spec_problem(spec, value)
        if problem:
            errors.append(f"{where}: '{dotted}' {problem}")


def _section_line(text: str, section: str) -> int | None:
    """The line of a `[section]` header."""
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^\[\s*([^\]]+?)\s*\]$", line.strip())
        if m and m.group(1) == section:
            return n
    return None


def _support_errors(cfg: Config, errors: list[str]) -> None:
    """Rules across the keys of [handoff], [lead], [scope], and the avatar file, with their lines."""
    name = str(cfg.path)
    for section in support.SECTIONS:
        values = cfg.values.get(section)
        if not isinstance(values, dict) or support.key_problems(section, values):
            continue  # not a table, or its keys are already reported
        for key, msg in support.rule_problems(section, values):
            line = _line_of(cfg.text, section, key) if key else _section_line(cfg.text, section)
            errors.append(f"{name}:{line}: {msg}" if line else f"{name}: {msg}")
    avatar = cfg.get("bot.avatar")
    if isinstance(avatar, str) and not support.is_avatar_url(avatar) and support.avatar_problem(avatar) is None:
        path = cfg.path_value("bot.avatar")
        assert path is not None
        try:
            support.read_avatar(path)
        except ValueError as e:
            line = _line_of(cfg.text, "bot", "avatar")
            errors.append(
                f"{name}:{line}: 'bot.avatar' {e}; give an image file relative to sitebot.toml or an https:// URL"
                if line
                else f"{name}: 'bot.avatar' {e}"
            )


def load_config(path: Path | None) -> Config:
    """Read and validate a sitebot.toml; no file means an empty config."""
    if path is None:
        return Config(None)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read config file {path}: {e}") from e
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from e
    errors: list[str] = []
    _secret_errors(values, text, str(path), None, errors)
    if errors:
        raise ConfigError("; ".join(errors))
    _check(values, SCHEMA, text, str(path), None, errors)
    cfg = Config(path, values, text)
    _support_errors(cfg, errors)
    template = cfg.get("llm.prompt_template")
    if isinstance(template, str) and template and not any("'llm.prompt_template'" in e for e in errors):
        try:
            _read_template(cfg)
        except ConfigError as e:
            errors.append(str(e))
    if errors:
        raise ConfigError("; ".join(errors))
    return cfg


def _read_template(cfg: Config) -> str:
    """The prompt template's text: the owner's file (checked), else templates/prompt.jinja."""
    from .bot.prompt import DEFAULT_TEMPLATE, check_template

    path = cfg.path_value("llm.prompt_template") if cfg.get("llm.prompt_template") else None
    if path is None:
        return DEFAULT_TEMPLATE.read_text(encoding="utf-8")
    line = _line_of(cfg.text, "llm", "prompt_template")
    where = f"{cfg.path}:{line}" if line else str(cfg.path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else "not UTF-8 text"
        raise ConfigError(
            f"{where}: llm.prompt_template {path} cannot be read ({reason}); "
            "give a jinja2 file, relative to sitebot.toml"
        ) from None
    check_template(text, name=str(path))
    return text


def resolve_llm(
    cfg: Config,
    *,
    mode: str | None = None,
    endpoint: str | None = None,
    model: str | None = None,
    provider: str | None = None,
) -> dict[str, Any] | None:
    """`settings.llm` as the file and the flags give it, or None in extractive mode.

    Only the values set are returned (with the template's text as `prompt`): the defaults are
    sitebot.options.LLMSettings' own, written nowhere else.
    """
    if endpoint is not None:
        problem = endpoint_secret_error(endpoint, "--llm-endpoint")
        if problem:
            raise ConfigError(problem)
        if endpoint_problem(endpoint):
            raise ConfigError(f"--llm-endpoint {endpoint!r} {endpoint_problem(endpoint)}")
    if model is not None and not model.strip():
        raise ConfigError("--llm-model must not be empty")
    if (mode or cfg.get("bot.mode") or "extractive") != "llm":
        return None
    flags = {"endpoint": endpoint, "model": model, "provider": provider}
    llm = {
        **{k: v for k, v in (cfg.get("llm") or {}).items() if k != "prompt_template"},
        **{k: v for k, v in flags.items() if v is not None},
    }
    for key, flag, example in (
        ("endpoint", "--llm-endpoint", '"https://chat-proxy.example.com/"'),
        ("model", "--llm-model", '"gpt-4o-mini"'),
    ):
        if not llm.get(key):
            line = _line_of(cfg.text, "bot", "mode") if mode is None else None
            where = f"{cfg.path}:{line}: " if line else f"{cfg.path}: " if cfg.path and mode is None else ""
            raise ConfigError(
                f'{where}bot.mode is "llm" but llm.{key} is not set; add {key} = {example} '
                f"under [llm] in sitebot.toml or pass {flag}"
            )
    return {**llm, "prompt": _read_template(cfg)}


def find_config(source: Path | None, explicit: Path | None) -> Path | None:
    """--config, else a sitebot.toml in the source folder, else one in the working folder."""
    if explicit is not None:
        return explicit
    if source is not None and (source / "sitebot.toml").is_file():
        return source / "sitebot.toml"
    if Path("sitebot.toml").is_file():
        return Path("sitebot.toml")
    return None
