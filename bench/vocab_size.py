"""Bytes of the lite path's vocabulary file (index/vocab.py) on the wire, raw, gzip -9 and
brotli, in both orders, next to the tokenizer.json of the full path. Run: PYTHONPATH=generator python bench/vocab_size.py [tokenizer.json]"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import brotli

from sitebot.index import vocab

DEFAULT = Path(__file__).resolve().parent.parent / "generator/sitebot/data/models/all-MiniLM-L6-v2/tokenizer.json"


def sizes(data: bytes) -> str:
    return f"raw {len(data):>7,}  gzip-9 {len(gzip.compress(data, 9)):>7,}  brotli-11 {len(brotli.compress(data)):>7,}"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    lite = vocab.build(path)
    by_row = vocab.build(path, order="sorted")
    if lite is None or by_row is None:
        print(f"{path}: no lite path ({vocab.unsupported(path)})")
        return
    settings = json.dumps(lite.settings, separators=(",", ":")).encode()
    print(f"{path}")
    print(f"vocabulary file ({lite.settings['size']:,} rows)")
    print(f"  id order                       {sizes(lite.data)}")
    print(f"  sorted, front-coded            {sizes(by_row.data)}")
    print(f"settings (sitebot.json, compact) {sizes(settings)}")
    print(f"tokenizer.json (full path)      {sizes(path.read_bytes())}")


if __name__ == "__main__":
    main()
