"""The bundle format's rules in sitebot.bundle.format: version, content names, headers, manifest reading."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT
from sitebot.bundle.format import (
    FORMAT_VERSION,
    FRESH,
    IMMUTABLE,
    SHORT,
    content_name,
    dumps,
    headers_for,
    is_bundle,
    is_content_addressed,
    read_manifest,
    strip_hash,
)
from sitebot.errors import BundleError


def test_python_and_browser_read_the_same_format() -> None:
    source = (ROOT / "runtime_js" / "src" / "shared" / "format.js").read_text()
    (number,) = re.findall(r"export const FORMAT_VERSION = (\d+);", source)
    assert int(number) == FORMAT_VERSION


@pytest.mark.parametrize(
    ("name", "expect"),
    [
        ("engine.js", "engine.{h}.js"),
        ("index/vectors.bin", "index/vectors.{h}.bin"),
        ("text/chunks.json.gz", "text/chunks.json.{h}.gz"),
        ("LICENSE", "LICENSE.{h}"),
    ],
)
def test_a_content_name_carries_the_hash_and_strips_back(name: str, expect: str) -> None:
    data = b"some bytes"
    digest = hashlib.sha256(data).hexdigest()
    named = content_name(name, data)
    assert named == expect.format(h=digest[:12])
    assert is_content_addressed(named) and is_content_addressed(named, digest)
    assert not is_content_addressed(named, hashlib.sha256(b"other bytes").hexdigest())  # a damaged copy
    assert strip_hash(named) == name


@pytest.mark.parametrize(
    "path", ["widget.js", "sitebot.json", "index.html", "0123456789ab.js", "a.0123456789AB.js", "engine.0123456789a.js"]
)
def test_fixed_names_are_not_content_addressed(path: str) -> None:
    assert not is_content_addressed(path)
    assert strip_hash(path) == path


@pytest.mark.parametrize(
    ("path", "kind", "ctype", "cache"),
    [
        ("ort/ort-wasm-simd-threaded.3398c10d07d2.wasm", "hashed", "application/wasm", IMMUTABLE),
        ("model/tokenizer.8199be6f699a.json", "hashed", "application/json", IMMUTABLE),
        ("brand/avatar.8199be6f699a.PNG", "hashed", "application/octet-stream", IMMUTABLE),
        ("sitebot.json", "manifest", "application/json", FRESH),
        (".sitebot-deploy.json", "state", "application/json", FRESH),
        ("i18n.json", "fixed", "application/json", SHORT),
        ("snippet.html", "fixed", "text/html; charset=utf-8", SHORT),
        ("notes", "fixed", "application/octet-stream", SHORT),
    ],
)
def test_one_table_gives_type_and_cache(path: str, kind: str, ctype: str, cache: str) -> None:
    h = headers_for(path, kind)
    assert (h.content_type, h.cache_control, h.content_encoding) == (ctype, cache, None)


def test_read_manifest_checks_the_folder_and_the_format(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="is not a folder"):
        read_manifest(tmp_path / "missing")
    assert not is_bundle(tmp_path)
    with pytest.raises(BundleError, match=r"has no sitebot\.json; give the bundle folder"):
        read_manifest(tmp_path)
    manifest = tmp_path / "sitebot.json"
    manifest.write_text("[1, 2]")
    assert is_bundle(tmp_path)
    with pytest.raises(BundleError, match="is not a sitebot manifest"):
        read_manifest(tmp_path)
    manifest.write_text(json.dumps({"format": FORMAT_VERSION + 1}))
    with pytest.raises(
        BundleError, match=f"is bundle format {FORMAT_VERSION + 1}, but this sitebot reads format {FORMAT_VERSION}"
    ):
        read_manifest(tmp_path)
    manifest.write_bytes(dumps({"format": FORMAT_VERSION, "base_url": "/é"}))
    assert read_manifest(tmp_path) == {"format": FORMAT_VERSION, "base_url": "/é"}
