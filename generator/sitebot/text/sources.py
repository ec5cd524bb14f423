"""Read a folder of built pages (HTML, Markdown, plain text) and map each file to its URL.

Only what is inside the folder is read: a symlink is followed when its real target stays inside
the folder, and skipped with its reason otherwise (a link to /etc/passwd must never be indexed).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin

from ..errors import SourceError

KINDS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".txt": "text", ".pdf": "pdf"}

OnSkip = Callable[[str, str], None]  # (path relative to the folder, reason)

# What site generators write next to the pages, which a visitor never browses: (what it is, the
# text an owner's --include glob must contain to bring it back, a test on the path's parts).
# Source maps and search indexes (.map, searchindex.js, search_index.json) are listed
# too, though a folder read never opens those kinds, because a crawl may be led to them by a link.
_ARTEFACTS: tuple[tuple[str, str, Callable[[list[str]], bool]], ...] = (
    ("Sphinx _sources", "_sources", lambda parts: "_sources" in parts[:-1]),
    ("search page", "search.html", lambda parts: parts[-1] == "search.html"),
    (
        "Sphinx index page",  # genindex.html and py-modindex.html: thousands of terms, no prose
        "index",
        lambda parts: fnmatch.fnmatchcase(parts[-1], "genindex*.html") or parts[-1].endswith("modindex.html"),
    ),
    ("404 page", "404.html", lambda parts: parts[-1] == "404.html"),
    ("source map", ".map", lambda parts: parts[-1].endswith(".map")),
    ("search index", "search", lambda parts: parts[-1] in ("searchindex.js", "search_index.json")),
)


def artefact(rel_path: str, include: tuple[str, ...] = ()) -> str:
    """Why `rel_path` (a folder path or a URL's path, "/"-separated) is a site generator's artefact
    rather than a page, or "" when it is a page. An `include` glob that matches the path and names
    the artefact (contains its marker, e.g. `*/_sources/*` or `search.html`) keeps it: the owner asked."""
    parts = [p for p in rel_path.split("?", 1)[0].lower().split("/") if p] or [""]
    for what, marker, test in _ARTEFACTS:
        if test(parts):
            if any(marker in g.lower() and fnmatch.fnmatch(rel_path, g) for g in include):
                return ""
            return f"site generator artefact ({what})"
    return ""


@dataclass(frozen=True)
class Page:
    """One file of the site, undecoded, with the URL it is published at."""

    url: str
    path: str  # relative to the source folder, with forward slashes
    kind: str  # "html" | "markdown" | "text" | "pdf"
    content: bytes
    charset: str | None = None  # from the HTTP Content-Type header, when crawled


def url_for(rel_path: str, base_url: str) -> str:
    """The URL a built file is served at: `a/index.html` → `a/`, `docs/x.md` → `docs/x`.

    A file name that is not UTF-8 (on Linux, os.walk gives its bytes as surrogate escapes) is
    published under its raw bytes, percent-encoded, as a web server would: `caf\\xe9.html` → `caf%E9.html`.
    """
    parts = rel_path.split("/")
    name = parts[-1]
    stem, ext = os.path.splitext(name)
    if KINDS.get(ext.lower()) == "html":
        if stem.lower() == "index":
            parts[-1] = ""
    elif KINDS.get(ext.lower()) == "markdown":
        # Static-site generators publish docs/x.md as docs/x (or docs/x/); index/README as the folder.
        parts[-1] = "" if stem.lower() in ("index", "readme", "_index") else stem
    return urljoin(base_url, quote("/".join(parts).encode("utf-8", "surrogateescape")))


def display_path(rel_path: str) -> str:
    """A path that can be printed and written to JSON: undecodable bytes of a file name become U+FFFD."""
    return rel_path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _is_bundle(folder: Path) -> bool:
    return (folder / "sitebot.json").is_file()


def _inside(path: Path, root_real: Path) -> bool:
    return path == root_real or path.is_relative_to(root_real)


@dataclass(frozen=True)
class _Dir:
    path: Path  # as reached from the root (through any symlinks followed)
    chain: frozenset[Path]  # real paths of this folder and the folders above it: a link back to one is a loop


def read_folder(
    root: Path,
    *,
    base_url: str,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    skip: tuple[Path, ...] = (),
    on_skip: OnSkip | None = None,
) -> Iterator[Page]:
    """Yield the readable pages under `root`, in a stable (sorted) order.

    Hidden files and folders, sitebot bundles (a folder with sitebot.json) and the
    folders in `skip` (e.g. the output folder inside the site) are left out silently;
    site generator artefacts (see `artefact`), symlinks leading outside `root`, broken ones
    and loops are left out and passed to `on_skip`.
    """
    if not root.exists():
        raise SourceError(f"{root} does not exist; give the folder that holds your built site")
    if not root.is_dir():
        raise SourceError(f"{root} is not a folder; give the folder that holds your built site")
    skipped: OnSkip = on_skip or (lambda rel, reason: None)
    root_real = root.resolve()
    skip_resolved = {p.resolve() for p in skip}
    # Depth first, each folder's files before its subfolders, names sorted: the order os.walk
    # gave before; a stack instead of recursion, as a site's folders can nest deeply.
    todo = [_Dir(root, frozenset({root_real}))]
    while todo:
        here = todo.pop()
        subdirs: list[_Dir] = []
        try:
            with os.scandir(here.path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            if here.path == root:
                raise SourceError(f"cannot read {root}: {e.strerror}") from e
            skipped(display_path(here.path.relative_to(root).as_posix()) + "/", "unreadable folder")
            continue
        for entry in entries:
            path = Path(entry.path)
            rel = path.relative_to(root).as_posix()
            if entry.name.startswith("."):
                continue
            if entry.is_dir():  # follows symlinks
                if entry.name == "node_modules" or _is_bundle(path):
                    continue
                real = path.resolve()
                if real in skip_resolved:
                    continue
                if entry.is_symlink():
                    reason = _link_refused(real, root_real, here.chain)
                    if reason:
                        skipped(display_path(rel) + "/", reason)
                        continue
                subdirs.append(_Dir(path, here.chain | {real}))
                continue
            ext = os.path.splitext(entry.name)[1].lower()
            if ext not in KINDS:
                continue
            if include and not any(fnmatch.fnmatch(rel, g) for g in include):
                continue
            if any(fnmatch.fnmatch(rel, g) for g in exclude):
                continue
            why = artefact(rel, include)
            if why:
                skipped(display_path(rel), why)
                continue
            if entry.is_symlink():
                reason = (
                    "broken symlink" if not path.exists() else _link_refused(path.resolve(), root_real, frozenset())
                )
                if reason:
                    skipped(display_path(rel), reason)
                    continue
            if not entry.is_file():
                continue  # a socket or fifo named .html: nothing to read
            try:
                content = path.read_bytes()
            except OSError as e:
                raise SourceError(f"cannot read {display_path(str(path))}: {e.strerror}") from e
            yield Page(url=url_for(rel, base_url), path=display_path(rel), kind=KINDS[ext], content=content)
        todo.extend(reversed(subdirs))


def _link_refused(real: Path, root_real: Path, chain: frozenset[Path]) -> str:
    """Why a symlink (to `real`) is not followed, or "" when it is."""
    if not _inside(real, root_real):
        return "symlink outside the site"
    if real in chain:
        return "symlink loop"
    return ""
