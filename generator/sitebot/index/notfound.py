"""The "I couldn't find that" decision, and its thresholds calibrated for each bundle at build time.

Two things make a question one the site cannot answer (docs/bundle-format.md, "Not found"):

1. It is further from every chunk than most off-topic questions are: its best cosine is
   below the site's `floor`.
2. It names something the site never mentions: an *unknown term*, one that occurs in no chunk
   and is not an everyday English word (a whole word of the model's WordPiece vocabulary).
   "Install Debian on a Raspberry Pi", "connect SQLAlchemy to MongoDB", "set up WireGuard":
   these are close to the site in meaning (MiniLM gives such questions 0.4–0.7, as high as
   the answerable ones), but "raspberry", "mongodb" and "wireguard" occur on no page. When
   unknown terms are more than `unknown_min` of the question (IDF-weighted), it is refused
   unless its best cosine, less `unknown_weight` times their share, still reaches `threshold`.
   A reworded question the site answers mostly uses everyday words ("bought it two weeks
   ago… am I stuck with it?"), which never count against it.

Both thresholds come from the site itself: the best cosines of a fixed list of off-topic probe
questions (data/probes.txt: everyday, travel, health and general-tech questions written once
and never tuned on a question set) with this site's own chunks. `floor` is what half the
probes reach, `threshold` what nineteen in twenty reach; a site whose topic sits near everyday
questions gets higher thresholds than a database manual. The browser engine
(runtime_js/src/engine/notfound.js) and `sitebot eval` (retrieve.py) apply the same rule to the
int8 vectors the visitor downloads, so all three decide alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import Any, Protocol

import numpy as np

METHOD = "probes-unknown-terms-1"
FLOOR_QUANTILE = 0.5
THRESHOLD_QUANTILE = 0.95
# A question whose terms are all unknown needs a best cosine 2.0 above `threshold`, which no
# cosine reaches; one unknown term among ten costs about 0.2.
UNKNOWN_WEIGHT = 2.0
# Unknown terms count once they are more than this share of the question (IDF-weighted): one
# odd word in a long, wordy question ("…swapped our modem…") is more often a synonym the
# site does not use than a thing it does not cover.
UNKNOWN_MIN = 0.15
# The unknown-term test needs a vocabulary in the site's language: on English sites 82–90 % of
# the index's term occurrences are everyday words of MiniLM's vocabulary, on the French Debian
# Reference 58 %, where the test refused 4 in 10 answerable questions. Below this share it is
# off (`unknown_min` 1.0: a share can never exceed it) and only the floor decides.
MIN_VOCABULARY_SHARE = 0.75


def probe_questions() -> list[str]:
    """The off-topic probes shipped with the package, one per line (# starts a comment)."""
    text = resources.files("sitebot").joinpath("data/probes.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def vocabulary(tokenizer: dict[str, Any]) -> frozenset[str]:
    """The whole words of a tokenizer.json's vocabulary: WordPiece entries without "##", or
    SentencePiece pieces that start a word ("▁word"). Other kinds give an empty set, and then
    every term the site lacks counts as unknown."""
    vocab = (tokenizer.get("model") or {}).get("vocab")
    if isinstance(vocab, dict):
        return frozenset(w for w in vocab if not w.startswith("##") and not w.startswith("["))
    if isinstance(vocab, list):
        return frozenset(
            p[0][1:] for p in vocab if isinstance(p, list) and p and isinstance(p[0], str) and p[0][:1] == "▁"
        )
    return frozenset()


def _whole_word(term: str, words: frozenset[str]) -> bool:
    return term in words or term + "s" in words or term + "es" in words


def is_everyday(term: str, words: frozenset[str]) -> bool:
    """Whether a lexical term (lower case, plural stripped) is an everyday word: a whole word of
    the vocabulary, its -ing or -ed form ("fiddling", "quitting", "swapped"), or one with digits
    whose letters are ("7pm", "4k"; "" counts: a plain number)."""
    if _whole_word(term, words):
        return True
    for suffix in ("ing", "ed"):
        if term.endswith(suffix) and len(term) > len(suffix) + 2:
            base = term[: -len(suffix)]
            if base in words or base + "e" in words or (base[-1] == base[-2] and base[:-1] in words):
                return True
    letters = "".join(c for c in term if not ("0" <= c <= "9"))
    return letters != term and (not letters or _whole_word(letters, words))


class TermStats(Protocol):
    """What the rule reads of the lexical index (index.lexical.BM25)."""

    def df(self, term: str) -> int: ...

    def idf(self, term: str) -> float: ...


def unknown_share(terms: Sequence[str], index: TermStats, words: frozenset[str]) -> float:
    """IDF-weighted share of the query's terms that no chunk holds and that are not everyday words.

    `terms` are the query's lexical terms, deduplicated in order (lexical.tokenize); a term no
    chunk holds weighs the highest IDF. The joined form of a hyphenated word ("doublesided"
    after "double", "sided") is skipped: its parts speak for it. Written in the same order of
    operations as notfound.js, so both give the same float.
    """
    unknown = 0.0
    total = 0.0
    for j, term in enumerate(terms):
        if any("".join(terms[j - k : j]) == term for k in range(2, min(j, 4) + 1)):
            continue
        idf = index.idf(term)
        total += idf
        if not index.df(term) and not is_everyday(term, words):
            unknown += idf
    return unknown / total if total > 0 else 0.0


def vocabulary_share(index: dict[str, Any], words: frozenset[str]) -> float:
    """The share of the lexical index's term occurrences (by chunk) that are everyday words."""
    total = 0
    everyday = 0
    for term, postings in index["terms"].items():
        df = len(postings) // 2
        total += df
        if is_everyday(term, words):
            everyday += df
    return everyday / total if total else 1.0


def calibrate(
    codes: np.ndarray,
    scales: np.ndarray,
    probe_vectors: np.ndarray,
    *,
    vocabulary_covers: float = 1.0,
) -> dict[str, Any]:
    """sitebot.json's `retrieval.not_found` for this site, from the probes' best cosines.

    `codes`/`scales` are the int8 document vectors exactly as the bundle stores them, so the
    probes are scored as the browser scores a question. `vocabulary_covers` is
    `vocabulary_share` of the site's lexical index. Deterministic: the same chunks and probes
    give the same thresholds.
    """
    best = np.zeros(0)
    if len(codes) and len(probe_vectors):
        dense = scales.astype(np.float64)[:, None] * (
            codes.astype(np.float64) @ np.asarray(probe_vectors, dtype=np.float64).T
        )
        best = dense.max(axis=0)
    floor = float(np.quantile(best, FLOOR_QUANTILE)) if len(best) else 0.0
    threshold = float(np.quantile(best, THRESHOLD_QUANTILE)) if len(best) else 0.0
    return {
        "method": METHOD,
        "floor": round(floor, 4),
        "threshold": round(threshold, 4),
        "unknown_weight": UNKNOWN_WEIGHT,
        "unknown_min": UNKNOWN_MIN if vocabulary_covers >= MIN_VOCABULARY_SHARE else 1.0,
        "vocabulary_share": round(vocabulary_covers, 3),
        "probes": len(best),
    }


def not_found(best_dense: float, unknown: float, params: dict[str, Any]) -> bool:
    """The decision for one question, from sitebot.json's `retrieval` (uncalibrated: `min_dense`)."""
    rule = params.get("not_found")
    if not rule:
        return not best_dense >= params["min_dense"]
    if not best_dense >= rule["floor"]:
        return True
    return (
        unknown > rule.get("unknown_min", 0.0)
        and not best_dense - rule["unknown_weight"] * unknown >= rule["threshold"]
    )
