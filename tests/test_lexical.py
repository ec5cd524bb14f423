"""The lexical tokenizer and BM25 (the browser follows the same rules)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_node
from sitebot.index.lexical import BM25, STOPWORDS, build, tokenize

ROOT = Path(__file__).resolve().parent.parent


def test_tokenize_folds_case_accents_plurals_and_stopwords() -> None:
    assert tokenize("How do I get REFUNDS for Café orders?") == ["get", "refund", "cafe", "order"]
    assert tokenize("policies classes bus glass") == ["policy", "classe", "bus", "glass"]
    assert tokenize("pg_dump --base-url v2.1") == ["pg", "dump", "base", "url", "baseurl", "v2", "1"]
    assert tokenize("Wi-Fi e-mail") == ["wi", "fi", "wifi", "e", "mail", "email"]


def test_bm25_prefers_rare_matching_terms() -> None:
    idx = build(["refund policy for damaged goods", "shipping policy and rates", "about our policy team"])
    s = BM25(idx).scores("refund policy")
    assert max(s, key=s.get) == 0
    assert set(s) == {0, 1, 2}
    assert BM25(idx).scores("unrelated words") == {}


def test_index_postings_are_delta_encoded() -> None:
    idx = build(["apple", "pear", "apple apple", "apple"])
    assert idx["terms"]["apple"] == [0, 1, 2, 2, 1, 1]
    assert idx["dl"] == [1, 1, 2, 1] and idx["n"] == 4


PARITY = [
    "How do I get REFUNDS for Café orders?",
    "Wi-Fi e-mail set-up re-enter--twice -x- a-",
    "naïve coöperation ﬁne ｆｕｌｌｗｉｄｔｈ",
    "İstanbul ΟΔΥΣΣΕΥΣ straße 中文字符 日本語",
    "pg_dump --format=custom v2.1.3 x86_64",
    "policies classes bus glass eies aies shoes toes",
    "constructor toString __proto__ hasOwnProperty",
    "x" * 45 + " " + "y" * 40,
    "١٢٣ ٤٥ numbers ½ ² ⅷ",
    "emoji 🖨️ 😡 e‑mail (non-breaking)",
]


def test_browser_tokenizer_agrees_with_python(tmp_path: Path) -> None:
    """runtime_js/src/shared/lexical.js, run by Node, gives the same terms as sitebot.index.lexical."""
    out = run_node(
        tmp_path,
        f"import {{ tokenize }} from {json.dumps((ROOT / 'runtime_js/src/shared/lexical.js').as_uri())};\n"
        f"const stop = new Set({json.dumps(STOPWORDS)});\n"
        f"console.log(JSON.stringify({json.dumps(PARITY)}.map((s) => tokenize(s, stop))));\n",
    )
    assert out == [tokenize(s) for s in PARITY]
