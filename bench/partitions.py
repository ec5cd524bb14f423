"""Bytes of the lexical index and chunk metadata a question fetches, partitioned vs whole (issue 16, item 2).

    python bench/partitions.py /tmp/I16-pg bench/questions/postgresql-15.jsonl
    python bench/partitions.py /usr/share/doc/postgresql-doc-15/html bench/questions/postgresql-15.jsonl -o /tmp/pg
    python bench/partitions.py /tmp/I16-pg bench/questions/postgresql-15.jsonl --shard-bytes 16000 32000

BUNDLE_OR_SOURCE is a built bundle, or a site folder to build first (`sitebot generate SOURCE
--base-url / -o OUTPUT`; embeddings are cached). For each question it replays what the browser
engine fetches of these two indexes: the two meta files when the bot opens, then the term shards
of the question's terms (engine/bm25.js) and the metadata parts of the results shown
(engine/corpus.js, k = 4 as the widget asks; ranked by the Python port, hybrid). It prints, per
question, the bytes (raw and gzip -6) of what that question adds to what the earlier ones left in
the cache, and what it would fetch alone; then the totals next to the whole `lexical` + `chunks`
files of the format before partitioning, which a visitor fetched before the first answer.
`--shard-bytes` re-cuts the term shards in memory at other sizes to compare.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "generator"))

from sitebot.bundle.format import dumps  # noqa: E402
from sitebot.evaluate import load_questions, open_bundle, query_vectors  # noqa: E402
from sitebot.index import partition  # noqa: E402
from sitebot.index.lexical import tokenize  # noqa: E402

K = 4  # results the widget asks for (widget/answer: one search of k = 4)


def sizes(data: bytes) -> tuple[int, int]:
    return len(data), len(gzip.compress(data, 6))


def shard_finder(meta: dict[str, Any]) -> Callable[[str], int]:
    """The term shard that holds a term, as bm25.js finds it (the last whose first term is ≤ it)."""
    from bisect import bisect_right

    firsts = [partition.term_order(s["first"]) for s in meta["shards"]]
    return lambda t: bisect_right(firsts, partition.term_order(t)) - 1


def part_finder(meta: dict[str, Any]) -> Callable[[int], int]:
    parts = meta["parts"]
    return lambda i: next(j for j, p in enumerate(parts) if p["start"] <= i < p["start"] + p["count"])


def build(source: Path, output: Path) -> Path:
    from sitebot.options import GenerateOptions
    from sitebot.pipeline import generate

    generate(GenerateOptions(source=str(source), output=output, base_url="/"))
    return output


def measure(bundle: Path, questions: Path, shard_bytes: int | None, vecs: Any = None) -> Any:
    """Print the table and totals for one cut of the term shards; returns the question vectors for the next."""
    retriever = open_bundle(bundle)
    m = retriever.manifest
    lex_meta = json.loads((bundle / m["files"]["lexical"]).read_text())
    chunk_meta = json.loads((bundle / m["files"]["chunks"]).read_text())
    files: dict[str, bytes] = {f: (bundle / f).read_bytes() for f in partition.index_files(bundle, m)}
    whole_index = partition.read_lexical(bundle, lex_meta)
    if shard_bytes:  # re-cut in memory: the files a build with that size would write, in place of the bundle's
        for s in lex_meta["shards"]:
            del files[s["file"]]

        def add(name: str, data: bytes) -> str:
            key = f"{name}#{len(files)}"
            files[key] = data
            return key

        lex_meta = partition.lexical_files(whole_index, add, shard_bytes=shard_bytes)
        files[m["files"]["lexical"]] = dumps(lex_meta)
    shard_of, part_of = shard_finder(lex_meta), part_finder(chunk_meta)
    stop = frozenset(lex_meta["stopwords"])

    qs = load_questions(questions)
    vecs = query_vectors(bundle, m, [q.text for q in qs]) if vecs is None else vecs
    opened = [m["files"]["lexical"], m["files"]["chunks"]]
    cached: set[str] = set(opened)
    print(f"\n{bundle}: {m['counts']['chunks']} chunks, {len(lex_meta['shards'])} term shards", end="")
    shard_sizes = [len(files[s["file"]]) for s in lex_meta["shards"]]
    print(f" (median {statistics.median(shard_sizes) / 1e3:.1f} KB, max {max(shard_sizes) / 1e3:.0f} KB),", end="")
    print(f" {len(chunk_meta['parts'])} metadata parts")
    raw0, gz0 = (sum(x) for x in zip(*(sizes(files[f]) for f in opened), strict=True))
    print(f"opening the bot: meta files {raw0 / 1e3:.1f} KB raw, {gz0 / 1e3:.1f} KB gzip")
    print("| # | terms | shards | parts | added raw KB | added gzip KB | alone raw KB | alone gzip KB |")
    print("|---|---|---|---|---|---|---|---|")
    added_all, alone_all = [], []
    for n, (q, vec) in enumerate(zip(qs, vecs, strict=True), 1):
        terms = list(dict.fromkeys(tokenize(q.text, stop)))
        shards = {lex_meta["shards"][i]["file"] for i in map(shard_of, terms) if i >= 0}
        hits = retriever.search(q.text, vec, k=K)
        parts = {chunk_meta["parts"][part_of(h.chunk)]["file"] for h in hits}
        need = shards | parts
        added = [sizes(files[f]) for f in need - cached]
        alone = [sizes(files[f]) for f in need]
        cached |= need
        a = (sum(x[0] for x in added), sum(x[1] for x in added))
        b = (sum(x[0] for x in alone), sum(x[1] for x in alone))
        added_all.append(a)
        alone_all.append(b)
        print(
            f"| {n} | {len(terms)} | {len(shards)} | {len(parts)} | {a[0] / 1e3:.1f} | {a[1] / 1e3:.1f} "
            f"| {b[0] / 1e3:.1f} | {b[1] / 1e3:.1f} |"
        )
    first = (raw0 + alone_all[0][0], gz0 + alone_all[0][1])
    further = [x for x in added_all[1:]]
    med = (statistics.median(x[0] for x in alone_all), statistics.median(x[1] for x in alone_all))
    mean_further = (statistics.mean(x[0] for x in further), statistics.mean(x[1] for x in further))
    old_lex = dumps(whole_index)
    pages, rows = partition.read_chunks(bundle, chunk_meta)
    old_chunks = dumps({"pages": pages, "chunks": rows})
    old = [sizes(old_lex), sizes(old_chunks)]
    total = sum(len(files[f]) for f in files if f not in opened and f != m["files"]["vectors"])
    print(
        f"\ncold, first question (meta files + its shards and parts): {first[0] / 1e3:.1f} KB raw, {first[1] / 1e3:.1f} KB gzip"
    )
    print(f"a question alone (median): {med[0] / 1e3:.1f} KB raw, {med[1] / 1e3:.1f} KB gzip")
    print(
        f"each further question (mean of what it adds to the cache): {mean_further[0] / 1e3:.1f} KB raw, "
        f"{mean_further[1] / 1e3:.1f} KB gzip; all {len(qs)} questions fetched {len(cached) - 2} files"
    )
    print(
        f"before partitioning, fetched before any answer: lexical {old[0][0] / 1e6:.2f} MB ({old[0][1] / 1e6:.2f} MB gzip)"
        f" + chunks {old[1][0] / 1e6:.2f} MB ({old[1][1] / 1e6:.2f} MB gzip)"
    )
    print(f"term shards and metadata parts: {total / 1e6:.2f} MB in all")
    return vecs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bundle_or_source", type=Path)
    ap.add_argument("questions", type=Path)
    ap.add_argument("-o", "--output", type=Path, help="where to build when given a site folder")
    ap.add_argument("--shard-bytes", type=int, nargs="*", default=[0], help="re-cut term shards at these sizes")
    args = ap.parse_args()
    bundle = args.bundle_or_source
    if not (bundle / "sitebot.json").is_file():
        bundle = build(bundle, args.output or Path("/tmp") / f"partitions-{bundle.name}")
    vecs = None
    for size in args.shard_bytes:
        vecs = measure(bundle, args.questions, size or None, vecs)


if __name__ == "__main__":
    main()
