"""The lexical (BM25) side: the tokenizer shared with the browser, and the index file.

The browser engine (runtime_js/src/shared/lexical.js) tokenizes queries with exactly the
same rules, written out in docs/bundle-format.md; tests check both agree.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

# A short English list: enough to keep "how do I …" questions from matching every chunk.
STOPWORDS = sorted(
    set(
        """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves s t don
""".split()
    )
)

# Runs of letters or digits (\w minus underscore), joined by single hyphens.
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def _stem(t: str) -> str:
    """Harman's S-stemmer (as Lucene's EnglishMinimalStemmer): plurals only, which is safe
    for names and identifiers. The first ending that matches decides, exceptions included."""
    if len(t) <= 3:
        return t
    if t.endswith("ies"):
        return t if t.endswith(("eies", "aies")) else t[:-3] + "y"
    if t.endswith("es"):
        return t if t.endswith(("aes", "ees", "oes")) else t[:-1]
    if t.endswith("s"):
        return t if t.endswith(("us", "ss")) else t[:-1]
    return t


def tokenize(text: str, stopwords: frozenset[str] | set[str] = frozenset(STOPWORDS)) -> list[str]:
    """Lexical terms in text order: `tokenize("Wi-Fi setups")` → `["wi", "fi", "wifi", "setup"]`."""
    if not text.isascii():  # ASCII has no marks to strip and nothing to decompose
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.category(c).startswith("M"))
    text = text.lower()
    out: list[str] = []
    for run in _TOKEN.findall(text):
        parts = run.split("-")
        # The joined form too, so "wi-fi" meets "wifi" and "e-mail" meets "email".
        for t in parts + (["".join(parts)] if len(parts) > 1 else []):
            if t not in stopwords and len(t) <= 40:
                out.append(_stem(t))
    return out


def build(texts: Sequence[str]) -> dict:
    """The BM25 index as written to lexical.<h>.json (see docs/bundle-format.md)."""
    stop = frozenset(STOPWORDS)
    postings: dict[str, list[tuple[int, int]]] = {}
    lengths: list[int] = []
    for i, text in enumerate(texts):
        toks = tokenize(text, stop)
        lengths.append(len(toks))
        for term, tf in Counter(toks).items():
            postings.setdefault(term, []).append((i, tf))
    terms: dict[str, list[int]] = {}
    for term in sorted(postings):
        flat: list[int] = []
        prev = 0
        for doc, tf in postings[term]:
            flat += [doc - prev, tf]
            prev = doc
        terms[term] = flat
    n = len(texts)
    avgdl = round(sum(lengths) / n, 4) if n else 0.0
    return {"stopwords": STOPWORDS, "n": n, "avgdl": avgdl, "dl": lengths, "terms": terms}


class BM25:
    """Scores chunks for a query from the index dict (the same maths as the browser)."""

    def __init__(self, index: dict, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.index, self.k1, self.b = index, k1, b
        self.stop = frozenset(index["stopwords"])
        self.n, self.avgdl, self.dl = index["n"], index["avgdl"] or 1.0, index["dl"]

    def postings(self, term: str) -> Iterable[tuple[int, int]]:
        flat = self.index["terms"].get(term)
        if not flat:
            return
        doc = 0
        for j in range(0, len(flat), 2):
            doc += flat[j]
            yield doc, flat[j + 1]

    def query_terms(self, query: str) -> list[str]:
        """The query's terms, deduplicated in order of first occurrence (the summation order)."""
        return list(dict.fromkeys(tokenize(query, self.stop)))

    def df(self, term: str) -> int:
        """How many chunks hold `term` (the postings are (doc gap, tf) pairs)."""
        return len(self.index["terms"].get(term) or ()) // 2

    def idf(self, term: str) -> float:
        """BM25's IDF of a term; a term no chunk holds (df = 0) gets the highest IDF any term can."""
        df = self.df(term)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def coverage(self, query: str, doc: int) -> float:
        """IDF-weighted share of the query's terms that chunk `doc` holds. 0 for a query without terms."""
        got = 0.0
        total = 0.0
        for term in self.query_terms(query):
            idf = self.idf(term)
            total += idf
            if any(d == doc for d, _ in self.postings(term)):
                got += idf
        return got / total if total > 0 else 0.0

    def scores(self, query: str) -> dict[int, float]:
        out: dict[int, float] = {}
        for term in self.query_terms(query):
            plist = list(self.postings(term))
            if not plist:
                continue
            idf = self.idf(term)
            for doc, tf in plist:
                norm = tf + self.k1 * (1 - self.b + self.b * self.dl[doc] / self.avgdl)
                out[doc] = out.get(doc, 0.0) + idf * tf * (self.k1 + 1) / norm
        return out
