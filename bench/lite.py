"""The lite query path's ranking against the full path and BM25 alone, per site (issue 16, item 1).

    python bench/lite.py                       # every set below, bundles under bench/out/lite/
    python bench/lite.py demo guide --out /tmp/lite --build

For each set it reads the site's pages and chunks them as `sitebot generate` does, takes the
chunks', sentences' and probes' vectors from the embedding cache (~/.cache/sitebot: a built
bundle put them there), builds the lite path with index/lite.py exactly as the pipeline does
(pipeline.build_lite_path), and ranks the set's questions in the bundle three ways: the full
path (the model's question vectors), BM25 alone, and the lite path (the question's vector from
the token table, no model). It prints R@1, R@5 and MRR by page over the answerable questions,
and the refusal rate over the unanswerable ones. `--build` builds a missing bundle first; the
bundle must come from this sitebot (same chunks). Rankings are the browser's (retrieve.py).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))

from sitebot.bundle.manifest import (  # noqa: E402
    LITE_GROUP_PROBE,
    LITE_GROUPS_FROM,
    LITE_LIST_ROWS,
    LITE_LISTS_FROM,
    LITE_RETRIEVAL,
)
from sitebot.evaluate import Question, judge, load_questions, open_bundle, query_vectors  # noqa: E402
from sitebot.index import lexical, lite, notfound  # noqa: E402
from sitebot.index.embed import EmbeddingCache, embed_with_cache  # noqa: E402
from sitebot.index.kmeans import list_count  # noqa: E402
from sitebot.index.lists import Partitions, partition  # noqa: E402
from sitebot.index.model import default_model, load  # noqa: E402
from sitebot.options import default_cache_dir, load_options  # noqa: E402
from sitebot.pipeline import build_lite_path, chunk_all, generate, read_documents  # noqa: E402
from sitebot.retrieve import LiteTable, Retriever  # noqa: E402
from sitebot.text.units import signed_units  # noqa: E402

# name → (site source, question set). The held-out sites (python3.11-doc, LibreOffice Help,
# debian-handbook) are never measured here: they judge the settings chosen on these.
SETS = {
    "demo": (ROOT / "examples", ROOT / "examples/questions.jsonl"),
    "guide": (
        Path("/usr/share/doc/installation-guide-amd64/en"),
        ROOT / "bench/questions/debian-installation-guide.jsonl",
    ),
    "sqlalchemy": (Path("/usr/share/doc/python-sqlalchemy-doc/html"), ROOT / "bench/questions/sqlalchemy-14.jsonl"),
    "postgresql": (Path("/usr/share/doc/postgresql-doc-15/html"), ROOT / "bench/questions/postgresql-15.jsonl"),
    "debian-reference-fr": (
        Path("/usr/share/doc/debian-reference-fr/docs"),
        ROOT / "bench/questions/debian-reference-fr.jsonl",
    ),
}


@dataclass
class Site:
    """One set's bundle and the lite path's inputs, as the pipeline has them."""

    name: str
    bundle: Path
    questions: list[Question]
    model: Any
    chunks: list[Any]
    vectors: np.ndarray
    probes: list[str]
    probe_vectors: np.ndarray
    units: list[str]
    unit_vectors: np.ndarray
    opts: Any
    covers: float  # notfound.vocabulary_share of the site, as the pipeline gives it


def site_folder(name: str, source: Path, out: Path) -> Path:
    """The folder to build from: the French Debian Reference is its *.fr.html pages alone."""
    if name != "debian-reference-fr":
        return source
    folder = out / "sites" / name
    folder.mkdir(parents=True, exist_ok=True)
    for f in source.glob("*.fr.html"):
        (folder / f.name).write_bytes(f.read_bytes())
    return folder


def load_site(name: str, out: Path, build: bool) -> Site:
    source, questions = SETS[name]
    folder = site_folder(name, source, out)
    bundle = out / name
    flags: dict[str, Any] = {"output": bundle}
    if name != "demo":
        flags["base_url"] = "/"
    opts = load_options(folder, **flags)
    if build and not (bundle / "sitebot.json").is_file():
        generate(opts)
    model = load(default_model())
    chunks = chunk_all(read_documents(opts).docs, model, opts)
    cache = EmbeddingCache(default_cache_dir() / "embeddings.sqlite")
    try:
        vectors, _ = embed_with_cache(model, [c.embed_text for c in chunks], max_tokens=opts.max_tokens, cache=cache)
        units = list(dict.fromkeys(u for c in chunks for u in signed_units(c.text)))
        unit_vectors, _ = embed_with_cache(model, units, max_tokens=opts.query_max_tokens, cache=cache)
        probes = notfound.probe_questions()
        probe_vectors, _ = embed_with_cache(model, probes, max_tokens=opts.query_max_tokens, cache=cache)
    finally:
        cache.close()
    words = notfound.vocabulary(json.loads(Path(model.files.tokenizer).read_text()))
    covers = notfound.vocabulary_share(lexical.build([c.lexical_text for c in chunks]), words)
    return Site(
        name,
        bundle,
        load_questions(questions),
        model,
        chunks,
        vectors,
        probes,
        probe_vectors,
        units,
        unit_vectors,
        opts,
        covers,
    )


def lite_retriever(site: Site, path: lite.LitePath) -> Retriever:
    """The bundle's retriever ranking as the lite path `path` would (its vectors, weights, rule)."""
    r = Retriever(site.bundle)
    r.params = {**r.params, **LITE_RETRIEVAL, "not_found": path.not_found}
    # Its chunk vectors in k-means lists as the bundle writer cuts them (bundle/manifest.py).
    lists = list_count(len(path.index.codes), LITE_LIST_ROWS, LITE_LISTS_FROM)
    grouped = round(math.sqrt(lists)) if lists >= LITE_GROUPS_FROM else None
    cut = partition(path.index.codes, path.index.scales, lists=lists)
    r.dense = Partitions.from_arrays(*cut, groups=grouped, group_probe=LITE_GROUP_PROBE)
    base = LiteTable.read(site.bundle, r.manifest) if "lite" in r.manifest else None
    tokenizer = base.tokenizer if base else None
    if tokenizer is None:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(site.model.files.tokenizer))
        tokenizer.no_padding()
        tokenizer.no_truncation()
    # Rows in model id order: each id is its own row.
    r.lite = LiteTable(path.index, {i: i for i in range(len(path.index.rows))}, tokenizer, site.opts.query_max_tokens)
    return r


