"""The library's public surface: what `generator` exports is listed, sorted and importable."""

from __future__ import annotations

import generator


def test_public_names_are_listed_sorted_and_exist() -> None:
    names = [n for n in generator.__all__ if n != "__version__"]
    assert names == sorted(names)
    for name in generator.__all__:
        assert hasattr(generator, name), name
    public = {n for n in dir(generator) if not n.startswith("_") and not isinstance(getattr(generator, n), type(generator))}
    assert public - {"annotations"} <= set(generator.__all__)
