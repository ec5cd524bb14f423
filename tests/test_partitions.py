"""The partitioned lexical index and chunk metadata (index/partition.py, engine/bm25.js, engine/corpus.js):
a question fetches only the term shards of its words and the metadata parts of its results, and
ranks as the whole index did."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sitebot.bundle.format import content_name, dumps
from sitebot.index import partition
from sitebot.retrieve import Retriever
from sitebot.serve import serve_in_thread


def resharded(bundle: Path, dest: Path, shard_bytes: int) -> Path:
    """A copy of `bundle` whose term shards are cut at `shard_bytes`, as the writer cuts them."""
    shutil.copytree(bundle, dest)
    manifest = json.loads((dest / "sitebot.json").read_text())
    index = partition.read_lexical(dest, json.loads((dest / manifest["files"]["lexical"]).read_text()))

    def add(name: str, data: bytes) -> str:
        path = content_name(name, data)
        (dest / path).write_bytes(data)
        return path

    meta = partition.lexical_files(index, add, shard_bytes=shard_bytes)
    manifest["files"]["lexical"] = add("index/lexical.json", dumps(meta))
    (dest / "sitebot.json").write_bytes(dumps(manifest))
    return dest


def test_terms_are_cut_into_sorted_shards_that_hold_each_posting_once(examples_bundle: Path, tmp_path: Path) -> None:
    small = resharded(examples_bundle, tmp_path / "small", 600)
    meta = json.loads((small / json.loads((small / "sitebot.json").read_text())["files"]["lexical"]).read_text())
    firsts = [s["first"] for s in meta["shards"]]
    assert len(firsts) >= 10 and firsts == sorted(firsts, key=partition.term_order)
    assert "dl" not in meta and "terms" not in meta  # no postings and no array of every chunk's length
    # The whole index comes back from the shards, lengths included: the same index as one file.
    whole = partition.read_lexical(small, meta)
    again = partition.read_lexical(
        examples_bundle,
        json.loads(
            (
                examples_bundle / json.loads((examples_bundle / "sitebot.json").read_text())["files"]["lexical"]
            ).read_text()
        ),
    )
    assert whole == again


def test_python_ranks_the_same_over_any_cut(examples_bundle: Path, tmp_path: Path) -> None:
    small = resharded(examples_bundle, tmp_path / "small", 600)
    a, b = Retriever(examples_bundle), Retriever(small)
    assert a.pages == b.pages and a.chunks == b.chunks
    for q in ("refund", "How do I get my money back?", "wifi setup printer", "zzz"):
        assert a.rank(q, None) == b.rank(q, None)


@pytest.mark.browser
def test_a_question_fetches_only_its_terms_shards(page: Any, examples_bundle: Path, tmp_path: Path) -> None:
    small = resharded(examples_bundle, tmp_path / "small", 600)
    manifest = json.loads((small / "sitebot.json").read_text())
    shards = json.loads((small / manifest["files"]["lexical"]).read_text())["shards"]
    parts = json.loads((small / manifest["files"]["chunks"]).read_text())["parts"]
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(urlsplit(r.url).path.lstrip("/")))
    server, url = serve_in_thread(small)
    try:
        page.goto(url + "index.html")
        page.wait_for_function("() => window.sitebot && window.sitebot.search")
        page.evaluate("() => window.sitebot.ready()")
        terms = lambda: [f for f in fetched if f.startswith("index/terms.")]  # noqa: E731
        rows = lambda: [f for f in fetched if f.startswith("index/rows.")]  # noqa: E731
        assert manifest["files"]["lexical"] in fetched and manifest["files"]["chunks"] in fetched
        assert terms() == [] and rows() == []  # opening the bot fetches no postings and no rows
        hits = page.evaluate("() => window.sitebot.search('refund', {k: 3})")
        assert hits and "refund" in hits[0]["url"]
        assert 1 <= len(terms()) <= 2 < len(shards)  # "refund" lies in one shard
        assert 1 <= len(rows()) <= len(parts)
        first = len(terms())
        page.evaluate("() => window.sitebot.search('refund', {k: 3})")
        assert len(terms()) == first  # fetched once
        assert page.problems == []
    finally:
        server.shutdown()
        server.server_close()


CORPUS_JS = Path(__file__).resolve().parent.parent / "runtime_js/src/engine/corpus.js"


def test_chunk_weights_are_kept_as_runs_and_read_back_alike_in_python_and_js(tmp_path: Path) -> None:
    """Weights below 1 come in runs (repeated boilerplate); the meta file every first answer fetches
    holds one entry a run, not one a chunk, and both readers give every chunk its weight."""
    from conftest import run_node

    weights = [1.0, 0.5, 0.5, 0.5, 1.0, 0.5, 0.25, 0.25] + [0.5] * 1000 + [1.0]
    rows = [(0 if i < 4 else 1, "", "", w) for i, w in enumerate(weights)]
    pages = [{"url": "/a", "title": "A"}, {"url": "/b", "title": "B"}]
    files: dict[str, bytes] = {}

    def add(name: str, data: bytes) -> str:
        files[content_name(name, data)] = data
        return content_name(name, data)

    meta = partition.chunk_files(pages, rows, [(0, len(rows))], add)
    assert meta["weights"] == [[1, 3, 0.5], [5, 1, 0.5], [6, 2, 0.25], [8, 1000, 0.5]]
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    assert [r[3] for r in partition.read_chunks(tmp_path, meta)[1]] == weights
    got = run_node(
        tmp_path,
        f"import {{ corpusReader }} from {json.dumps(CORPUS_JS.as_uri())};\n"
        f"const c = corpusReader({json.dumps(meta)}, async () => null, (u) => u);\n"
        "console.log(JSON.stringify(Array.from(c.weights)));\n",
    )
    assert got == weights
