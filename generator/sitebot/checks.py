"""Single-value checks shared by sitebot.toml, the library options, the proxy and the preview server.

A leaf module (standard library only), so config, bot/support, proxy, serve and the pipeline can all
import it without importing each other. Each `*_problem` returns the sentence that follows the
quoted key ("'handoff.email' must be an email address like …"), or None when the value is fine.

Two URL tests, on purpose: `is_http_url` only tells a URL from a file path (an avatar, a source),
while `http_parts`/`url_problem` accept an absolute http(s) URL with a host and no spaces.
Secrets in URLs are found by one rule (`url_secret`), whatever carries the URL.
"""

from __future__ import annotations

import re
import urllib.parse
import zoneinfo
from typing import Any, NamedTuple

# --- URLs ------------------------------------------------------------------------------------------

URL_FORM = "must be an http(s) URL like https://example.com/contact"
BASE_URL_FORM = "must start with http://, https:// or /"
ENDPOINT_FORM = "must be an http(s) URL or a path relative to the bundle folder"
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def is_http_url(value: str) -> bool:
    """Whether `value` is written as an http(s) URL rather than a path (the scheme in any case)."""
    return value.lower().startswith(("http://", "https://"))


def http_parts(value: str) -> urllib.parse.SplitResult | None:
    """The parts of an absolute http(s) URL with a host and no whitespace, else None."""
    if any(c.isspace() for c in value):
        return None
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    # urlsplit lower-cases the scheme, so HTTPS://… is accepted like https://…
    return parts if parts.scheme in ("http", "https") and parts.hostname else None


def url_problem(value: str) -> str | None:
    """Why `value` is not an absolute http(s) URL, or None."""
    return None if http_parts(value) else URL_FORM


def base_url_problem(value: str) -> str | None:
    """Why `value` cannot be the site's base URL (an http(s) URL or a path from the root), or None."""
    if is_http_url(value):
        # Written as a URL, it must be one: 'https://[::1/' would fail later, deep in a build.
        return (
            None
            if http_parts(value)
            else "must be a valid URL like https://example.com/ (or a path from the root, like /)"
        )
    return None if value.startswith("/") else BASE_URL_FORM


def endpoint_problem(url: str) -> str | None:
    """Why `url` is not an http(s) URL or a path relative to the bundle, or None."""
    if not url.strip() or any(c.isspace() for c in url):
        return f"{ENDPOINT_FORM}, without spaces"
    # Only something that looks like scheme: or //host must parse as a URL; the rest is a path.
    if (url.startswith("//") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url)) and http_parts(url) is None:
        return ENDPOINT_FORM
    return None


# --- secrets ---------------------------------------------------------------------------------------

# Query parameters that carry a key, in any URL that ends up public (bundle, proxy files), are found
# by `is_secret_param`: a name is cut into words at anything not a letter or digit and at camelCase
# (`X-Amz-Signature` → x amz signature, `clientSecret` → client secret), and it is secret when one
# word is a secret word, or ends in an unambiguous one (`accesstoken`, `xapikey`, `userpassword`).
# Whole words, not substrings: `keyword`, `monkey`, `author`, `design`, `signal` and `max_tokens`
# stay public, while `key`, `sig`, `auth` and `x-api-key` do not.
SECRET_WORDS = frozenset(
    {
        "key",
        "token",
        "secret",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "signature",
        "sig",
        "auth",
        "oauth",
        "authorization",
        "credential",
        "credentials",
    }
)
_SECRET_WORD_ENDINGS = ("token", "secret", "password", "passwd", "signature", "apikey", "accesskey", "privatekey")
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SECRET_NAMES = {"key", "token", "secret", "api_key", "apikey", "access_token", "password", "authorization"}
_SECRET_SUFFIXES = ("_key", "_token", "_secret", "_password")
# Hosts whose APIs need a secret key: a browser calling them would have to carry it.
_KEYED_HOSTS = {
    "api.openai.com",
    "api.anthropic.com",
    "api.groq.com",
    "openrouter.ai",
    "api.together.xyz",
    "api.together.ai",
    "api.mistral.ai",
    "generativelanguage.googleapis.com",
}
_KEYED_SUFFIXES = (".openai.azure.com",)
SECRET_FIX = (
    "keep the key in the SITEBOT_LLM_API_KEY environment variable where `sitebot proxy` runs and point "
    "llm.endpoint at that proxy (or use a local model that needs no key)"
)


class UrlSecret(NamedTuple):
    """A secret found in a URL: `kind` is "credentials" or "query"; `phrase` says so without repeating it."""

    kind: str
    phrase: str


