"""URL hygiene for the crawler: one canonical spelling per page, scope, and crawler traps.

>>> canonical("HTTP://Example.com:80/a/./b/../index.html?utm_source=x&b=2&a=1#top")
'http://example.com/a/?a=1&b=2'
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import quote, unquote, urljoin, urlsplit

# Query parameters that only say where a visitor came from; the page is the same without them.
TRACKING_PARAMS = frozenset({"gclid", "fbclid", "msclkid", "mc_cid", "mc_eid", "_ga", "ref_src"})
# Session ids make every visit a new set of URLs (an endless crawl of the same pages).
SESSION_PARAMS = frozenset({"sid", "sessionid", "session_id", "phpsessid", "jsessionid", "sessid"})
_SESSION_PATH_PARAM = re.compile(r";(?:" + "|".join(SESSION_PARAMS) + r")=[^/;?]*", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_HEX = frozenset("0123456789abcdefABCDEF")
# Characters left as they are (besides unreserved ones) in each part; everything else is %-encoded.
PATH_SAFE = "/:@!$&'()*+,;="
_KEY_SAFE = "/:@!$'()*+,;?"
_VALUE_SAFE = _KEY_SAFE + "="

# Trap limits: real sites stay far below them, generated URL spaces do not.
MAX_SEGMENTS = 12
MAX_SEGMENT_REPEATS = 3
MAX_QUERY_CHARS = 256
MAX_QUERY_PARAMS = 10
TEMPLATE_BUDGET = 50


def normalise_escapes(text: str, safe: str = PATH_SAFE) -> str:
    """%-encode what must be, decode %XX of unreserved characters, upper-case the other escapes.

    `caf%c3%a9`, `café` and `caf%C3%A9` all become `caf%C3%A9`; `%7E` becomes `~`.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "%" and i + 2 < n and text[i + 1] in _HEX and text[i + 2] in _HEX:
            ch = chr(int(text[i + 1 : i + 3], 16))
            out.append(ch if ch in _UNRESERVED else "%" + text[i + 1 : i + 3].upper())
            i += 3
            continue
        out.append(c if c in _UNRESERVED or c in safe else quote(c, safe=""))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: `/a/./b/../c` → `/a/c`."""
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        if seg == ".":
            if i == len(segments) - 1:
                out.append("")
        elif seg == "..":
            if len(out) > 1:
                out.pop()
            if i == len(segments) - 1:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def _keep_param(key: str) -> bool:
    name = unquote(key).lower()
    return not (name.startswith("utm_") or name in TRACKING_PARAMS or name in SESSION_PARAMS)


def canonical(url: str, base: str | None = None) -> str | None:
    """The one spelling of a page's URL, or None when it is not an http(s) URL we can fetch.

    Resolves `url` against `base`; lower-cases scheme and host; drops the default port, the
    fragment, tracking and session-id parameters; sorts the query; `…/index.html` → `…/`.
    """
    url = url.strip()
    if base is not None:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # e.g. a port that is not a number, or a bad IPv6 literal
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    if "@" in parts.netloc:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc

    path = _SESSION_PATH_PARAM.sub("", parts.path)
    path = _remove_dot_segments(normalise_escapes(path)) if path else "/"
    head, _, last = path.rpartition("/")
    if last.lower() in ("index.html", "index.htm"):
        path = head + "/"

    params = []
    for piece in parts.query.split("&"):
        if not piece:
            continue
        key, eq, value = piece.partition("=")
        if _keep_param(key):
            params.append((normalise_escapes(key, _KEY_SAFE), eq + normalise_escapes(value, _VALUE_SAFE)))
    # Sort by key only: the order of repeated keys (a=2&a=1) can matter to the server.
    params.sort(key=lambda kv: kv[0])
    query = "&".join(k + v for k, v in params)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def origin(url: str) -> str:
    """`https://example.com:8443/a?b` → `https://example.com:8443` (for a canonical URL)."""
    scheme, rest = url.split("://", 1)
    return scheme + "://" + rest.split("/", 1)[0]


def in_scope(url: str, scope: str) -> bool:
    """True when canonical `url` is under canonical `scope`.

    A scope ending in `/` is a plain prefix; `https://x/docs` also matches `/docs/…` and
    `/docs?…` but not `/docs-old`.
    """
    if scope.endswith("/"):
        return url.startswith(scope)
    return url == scope or url.startswith(scope + "/") or url.startswith(scope + "?")


def path_and_query(url: str) -> str:
    """`https://x/a/b?c=1` → `/a/b?c=1` (what include/exclude globs and robots rules see)."""
    rest = url.split("://", 1)[1]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


def looks_like_trap(url: str) -> bool:
    """Too deep, a segment repeated (relative links that nest forever), or a runaway query."""
    path, _, query = path_and_query(url).partition("?")
    segments = [s for s in path.split("/") if s]
    if len(segments) > MAX_SEGMENTS:
        return True
    if segments and Counter(segments).most_common(1)[0][1] >= MAX_SEGMENT_REPEATS:
        return True
    if not query:
        return False
    return len(query) > MAX_QUERY_CHARS or query.count("&") + 1 > MAX_QUERY_PARAMS


_DIGITS = re.compile(r"\d+")


def template(url: str) -> str:
    """The shape of a URL: path and sorted query keys, digit runs as 0 (`/cal?month=7` → `/cal?month`)."""
    path, _, query = path_and_query(url).partition("?")
    keys = sorted({p.partition("=")[0] for p in query.split("&") if p})
    return _DIGITS.sub("0", path + "?" + "&".join(keys))


class TemplateBudget:
    """At most `limit` URLs per template among URLs with a query string.

    Only query URLs are counted: numbered paths (`/product/123`, Doxygen's `a00042.html`) are
    real pages on real sites, while generated query spaces (calendars, facets, ever-growing
    filters) are the classic trap. Path-based calendars are still bounded by max_depth.
    """

    def __init__(self, limit: int = TEMPLATE_BUDGET) -> None:
        self.limit = limit
        self.counts: Counter[str] = Counter()

    def admit(self, url: str) -> bool:
        """Count `url` (a URL seen for the first time); False once its template is over budget."""
        if "?" not in url:
            return True
        key = template(url)
        self.counts[key] += 1
        return self.counts[key] <= self.limit
