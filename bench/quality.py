"""Retrieval quality on a real documentation site: recall@1, recall@5 and MRR (page level).

    python bench/quality.py                      # PostgreSQL 15 docs (apt-get install postgresql-doc-15)
    python bench/quality.py --site DIR --questions Q.jsonl --base-url https://…/

Compares sitebot's hybrid retrieval with its BM25 alone and its vectors alone, and int8
vectors with float32. Uses the same bundle, the same query vectors (the Python encoder;
tests/test_browser.py checks the browser's agree to cosine ≥ 0.999) and the Python port of
the browser's ranking (tests check both rank alike). The embedding cache makes re-runs fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.embed import EmbeddingCache, embed_texts, embed_with_cache  # noqa: E402
from generator.model import default_model, load  # noqa: E402
from generator.pipeline import GenerateOptions, chunk_all, default_cache_dir, generate, read_documents  # noqa: E402
from generator.retrieve import Retriever  # noqa: E402

PG_DOCS = Path("/usr/share/doc/postgresql-doc-15/html")


def page_ranking(retriever: Retriever, query: str, qvec: np.ndarray | None, mode: str) -> list[str]:
    """Distinct pages in the order their best chunk ranks."""
    ranked, _ = retriever.rank(query, qvec, mode=mode)
    pages: list[str] = []
    for i, *_ in ranked:
        url = retriever.pages[retriever.chunks[i][0]]["url"]
        if url not in pages:
            pages.append(url)
    return pages


def score(rankings: list[list[str]], answers: list[set[str]]) -> dict[str, float]:
    r1 = r5 = mrr = 0.0
    for ranking, good in zip(rankings, answers):
        ranks = [k for k, u in enumerate(ranking[:10], 1) if u in good]
        r1 += bool(ranks and ranks[0] == 1)
        r5 += bool(ranks and ranks[0] <= 5)
        mrr += 1 / ranks[0] if ranks else 0
    n = len(answers)
    return {"recall@1": r1 / n, "recall@5": r5 / n, "mrr@10": mrr / n}


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
    print(f"bundle: {summary.pages} pages, {summary.chunks} chunks ({summary.embedded} embedded) in {time.perf_counter() - t:.0f} s")

    # float32 vectors of the same chunks, from the embedding cache the build just filled.
    model = load(default_model())
    docs, _, _ = read_documents(opts)
    chunks = chunk_all(docs, model, opts)
    cache = EmbeddingCache(default_cache_dir() / "embeddings.sqlite")
    float_vecs, _ = embed_with_cache(model, [c.embed_text for c in chunks], max_tokens=opts.max_tokens, cache=cache)
    cache.close()

    questions = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    answers = [{args.base_url + p for p in q.get("pages", [q.get("url")])} for q in questions]
    qvecs = embed_texts(model, [q["q"] for q in questions], max_tokens=128)
    int8 = Retriever(args.bundle)
    f32 = Retriever(args.bundle, float_vectors=float_vecs)

    rows = []
    for label, r, mode in [("hybrid (int8)", int8, "hybrid"), ("vectors alone (int8)", int8, "dense"),
                           ("BM25 alone", int8, "lexical"), ("hybrid (float32)", f32, "hybrid"),
                           ("vectors alone (float32)", f32, "dense")]:
        rankings = [page_ranking(r, q["q"], v if mode != "lexical" else None, mode) for q, v in zip(questions, qvecs)]
        rows.append((label, score(rankings, answers)))
        if args.show_misses and label == "hybrid (int8)":
            for q, rk, good in zip(questions, rankings, answers):
                if not rk or rk[0] not in good:
                    print(f"  miss: {q['q'][:70]!r} → {rk[0].removeprefix(args.base_url) if rk else '-'} (want {', '.join(sorted(g.removeprefix(args.base_url) for g in good))})")
    print(f"\n{len(questions)} questions over {summary.pages} pages ({summary.chunks} chunks), page-level:")
    print(f"{'retrieval':<26}{'recall@1':>10}{'recall@5':>10}{'MRR@10':>10}")
    for label, s in rows:
        print(f"{label:<26}{s['recall@1']:>10.3f}{s['recall@5']:>10.3f}{s['mrr@10']:>10.3f}")
    ratio = rows[0][1]["recall@5"] / rows[3][1]["recall@5"] if rows[3][1]["recall@5"] else 1.0
    print(f"\nint8 keeps {ratio:.1%} of float32 hybrid recall@5")


if __name__ == "__main__":
    main()
