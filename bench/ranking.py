"""Ranking levers and the not-found rule, measured on built bundles (issue 14, items 2 and 4).

    python bench/ranking.py bench/out/debian-installation-guide=bench/questions/debian-installation-guide.jsonl \
        bench/out/sqlalchemy-14=bench/questions/sqlalchemy-14.jsonl ...

Each bundle must be built by the current sitebot (its sitebot.json carries the calibrated
`retrieval.not_found`). For every bundle it prints one table: BM25 alone, vectors alone, the
fusion sitebot used before (convex 3:1 with the fixed `min_dense` 0.25), each lever alone, and
the kept method (the bundle's own settings), with R@1, R@5, MRR@10 by page, R@5 on reworded
and on keyword questions, the answer rate and the refusal rate. Rankings are the browser's
(retrieve.py, held to the browser by tests/test_browser.py); a refused question is a miss.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "generator"))

from sitebot.evaluate import EvalReport, judge, load_questions, open_bundle, query_vectors  # noqa: E402

BEFORE = {"fusion": "convex", "page_bonus": 0, "not_found": None}


def rows(kept: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(label, mode, retrieval overrides) for each line of the table."""
    return [
        ("BM25 alone", "lexical", {}),
        ("vectors alone", "dense", {}),
        ("before: convex 3:1, min_dense 0.25", "hybrid", BEFORE),
        ("convex 3:1 + calibrated not-found", "hybrid", {"fusion": "convex", "page_bonus": 0}),
        ("+ adaptive fusion", "hybrid", {"page_bonus": 0}),
        ("+ page bonus (convex)", "hybrid", {"fusion": "convex"}),
        ("kept: adaptive + page bonus + not-found", "hybrid", {}),
    ]


def kind_recall(report: EvalReport, kind: str) -> str:
    k = report.kinds.get(kind)
    return f"{k['recall@5']:.3f}" if k and k.get("recall@5") is not None else "-"


def measure(bundle: Path, questions: Path) -> None:
    retriever = open_bundle(bundle)
    qs = load_questions(questions)
    vecs = query_vectors(bundle, retriever.manifest, [q.text for q in qs])
    base_url = retriever.manifest.get("base_url") or "/"
    kept = dict(retriever.params)
    print(f"\n{bundle.name}: {len(qs)} questions, {retriever.manifest['counts']['chunks']} chunks")
    print(f"not_found: {kept.get('not_found')}")
    head = f"| {'method':42} | R@1   | R@5   | MRR   | reworded R@5 | keyword R@5 | answer rate | refusal rate |"
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for label, mode, over in rows(kept):
        retriever.params = {**kept, **over}
        if retriever.params.get("not_found") is None:
            retriever.params.pop("not_found", None)
        rep = EvalReport(bundle, judge(retriever, qs, vecs, base_url=base_url, mode=mode))
        refusal = "-" if rep.refusal_rate is None else f"{rep.refusal_rate:.3f}"
        print(
            f"| {label:42} | {rep.recall_at_1:.3f} | {rep.recall_at_5:.3f} | {rep.mrr:.3f} | "
            f"{kind_recall(rep, 'reworded'):12} | {kind_recall(rep, 'keyword'):11} | "
            f"{rep.answer_rate:.3f}       | {refusal:12} |"
        )
    retriever.params = kept


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pairs", nargs="+", help="BUNDLE=QUESTIONS.jsonl")
    for pair in ap.parse_args().pairs:
        bundle, _, questions = pair.partition("=")
        measure(Path(bundle), Path(questions))


if __name__ == "__main__":
    main()
