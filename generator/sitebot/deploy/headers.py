"""The HTTP headers a bundle file should be served with (used by `s3://`; `dir:` and `git:`
leave them to the web server).

    headers_for("index/vectors.3f2a9c0d1e4b.bin", "hashed")
    → Headers("application/octet-stream", "public, max-age=31536000, immutable")
    headers_for("sitebot.json", "manifest") → Headers("application/json", "no-cache")
    headers_for("widget.js", "fixed") → Headers("text/javascript; charset=utf-8", "public, max-age=300, must-revalidate")

Content-addressed files never change under their name, so browsers and CDNs may keep them
forever; the manifest is revalidated on every load (the widget fetches it with
`cache: "no-cache"`), so a deploy is live at once; other fixed-name files (`widget.js`,
`i18n.json`, the demo pages) change in place and are kept five minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300, must-revalidate"
FRESH = "no-cache"

TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    # onnxruntime-web compiles the wasm while it streams only when served as application/wasm.
    ".wasm": "application/wasm",
    ".onnx": "application/octet-stream",
    ".bin": "application/octet-stream",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
ENCODINGS = {".gz": "gzip", ".br": "br"}
HASH = re.compile(r"[0-9a-f]{12}")


@dataclass(frozen=True)
class Headers:
    content_type: str
    cache_control: str
    content_encoding: str | None = None


def headers_for(path: str, kind: str) -> Headers:
    """Headers for a bundle file; `kind` is "hashed", "fixed", "manifest" or "state"."""
    # `name.<hash>.ext`: the hash is not the type. A precompressed `x.js.gz` (none are
    # written today) is served as JavaScript with Content-Encoding: gzip.
    suffixes = [s.lower() for s in PurePosixPath(path).suffixes if not HASH.fullmatch(s[1:])]
    encoding = ENCODINGS.get(suffixes.pop()) if suffixes and suffixes[-1] in ENCODINGS else None
    content_type = TYPES.get(suffixes[-1], "application/octet-stream") if suffixes else "application/octet-stream"
    cache = IMMUTABLE if kind == "hashed" else FRESH if kind in ("manifest", "state") else SHORT
    return Headers(content_type, cache, encoding)
