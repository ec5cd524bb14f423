"""The lexical tokenizer and BM25 (the browser follows the same rules)."""

from __future__ import annotations

from generator.lexical import BM25, build, tokenize


def test_tokenize_folds_case_accents_plurals_and_stopwords() -> None:
    assert tokenize("How do I get REFUNDS for Café orders?") == ["get", "refund", "cafe", "order"]
    assert tokenize("policies classes bus glass") == ["policy", "classe", "bus", "glass"]
    assert tokenize("pg_dump --base-url v2.1") == ["pg", "dump", "base", "url", "v2", "1"]


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
