"""The partitioned dense index (index/partition.py, runtime_js/src/engine/ivf.js): k-means lists
in content-addressed files, of which a question fetches and scores only its `nprobe` nearest.
The browser fetches no other list, and the Python port probes the same lists and ranks alike."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import run_node
from sitebot.bundle.format import content_name, dumps
from sitebot.index import quantise
from sitebot.index.kmeans import BALANCE, list_count
from sitebot.index.lists import Partitions, entry_files, top_ids, write_partitions
from sitebot.retrieve import Retriever

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def clustered(n: int, dims: int = 32, centres: int = 6, seed: int = 1) -> np.ndarray:
    """Unit vectors around a few random directions, as a site's topics would be."""
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(centres, dims))
    x = c[rng.integers(centres, size=n)] + 0.4 * rng.normal(size=(n, dims))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def folder_writer(root: Path) -> Any:
    """A BundleWriter.add that writes into `root` (content-addressed names)."""

    def add(name: str, data: bytes) -> str:
        final = content_name(name, data)
        (root / final).parent.mkdir(parents=True, exist_ok=True)
        (root / final).write_bytes(data)
        return final

    return add


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_writer_is_deterministic_and_puts_every_chunk_in_one_list(tmp_path: Path) -> None:
    vectors = clustered(600)
    entries = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        entries.append(write_partitions(folder_writer(tmp_path / run), "vectors", vectors, lists=8))
    assert entries[0] == entries[1]
    assert tree(tmp_path / "a") == tree(tmp_path / "b")  # same vectors ⇒ same bytes, same names

    parts = Partitions.open(tmp_path / "a", entries[0])
    assert parts.lists == 8 and len(entry_files(tmp_path / "a", entries[0])) == 2 + 8
    assert max(parts.sizes) <= np.ceil(BALANCE * 600 / 8)  # no list far above the mean
    seen = np.concatenate([parts.list_rows(i)[0] for i in range(parts.lists)])
    assert sorted(seen.tolist()) == list(range(600))
    # The lists hold the quantised rows unchanged: probing them all is the exhaustive search.
    codes, scales = quantise.quantise(vectors)
    q = vectors[17].astype(np.float64)
    ids, scores = parts.probe(q)
    assert ids.tolist() == list(range(600))
    assert np.array_equal(scores, scales.astype(np.float64) * (codes.astype(np.float64) @ q))


def test_a_probe_scores_only_its_nearest_lists_and_finds_the_nearest_chunks(tmp_path: Path) -> None:
    vectors = clustered(800)
    entry = write_partitions(folder_writer(tmp_path), "v", vectors, lists=10)
    parts = Partitions.open(tmp_path, entry)
    loaded: list[int] = []
    load = parts.loader
    parts.loader = lambda i: (loaded.append(i), load(i))[1]  # type: ignore[misc]
    found = 0
    for row in range(0, 800, 40):
        q = vectors[row].astype(np.float64)
        before = len(set(loaded))
        ids, _ = parts.probe(q, nprobe=2)
        assert len(set(loaded)) - before <= 2
        chosen = parts.nearest_lists(q, 2)
        assert sorted(ids.tolist()) == sorted(np.concatenate([parts.list_rows(int(i))[0] for i in chosen]).tolist())
        found += row in ids.tolist()
    assert found == 20  # a chunk's own vector always leads to its list


def test_a_small_site_keeps_one_list() -> None:
    # A larger site has more lists, not larger ones: a question's bytes do not grow with the site.
    assert list_count(120) == 1 and list_count(30_000) == 200 and list_count(100_000) == 667


IVF_JS = Path(__file__).resolve().parent.parent / "runtime_js/src/engine/ivf.js"

NODE_PROBE = """
import { readFileSync } from "node:fs";
import { openPartitions } from IVF_URL;
const dir = DIR;
const fetched = [];
const bytes = (p) => { const b = readFileSync(dir + "/" + p); return b.buffer.slice(b.byteOffset, b.byteOffset + b.length); };
const reader = await openPartitions(ENTRY, 2, async (p) => JSON.parse(readFileSync(dir + "/" + p, "utf8")),
  async (p) => (fetched.push(p), bytes(p)));
const out = [];
for (const q of QUERIES) {
  const before = fetched.length;
  const hit = await reader.search(Float32Array.from(q), 10);
  out.push({ fetched: fetched.slice(before), ids: hit.ids, scored: hit.scores.size });
}
console.log(JSON.stringify(out));
"""


def probe_in_node(folder: Path, entry: dict[str, Any], queries: np.ndarray) -> list[dict[str, Any]]:
    """Per query, what ivf.js fetched (nprobe 2), its top 10 ids and how many chunks it scored."""
    module = (
        NODE_PROBE.replace("IVF_URL", json.dumps(IVF_JS.as_uri()))
        .replace("DIR", json.dumps(str(folder)))
        .replace("ENTRY", json.dumps(entry))
        .replace("QUERIES", json.dumps(queries.tolist()))
    )
    return run_node(folder, module)


