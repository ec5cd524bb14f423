"""Read a folder of built pages (HTML, Markdown, plain text) and map each file to its URL."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin

from ..errors import SourceError

KINDS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".txt": "text", ".pdf": "pdf"}


@dataclass(frozen=True)
class Page:
    """One file of the site, undecoded, with the URL it is published at."""

    url: str
    path: str  # relative to the source folder, with forward slashes
    kind: str  # "html" | "markdown" | "text" | "pdf"
    content: bytes
    charset: str | None = None  # from the HTTP Content-Type header, when crawled


def url_for(rel_path: str, base_url: str) -> str:
    """The URL a built file is served at: `a/index.html` → `a/`, `docs/x.md` → `docs/x`."""
    parts = rel_path.split("/")
    name = parts[-1]
    stem, ext = os.path.splitext(name)
    if KINDS.get(ext.lower()) == "html":
        if stem.lower() == "index":
            parts[-1] = ""
    elif KINDS.get(ext.lower()) == "markdown":
        # Static-site generators publish docs/x.md as docs/x (or docs/x/); index/README as the folder.
        parts[-1] = "" if stem.lower() in ("index", "readme", "_index") else stem
    return urljoin(base_url, quote("/".join(parts)))


def _is_bundle(folder: Path) -> bool:
    return (folder / "sitebot.json").is_file()


def read_folder(
    root: Path,
    *,
    base_url: str,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    skip: tuple[Path, ...] = (),
) -> Iterator[Page]:
    """Yield the readable pages under `root`, in a stable (sorted) order.

    Hidden files and folders, sitebot bundles (a folder with sitebot.json) and the
    folders in `skip` (e.g. the output folder inside the site) are left out.
    """
    if not root.exists():
        raise SourceError(f"{root} does not exist; give the folder that holds your built site")
    if not root.is_dir():
        raise SourceError(f"{root} is not a folder; give the folder that holds your built site")
    skip_resolved = {p.resolve() for p in skip}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        # Prune in place so os.walk does not descend; sorted for a stable order.
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and d != "node_modules"
            and (here / d).resolve() not in skip_resolved
            and not _is_bundle(here / d)
        )
        for name in sorted(filenames):
            ext = os.path.splitext(name)[1].lower()
            if name.startswith(".") or ext not in KINDS:
                continue
            path = here / name
            rel = path.relative_to(root).as_posix()
            if include and not any(fnmatch.fnmatch(rel, g) for g in include):
                continue
            if any(fnmatch.fnmatch(rel, g) for g in exclude):
                continue
            try:
                content = path.read_bytes()
            except OSError as e:
                raise SourceError(f"cannot read {path}: {e.strerror}") from e
            yield Page(url=url_for(rel, base_url), path=rel, kind=KINDS[ext], content=content)