def is_secret_name(name: str) -> bool:
    """`api_key`, `key`, `token`, `secret` and their kin (`openai_api_key`, `access-token`…)."""
    n = name.lower().replace("-", "_")
    return n in _SECRET_NAMES or n.endswith(_SECRET_SUFFIXES)


def is_secret_param(name: str) -> bool:
    """Whether a URL query parameter named `name` carries a secret (the rule above SECRET_WORDS)."""
    words = [w.lower() for w in _WORD.findall(name)]
    return any(w in SECRET_WORDS or w.endswith(_SECRET_WORD_ENDINGS) for w in words)


def url_secret(url: str) -> UrlSecret | None:
    """The secret `url` carries (user:pass@, or a key-like parameter in its query or fragment), or None;
    not a URL is None."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError:
        return None  # not a URL at all: the URL check says so
    if "@" in parts.netloc:
        return UrlSecret("credentials", "carries credentials (user:pass@)")
    # The fragment too: it is not sent to the server, but it is as public in the bundle (#access_token=…).
    for where, text in (("query", parts.query), ("fragment", parts.fragment)):
        names = sorted(
            {k.lower() for k, _ in urllib.parse.parse_qsl(text, keep_blank_values=True) if is_secret_param(k)}
        )
        if names:
            return UrlSecret("query", f"has a key in its {where} ({names[0]}=…)")
    return None


def is_keyed_host(host: str) -> bool:
    """Whether `host` is an LLM API that needs a secret key (so a browser must not call it directly)."""
    host = host.lower().rstrip(".")
    return host in _KEYED_HOSTS or host.endswith(_KEYED_SUFFIXES)


def endpoint_secret_error(url: str, where: str) -> str | None:
    """The sentence refusing an LLM endpoint that would put a secret in the bundle, or None.

    The URL itself is not repeated when it carries the secret.
    """
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError:
        return None  # not a URL at all: endpoint_problem says so
    secret = url_secret(url)
    if secret:
        return f"{where}: the LLM endpoint {secret.phrase} that would be public in the bundle; {SECRET_FIX}"
    host = (parts.hostname or "").rstrip(".")
    if is_keyed_host(host):
        upstream = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        return (
            f"{where}: the LLM endpoint is {host}, which needs a secret key that would be public in the bundle; "
            f"keep the key in the SITEBOT_LLM_API_KEY environment variable where `sitebot proxy --upstream "
            f"{upstream}` runs and point llm.endpoint at that proxy (or use a local model that needs no key)"
        )
    return None


EMBED_KEY_FIX = "set the key in the SITEBOT_EMBED_KEY environment variable instead (sent as a Bearer token)"


def embed_endpoint_error(url: str, where: str) -> str | None:
    """The sentence refusing an embeddings endpoint URL (`--embed-endpoint`, `embed.endpoint`), or None.

    The key of such a server is read from the environment only: a URL carrying one would end up in
    sitebot.toml, shell history and build logs. The URL is not repeated when it carries a secret.
    """
    secret = url_secret(url)
    if secret:
        return f"{where}: the embeddings endpoint {secret.phrase}; {EMBED_KEY_FIX}"
    if http_parts(url) is None:
        return f"{where} {url!r} must be an http(s) URL like http://127.0.0.1:8080/v1"
    return None


def webhook_problem(value: str) -> str | None:
    """Why `value` cannot be a webhook the browser posts to, or None (the URL is never repeated)."""
    parts = http_parts(value)
    if parts is None:
        return "must be an https:// URL (http:// only for localhost)"
    host = (parts.hostname or "").lower().rstrip(".")
    public = "that would be public in the bundle, which anyone can read"
    secret = url_secret(value)
    if secret and secret.kind == "credentials":
        return f"{secret.phrase} {public}; use a webhook URL without them"
    if secret:
        return f"{secret.phrase} {public}; use a webhook URL without a secret, or your own endpoint that adds it"
    if host == "hooks.slack.com":
        return (
            "is a Slack webhook: Slack webhooks do not accept browser requests and would be public in the bundle; "
            "use a Zapier/Make webhook or your own endpoint that posts to Slack"
        )
    if parts.scheme == "http" and host not in _LOOPBACK:
        return "must use https:// (http:// is only for localhost, 127.0.0.1 or [::1])"
    return None


# --- email, time zone, opening hours ---------------------------------------------------------------

_EMAIL = re.compile(
    r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$"
)
_DAYS = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), 1)}
_FULL_DAYS = {"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7}
_TIME = r"(\d{1,2}):(\d{2})"
HOURS_FORM = (
    'write groups like "Mon-Fri 09:00-17:30, Sat 10:00-14:00" (days Mon to Sun, 24-hour HH:MM times, end after start)'
)


def email_problem(value: str) -> str | None:
    """Why `value` is not a single email address, or None."""
    return None if _EMAIL.match(value) else "must be an email address like help@example.com"


def timezone_problem(value: str) -> str | None:
    """Why `value` is not an IANA time zone name this machine knows, or None."""
    problem = "must be an IANA time zone name like Europe/Paris or America/New_York"
    if not value or value != value.strip() or value.startswith(("/", ".")):
        return problem
    known = zoneinfo.available_timezones()
    if known:
        return None if value in known else problem
    try:  # no tz database listing (some minimal systems): try to load it
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return problem
    return None


def _day(word: str) -> int | None:
    w = word.lower()
    return _DAYS.get(w) or _FULL_DAYS.get(w)


def _days(spec: str) -> list[int] | None:
    """'Mon' → [1]; 'Fri-Mon' → [5, 6, 7, 1] (a range may wrap past Sunday)."""
    ends = [p.strip() for p in re.split(r"\s*[-–]\s*", spec.strip())]
    if len(ends) > 2 or any(_day(e) is None for e in ends):
        return None
    a, b = _day(ends[0]), _day(ends[-1])
    assert a is not None and b is not None
    return [(a - 1 + i) % 7 + 1 for i in range((b - a) % 7 + 1)]


def _minutes(h: str, m: str, *, end: bool) -> int | None:
    hh, mm = int(h), int(m)
    if mm > 59 or hh > 24 or (hh == 24 and (mm or not end)):
        return None
    return hh * 60 + mm


def parse_hours(text: str) -> list[dict[str, Any]]:
    """'Mon-Fri 09:00-17:30, Sat 10:00-14:00' → [{"days": [1,…,5], "from": 540, "to": 1050}, …].

    Days are ISO (1 = Monday), times minutes since midnight. A group without days reuses the
    previous group's ('Mon-Fri 09:00-12:00, 13:00-17:00'); days without times carry on to the
    next group ('Sat, Sun 10:00-14:00'). Raises ValueError saying what could not be read.
    """
    groups = [g.strip() for g in re.split(r"[,;]", text)]
    if not any(groups):
        raise ValueError("is empty")
    out: list[dict[str, Any]] = []
    pending: list[int] = []
    last: list[int] = []
    for n, group in enumerate(groups, 1):
        m = re.fullmatch(rf"(?:(.*?)\s+)?{_TIME}\s*[-–]\s*{_TIME}", group)
        if m is None:
            days = _days(group) if group else None
            if days is None:
                raise ValueError(f"cannot read {group!r} (group {n})")
            pending += days
            continue
        days = _days(m.group(1)) if m.group(1) else None
        if m.group(1) and days is None:
            raise ValueError(f"cannot read the days {m.group(1)!r} (group {n})")
        days = pending + (days or [])
        if not days:
            if not last:
                raise ValueError(f"has no days before {group!r} (group {n})")
            days = last
        start, end = _minutes(m.group(2), m.group(3), end=False), _minutes(m.group(4), m.group(5), end=True)
        if start is None or end is None:
            raise ValueError(f"has a time that is not HH:MM on a 24-hour clock in {group!r} (group {n})")
        if end <= start:
            raise ValueError(f"has a group that ends before it starts ({group!r}, group {n})")
        out.append({"days": sorted(set(days)), "from": start, "to": end})
        pending, last = [], days
    if pending:
        raise ValueError(f"ends with days but no times ({groups[-1]!r})")
    return out


def hours_problem(value: str) -> str | None:
    """Why `value` cannot be read as opening hours (what, then the form to use), or None."""
    try:
        parse_hours(value)
    except ValueError as e:
        return f"{e}; {HOURS_FORM}"
    return None


# --- value specs -----------------------------------------------------------------------------------

# A spec is (type, check, message), as in config.SCHEMA and bot/support's tables: the check returns
# a bool (False → message) or a problem string (then message is unused), or is None for no check.
Spec = tuple[type, Any, str]


def spec_problem(spec: Spec, value: Any) -> str | None:
    """Why `value` does not fit a (type, check, message) spec, or None; the text follows the quoted key."""
    typ, ok, msg = spec
    # bool is an int in Python, but `max_pages = true` is a mistake; an int is a fine float.
    good_type = isinstance(value, typ) and not (typ is int and isinstance(value, bool))
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        good_type = True
    if not good_type:
        article = "an" if typ.__name__[0] in "aeiou" else "a"
        return f"must be {article} {typ.__name__}, not {type(value).__name__}"
    result = ok(value) if ok is not None else None
    if result is False:
        return msg
    return result if isinstance(result, str) else None
