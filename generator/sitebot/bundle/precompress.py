"""Pre-compressed twins: `x.br` and `x.gz` beside each large compressible file of a bundle.

Hosts that serve them (Netlify, nginx `gzip_static`/`brotli_static`, Caddy `precompressed`,
`sitebot serve`) send the twin with `Content-Encoding` when the browser accepts it; the S3
deploy uploads the gzip twin's bytes under the original key. The manifest does not name the
twins: the browser always asks for the original name, and the server picks the body.

What pays, measured on the SQLAlchemy bundle (gzip -9 / brotli 11, size as a share of the
original): text shards 15–35 %, lexical.json 22 %, chunks.json 4 %, tokenizer.json 41 %, the
scripts 33–46 %, the ort wasm 26 % / 16.5 %. What does not: model.onnx (int8 weights) 91 %,
vectors.bin (int8 codes) 90 %, so large binaries are never tried, and any twin saving under
MIN_SAVING is dropped. Small binaries are tried, since it costs milliseconds: the lite path's
token weights (one byte a token, mostly small) compress to 10 %, the token table's 2 KB files
only to 94 %, so files under 8 KB are not tried.

Brotli at its best quality takes about a minute on the 14 MB wasm, which is the same file in
every build: twins of files over CACHE_FLOOR are kept in the cache folder by the sha256 of the
original, so a rebuild costs a file copy.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import brotli

FLOOR = 1024  # bytes: below this a twin saves less than the headers it adds
MIN_SAVING = 0.10  # a twin must be at least this much smaller than the original
CACHE_FLOOR = 64 * 1024  # smaller files compress in milliseconds: not worth a cache entry
# Text-like files and wasm compress; int8 models and vectors do not (see above).
SUFFIXES = frozenset({".js", ".mjs", ".json", ".wasm", ".html", ".css", ".txt", ".svg", ".md"})
SMALL_BINARY = (8 * 1024, 256 * 1024)  # any file in this range is tried (not the token table's 2 KB files)
ENCODINGS = {".br": "br", ".gz": "gzip"}


def compress(data: bytes, encoding: str) -> bytes:
    """`data` as brotli (best quality) or gzip -9 with no name and mtime 0, so the same bytes give the same twin."""
    if encoding == "br":
        return brotli.compress(data, quality=11)  # type: ignore[no-any-return]
    return gzip.compress(data, compresslevel=9, mtime=0)


def wants_twins(path: Path) -> bool:
    size = path.stat().st_size
    low, high = SMALL_BINARY
    return size >= FLOOR and (path.suffix.lower() in SUFFIXES or low <= size <= high)


def _cached(data: bytes, encoding: str, cache: Path | None) -> bytes:
    if cache is None or len(data) < CACHE_FLOOR:
        return compress(data, encoding)
    entry = cache / f"{hashlib.sha256(data).hexdigest()}.{encoding}"
    try:
        return entry.read_bytes()
    except OSError:
        pass
    body = compress(data, encoding)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
        tmp.write_bytes(body)
        os.replace(tmp, entry)  # a reader never sees half an entry
    except OSError:
        pass  # a cache that cannot be written only makes the next build slower
    return body


def write_twins(folder: Path, cache: Path | None = None) -> dict[str, list[str]]:
    """Write `.br` and `.gz` twins beside every file under `folder` that gains from them.

    Returns each original's path (relative, POSIX) → the encodings written for it. `cache` is a
    folder of twins keyed by the original's sha256, or None to compress everything afresh.
    """
    written: dict[str, list[str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        if not wants_twins(path):
            continue
        data = path.read_bytes()
        for suffix, encoding in ENCODINGS.items():
            body = _cached(data, encoding, cache)
            if len(body) <= len(data) * (1 - MIN_SAVING):
                path.with_name(path.name + suffix).write_bytes(body)
                written.setdefault(path.relative_to(folder).as_posix(), []).append(encoding)
    return written


def twin_of(path: str) -> tuple[str, str] | None:
    """(original path, encoding) when `path` names a twin (`x.json.gz` → `x.json`, gzip), else None."""
    for suffix, encoding in ENCODINGS.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], encoding
    return None