def test_the_js_reader_fetches_only_the_nprobe_nearest_lists_and_ranks_like_python(tmp_path: Path) -> None:
    vectors = clustered(900, seed=3)
    entry = write_partitions(folder_writer(tmp_path), "vectors", vectors, lists=9)
    parts = Partitions.open(tmp_path, entry)
    queries = vectors[[5, 300, 5, 640, 811]]
    out = probe_in_node(tmp_path, entry, queries)
    seen: set[str] = set()
    for q, got in zip(queries, out, strict=True):
        q64 = q.astype(np.float64)
        nearest = {parts.files[int(i)] for i in parts.nearest_lists(q64, 2)}
        # The centroid files at the start, then per question only its 2 nearest lists, each once.
        assert set(got["fetched"]) == nearest - seen, got
        seen |= nearest
        ids, scores = parts.probe(q64, 2)
        assert got["scored"] == len(ids) < len(vectors)
        assert got["ids"] == [int(ids[j]) for j in top_ids(scores, ids, 10)]
    assert out[2]["fetched"] == []  # the same question again: its lists are memoised
    assert 2 < len(seen) < parts.lists  # the questions went to different lists, never to all


def repartition(bundle: Path, lists: int, nprobe: int) -> None:
    """Rewrite a built bundle's dense index as `lists` k-means lists probed `nprobe` at a time."""
    manifest = json.loads((bundle / "sitebot.json").read_text())
    codes, scales = Retriever(bundle).dense.matrix()
    manifest["files"]["vectors"] = write_partitions(folder_writer(bundle), "vectors", codes, scales, lists=lists)
    manifest["retrieval"]["nprobe"] = nprobe
    for twin in ("sitebot.json.br", "sitebot.json.gz"):
        (bundle / twin).unlink(missing_ok=True)
    (bundle / "sitebot.json").write_bytes(dumps(manifest))


QUESTIONS = [
    "How long does delivery to Germany take?",
    "Can I get my money back if the printer breaks?",
    "How do I connect the printer to wifi?",
    "How much power does it use when idle?",
    "Which paper sizes can it print on?",
    "Is there a warranty on the scanner?",
]


@pytest.mark.browser
def test_the_browser_fetches_only_the_probed_lists_and_ranks_like_python(
    page: Any, examples_bundle: Path, tmp_path: Path
) -> None:
    from sitebot.serve import serve_in_thread

    root = tmp_path / "site"
    shutil.copytree(EXAMPLES / "site", root)
    shutil.copytree(examples_bundle, root / "chatbot")
    repartition(root / "chatbot", lists=4, nprobe=1)
    retriever = Retriever(root / "chatbot")
    assert retriever.dense.lists == 4
    server, url = serve_in_thread(root, require_bundle=False)
    try:
        lists: list[str] = []
        page.on("request", lambda r: lists.append(r.url) if re.search(r"/index/vectors/list\.", r.url) else None)
        page.goto(url + "chatbot/index.html")
        page.wait_for_function("() => window.sitebot && window.sitebot.ready")
        page.evaluate("() => window.sitebot.ready({model: true})")
        assert lists == []  # the centroids and the list table only, until a question
        probed: set[int] = set()
        for q in QUESTIONS:
            vec = np.array(page.evaluate("(q) => window.sitebot.embed(q)", q), dtype=np.float32)
            before = len(lists)
            browser = page.evaluate("(q) => window.sitebot.search(q, {k: 5})", q)
            nearest = int(retriever.dense.nearest_lists(vec.astype(np.float64), 1)[0])
            # The question's nearest list, once: none when an earlier question fetched it.
            new = lists[before:]
            assert new == ([] if nearest in probed else [url + "chatbot/" + retriever.dense.files[nearest]]), q
            probed.add(nearest)
            python = retriever.search(q, vec, k=5)
            assert [r["url"].split("/", 3)[3] for r in browser] == [h.url.lstrip("/") for h in python], q
        assert len(lists) == len(probed) >= 2  # the questions went to different lists
    finally:
        server.shutdown()
        server.server_close()
    assert page.problems == []


def test_grouped_centroids_open_only_the_nearest_groups_in_python_and_js(tmp_path: Path) -> None:
    """A big site's centroids are grouped: a question fetches its nearest groups' centroids, then
    its lists among theirs; the browser fetches and ranks as the Python port does."""
    vectors = clustered(1600, centres=12, seed=5)
    entry = write_partitions(folder_writer(tmp_path), "vectors", vectors, lists=16, groups=4, group_probe=2)
    parts = Partitions.open(tmp_path, entry)
    assert len(parts.groups) == 4 and parts.lists == 16
    assert len(entry_files(tmp_path, entry)) == 2 + 4 + 16
    # Each group holds consecutive lists, and all lists are in one group.
    assert [first for first, _ in parts.groups] == list(np.cumsum([0] + [n for _, n in parts.groups])[:-1])
    queries = vectors[[7, 900, 7, 1400, 333]]
    out = probe_in_node(tmp_path, entry, queries)
    seen: set[str] = set()
    found = 0
    for row, q, got in zip([7, 900, 7, 1400, 333], queries, out, strict=True):
        q64 = q.astype(np.float64)
        scores = parts.centroid_scales * (parts.centroid_codes.astype(np.float64) @ q64)
        groups = {parts.group_files[int(g)] for g in top_ids(scores, np.arange(4), 2)}
        nearest = {parts.files[int(i)] for i in parts.nearest_lists(q64, 2)}
        assert set(got["fetched"]) == (groups | nearest) - seen, got
        seen |= groups | nearest
        ids, s = parts.probe(q64, 2)
        assert got["ids"] == [int(ids[j]) for j in top_ids(s, ids, 10)]
        found += row in ids.tolist()
    assert out[2]["fetched"] == []
    assert found == 5  # a chunk's own vector still leads to its list through its group
    assert 2 < len([f for f in seen if "/list." in f]) < parts.lists
