"""Write a bundle folder atomically: build it beside the target, then swap it into place.

A failed build never leaves a half-written bundle, and an existing bundle at the output
path stays as it was until the new one is complete. Only a folder that is empty or already
a sitebot bundle is ever replaced, so a mistyped `-o` cannot wipe someone's site.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import BundleError
from .format import content_name, is_bundle

RUNTIME = Path(__file__).parent.parent / "runtime"


def runtime_file(name: str) -> bytes:
    path = RUNTIME / name
    if not path.is_file():
        raise BundleError(
            f"the browser runtime is not built ({path} is missing); run `npm ci && npm run build` in runtime_js/"
        )
    return path.read_bytes()


def check_output(output: Path) -> None:
    """Refuse to replace anything that is not an empty folder or a previous bundle."""
    if output.exists():
        if not output.is_dir():
            raise BundleError(f"{output} exists and is not a folder; choose another output path with -o")
        if any(output.iterdir()) and not is_bundle(output):
            raise BundleError(
                f"{output} is a folder that is not a sitebot bundle and not empty; "
                "choose an empty or new output path with -o"
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


class BundleWriter:
    """Collects files in a temporary folder next to the output, then swaps it in."""

    def __init__(self, output: Path) -> None:
        self.output = output
        check_output(output)
        parent = output.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp", dir=parent))
        except OSError as e:
            raise BundleError(f"cannot write to {parent}: {e.strerror}; choose another output path with -o") from e
        self.size = 0

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

    def commit(self) -> None:
        """Swap the finished folder into place; the old bundle is removed only afterwards."""
        old: Path | None = None
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
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
