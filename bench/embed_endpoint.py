"""`--embed-endpoint` against a local build: same site, no cache, both ways; and the model check's margin.

    python bench/embed_endpoint.py [--site DIR] [--serve-model DIR] [--sample N]

Serves an OpenAI-compatible embeddings endpoint on 127.0.0.1 (tests/embed_server.py: the bundle's
own ONNX model, or `--serve-model`'s) and prints, for the site (default: the Debian installation
guide from /usr/share/doc): build seconds locally and through the endpoint (cache off), the
requests, texts per request and most requests in flight, and the cosine between the bundle's
int8 vectors and the vectors of `--serve-model` (e.g. the fp32 weights of the same model made by
`bench/models.py --prepare-l6-fp32`) on a sample of the site's chunks: the margin of the 0.99 check.
On one machine the endpoint does the same work over HTTP, so its time here is the protocol's
overhead; on a GPU server it is the point.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from embed_server import start_embed_server  # noqa: E402
from sitebot import GenerateOptions  # noqa: E402
from sitebot.index.embed import embed_texts  # noqa: E402
from sitebot.index.model import default_model, load, model_from_dir  # noqa: E402
from sitebot.pipeline import chunk_all, read_documents  # noqa: E402

GUIDE = Path("/usr/share/doc/installation-guide-amd64/en")


def build(site: Path, out: Path, endpoint: str | None) -> tuple[float, str]:
    """A cold build (no cache) by the real CLI, in its own process as a user runs it: seconds, summary line."""
    extra = ["--embed-endpoint", endpoint] if endpoint else []
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "sitebot", "generate", str(site), "-o", str(out), "--base-url", "/", "--no-cache"]
    r = subprocess.run([*cmd, *extra], capture_output=True, text=True, check=False)
    if r.returncode:
        raise SystemExit(r.stderr)
    return time.perf_counter() - started, next(ln for ln in r.stderr.splitlines() if ln.startswith("Indexed"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, default=GUIDE)
    ap.add_argument("--serve-model", type=Path, help="model folder the endpoint serves for the cosine figures")
    ap.add_argument("--sample", type=int, default=400, help="chunks compared for the cosine figures")
    ap.add_argument("--no-build", action="store_true", help="only the cosine figures")
    args = ap.parse_args()

    if not args.no_build:
        server, state = start_embed_server()
        state.delay = 0.0
        server.server.quiet_errors = True
        with server, tempfile.TemporaryDirectory() as tmp:
            local_s, chunks = build(args.site, Path(tmp) / "local", None)
            remote_s, _ = build(args.site, Path(tmp) / "remote", state.url + "/v1")
            sizes = state.sizes
            print(f"site {args.site}: {chunks}")
            print(f"build, local embedding:   {local_s:6.1f} s")
            print(f"build, through endpoint:  {remote_s:6.1f} s")
            print(
                f"requests {len(state.log):,}, texts {sum(sizes):,} (chunks, units, the 8-text check), "
                f"texts per request max {max(sizes)} median {int(np.median(sizes))}, "
                f"most in flight {state.max_in_flight()}"
            )

    if args.serve_model:
        bundle_model, served = load(default_model()), load(model_from_dir(args.serve_model))
        texts = [
            c.embed_text
            for c in chunk_all(
                read_documents(GenerateOptions(source=args.site, output=Path("-"))).docs,
                bundle_model,
                GenerateOptions(source=args.site, output=Path("-")),
            )
        ]
        rng = np.random.default_rng(0)
        sample = [texts[i] for i in sorted(rng.choice(len(texts), min(args.sample, len(texts)), replace=False))]
        a = embed_texts(bundle_model, sample, max_tokens=128)
        b = embed_texts(served, sample, max_tokens=128)
        cos = np.sum(a * b, axis=1)
        print(
            f"cosine, bundle model vs {args.serve_model.name} on {len(sample)} chunks: min {cos.min():.4f}, "
            f"1st percentile {np.percentile(cos, 1):.4f}, median {np.median(cos):.4f}; "
            f"below 0.99: {int((cos < 0.99).sum())}; 8-chunk samples refused: "
            f"{sum(bool((cos[i : i + 8] < 0.99).any()) for i in range(0, len(cos) - 7, 8))} of {len(cos) // 8}"
        )


if __name__ == "__main__":
    main()
