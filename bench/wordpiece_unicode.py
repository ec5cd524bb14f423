"""Every code point through HF tokenizers and engine/wordpiece.js (Node), as "a<c>b <c>": prints
how many give different ids, and the first few. wordpiece.js's table of characters newer than
tokenizers' Unicode tables was found this way; rerun it after a tokenizers or Node upgrade.
Run: PYTHONPATH=generator python bench/wordpiece_unicode.py  (about two minutes)"""

from __future__ import annotations

import json
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from tokenizers import Tokenizer

from sitebot.index import vocab

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "generator/sitebot/data/models/all-MiniLM-L6-v2/tokenizer.json"
NODE = """
import { readFileSync } from "node:fs";
import { wordpieceTokenizer } from %s;
const dir = %s;
const ids = wordpieceTokenizer(readFileSync(`${dir}/vocab.txt`, "utf8"), %s, 100000);
const texts = JSON.parse(readFileSync(`${dir}/texts.json`, "utf8"));
console.log(JSON.stringify(texts.map(ids)));
"""


def main() -> None:
    lite = vocab.build(DEFAULT)
    assert lite is not None
    tok = Tokenizer.from_file(str(DEFAULT))
    tok.no_padding()
    tok.no_truncation()
    points = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    texts = [f"a{chr(c)}b {chr(c)}" for c in points]
    want = [e.ids for e in tok.encode_batch(texts)]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "vocab.txt").write_bytes(lite.data)
        (Path(tmp) / "texts.json").write_text(json.dumps(texts))
        js = (ROOT / "runtime_js/src/engine/wordpiece.js").as_uri()
        (Path(tmp) / "t.mjs").write_text(NODE % (json.dumps(js), json.dumps(tmp), json.dumps(lite.settings)))
        run = subprocess.run(["node", str(Path(tmp) / "t.mjs")], capture_output=True, text=True, check=True)
    got = json.loads(run.stdout)
    wrong = [c for c, w, g in zip(points, want, got, strict=True) if w != g]
    print(f"{len(points):,} code points, {len(wrong)} tokenized differently")
    for c in wrong[:20]:
        print(f"  U+{c:04X} {unicodedata.category(chr(c))} {unicodedata.name(chr(c), '?')}")


if __name__ == "__main__":
    main()
