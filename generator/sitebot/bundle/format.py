"""What a bundle is, in one place: the format version, file naming, HTTP headers, JSON
encoding, and how a bundle folder is recognised and its manifest read.

    content_name("engine.js", data)          → "engine.3f2a9c0d1e4b.js"
    is_content_addressed("engine.3f2a9c0d1e4b.js") → True; strip_hash(…) → "engine.js"
    headers_for("engine.3f2a9c0d1e4b.js", "hashed")
    → Headers("text/javascript; charset=utf-8", "public, max-age=31536000, immutable")
    read_manifest(Path("public/chatbot"))    → the checked sitebot.json, or one BundleError sentence

The browser side holds the same format number in runtime_js/src/shared/format.js; a test
keeps the two equal.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import BundleError

FORMAT_VERSION = 2  # of sitebot.json: what generate writes, and what eval, deploy and the browser read

MANIFEST = "sitebot.json"
HASH_CHARS = 12  # hex digits of sha256 in a content name: enough to never collide within a bundle
_HASH = re.compile(rf"[0-9a-f]{{{HASH_CHARS}}}")


# --- content names -------------------------------------------------------------------


def content_name(name: str, data: bytes) -> str:
    """`dir/name.ext` → `dir/name.<12 hex of sha256>.ext` (cacheable forever)."""
    stem, dot, ext = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:HASH_CHARS]
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"


def _name_parts(path: str) -> list[str]:
    """The dot-separated parts of a file name after its stem: `a.json.<hash>.gz` → json, <hash>, gz."""
    return PurePosixPath(path).name.split(".")[1:]


def is_content_addressed(path: str, sha256: str | None = None) -> bool:
    """Whether the name carries a content hash; given the file's sha256, whether it is this file's.

    Without `sha256` this is the name alone (what a server sees); with it, a copy whose bytes
    no longer match its name is not content-addressed and must not be cached forever. A file
    named by number in a content-addressed folder (`hashed_folder`) is content-addressed by its
    folder, whose hash covers all its files together (`folder_intact` checks them).
    """
    parts = _name_parts(path)
    if hashed_folder(path) is not None:
        return True
    if sha256 is not None:
        return sha256[:HASH_CHARS] in parts
    return any(_HASH.fullmatch(p) for p in parts)


def hashed_folder(path: str) -> str | None:
    """The folder of a file named only by its number inside a content-addressed folder (the lite
    path's token table: `lite/tokens.<h>/7.bin`, where <h> hashes all its files in order), else None."""
    if any(_HASH.fullmatch(p) for p in _name_parts(path)):
        return None
    parent = PurePosixPath(path).parent
    if parent.name and any(_HASH.fullmatch(p) for p in parent.name.split(".")[1:]):
        return f"{parent}/"
    return None


def folder_intact(root: Path, folder: str, files: list[str]) -> bool:
    """Whether the numbered `files` of a content-addressed `folder` (as `hashed_folder` gives it),
    read in number order, hash to the hash in the folder's name (bundle/manifest.py writes it so)."""
    digest = hashlib.sha256()
    for name in sorted(files, key=lambda f: int(PurePosixPath(f).stem) if PurePosixPath(f).stem.isdigit() else -1):
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:HASH_CHARS] in PurePosixPath(folder.rstrip("/")).name.split(".")


def strip_hash(path: str) -> str:
    """The name `content_name` started from: `dir/name.<hash>.ext` → `dir/name.ext`."""
    p = PurePosixPath(path)
    stem, *parts = p.name.split(".")
    name = ".".join([stem, *(s for s in parts if not _HASH.fullmatch(s))])
    return str(p.with_name(name)) if name else path


# --- HTTP headers --------------------------------------------------------------------
# Content-addressed files never change under their name, so browsers and CDNs may keep them
# forever; the manifest is revalidated on every load (the widget fetches it with
# `cache: "no-cache"`), so a deploy is live at once; other fixed-name files (`widget.js`,
# `i18n.json`, the demo pages) change in place and are kept five minutes by a host.

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300, must-revalidate"
FRESH = "no-cache"

