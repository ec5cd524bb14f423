"""`sitebot eval`: scores a bundle as its widget would, and fails CI when retrieval is broken."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, build, invoke_cli, one_error_line, run_cli
from sitebot import retrieve
from sitebot.evaluate import evaluate, matches

QUESTIONS = EXAMPLES / "questions.jsonl"


def test_eval_passes_on_the_examples_bundle(examples_bundle: Path, tmp_path: Path) -> None:
    report = tmp_path / "eval.json"
    r = run_cli(
        "eval",
        str(examples_bundle),
        "--questions",
        str(QUESTIONS),
        "--min-recall",
        "0.8",
        "--json",
        str(report),
        env={"COLUMNS": "200"},
    )  # no wrapping: whole questions in the output
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "12 questions" in r.stdout
    for figure in ("recall@1", "recall@5", "MRR@10"):
        assert figure in r.stdout
    data = json.loads(report.read_text())
    assert data["questions"] == 12 and data["recall@5"] >= 0.8 and data["recall@1"] >= 0.7
    assert data["retrieval"]["min_dense"] == 0.25  # the bundle's own settings
    ranks = {q["question"]: q["rank"] for q in data["results"]}
    assert ranks["I'm in Munich. How long before the box turns up at my door?"] == 1
    # A miss is listed with what the visitor was shown first.
    missed = [q for q in data["results"] if q["rank"] is None or q["rank"] > 5]
    assert len(missed) == data["failures"]
    for q in missed:  # a refused question shows "not found"
        assert q["question"] in r.stdout and (q["first"] or "not found") in r.stdout


@pytest.mark.parametrize(
    "broken",
    [
        "min_dense = 0.99",  # every question is "not found": the visitor gets no page at all
        "w_dense = 0.0\nw_lexical = 1.0",  # the vectors are ignored: BM25 alone misses paraphrases
    ],
    ids=["min_dense", "no_vectors"],
)
def test_eval_fails_on_a_bundle_built_with_a_broken_setting(broken: str, tmp_path: Path) -> None:
    (tmp_path / "sitebot.toml").write_text(
        f'source = {json.dumps(str(EXAMPLES / "site"))}\nbase_url = "/"\n\n[retrieval]\n{broken}\n'
    )
    bundle = build(tmp_path, tmp_path / "chatbot")
    report = tmp_path / "eval.json"
    r = run_cli(
        "eval",
        str(bundle),
        "--questions",
        str(QUESTIONS),
        "--min-recall",
        "0.8",
        "--json",
        str(report),
        env={"COLUMNS": "200"},
    )
    assert r.returncode == 1
    (line,) = r.stderr.splitlines()
    assert line.startswith("Error: recall@5 0.") and line.endswith("is below --min-recall 0.80"), line
    data = json.loads(report.read_text())
    assert data["recall@5"] < 0.8
    assert "Missed at 5" in r.stdout
    for q in data["results"]:
        if q["rank"] is None or q["rank"] > 5:
            assert q["question"] in r.stdout
    if broken.startswith("min_dense"):
        assert line == "Error: recall@5 0.00 is below --min-recall 0.80"
        assert all(q["not_found"] and q["first"] is None for q in data["results"])
        assert r.stdout.count("not found") == 12


def test_eval_ranks_with_the_browser_port_and_the_bundle_manifest(
    examples_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # There is one ranking implementation, Retriever.rank (held to the browser by
    # tests/test_browser.py::test_python_port_ranks_like_the_browser): eval must go through it.
    calls: list[str] = []
    real = retrieve.Retriever.rank

    def spy(self: retrieve.Retriever, query: str, qvec: object, *, mode: str = "hybrid") -> object:
        calls.append(mode)
        assert self.params == self.manifest["retrieval"]
        return real(self, query, qvec, mode=mode)  # type: ignore[arg-type]

    monkeypatch.setattr(retrieve.Retriever, "rank", spy)
    report = evaluate(examples_bundle, QUESTIONS)
    assert calls == ["hybrid"] * 12
    assert report.recall_at_5 >= 0.8 and 0 < report.mrr <= 1


def test_eval_embeds_with_the_model_the_bundle_ships(examples_bundle: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "chatbot"
    shutil.copytree(examples_bundle, bundle)
    model = bundle / json.loads((bundle / "sitebot.json").read_text())["model"]["files"]["model"]
    model.write_bytes(model.read_bytes()[:1000])
    r = run_cli("eval", str(bundle), "--questions", str(QUESTIONS))
    assert r.returncode == 1
    (line,) = r.stderr.splitlines()
    assert line.startswith("Error: ") and model.name in line and "sha256" in line


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "does not exist"),
        ("", "has no questions"),
        ("\n  \n", "has no questions"),
        ('{"q": "a", "url": "x/"}\nnot json at all\n', "line 2 is not JSON"),
        ('{"url": "x/"}\n', "line 1 has no question"),
        ('{"q": "   ", "url": "x/"}\n', "line 1 has no question"),
        # No "url" at all is a question the site cannot answer (below); a "url" that is there but unusable is a mistake.
        ('{"q": "refunds?", "url": ""}\n', "line 1 has a bad expected page"),
        ('{"q": "refunds?", "pages": ["x/", 3]}\n', "line 1 has a bad expected page"),
        ('{"q": "refunds?", "url": {"a": 1}}\n', "line 1 has a bad expected page"),
        ('{"q": "refunds?", "url": "x/", "kind": 7}\n', 'line 1 has a bad "kind"'),
        ('{"pages": []}\n', "line 1 has no question"),
        ('\n["refunds?", "x/"]\n', "line 2 is not a JSON object"),
    ],
    ids=[
        "missing",
        "empty",
        "blank",
        "not-json",
        "no-question",
        "blank-question",
        "blank-url",
        "bad-pages",
        "url-object",
        "bad-kind",
        "unanswerable-without-question",
        "not-object",
    ],
)
def test_a_bad_questions_file_is_one_sentence(
    content: str | None, message: str, examples_bundle: Path, tmp_path: Path
) -> None:
    path = tmp_path / "qa.jsonl"
    if content is not None:
        path.write_text(content)
    r = invoke_cli("eval", str(examples_bundle), "--questions", str(path), "--min-recall", "0.8")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    (line,) = r.stderr.splitlines()
    assert line.startswith("Error: ") and str(path) in line and message in line, line


def test_a_folder_that_is_not_a_bundle_is_one_sentence(tmp_path: Path) -> None:
    r = invoke_cli("eval", str(tmp_path), "--questions", str(QUESTIONS))
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        f"Error: {tmp_path} has no sitebot.json; give the bundle folder that `sitebot generate` wrote"
    ]


def test_at_and_min_mrr_set_the_bar(examples_bundle: Path) -> None:
    ok = run_cli("eval", str(examples_bundle), "--questions", str(QUESTIONS), "--at", "10", "--min-recall", "0.9")
    assert ok.returncode == 0, ok.stderr
    assert "recall@10" in ok.stdout
    bad = run_cli(
        "eval",
        str(examples_bundle),
        "--questions",
        str(QUESTIONS),
        "--at",
        "1",
        "--min-recall",
        "0.99",
        "--min-mrr",
        "0.99",
    )
    assert bad.returncode == 1
    (line,) = bad.stderr.splitlines()
    assert (
        line.startswith("Error: recall@1 ")
        and "below --min-recall 0.99 and MRR@10 " in line
        and line.endswith("below --min-mrr 0.99")
    )


@pytest.mark.parametrize(
    "page, expected, base",
    [
        ("/policies/refunds.html#return-window", "policies/refunds.html", "/"),
        ("/pricing/", "pricing", "/"),
        ("/pricing/", "pricing/index.html", "/"),
        ("/", "index.html", "/"),
        ("https://larkbox.example/docs/setup#wifi", "setup/", "https://larkbox.example/docs/"),
        ("https://larkbox.example/docs/setup", "/docs/setup", "https://larkbox.example/"),
        ("/docs/setup", "https://larkbox.example/docs/setup/", "/"),  # a bundle built with base_url "/"
        ("https://Larkbox.example/caf%C3%A9/", "https://larkbox.example/café", "/"),
    ],
)
def test_a_page_matches_its_expected_url(page: str, expected: str, base: str) -> None:
    assert matches(page, expected, base)


@pytest.mark.parametrize(
    "page, expected, base",
    [
        ("/policies/refunds.html", "policies/shipping.html", "/"),
        ("/docs/setup", "setup", "/"),  # relative to the base_url, not to the site's folders
        ("https://other.example/docs/setup", "https://larkbox.example/docs/setup", "/"),
        ("/pricing/?plan=team", "pricing/", "/"),
    ],
)
def test_a_page_does_not_match_another_url(page: str, expected: str, base: str) -> None:
    assert not matches(page, expected, base)


def test_the_readme_shows_the_example_workflow_as_it_is() -> None:
    readme = (EXAMPLES.parent / "README.md").read_text()
    workflow = (EXAMPLES / "github-actions" / "chatbot.yml").read_text()
    assert f"```yaml\n{workflow}```\n" in readme
    assert readme.index("## In CI") < readme.index("## Figures")


# Questions the demo site cannot answer: plausible for its visitors, but no page says.
UNANSWERABLE = [
    {"q": "Can I pay for the box in bitcoin?", "kind": "unanswerable"},
    {"q": "What is the share price of the company today?", "pages": [], "kind": "unanswerable"},
    {"q": "Does it run Kubernetes clusters on a Raspberry Pi?", "url": None, "kind": "unanswerable"},
]
# An answerable question (shipping to Munich ranks first) written as if the site could not answer
# it: the bot surely answers it, so the refusal rate of a file holding it is below 1.
ANSWERED = {"q": "I'm in Munich. How long before the box turns up at my door?", "kind": "answered"}


def _questions(tmp_path: Path, *extra: dict[str, object], answerable: bool = True) -> Path:
    lines = QUESTIONS.read_text().splitlines() if answerable else []
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(lines + [json.dumps(q) for q in extra]) + "\n")
    return path


def test_unanswerable_questions_are_counted_and_reported(examples_bundle: Path, tmp_path: Path) -> None:
    path = _questions(tmp_path, *UNANSWERABLE, ANSWERED)
    report = tmp_path / "eval.json"
    r = run_cli("eval", str(examples_bundle), "--questions", str(path), "--json", str(report), env={"COLUMNS": "200"})
    assert r.returncode == 0, r.stderr
    assert "16 questions (12 with an answering page, 4 the site cannot answer)" in r.stdout
    assert "answer rate" in r.stdout and "refusal rate" in r.stdout
    data = json.loads(report.read_text())
    assert (data["questions"], data["answerable"], data["unanswerable"]) == (16, 12, 4)
    by_q = {q["question"]: q for q in data["results"]}
    for q in [*UNANSWERABLE, ANSWERED]:
        got = by_q[q["q"]]
        assert got["answerable"] is False and got["expected"] == [] and got["rank"] is None
        assert got["kind"] == q["kind"] and got["refused"] is got["not_found"]
    unanswerable = [q for q in data["results"] if not q["answerable"]]
    refused = sum(q["refused"] for q in unanswerable)
    assert data["refusal_rate"] == round(refused / 4, 4) < 1  # the Munich question is answered
    answered = sum(not q["refused"] for q in data["results"] if q["answerable"])
    assert data["answer_rate"] == round(answered / 12, 4)
    assert f"{refused}/4 unanswerable questions refused" in r.stdout
    # Every unanswerable question it answered is listed with the page it showed first.
    assert data["answered_anyway"] == 4 - refused >= 1
    assert "answered though the site cannot answer" in r.stdout
    for q in unanswerable:
        if not q["refused"]:
            assert q["question"] in r.stdout and q["first"] in r.stdout
    # Kinds carried into the report, with recall and refusal per kind.
    assert data["kinds"]["unanswerable"]["questions"] == 3 and data["kinds"]["answered"]["refusal_rate"] == 0.0
    assert data["kinds"]["answered"]["recall@5"] is None


def test_recall_ignores_unanswerable_questions(examples_bundle: Path, tmp_path: Path) -> None:
    plain = evaluate(examples_bundle, QUESTIONS)
    mixed = evaluate(examples_bundle, _questions(tmp_path, *UNANSWERABLE, ANSWERED))
    assert len(mixed.results) == 16 and len(mixed.answerable) == 12
    for n in (1, 5, 10):
        assert mixed.recall(n) == plain.recall(n)
    assert mixed.mrr == plain.mrr and mixed.answer_rate == plain.answer_rate
    assert [r.question for r in mixed.failures] == [r.question for r in plain.failures]
    assert plain.refusal_rate is None and mixed.refusal_rate is not None


def test_min_refusal_gates(examples_bundle: Path, tmp_path: Path) -> None:
    path = _questions(tmp_path, *UNANSWERABLE, ANSWERED)
    report = tmp_path / "eval.json"
    ok = run_cli("eval", str(examples_bundle), "--questions", str(path), "--json", str(report))
    assert ok.returncode == 0, ok.stderr
    rate = json.loads(report.read_text())["refusal_rate"]
    assert rate < 1  # the Munich question is answered
    met = run_cli(
        "eval", str(examples_bundle), "--questions", str(path), "--min-refusal", str(rate), "--min-recall", "0.8"
    )
    assert met.returncode == 0, met.stderr
    assert met.stderr == ""
    below = run_cli("eval", str(examples_bundle), "--questions", str(path), "--min-refusal", "1")
    assert one_error_line(below) == f"Error: refusal rate {rate:.2f} is below --min-refusal 1.00"
    assert "refusal rate" in below.stdout  # the report is printed before the verdict


def test_min_refusal_without_unanswerable_questions_is_one_sentence(examples_bundle: Path) -> None:
    r = invoke_cli("eval", str(examples_bundle), "--questions", str(QUESTIONS), "--min-refusal", "0.8")
    line = one_error_line(r)
    assert line.startswith(f"Error: the questions file {QUESTIONS} has no question the site cannot answer; ")
    assert line.endswith("or drop --min-refusal")


def test_an_all_unanswerable_file_works(examples_bundle: Path, tmp_path: Path) -> None:
    path = _questions(tmp_path, *UNANSWERABLE, answerable=False)
    report = tmp_path / "eval.json"
    r = run_cli("eval", str(examples_bundle), "--questions", str(path), "--min-refusal", "0", "--json", str(report))
    assert r.returncode == 0, r.stderr
    assert "3 questions (0 with an answering page, 3 the site cannot answer)" in r.stdout
    assert "no question with an answering page" in r.stdout
    data = json.loads(report.read_text())
    assert data["recall@5"] is None and data["mrr@10"] is None and data["answer_rate"] is None
    assert data["refusal_rate"] == round(sum(q["refused"] for q in data["results"]) / 3, 4)
    assert data["failures"] == 0
    # Recall cannot be measured without an answering page: a gate on it says so.
    bad = invoke_cli("eval", str(examples_bundle), "--questions", str(path), "--min-recall", "0.8")
    assert one_error_line(bad).startswith(f"Error: the questions file {path} has no question the site can answer; ")
