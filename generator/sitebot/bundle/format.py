"""What a bundle is, in one place: the format version, file naming and JSON encoding.

The browser side holds the same format number in runtime_js/src/shared/format.js; a test
keeps the two equal.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

FORMAT_VERSION = 1  # of sitebot.json: what generate writes, and what eval, deploy and the browser read


def content_name(name: str, data: bytes) -> str:
    """`dir/name.ext` → `dir/name.<12 hex of sha256>.ext` (cacheable forever)."""
    stem, dot, ext = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"


def dumps(obj: Any) -> bytes:
    """Compact, deterministic JSON."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode()
