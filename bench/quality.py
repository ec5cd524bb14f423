"""Retrieval quality on a real documentation site: recall@1, recall@5 and MRR (page level).

    python bench/quality.py                      # PostgreSQL 15 docs (apt-get install postgresql-doc-15)
    python bench/quality.py --site DIR --questions Q.jsonl --base-url https://…/

Compares sitebot's hybrid retrieval with its BM25 alone and its vectors alone, and int8
vectors with float32. Uses the same bundle, the same query vectors (the Python encoder;
tests/test_browser.py checks the browser's agree to cosine ≥ 0.999) and the Python port of
the browser's ranking (tests check both rank alike), through the question loading, page
matching and scores of `sitebot eval` (generator/sitebot/evaluate.py). The embedding cache makes
re-runs fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitebot.evaluate import EvalReport, judge, load_questions, query_vectors  # noqa: E402
from sitebot.index.embed import EmbeddingCache, embed_with_cache  # noqa: E402
from sitebot.index.model import default_model, load  # noqa: E402
from sitebot.pipeline import GenerateOptions, chunk_all, default_cache_dir, generate, read_documents  # noqa: E402
from sitebot.retrieve import Retriever  # noqa: E402

PG_DOCS = Path("/usr/share/doc/postgresql-doc-15/html")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, default=PG_DOCS)
    ap.add_argument("--questions", type=Path, default=ROOT / "bench/questions/postgresql-15.jsonl")
    ap.add_argument("--base-url", default="https://www.postgresql.org/docs/15/")
    ap.add_argument("--bundle", type=Path, default=ROOT / "bench/out/quality-bundle")
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    if not args.site.is_dir():
        sys.exit(f"{args.site} is missing; run: apt-get install postgresql-doc-15")

    opts = GenerateOptions(source=args.site, output=args.bundle, base_url=args.base_url, max_tokens=args.max_tokens)
    t = time.perf_counter()
    summary = generate(opts)
    print(
        f"bundle: {summary.pages} pages, {summary.chunks} chunks ({summary.embedded} embedded) in {time.perf_counter() - t:.0f} s"
    )

    # float32 vectors of the same chunks, from the embedding cache the build just filled.
    model = load(default_model())
    docs = read_documents(opts).docs
    chunks = chunk_all(docs, model, opts)
    cache = EmbeddingCache(default_cache_dir() / "embeddings.sqlite")
    float_vecs, _ = embed_with_cache(model, [c.embed_text for c in chunks], max_tokens=opts.max_tokens, cache=cache)
    cache.close()

    # The questions, rankings and scores of `sitebot eval` (generator/sitebot/evaluate.py), per mode.
    questions = load_questions(args.questions)
    qvecs = query_vectors(
        args.bundle, json.loads((args.bundle / "sitebot.json").read_text()), [q.text for q in questions]
    )
    int8 = Retriever(args.bundle)
    f32 = Retriever(args.bundle, float_vectors=float_vecs)

    rows = []
    for label, r, mode in [
        ("hybrid (int8)", int8, "hybrid"),
        ("vectors alone (int8)", int8, "dense"),
        ("BM25 alone", int8, "lexical"),
        ("hybrid (float32)", f32, "hybrid"),
        ("vectors alone (float32)", f32, "dense"),
    ]:
        vecs = [None] * len(questions) if mode == "lexical" else qvecs
        report = EvalReport(args.bundle, judge(r, questions, vecs, base_url=args.base_url, mode=mode))
        rows.append((label, report))
        if args.show_misses and label == "hybrid (int8)":
            for res in report.results:
                if res.rank != 1:
                    shown = res.first.removeprefix(args.base_url) if res.first else "not found"
                    print(f"  miss: {res.question[:70]!r} → {shown} (want {', '.join(sorted(res.expected))})")
    print(f"\n{len(questions)} questions over {summary.pages} pages ({summary.chunks} chunks), page-level:")
    print(f"{'retrieval':<26}{'recall@1':>10}{'recall@5':>10}{'MRR@10':>10}")
    for label, rep in rows:
        print(f"{label:<26}{rep.recall_at_1:>10.3f}{rep.recall_at_5:>10.3f}{rep.mrr:>10.3f}")
    ratio = rows[0][1].recall_at_5 / rows[3][1].recall_at_5 if rows[3][1].recall_at_5 else 1.0
    print(f"\nint8 keeps {ratio:.1%} of float32 hybrid recall@5")


if __name__ == "__main__":
    main()
