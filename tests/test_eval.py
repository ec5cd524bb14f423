"""`sitebot eval`: scores a bundle as its widget would, and fails CI when retrieval is broken."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, build, invoke_cli, run_cli
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
    for q in missed:
        assert q["question"] in r.stdout and q["first"] in r.stdout


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
        ('{"q": "refunds?"}\n', "line 1 has no expected page"),
        ('{"q": "refunds?", "pages": []}\n', "line 1 has no expected page"),
        ('\n["refunds?", "x/"]\n', "line 2 is not a JSON object"),
    ],
    ids=["missing", "empty", "blank", "not-json", "no-question", "blank-question", "no-url", "no-pages", "not-object"],
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
