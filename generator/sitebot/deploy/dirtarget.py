"""`dir:PATH`: copy the bundle into a folder, e.g. the one a web server or a site build serves.

Each file is written under a temporary name in its own folder and renamed into place
(os.replace), so a visitor never reads half a file, and `sitebot.json` is replaced last.
A symlink in the target folder that leads out of it is never followed: a deploy neither
reads, writes nor removes anything outside the folder through one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..bundle.format import Headers
from ..index.model import sha256_file
from .plan import DeployError, LocalFile, Target


class DirTarget(Target):
    def __init__(self, root: Path, label: str | None = None) -> None:
        self.root = root
        self.label = label or f"dir:{root}"

    def open(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise DeployError(f"{self.root} is a file, not a folder; choose another dir: target")

    def _escapes(self, p: Path, *, follow: bool) -> Path | None:
        """Where `p` really is when a symlink on the way (or, with `follow`, `p` itself) leads out of root."""
        root = self.root.resolve()
        real = p.resolve() if follow else p.parent.resolve() / p.name
        return None if real == root or root in real.parents else real

    def _inside(self, path: str) -> Path:
        """`root/path` to write or remove; refused when a folder on the way is a symlink out of root."""
        p = self.root / path
        real = self._escapes(p, follow=False)
        if real is not None:
            raise DeployError(
                f"{p} leads through a symlink to {real}, outside {self.root}; remove the symlink or deploy elsewhere"
            )
        return p

    def read(self, path: str) -> bytes | None:
        p = self.root / path
        if self._escapes(p, follow=True):  # not a file of this folder: never read (or trusted) through a symlink
            return None
        try:
            return p.read_bytes() if p.is_file() else None
        except OSError as e:
            raise DeployError(f"cannot read {p}: {e.strerror}") from e

    def exists(self, path: str) -> bool:
        return os.path.lexists(self.root / path)

    def same(self, path: str, f: LocalFile) -> bool:
        p = self.root / path
        if self._escapes(p, follow=True):
            return False
        try:
            return p.is_file() and p.stat().st_size == f.size and sha256_file(p) == f.sha256
        except OSError:
            return False

    def put(self, path: str, source: Path | bytes, headers: Headers) -> None:
        dest = self._inside(path)  # os.replace swaps a symlink itself, not its target
        tmp: str | None = None
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
            with os.fdopen(fd, "wb") as out:
                if isinstance(source, bytes):
                    out.write(source)
                else:
                    with source.open("rb") as src:
                        shutil.copyfileobj(src, out, 1 << 20)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a web server must read it
            os.replace(tmp, dest)
        except OSError as e:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
            raise DeployError(f"cannot write {dest}: {e.strerror}") from e

    def delete(self, path: str) -> None:
        p = self._inside(path)  # unlink removes a symlink itself, not its target
        try:
            p.unlink()
        except FileNotFoundError:
            pass
        except OSError as e:
            raise DeployError(f"cannot remove {p}: {e.strerror}") from e
