"""robots.txt with Google's semantics (RFC 9309 plus `*`/`$` and Crawl-delay).

    >>> r = Robots.parse("User-agent: sitebot\\nDisallow: /private/\\nAllow: /private/ok$", "sitebot")
    >>> r.allowed("https://example.com/private/x"), r.allowed("https://example.com/private/ok")
    (False, True)

The group for our product token wins over `*`; inside it the longest matching rule wins and
Allow wins a tie. A robots.txt that answers 4xx allows everything; one that cannot be read
(5xx, timeout) disallows everything for this crawl, as Google does.

Page-level rules (`<meta name=robots>`, `X-Robots-Tag`) are read by `robots_directives`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .urls import normalise_escapes, path_and_query

MAX_ROBOTS_BYTES = 500 * 1024  # Google reads the first 500 KiB and ignores the rest


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups name: `sitebot/0.1 (+https://…)` → `sitebot`."""
    words = user_agent.strip().split()
    return words[0].split("/", 1)[0].lower() if words else ""


@dataclass(frozen=True)
class Rule:
    allow: bool
    pattern: str  # normalised; its length decides precedence
    regex: re.Pattern[str]


def _rule(allow: bool, value: str) -> Rule | None:
    if not value:
        return None  # "Disallow:" with nothing means no restriction
    if not value.startswith(("/", "*")):
        value = "/" + value
    pattern = normalise_escapes(value, safe="/:@!$&'()*+,;=?")
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(part) for part in body.split("*")) + (r"\Z" if anchored else "")
    return Rule(allow, pattern, re.compile(regex))


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None


@dataclass
class Robots:
    """The rules that apply to one user agent on one host."""

    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None
    sitemaps: list[str] = field(default_factory=list)
    disallow_all: bool = False
    # Why everything is disallowed (e.g. "answered HTTP 503"), for error messages.
    unavailable: str | None = None

    @classmethod
    def parse(cls, text: str, agent: str) -> Robots:
        """Parse robots.txt `text` and keep the group(s) for product token `agent`."""
        agent = agent.lower()
        groups: list[_Group] = []
        sitemaps: list[str] = []
        current: _Group | None = None
        in_rules = False  # a user-agent line after rules starts a new group
        for raw in text.lstrip("\ufeff").splitlines():
            line = raw.split("#", 1)[0].strip()
            key, sep, value = line.partition(":")
            if not sep:
                continue
            key, value = key.strip().lower(), value.strip()
            if key == "sitemap":
                if value:
                    sitemaps.append(value)
            elif key in ("user-agent", "useragent"):
                if current is None or in_rules:
                    current = _Group()
                    groups.append(current)
                    in_rules = False
                current.agents.append(value.split()[0].split("/", 1)[0].lower() if value else "")
            elif current is not None and key in ("allow", "disallow"):
                in_rules = True
                rule = _rule(key == "allow", value)
                if rule:
                    current.rules.append(rule)
            elif current is not None and key == "crawl-delay":
                in_rules = True
                try:
                    delay = float(value)
                except ValueError:
                    continue
                if math.isfinite(delay) and delay >= 0:
                    current.crawl_delay = delay

        # The most specific token that names us (`sitebot` before `*`); groups naming it are merged.
        def matches(name: str) -> bool:
            return name == agent or agent.startswith(name + "-")

        named = [name for g in groups for name in g.agents if name != "*" and matches(name)]
        best = max(named, key=len) if named else "*"
        chosen = [g for g in groups if best in g.agents]
        delays = [g.crawl_delay for g in chosen if g.crawl_delay is not None]
        return cls(
            rules=[r for g in chosen for r in g.rules],
            crawl_delay=max(delays) if delays else None,
            sitemaps=sitemaps,
        )

    @classmethod
    def allow_all(cls) -> Robots:
        return cls()

    @classmethod
    def deny_all(cls, why: str) -> Robots:
        return cls(disallow_all=True, unavailable=why)

    def allowed(self, url: str) -> bool:
        """May we fetch `url` (a canonical absolute URL, or a path starting with `/`)?"""
        target = url if url.startswith("/") else path_and_query(url)
        if target == "/robots.txt":
            return True
        if self.disallow_all:
            return False
        best: Rule | None = None
        for rule in self.rules:
            if rule.regex.match(target) and (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow)
            ):
                best = rule
        return best is None or best.allow


# Directives that take a value after a colon; any other `name:` prefix names a crawler.
_VALUED = frozenset({"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"})


def robots_directives(values: Iterable[str], agent: str) -> set[str]:
    """The directives meant for `agent` in X-Robots-Tag values or robots meta contents.

    `noindex, nofollow` and `sitebot: none` apply to us; `otherbot: noindex` does not.
    """
    found: set[str] = set()
    for value in values:
        for_agent: str | None = None  # a `name:` prefix applies to the directives after it
        for part in value.split(","):
            part = part.strip().lower()
            name, sep, rest = part.partition(":")
            name = name.strip()
            if sep and name not in _VALUED and " " not in name:
                for_agent, part = name, rest.strip()
            if for_agent in (None, agent):
                found.add(part)
    return found
