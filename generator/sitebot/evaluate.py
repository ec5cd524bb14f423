"""Score a built bundle against questions with known answers: recall@1, recall@k, MRR@10,
and how honestly it says "I don't know": the refusal rate and the answer rate.

    report = evaluate(Path("public/chatbot"), Path("qa.jsonl"))
    report.recall(5), report.mrr, report.refusal_rate, [r.question for r in report.failures]

It ranks with the browser's own maths and the bundle's own files: the Python port in
retrieve.py (tests/test_browser.py checks it ranks exactly as the browser does), the
`retrieval` settings from the bundle's sitebot.json, and the query embedded with the model
the bundle ships, truncated to its `query_max_tokens`. A bundle built with a bad setting
therefore scores what a visitor would get.

Questions are JSON Lines, one object a line (blank lines are skipped):

    {"q": "Can I return it after two weeks?", "url": "policies/refunds.html", "anchor": "return-window"}
    {"q": "How do I stream a dump to another server?", "pages": ["backup-dump.html", "app-pgdump.html"]}
    {"q": "Do you sell a version with a built-in printer?", "kind": "unanswerable"}

`q` (or `question`) is the question; `url`, `urls` or `pages` (a string or a list) the
page or pages that answer it, any one of which counts. A question with none of them (or an
empty list, or null) is one the site cannot answer: the right response is "not found".
`kind` (optional, a string such as "reworded" or "keyword") is carried into the report,
which gives recall and refusal per kind; other keys (`anchor`) are ignored.
Ranking is by page: pages in the order of their best chunk. A page matches an expected URL
when both are equal ignoring the fragment, a trailing `index.html` and a trailing slash;
a relative URL is resolved against the bundle's base_url, and a URL without a host matches
on its path alone. A question the bot answers with "not found" (the widget's own decision,
Retriever.rank) is a miss, as the visitor gets no page at all.

Recall and MRR count the answerable questions only. The refusal rate is the share of
unanswerable questions answered "not found"; the answer rate the share of answerable ones
that are not.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import BundleError, ConfigError, ModelError, QuestionsError
from .retrieve import Retriever

MRR_DEPTH = 10  # a first hit below this rank adds nothing to the MRR
QUESTION_KEYS = ("q", "question")
EXPECTED_KEYS = ("url", "urls", "pages")


@dataclass(frozen=True)
class Question:
    """One question and the pages that answer it (relative URLs are against the bundle's base_url)."""

    text: str
    expected: tuple[str, ...]  # empty: the site cannot answer it, and "not found" is right
    line: int = 0
    kind: str | None = None

    @property
    def answerable(self) -> bool:
        return bool(self.expected)


@dataclass(frozen=True)
class QuestionResult:
    """How one question ranked: `rank` of the first answering page (1 = first), None when missed."""

    question: str
    expected: tuple[str, ...]
    rank: int | None
    top: tuple[str, ...]  # the first pages, best first (empty when nothing ranked)
    not_found: bool  # the bot answers "not found": the visitor sees no page
    line: int = 0
    kind: str | None = None

    @property
    def answerable(self) -> bool:
        return bool(self.expected)

    @property
    def first(self) -> str | None:
        """What the visitor is shown first: a page URL, or None for "not found"."""
        return None if self.not_found or not self.top else self.top[0]


@dataclass
class EvalReport:
    """Scores over all questions; `k` is the cut-off of `recall_at_k` and of `failures`."""

    bundle: Path
    results: list[QuestionResult]
    k: int = 5
    model: str = ""
    retrieval: dict[str, Any] = field(default_factory=dict)

    @property
    def answerable(self) -> list[QuestionResult]:
        """Questions with an answering page: the ones recall and MRR are over."""
        return [r for r in self.results if r.answerable]

    @property
    def unanswerable(self) -> list[QuestionResult]:
        """Questions the site cannot answer: the ones the refusal rate is over."""
        return [r for r in self.results if not r.answerable]

    def recall(self, n: int) -> float:
        """Share of answerable questions whose answering page ranks in the first `n` pages."""
        return _recall(self.answerable, n)

    @property
    def recall_at_1(self) -> float:
        return self.recall(1)

    @property
    def recall_at_5(self) -> float:
        return self.recall(5)

    @property
    def recall_at_k(self) -> float:
        return self.recall(self.k)

    @property
    def mrr(self) -> float:
        """Mean reciprocal rank of the first answering page, counting ranks up to MRR_DEPTH."""
        scored = self.answerable
        if not scored:
            return 0.0
        return sum(1 / r.rank for r in scored if r.rank is not None and r.rank <= MRR_DEPTH) / len(scored)

    @property
    def refusal_rate(self) -> float | None:
        """Share of unanswerable questions answered "not found"; None when the file has none."""
        return _refusal_rate(self.unanswerable)

    @property
    def answer_rate(self) -> float | None:
        """Share of answerable questions the bot does not refuse; None when the file has none."""
        scored = self.answerable
        return sum(1 for r in scored if not r.not_found) / len(scored) if scored else None

    @property
    def failures(self) -> list[QuestionResult]:
        """Answerable questions whose answering page is not in the first `k` pages (or "not found")."""
        return [r for r in self.answerable if r.rank is None or r.rank > self.k]

    @property
    def answered_anyway(self) -> list[QuestionResult]:
        """Unanswerable questions the bot answered with a page instead of "not found"."""
        return [r for r in self.unanswerable if not r.not_found]

    @property
    def kinds(self) -> dict[str, dict[str, Any]]:
        """Per `kind` (only the questions that give one): counts, recall@k and the refusal rate."""
        out: dict[str, dict[str, Any]] = {}
        for kind in sorted({r.kind for r in self.results if r.kind is not None}):
            group = [r for r in self.results if r.kind == kind]
            answerable = [r for r in group if r.answerable]
            refusal = _refusal_rate([r for r in group if not r.answerable])
            out[kind] = {
                "questions": len(group),
                "answerable": len(answerable),
                f"recall@{self.k}": _round(_recall(answerable, self.k) if answerable else None),
                "refusal_rate": _round(refusal),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        some = bool(self.answerable)  # with no answerable question, recall is undefined: null, not 0
        return {
            "bundle": str(self.bundle),
            "model": self.model,
            "retrieval": self.retrieval,
            "questions": len(self.results),
            "answerable": len(self.answerable),
            "unanswerable": len(self.unanswerable),
            "k": self.k,
            "recall@1": _round(self.recall_at_1 if some else None),
            "recall@5": _round(self.recall_at_5 if some else None),
            f"recall@{self.k}": _round(self.recall_at_k if some else None),
            "mrr@10": _round(self.mrr if some else None),
            "answer_rate": _round(self.answer_rate),
            "refusal_rate": _round(self.refusal_rate),
            "failures": len(self.failures),
            "answered_anyway": len(self.answered_anyway),
            "kinds": self.kinds,
            "results": [
                {
                    **asdict(r),
                    "expected": list(r.expected),
                    "top": list(r.top),
                    "first": r.first,
                    "answerable": r.answerable,
                    "refused": r.not_found,
                }
                for r in self.results
            ],
        }


def _recall(results: Sequence[QuestionResult], n: int) -> float:
    if not results:
        return 0.0
    return sum(1 for r in results if r.rank is not None and r.rank <= n) / len(results)


def _refusal_rate(unanswerable: Sequence[QuestionResult]) -> float | None:
    return sum(1 for r in unanswerable if r.not_found) / len(unanswerable) if unanswerable else None


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def load_questions(source: Path | str | Sequence[dict[str, Any] | Question]) -> list[Question]:
    """Questions from a JSONL file, or from dicts with the same keys; a bad line is a QuestionsError."""
    if not isinstance(source, (str, Path)):
        items = list(source)
        questions = [q if isinstance(q, Question) else _question(q, "questions", i) for i, q in enumerate(items, 1)]
        if not questions:
            raise QuestionsError('the question list is empty; give at least one {"q": …, "url": …}')
        return questions
    path = Path(source)
    if not path.is_file():
        raise QuestionsError(
            f"questions file {path} does not exist" if not path.exists() else f"questions file {path} is not a file"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise QuestionsError(f"{path} is not UTF-8 text (byte {e.start}); write it as JSON Lines in UTF-8") from e
    except OSError as e:
        raise QuestionsError(f"cannot read questions file {path}: {e.strerror}") from e
    questions = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise QuestionsError(
                f"{path} line {n} is not JSON ({e.msg}); write one object a line, "
                'e.g. {"q": "How do refunds work?", "url": "policies/refunds.html"}'
            ) from e
        questions.append(_question(obj, str(path), n))
    if not questions:
        raise QuestionsError(
            f"{path} has no questions; write one JSON object a line, "
            'e.g. {"q": "How do refunds work?", "url": "policies/refunds.html"}'
        )
    return questions


def _question(obj: Any, where: str, n: int) -> Question:
    if not isinstance(obj, dict):
        raise QuestionsError(f'{where} line {n} is not a JSON object; write {{"q": …, "url": …}}')
    text = next((obj[k] for k in QUESTION_KEYS if k in obj), None)
    if not isinstance(text, str) or not text.strip():
        raise QuestionsError(f'{where} line {n} has no question; give it as a non-empty "q" string')
    # No url/urls/pages at all, an empty list or null: a question the site cannot answer, whose
    # right response is "not found". A key that is there but unusable is a mistake, not a refusal test.
    raw = next((obj[k] for k in EXPECTED_KEYS if k in obj), None)
    expected = (raw,) if isinstance(raw, str) else tuple(raw) if isinstance(raw, list) else ()
    if (raw is not None and not isinstance(raw, (str, list))) or not all(
        isinstance(u, str) and u.strip() for u in expected
    ):
        raise QuestionsError(
            f'{where} line {n} has a bad expected page; give "url" (a non-empty string) or "pages" (a list of them), '
            "or leave both out for a question the site cannot answer"
        )
    kind = obj.get("kind")
    if kind is not None and not (isinstance(kind, str) and kind.strip()):
        raise QuestionsError(
            f'{where} line {n} has a bad "kind"; give a non-empty string such as "reworded", or omit it'
        )
    return Question(text, expected, n, kind.strip() if kind else None)


def _page_key(url: str) -> tuple[str | None, str]:
    """(host or None, path[?query]) compared by `matches`: no fragment, index.html or trailing slash."""
    parts = urllib.parse.urlsplit(url.strip())
    path = urllib.parse.unquote(parts.path)
    if path.endswith("/index.html") or path == "index.html":
        path = path[: -len("index.html")]
    path = "/" + path.strip("/")
    if parts.query:
        path += "?" + parts.query
    host = f"{parts.scheme.lower()}://{parts.netloc.lower()}" if parts.netloc else None
    return host, path


def matches(page_url: str, expected: str, base_url: str) -> bool:
    """Whether a ranked page is the expected one (relative `expected` is against `base_url`)."""
    want_host, want = _page_key(urllib.parse.urljoin(base_url, expected.strip()))
    got_host, got = _page_key(page_url)
    return got == want and (got_host is None or want_host is None or got_host == want_host)


def rank_pages(
    retriever: Retriever, query: str, qvec: np.ndarray | None, *, mode: str = "hybrid"
) -> tuple[list[str], bool]:
    """Distinct page URLs in the order their best chunk ranks, and whether the bot says "not found"."""
    # The one ranking implementation: Retriever.rank, the port the parity test holds to the browser.
    ranked, not_found = retriever.rank(query, qvec, mode=mode)
    pages: list[str] = []
    seen: set[int] = set()
    for i, *_ in ranked:
        page = retriever.chunks[i][0]
        if page not in seen:
            seen.add(page)
            pages.append(retriever.pages[page]["url"])
    return pages, not_found


def judge(
    retriever: Retriever,
    questions: Sequence[Question],
    qvecs: Sequence[np.ndarray | None] | np.ndarray,
    *,
    base_url: str,
    mode: str = "hybrid",
) -> list[QuestionResult]:
    """Rank each question and find its first answering page."""
    results = []
    for q, vec in zip(questions, qvecs, strict=True):
        pages, not_found = rank_pages(retriever, q.text, vec, mode=mode)
        rank = None
        if not not_found:
            rank = next(
                (n for n, url in enumerate(pages, 1) if any(matches(url, e, base_url) for e in q.expected)), None
            )
        results.append(QuestionResult(q.text, q.expected, rank, tuple(pages[:5]), not_found, q.line, q.kind))
    return results


def open_bundle(bundle: Path, path: str = "full") -> Retriever:
    """The bundle's index (as its `path`, "full" or "lite", ranks), or a BundleError saying why it cannot be read."""
    bundle = Path(bundle)
    try:
        return Retriever(
            bundle, path=path
        )  # reads sitebot.json with bundle.format.read_manifest (its BundleError passes)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise BundleError(f"{bundle} is damaged ({type(e).__name__}: {e}); rebuild it with `sitebot generate`") from e


def query_vectors(bundle: Path, manifest: dict[str, Any], texts: Sequence[str]) -> np.ndarray:
    """Queries embedded as the browser does: the bundle's own model and tokenizer, `query_max_tokens`."""
    from .index.embed import embed_texts
    from .index.model import ModelFiles, load

    m = manifest["model"]
    files = ModelFiles(m["id"], bundle / m["files"]["model"], bundle / m["files"]["tokenizer"], m.get("sha256"))
    for f in (files.model, files.tokenizer):
        if not f.is_file():
            raise ModelError(f"{bundle} has no {f.relative_to(bundle)}; rebuild it with `sitebot generate`")
    model = load(files)
    # The same fallbacks as runtime_js/src/engine/encoder.js.
    max_tokens = m.get("query_max_tokens") or m.get("max_tokens") or 128
    return embed_texts(model, list(texts), max_tokens=max_tokens)


def evaluate(
    bundle: Path, questions: Path | str | Sequence[dict[str, Any] | Question], *, k: int = 5, path: str = "full"
) -> EvalReport:
    """Rank every question in `bundle` as its widget would on `path` and score the answering pages.

    "full" is the model's path (what a visitor gets once the model is in), "lite" the path that
    answers first without it (docs/bundle-format.md "Lite path").
    """
    if k < 1:
        raise ConfigError(f"--at must be at least 1, not {k}")
    qs = load_questions(questions)
    bundle = Path(bundle)
    retriever = open_bundle(bundle, path)
    texts = [q.text for q in qs]
    vecs: Sequence[np.ndarray | None] | np.ndarray
    if retriever.lite is not None:
        vecs = retriever.lite.vectors(texts)
    else:
        vecs = query_vectors(bundle, retriever.manifest, texts)
    base_url = retriever.manifest.get("base_url") or "/"
    results = judge(retriever, qs, vecs, base_url=base_url)
    return EvalReport(bundle, results, k, retriever.manifest["model"].get("id", ""), dict(retriever.params))


__all__ = ["EvalReport", "Question", "QuestionResult", "evaluate", "judge", "load_questions", "matches", "rank_pages"]
