"""Write a bundle folder atomically: build it beside the target, then swap it into place.

A failed build never leaves a half-written bundle, and an existing bundle at the output
path stays as it was until the new one is complete. Only a folder that is empty or holds
nothing but a bundle's own files is ever replaced, so a mistyped `-o` (or one pointing at a
site root a bundle was deployed into) cannot wipe someone's site.

Leftovers of a killed build are ours by name and carry the builder's pid:
`.<name>.<pid>-<random>.tmp` (the folder being written) and `.<name>.old-<pid>` (the previous
bundle during the swap). The next build removes those whose process is gone, and puts an
`.old-` folder back when a crash between the two renames left no bundle at the output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import Any

from ..errors import BundleError
from ..stale import alive, remove_dead
from .format import MANIFEST, content_name, is_bundle, is_content_addressed, manifest_files, parse_manifest, read_in
from .precompress import twin_of, write_twins

# Fixed names a bundle writes next to its content-addressed files (bundle/manifest.py), and the
# record `sitebot deploy --to dir:` leaves when the bundle folder is itself a deploy target.
FIXED_FILES = frozenset({MANIFEST, "widget.js", "i18n.json", "index.html", "snippet.html"})
DEPLOY_RECORD = ".sitebot-deploy.json"  # deploy/plan.py STATE; not imported: deploy sits above bundle
# Folders of content-addressed files; a file there with a hash in its name is a bundle's even
# when the manifest does not name it (an older or damaged sitebot.json).
BUNDLE_DIRS = frozenset({"index", "text", "model", "ort", "brand", "lite"})
LEGACY_TMP_AGE = 3600.0  # seconds: a `.tmp` folder without a pid (older sitebot) is stale after this

RUNTIME = Path(__file__).parent.parent / "runtime"


def runtime_file(name: str) -> bytes:
    path = RUNTIME / name
    if not path.is_file():
        raise BundleError(
            f"the browser runtime is not built ({path} is missing); run `npm ci && npm run build` in runtime_js/"
        )
    return path.read_bytes()


def _deployed_files(folder: Path) -> set[str]:
    """The files a deploy record in `folder` says sitebot put there (older releases it keeps)."""
    try:
        raw = json.loads((folder / DEPLOY_RECORD).read_bytes())
        names = {str(p) for r in raw["releases"] for p in r["files"]}
        return names | {str(p) for p in raw.get("unfinished", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _is_bundle_path(rel: str, named: set[str]) -> bool:
    twin = twin_of(rel)
    if twin is not None and _is_bundle_path(twin[0], named):  # a pre-compressed twin of a bundle file
        return True
    if rel in named or rel in FIXED_FILES or rel == DEPLOY_RECORD:
        return True
    parts = PurePosixPath(rel).parts
    inside = len(parts) > 1 and parts[0] in BUNDLE_DIRS
    top_js = len(parts) == 1 and rel.endswith((".js", ".wasm"))
    return (inside or top_js) and is_content_addressed(rel)


def foreign_file(folder: Path) -> str | None:
    """The first path in `folder` that is not a bundle's own file, or None when all are.

    A bundle's own: what its sitebot.json names, the fixed names, and what a deploy record
    there lists. A symlink is never ours (the folder is replaced, its target is someone's).
    """
    try:
        manifest = parse_manifest((folder / MANIFEST).read_bytes())
    except OSError:
        manifest = None
    named = (manifest_files(manifest, read_in(folder)) if manifest else set()) | _deployed_files(folder)
    for root, dirs, files in os.walk(folder):
        base = Path(root)
        for name in sorted(dirs):
            if (base / name).is_symlink():
                return (base / name).relative_to(folder).as_posix()
        for name in sorted(files):
            rel = (base / name).relative_to(folder).as_posix()
            if (base / name).is_symlink() or not _is_bundle_path(rel, named):
                return rel
    return None


def check_output(output: Path) -> None:
    """Refuse to replace anything that is not an empty folder or a folder of a bundle's own files."""
    if output.exists():
        if not output.is_dir():
            raise BundleError(f"{output} exists and is not a folder; choose another output path with -o")
        if any(output.iterdir()):
            if not is_bundle(output):
                raise BundleError(
                    f"{output} is a folder that is not a sitebot bundle and not empty; "
                    "choose an empty or new output path with -o"
                )
            foreign = foreign_file(output)
            if foreign is not None:
                raise BundleError(
                    f"{output} holds {foreign}, which is not part of a sitebot bundle, and -o would replace the "
                    "whole folder; choose an empty or new output path with -o"
                )
    parent = output.parent if output.parent != Path("") else Path(".")
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise BundleError(
            f"cannot write to {output}: {probe} is a file, not a folder; choose another output path with -o"
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise BundleError(f"cannot write to {probe}: permission denied; choose another output path with -o")


def recover_leftovers(output: Path) -> None:
    """Clean up after a killed build at `output`: finish a half-done swap, remove stale temp folders.

    Only our names are touched, and only when their process is gone. When a crash between
    the two renames of `commit` left no bundle at `output`, the previous bundle is put back.
    """
    parent = output.parent if output.parent != Path("") else Path(".")
    if not parent.is_dir():
        return
    name = re.escape(output.name)
    tmp = re.compile(rf"\.{name}\.(\d+)-[A-Za-z0-9_]+\.tmp")
    legacy_tmp = re.compile(rf"\.{name}\.[A-Za-z0-9_]{{8}}\.tmp")  # before the pid was in the name
    old = re.compile(rf"\.{name}\.old-(\d+)")
    remove_dead(parent, tmp)
    stale_old: list[Path] = []
    for entry in parent.iterdir():
        if entry.is_symlink() or not entry.is_dir():
            continue
        if legacy_tmp.fullmatch(entry.name) and time.time() - entry.stat().st_mtime > LEGACY_TMP_AGE:
            shutil.rmtree(entry, ignore_errors=True)
        elif (m := old.fullmatch(entry.name)) and not alive(int(m.group(1))):
            stale_old.append(entry)
    # Newest first: the one a crash left mid-swap is the latest previous bundle.
    stale_old.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    if stale_old and not os.path.lexists(output) and is_bundle(stale_old[0]):
        previous = stale_old.pop(0)
        try:
            os.rename(previous, output)
        except OSError as e:
            raise BundleError(
                f"cannot put the previous bundle back at {output} ({e.strerror}); rename {previous} to it by hand"
            ) from e
    for entry in stale_old:
        shutil.rmtree(entry, ignore_errors=True)


class BundleWriter:
    """Collects files in a temporary folder next to the output, then swaps it in.

    While it is open, SIGTERM (e.g. from `timeout`) first removes the temporary folder, says
    so in one sentence, then ends the process as SIGTERM would have: an exception raised from
    a signal handler could surface anywhere (inside an import it turns into ImportError), so
    the handler does its own cleanup rather than raise.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        recover_leftovers(output)
        check_output(output)
        parent = output.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.{os.getpid()}-", suffix=".tmp", dir=parent))
        except OSError as e:
            raise BundleError(f"cannot write to {parent}: {e.strerror}; choose another output path with -o") from e
        self.size = 0
        self._committing = False
        self._stop_pending = False
        self._previous_handler: Any = None
        if threading.current_thread() is threading.main_thread():  # only the main thread may set handlers
            self._previous_handler = signal.signal(signal.SIGTERM, self._on_sigterm)

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        if self._committing:  # a stop between the two renames would leave no bundle: finish them first
            self._stop_pending = True
            return
        previous = self._previous_handler
        self.abort()
        if callable(previous):
            previous(signum, frame)
            return
        print(
            f"Error: generate was stopped (SIGTERM) before it finished; {self.output} was left as it was",
            file=sys.stderr,
            flush=True,
        )
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    def _release_signal(self) -> None:
        if self._previous_handler is not None:
            signal.signal(signal.SIGTERM, self._previous_handler)
            self._previous_handler = None

    def add(self, name: str, data: bytes, *, hashed: bool = True) -> str:
        """Write a file; returns its (content-addressed when `hashed`) path in the bundle."""
        final = content_name(name, data) if hashed else name
        path = self.tmp / final
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as e:
            raise BundleError(f"cannot write {path}: {e.strerror}") from e
        self.size += len(data)
        return final

    def precompress(self, cache: Path | None) -> None:
        """Write the `.br`/`.gz` twins of the files added so far (bundle/precompress.py), inside the
        temporary folder, so they appear with the bundle or not at all."""
        try:
            write_twins(self.tmp, cache)
        except OSError as e:
            raise BundleError(f"cannot write the compressed copies in {self.tmp}: {e.strerror}") from e

    def commit(self) -> None:
        """Swap the finished folder into place; the old bundle is removed only afterwards."""
        old: Path | None = None
        self._committing = True
        try:
            os.chmod(self.tmp, 0o755)
            if self.output.exists():
                old = self.output.with_name(f".{self.output.name}.old-{os.getpid()}")
                os.rename(self.output, old)
            os.rename(self.tmp, self.output)
        except OSError as e:
            if old is not None and not self.output.exists():
                os.rename(old, self.output)
            self.abort()
            raise BundleError(f"cannot replace {self.output}: {e.strerror}") from e
        finally:
            self._committing = False
        # The bundle is complete: a SIGTERM from now on ends the process as it normally would.
        self._release_signal()
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        if self._stop_pending:  # the stop that came during the swap, now that the bundle is whole
            os.kill(os.getpid(), signal.SIGTERM)

    def abort(self) -> None:
        self._release_signal()
        shutil.rmtree(self.tmp, ignore_errors=True)
