"""Leftovers of killed sitebot processes: temporary folders whose names carry their process id.

A folder named with `os.getpid()` belongs to a live process or to a dead one; only the dead
ones' folders are ever removed, so two builds or deploys running side by side never touch
each other's work.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


def alive(pid: int) -> bool:
    """Whether process `pid` exists (on this machine); when unsure, say yes so nothing live is touched."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: another user's process
        return True
    return True


def remove_dead(folder: Path, pattern: re.Pattern[str]) -> None:
    """Remove the sub-folders of `folder` whose name fully matches `pattern` (group 1: a pid) and whose process is gone."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink() or not entry.is_dir():
            continue
        m = pattern.fullmatch(entry.name)
        if m and not alive(int(m.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