CACHE_CONTROL = {"hashed": IMMUTABLE, "fixed": SHORT, "manifest": FRESH, "state": FRESH}

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
    ".md": "text/markdown; charset=utf-8",  # a previewed site's Markdown pages (`sitebot serve --site`)
}
ENCODINGS = {".gz": "gzip", ".br": "br"}
DEFAULT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class Headers:
    content_type: str
    cache_control: str
    content_encoding: str | None = None


def headers_for(path: str, kind: str) -> Headers:
    """Headers for a bundle file; `kind` is "hashed", "fixed", "manifest" or "state"."""
    # The hash is not the type. A precompressed `x.js.gz` (none are written today) is
    # served as JavaScript with Content-Encoding: gzip.
    suffixes = [s.lower() for s in PurePosixPath(strip_hash(path)).suffixes]
    encoding = ENCODINGS.get(suffixes.pop()) if suffixes and suffixes[-1] in ENCODINGS else None
    content_type = TYPES.get(suffixes[-1], DEFAULT_TYPE) if suffixes else DEFAULT_TYPE
    return Headers(content_type, CACHE_CONTROL.get(kind, SHORT), encoding)


# --- JSON and the manifest -----------------------------------------------------------


def dumps(obj: Any) -> bytes:
    """Compact, deterministic JSON."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode()


def is_bundle(folder: Path) -> bool:
    """Whether `folder` holds a sitebot.json, of any format (a rebuild may replace an older bundle)."""
    return (folder / MANIFEST).is_file()


def parse_manifest(data: bytes) -> dict[str, Any] | None:
    """A sitebot.json's content as a dict when it is one (a JSON object with a format), else None."""
    try:
        manifest = json.loads(data)
    except ValueError:
        return None
    return manifest if isinstance(manifest, dict) and "format" in manifest else None


def table_files(manifest: dict[str, Any], read: Callable[[str], bytes | None]) -> set[str]:
    """The files that the index's tables name, too many for sitebot.json, the tables read with
    `read(path)`: the list files of the dense indexes (`files.vectors.lists`, `lite.vectors.lists`),
    the lexical index's term shards and the chunk metadata's row parts. None for a table that
    cannot be read."""

    def doc(path: Any) -> Any:
        data = read(path) if isinstance(path, str) else None
        try:
            return json.loads(data) if data is not None else {}
        except ValueError:
            return {}

    files = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    lite = manifest.get("lite") if isinstance(manifest.get("lite"), dict) else {}
    found: set[str] = set()
    try:
        for vectors in (files.get("vectors"), lite.get("vectors")):
            if isinstance(vectors, dict):
                found |= {f for f, _ in doc(vectors.get("lists")).get("lists", []) if isinstance(f, str)}
        found |= {s["file"] for s in doc(files.get("lexical")).get("shards", []) if isinstance(s.get("file"), str)}
        found |= {p["file"] for p in doc(files.get("chunks")).get("parts", []) if isinstance(p.get("file"), str)}
    except (AttributeError, TypeError, ValueError):
        pass  # a damaged table: its files are not named
    return found


