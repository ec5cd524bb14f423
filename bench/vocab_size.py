"""Bytes of the lite path's vocabulary file (index/vocab.py) on the wire, raw, gzip -9 and
brotli, in both orders, next to the tokenizer.json of the full path; and, in Node, how long
engine/wordpiece.js takes to read each file and to tokenize a question. Run: PYTHONPATH=generator python bench/vocab_size.py [tokenizer.json]"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import brotli

from sitebot.index import vocab

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "generator/sitebot/data/models/all-MiniLM-L6-v2/tokenizer.json"
QUESTION = "How do I stop stale pooled connections from breaking the first requests in the morning?"
TIMING = """
import { readFileSync } from "node:fs";
import { wordpieceTokenizer } from %s;
const [file, settings] = [readFileSync(%s, "utf8"), %s];
const t0 = performance.now();
const ids = wordpieceTokenizer(file, settings, 128);
const t1 = performance.now();
ids(%s);
const t2 = performance.now();
for (let i = 0; i < 1000; i++) ids(%s + i);
const t3 = performance.now();
console.log(`read ${(t1 - t0).toFixed(0)} ms, first question ${(t2 - t1).toFixed(1)} ms, then ${(t3 - t2).toFixed(0)} µs each`);
"""


def timing(lite: vocab.LiteVocab) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "vocab.txt").write_bytes(lite.data)
        module = TIMING % (
            json.dumps((ROOT / "runtime_js/src/engine/wordpiece.js").as_uri()),
            json.dumps(str(Path(tmp) / "vocab.txt")),
            json.dumps(lite.settings),
            json.dumps(QUESTION),
            json.dumps(QUESTION),
        )
        (Path(tmp) / "t.mjs").write_text(module)
        return subprocess.run(
            ["node", str(Path(tmp) / "t.mjs")], capture_output=True, text=True, check=True
        ).stdout.strip()


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
    for name, v in (("id order", lite), ("sorted", by_row)):
        print(f"wordpiece.js in Node, {name}: {timing(v)}")


if __name__ == "__main__":
    main()
