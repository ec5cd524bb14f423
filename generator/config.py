"""sitebot.toml: load, validate (every problem at once, with its line), and merge with flags.

Precedence: defaults < sitebot.toml < flags (a flag left unset never overrides the file).
Secrets are never read from the file: a key-like setting, or an LLM endpoint that would need
one in the page, is refused before anything else is checked (docs/llm.md).
"""

from __future__ import annotations

import re
import tomllib
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

# key → (type, check, message). Sections are dicts of the same.
SCHEMA: dict[str, Any] = {
    "source": (str, None, ""),
    "base_url": (str, lambda v: v.startswith(("http://", "https://", "/")), "must start with http://, https:// or /"),
    "output": (str, None, ""),
    "model": (str, None, ""),
    "cache_dir": (str, None, ""),
    "extract": {
        "selector": (str, None, ""),
        "include": (list, lambda v: all(isinstance(x, str) for x in v), "must be a list of glob strings"),
        "exclude": (list, lambda v: all(isinstance(x, str) for x in v), "must be a list of glob strings"),
    },
    "chunk": {
        "max_tokens": (int, lambda v: 32 <= v <= 512, "must be between 32 and 512"),
        "overlap": (int, lambda v: 0 <= v <= 128, "must be between 0 and 128"),
    },
    "crawl": {
        "max_pages": (int, lambda v: v > 0, "must be > 0"),
        "max_depth": (int, lambda v: v >= 0, "must be ≥ 0"),
        "concurrency": (int, lambda v: 1 <= v <= 64, "must be between 1 and 64"),
        "delay": (float, lambda v: 0 <= v <= 60, "must be between 0 and 60 seconds"),
        "timeout": (float, lambda v: 0 < v <= 600, "must be between 0 and 600 seconds"),
        "max_bytes": (int, lambda v: v > 0, "must be > 0"),
        "retries": (int, lambda v: 0 <= v <= 10, "must be between 0 and 10"),
        "user_agent": (str, lambda v: "sitebot" in v.lower(), "must name sitebot (site owners match robots.txt rules on it)"),
        "scope": (str, lambda v: v.startswith(("http://", "https://")), "must be a URL prefix starting with http:// or https://"),
        "respect_robots": (bool, None, ""),
    },
    "bot": {
        "title": (str, None, ""),
        "greeting": (str, None, ""),
        "placeholder": (str, None, ""),
        "not_found": (str, None, ""),
        "accent": (str, lambda v: bool(_COLOR.match(v)), "must be a colour like #2563eb"),
        "position": (str, lambda v: v in ("left", "right"), "must be left or right"),
        "mode": (str, lambda v: v in ("extractive", "llm"), "must be extractive or llm"),
    },
    "llm": {
        "provider": (str, lambda v: v in ("openai", "anthropic"), "must be openai or anthropic"),
        "endpoint": (str, lambda v: endpoint_problem(v) is None, "must be an http(s) URL or a path relative to the bundle folder"),
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
    "retrieval": {
        "fusion": (str, lambda v: v in ("convex", "rrf"), "must be convex or rrf"),
        "w_dense": (float, lambda v: v >= 0, "must be ≥ 0"),
        "w_lexical": (float, lambda v: v >= 0, "must be ≥ 0"),
        "min_dense": (float, lambda v: -1 <= v <= 1, "must be between -1 and 1"),
        "rrf_k": (int, lambda v: v > 0, "must be > 0"),
        "candidates": (int, lambda v: v > 0, "must be > 0"),
        "k1": (float, lambda v: v > 0, "must be > 0"),
        "b": (float, lambda v: 0 <= v <= 1, "must be between 0 and 1"),
    },
}


@dataclass
class Config:
    path: Path | None
    values: dict[str, Any] = field(default_factory=dict)

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


def _check(values: dict[str, Any], schema: dict[str, Any], text: str, name: str, section: str | None, errors: list[str]) -> None:
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
        typ, ok, msg = spec
        good_type = isinstance(value, typ) and not (typ is int and isinstance(value, bool))
        if typ is float and isinstance(value, int) and not isinstance(value, bool):
            good_type = True
        if not good_type:
            errors.append(f"{where}: '{dotted}' must be a {typ.__name__}, not {type(value).__name__}")
        elif ok is not None and not ok(value):
            errors.append(f"{where}: '{dotted}' {msg}")


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
    _check(values, SCHEMA, text, str(path), None, errors)
    if errors:
        raise ConfigError("; ".join(errors))
    return Config(path, values)


def find_config(source: Path | None, explicit: Path | None) -> Path | None:
    """--config, else a sitebot.toml in the source folder, else one in the working folder."""
    if explicit is not None:
        return explicit
    if source is not None and (source / "sitebot.toml").is_file():
        return source / "sitebot.toml"
    if Path("sitebot.toml").is_file():
        return Path("sitebot.toml")
    return None