def manifest_files(manifest: dict[str, Any], read: Callable[[str], bytes | None] | None = None) -> set[str]:
    """Every file a manifest names: the strings under `files`, `runtime` and `model.files`,
    and `settings.avatar` when it is a path in the bundle rather than a URL; with `read(path)`
    (the bundle's bytes, or None), also the list files its dense index's table names."""
    found: set[str] = table_files(manifest, read) if read is not None else set()

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.add(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    model = manifest.get("model")
    for node in (
        manifest.get("files"),
        manifest.get("runtime"),
        model.get("files") if isinstance(model, dict) else None,
    ):
        if node is not None:
            walk(node)
    # Shard entries also hold numbers; only strings are file names.
    found |= lite_files(manifest.get("lite"))
    settings = manifest.get("settings")
    avatar = settings.get("avatar") if isinstance(settings, dict) else None
    if isinstance(avatar, str) and avatar and not re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|//)", avatar):
        found.add(avatar)
    return found


def lite_files(lite: Any) -> set[str]:
    """The files of a manifest's `lite` section: its vocabulary, weights, map, vectors, scope questions and each
    token table file (`tokens.files` of them, numbered, in `tokens.folder`)."""
    if not isinstance(lite, dict):
        return set()
    found = {lite[k] for k in ("vocab", "weights", "map") if isinstance(lite.get(k), str)}
    vectors = lite.get("vectors")
    if isinstance(vectors, dict):
        found |= {vectors[k] for k in ("centroids", "lists") if isinstance(vectors.get(k), str)}
    scope = lite.get("scope")
    if isinstance(scope, dict) and isinstance(scope.get("file"), str):
        found.add(scope["file"])
    tokens = lite.get("tokens")
    if isinstance(tokens, dict) and isinstance(tokens.get("folder"), str) and isinstance(tokens.get("files"), int):
        found |= {f"{tokens['folder']}{i}.bin" for i in range(tokens["files"])}
    return found


def read_manifest(folder: Path) -> dict[str, Any]:
    """The sitebot.json of the bundle at `folder`, of this format; else a BundleError sentence."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BundleError(f"{folder} is not a folder; give the bundle folder that `sitebot generate` wrote")
    if not is_bundle(folder):
        raise BundleError(f"{folder} has no sitebot.json; give the bundle folder that `sitebot generate` wrote")
    path = folder / MANIFEST
    try:
        data = path.read_bytes()
    except OSError as e:
        raise BundleError(f"{path} cannot be read ({e.strerror}); rebuild the bundle with `sitebot generate`") from e
    manifest = parse_manifest(data)
    if manifest is None:
        raise BundleError(f"{path} is not a sitebot manifest; rebuild the bundle with `sitebot generate`")
    if manifest["format"] != FORMAT_VERSION:
        raise BundleError(
            f"{path} is bundle format {manifest['format']!r}, but this sitebot reads format "
            f"{FORMAT_VERSION}; use the sitebot that built it, or rebuild it"
        )
    return manifest


# What a bot cannot work without: manifest section → the keys that must name a file there.
# `files.shards` is a list of {"file", "units"?, "start", "count"}; `files.scope` is optional.
REQUIRED = {
    "files": ("lexical", "chunks", "sources"),
    "model.files": ("model", "tokenizer"),
    "runtime": ("worker", "llm", "support", "ort_wasm"),
}


VECTORS = ("centroids", "lists")


def _section(manifest: dict[str, Any], dotted: str) -> Any:
    node: Any = manifest
    for key in dotted.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def read_in(folder: Path) -> Callable[[str], bytes | None]:
    """A `read(path)` for manifest_files over a bundle folder: the file's bytes, or None."""

    def read(path: str) -> bytes | None:
        try:
            return (folder / path).read_bytes() if ".." not in PurePosixPath(path).parts else None
        except OSError:
            return None

    return read


def required_files(manifest: dict[str, Any], read: Callable[[str], bytes | None] | None = None) -> set[str]:
    """Every file the manifest names, once it names each file a bot needs; else a BundleError.

    The error is the end of a sentence about the manifest ("names no runtime.worker file"), so
    a caller prefixes the manifest's path and suffixes what to do.
    """
    # The dense index is an entry of several files (index/partition.py): its centroids and list table.
    vectors = _section(manifest, "files.vectors")
    if not isinstance(vectors, dict) or not all(isinstance(vectors.get(k), str) and vectors[k] for k in VECTORS):
        raise BundleError("names no files.vectors file")
    for dotted, keys in REQUIRED.items():
        section = _section(manifest, dotted)
        for key in keys:
            if not isinstance(section, dict) or not isinstance(section.get(key), str) or not section[key]:
                raise BundleError(f"names no {dotted}.{key} file")
    shards = _section(manifest, "files.shards")
    if not isinstance(shards, list) or not all(isinstance(s, dict) and isinstance(s.get("file"), str) for s in shards):
        raise BundleError("has no usable files.shards list")
    # A shard's units file (sentence signatures) is optional: bundles built before it mark by words.
    if not all(isinstance(s.get("units", ""), str) for s in shards):
        raise BundleError("has a files.shards entry whose units is not a file name")
    chunks = _section(manifest, "counts.chunks")
    if not shards and chunks != 0:  # text shards hold the answers: only a bundle of no chunks has none
        raise BundleError("names no text shards")
    return manifest_files(manifest, read)
