"""The installed distribution's version, read once from its metadata (pyproject.toml is the one source)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("sitebot")
except PackageNotFoundError:  # imported from a bare checkout that was never pip-installed
    VERSION = "0+unknown"
