"""The SQLite files of the cache folder (embeddings.sqlite, pages.sqlite), opened one way.

A cache only saves time, so a damaged one must never fail a build: it is moved aside as
`<name>.corrupt-<n>` (kept for a bug report, never deleted) with one warning, and a new one
is started. What the user must fix (the cache folder is a file, or cannot be written) is
one ConfigError sentence naming the path.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from .errors import ConfigError

# SQLite's answers for a file that is not a database, or one whose pages are damaged.
_CORRUPT = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
_FIX = "give another folder with --cache-dir (or SITEBOT_CACHE_DIR), or pass --no-cache"


def is_corrupt(e: sqlite3.Error) -> bool:
    return getattr(e, "sqlite_errorname", "") in _CORRUPT


def warn(message: str) -> None:
    """One line on stderr: the build goes on, so this is not an error."""
    print(f"Warning: {message}", file=sys.stderr)


def open_cache(path: Path, schema: str, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection to the cache file `path` with `schema` applied; a corrupt file is replaced."""
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"the cache folder {folder} is a file, not a folder; {_FIX}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"cannot create the cache folder {folder} ({e.strerror}); {_FIX}") from e
    try:
        return _connect(path, schema, check_same_thread)
    except sqlite3.Error as e:
        if not is_corrupt(e):
            raise ConfigError(f"cannot use the cache {path} ({e}); {_FIX}") from e
        set_aside(path, e)
    return _connect(path, schema, check_same_thread)


def _connect(path: Path, schema: str, check_same_thread: bool) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=check_same_thread)
    try:
        db.execute(schema)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        db.close()
        raise
    return db


def set_aside(path: Path, error: sqlite3.Error) -> Path:
    """Move the corrupt `path` (and its journal files) to `<name>.corrupt-<n>`, and say so."""
    n = 1
    while any(path.with_name(f"{path.name}{x}.corrupt-{n}").exists() for x in ("", "-journal", "-wal", "-shm")):
        n += 1
    moved = path.with_name(f"{path.name}.corrupt-{n}")
    try:
        # The journal files go too: a stale one would be replayed into the new database.
        for extra in ("-journal", "-wal", "-shm"):
            side = path.with_name(path.name + extra)
            if side.exists():
                side.rename(side.with_name(f"{side.name}.corrupt-{n}"))
        path.rename(moved)
    except OSError as e:
        raise ConfigError(
            f"the cache {path} is corrupt ({error}) and cannot be moved aside ({e.strerror}); {_FIX}"
        ) from e
    warn(f"the cache {path} was corrupt ({error}); moved it to {moved.name} and started a new one")
    return moved
