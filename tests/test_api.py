"""The library's public surface: what `sitebot` exports is listed, sorted and importable."""

from __future__ import annotations

import sitebot


def test_public_names_are_listed_sorted_and_exist() -> None:
    names = [n for n in sitebot.__all__ if n != "__version__"]
    assert names == sorted(names)
    for name in sitebot.__all__:
        assert hasattr(sitebot, name), name
    public = {n for n in dir(sitebot) if not n.startswith("_") and not isinstance(getattr(sitebot, n), type(sitebot))}
    assert public - {"annotations"} <= set(sitebot.__all__)
