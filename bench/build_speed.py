"""Build throughput next to raw onnxruntime, and index bytes per chunk.

    python bench/build_speed.py [--site DIR] [--limit 2000]

Both sides embed the same chunk texts with the same session settings (all cores), in one
run: "raw" is the textbook loop (batches of 32 padded to the longest text, mean pooling
under the mask); "sitebot" is sitebot.index.embed (batches of equal-length texts, no padding).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitebot.index.embed import embed_ids, token_ids  # noqa: E402
from sitebot.index.model import default_model, load  # noqa: E402
from sitebot.index.partition import entry_files  # noqa: E402
from sitebot.pipeline import GenerateOptions, chunk_all, generate, read_documents  # noqa: E402

PG_DOCS = Path("/usr/share/doc/postgresql-doc-15/html")


def raw_onnxruntime(model, ids: list[list[int]], batch: int = 32) -> np.ndarray:  # type: ignore[no-untyped-def]
    out = []
    for start in range(0, len(ids), batch):
        part = ids[start : start + batch]
        width = max(len(x) for x in part)
        input_ids = np.zeros((len(part), width), dtype=np.int64)
        mask = np.zeros_like(input_ids)
        for r, seq in enumerate(part):
            input_ids[r, : len(seq)] = seq
            mask[r, : len(seq)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        hidden = model.session.run(None, feed)[0]
        pooled = (hidden * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        out.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
    return np.concatenate(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, default=PG_DOCS)
    ap.add_argument("--limit", type=int, default=2000, help="chunks to embed on each side")
    ap.add_argument("--max-tokens", type=int, default=128)
    args = ap.parse_args()
    opts = GenerateOptions(source=args.site, output=ROOT / "bench/out/speed-bundle", max_tokens=args.max_tokens)
    model = load(default_model())
    docs = read_documents(opts).docs
    chunks = chunk_all(docs, model, opts)
    # An even sample across the site, so both sides see the same mix of lengths.
    step = max(1, len(chunks) // args.limit)
    texts = [c.embed_text for c in chunks[::step][: args.limit]]
    ids = token_ids(model, texts, max_tokens=args.max_tokens)
    print(f"{len(texts)} chunks from {args.site} (mean {np.mean([len(x) for x in ids]):.0f} tokens)")

    embed_ids(model, ids[:64])  # warm-up
    t = time.perf_counter()
    raw = raw_onnxruntime(model, ids)
    raw_s = time.perf_counter() - t
    t = time.perf_counter()
    ours = embed_ids(model, ids)
    ours_s = time.perf_counter() - t
    agree = float((raw * ours).sum(1).min())
    print(f"raw onnxruntime : {len(ids) / raw_s:7.1f} chunks/s")
    print(
        f"sitebot embed   : {len(ids) / ours_s:7.1f} chunks/s  ({raw_s / ours_s:.2f}× raw; vectors agree to cosine ≥ {agree:.5f})"
    )

    # Index size per chunk, from a real build of the whole site (cached vectors).
    summary = generate(opts)
    import json

    m = json.loads((opts.output / "sitebot.json").read_text())
    size = {k: (opts.output / m["files"][k]).stat().st_size for k in ("lexical", "chunks")}
    size["vectors"] = sum((opts.output / f).stat().st_size for f in entry_files(opts.output, m["files"]["vectors"]))
    text = sum((opts.output / s["file"]).stat().st_size for s in m["files"]["shards"])
    n = summary.chunks
    print(
        f"\nindex of {n} chunks: vectors {size['vectors'] / n:.0f} B/chunk, BM25 {size['lexical'] / n:.0f} B/chunk, "
        f"metadata {size['chunks'] / n:.0f} B/chunk; text shards {text / n:.0f} B/chunk"
    )


if __name__ == "__main__":
    main()
