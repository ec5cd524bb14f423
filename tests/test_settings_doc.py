"""The README's `sitebot.toml` table documents every key of config.SCHEMA, and nothing else."""

from __future__ import annotations

import re
from typing import Any

from conftest import ROOT
from sitebot.config import SCHEMA


def schema_keys(schema: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, spec in schema.items():
        keys |= schema_keys(spec, f"{prefix}{key}.") if isinstance(spec, dict) else {prefix + key}
    return keys


def table_keys() -> list[str]:
    """The backticked keys of the first column (`a`, `b` / `c` …) of the table under "### `sitebot.toml`"."""
    text = (ROOT / "README.md").read_text()
    section = text.split("### `sitebot.toml`", 1)[1].split("\n#", 1)[0]
    rows = [ln for ln in section.splitlines() if ln.startswith("| `")]
    assert rows, "no settings table under ### `sitebot.toml`"
    keys = []
    for row in rows:
        first = row.split("|")[1].strip()
        parts = re.split(r",\s*|\s+/\s+", first)
        assert all(re.fullmatch(r"`[a-z0-9_.]+`", p) for p in parts), f"first column is not keys in backticks: {first}"
        keys += [p.strip("`") for p in parts]
    return keys


def test_every_setting_is_documented_once_and_every_documented_key_exists() -> None:
    documented = table_keys()
    assert len(documented) == len(set(documented)), sorted(k for k in documented if documented.count(k) > 1)
    assert sorted(schema_keys(SCHEMA) - set(documented)) == [], "keys missing from the README table"
    assert sorted(set(documented) - schema_keys(SCHEMA)) == [], "README documents keys sitebot.toml does not accept"


def test_the_table_is_grouped_by_section_in_schema_order() -> None:
    sections = list(dict.fromkeys(k.split(".")[0] if "." in k else "" for k in table_keys()))
    assert sections == list(dict.fromkeys("" if not isinstance(v, dict) else k for k, v in SCHEMA.items()))
