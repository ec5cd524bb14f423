"""How tables and definition lists come out of extraction and chunking, on real sites.

    python bench/tables.py [--site NAME=DIR …] [--dump DIR]

Prints, per site: pages, chunks, table row lines (parse_row), and the share of chunks that hold a
row. --dump writes every chunk text (one JSON line each) to DIR/<name>.jsonl, to compare two
versions of the extraction (run it on each and diff).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "generator"))  # PYTHONPATH first: a before/after run picks its tree

from sitebot.index.model import default_model, load  # noqa: E402
from sitebot.pipeline import GenerateOptions, chunk_all, read_documents  # noqa: E402

try:
    from sitebot.text.rows import parse_row  # noqa: E402
except ImportError:  # an older tree, before row lines existed

    def parse_row(line: str) -> None:  # type: ignore[misc]
        return None


SITES = {
    "demo": ROOT / "examples/site",
    "installation-guide": Path("/usr/share/doc/installation-guide-amd64/en"),
    "postgresql-15": Path("/usr/share/doc/postgresql-doc-15/html"),
    "sqlalchemy-14": Path("/usr/share/doc/python-sqlalchemy-doc/html"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", action="append", default=[], help="NAME=DIR (default: the demo and three real sites)")
    ap.add_argument("--dump", type=Path, help="write each site's chunk texts to DIR/NAME.jsonl")
    args = ap.parse_args()
    sites = dict(s.split("=", 1) for s in args.site) if args.site else {k: str(v) for k, v in SITES.items()}
    model = load(default_model(), threads=1)
    print(f"{'site':20} {'pages':>6} {'chunks':>7} {'row lines':>10} {'chunks with rows':>17}")
    for name, folder in sites.items():
        opts = GenerateOptions(source=Path(folder), output=Path("/tmp/unused-tables-bench"))
        docs = read_documents(opts).docs
        chunks = chunk_all(docs, model, opts)
        rows = sum(1 for d in docs for s in d.sections for ln in s.text.split("\n") if parse_row(ln))
        with_rows = sum(1 for c in chunks if any(parse_row(ln) for ln in c.text.split("\n")))
        print(f"{name:20} {len(docs):6} {len(chunks):7} {rows:10} {with_rows:17}")
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            with open(args.dump / f"{name}.jsonl", "w") as f:
                for c in chunks:
                    f.write(json.dumps({"url": c.url, "anchor": c.anchor, "text": c.text}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