def score(r: Retriever, qs: list[Question], vecs: Any, mode: str = "hybrid") -> dict[str, float | None]:
    results = judge(r, qs, vecs, base_url=r.manifest.get("base_url") or "/", mode=mode)
    ans = [x for x in results if x.expected]
    un = [x for x in results if not x.expected]
    return {
        "R@1": float(np.mean([x.rank == 1 for x in ans])),
        "R@5": float(np.mean([x.rank is not None and x.rank <= 5 for x in ans])),
        "MRR": float(np.mean([1 / x.rank if x.rank and x.rank <= 10 else 0.0 for x in ans])),
        "refusal": float(np.mean([x.not_found for x in un])) if un else None,
    }


def lite_path(site: Site) -> lite.LitePath:
    path = build_lite_path(
        site.model,
        site.model.files,
        site.chunks,
        site.vectors,
        site.probes,
        site.opts,
        probe_vectors=site.probe_vectors,
        units=(site.units, site.unit_vectors),
        vocabulary_covers=site.covers,
    )
    assert path is not None, "the default model's tokenizer is WordPiece"
    return path


def row(label: str, s: dict[str, float | None]) -> str:
    refusal = "-" if s["refusal"] is None else f"{s['refusal']:.3f}"
    return f"| {label:28} | {s['R@1']:.3f} | {s['R@5']:.3f} | {s['MRR']:.3f} | {refusal:7} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="*", default=list(SETS), choices=[[], *SETS], metavar="SET")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/out/lite", help="bundles folder (one per set)")
    ap.add_argument("--build", action="store_true", help="build a set's bundle when it is missing")
    args = ap.parse_args()
    print(f"lite settings: {lite.settings()}, retrieval {LITE_RETRIEVAL}")
    for name in args.sets or list(SETS):
        site = load_site(name, args.out, args.build)
        qs = site.questions
        full = open_bundle(site.bundle)
        full_vecs = query_vectors(site.bundle, full.manifest, [q.text for q in qs])
        started = time.perf_counter()
        path = lite_path(site)
        seconds = time.perf_counter() - started
        r = lite_retriever(site, path)
        lite_vecs = r.lite.vectors([q.text for q in qs])  # type: ignore[union-attr]
        n_ans = sum(1 for q in qs if q.expected)
        print(f"\n{name}: {len(site.chunks)} chunks, {n_ans} answerable + {len(qs) - n_ans} unanswerable questions")
        print(f"lite build {seconds:.1f} s; lite not_found {path.not_found['floor']} / {path.not_found['threshold']}")
        print("| path                         | R@1   | R@5   | MRR   | refusal |")
        print("|------------------------------|-------|-------|-------|---------|")
        print(row("full (model in the browser)", score(full, qs, full_vecs)))
        print(row("BM25 alone", score(full, qs, [None] * len(qs), mode="lexical")))
        print(row("lite", score(r, qs, lite_vecs)))
        print(row("lite vectors alone", score(r, qs, lite_vecs, mode="dense")))


if __name__ == "__main__":
    main()
