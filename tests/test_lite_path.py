"""The lite query path in Chromium (issue 16): a visitor gets semantic answers without the
model, the model takes over when it comes, the owner's `bot.model` and the visitor's
Save-Data are obeyed, a bundle whose model is missing still answers, and `sitebot eval
--path lite` ranks exactly as the browser's lite path."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitebot.index import lite
from sitebot.retrieve import Retriever
from sitebot.serve import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [json.loads(line) for line in (ROOT / "examples/questions.jsonl").read_text().splitlines() if line.strip()]
MODEL_FILES = re.compile(r".*(\.onnx|\.wasm|/full\.[0-9a-f]+\.js|/index/vectors\.[0-9a-f]+\.bin)$")
# Questions with the site's own words: any path should find them (the lite path's quality on
# reworded questions is measured by bench/lite.py, not here).
PLAIN = ["How do I clear a paper jam?", "What is the refund policy?", "How long does shipping to Germany take?"]
FIRST_ANSWER_BUDGET = 300_000  # bytes on the wire to the first semantic answer (issue 16)


def page_path(url: str) -> str:
    return re.sub(r"^https?://[^/]+/", "", url).partition("#")[0]


@pytest.fixture
def bundle_copy(tmp_path: Path, examples_bundle: Path) -> Path:
    """A copy of the examples bundle served at /chatbot/ with the site, to change one file of."""
    root = tmp_path / "served"
    shutil.copytree(ROOT / "examples/site", root)
    shutil.copytree(examples_bundle, root / "chatbot")
    return root


@pytest.fixture
def serve(bundle_copy: Path) -> Iterator[str]:
    server, url = serve_in_thread(bundle_copy, require_bundle=False)
    yield url
    server.shutdown()
    server.server_close()


def set_model_choice(root: Path, choice: str) -> None:
    manifest = root / "chatbot/sitebot.json"
    m = json.loads(manifest.read_text())
    m["settings"]["model"] = choice
    manifest.write_text(json.dumps(m))
    for twin in root.glob("chatbot/sitebot.json.*"):
        twin.unlink()


def wait_status(page: Any, done: Any, timeout_ms: int = 20_000) -> dict[str, str]:
    for _ in range(timeout_ms // 100):
        status = page.evaluate("() => window.sitebot.status()")
        if done(status):
            return status  # type: ignore[no-any-return]
        page.wait_for_timeout(100)
    raise AssertionError(f"the engine's status stayed {status}")


def test_python_lite_path_ranks_like_the_browsers(page: Any, served_site: str, examples_bundle: Path) -> None:
    # The model is held back, so every answer comes from the lite path.
    page.route(MODEL_FILES, lambda route: route.abort())
    page.goto(served_site + "chatbot/index.html")
    page.evaluate("() => window.sitebot.ready({semantic: true})")
    assert page.evaluate("() => window.sitebot.status()")["lite"] == "ready"
    retriever = Retriever(examples_bundle, path="lite")
    vectors = retriever.lite.vectors([q["q"] for q in QUESTIONS])  # type: ignore[union-attr]
    for q, vec in zip(QUESTIONS, vectors, strict=True):
        browser = [page_path(r["url"]) for r in page.evaluate("(q) => window.sitebot.search(q, {k: 5})", q["q"])]
        python = [page_path("http://h" + h.url) for h in retriever.search(q["q"], vec, k=5)]
        assert browser == python, q["q"]


def test_a_pasted_paragraph_fetches_a_bounded_number_of_token_rows(
    page: Any, served_site: str, examples_bundle: Path
) -> None:
    # A visitor pastes several questions at once: only the `question_tokens` heaviest distinct
    # tokens count, so the token table files fetched stay few, and Python ranks as the browser.
    question = " ".join(q["q"] for q in QUESTIONS[:6])
    retriever = Retriever(examples_bundle, path="lite")
    table = retriever.lite
    assert table is not None
    cap = retriever.manifest["lite"]["question_tokens"]
    (rows,) = table.rows([question])
    weighty = {t for t in rows if t >= 0 and table.index.weights[t]}
    assert len(weighty) > cap  # the paragraph has more tokens of weight than count
    per_file = retriever.manifest["lite"]["tokens"]["rows"]
    counted = set(lite.counted(rows, table.index))
    assert len(counted) == cap
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/lite/tokens." in r.url else None)
    page.route(MODEL_FILES, lambda route: route.abort())
    page.goto(served_site + "chatbot/index.html")
    page.evaluate("() => window.sitebot.ready({semantic: true})")
    browser = [page_path(r["url"]) for r in page.evaluate("(q) => window.sitebot.search(q, {k: 5})", question)]
    files = {int(u.rsplit("/", 1)[1].removesuffix(".bin")) for u in fetched}
    assert files == {t // per_file for t in counted}
    vec = table.vectors([question])[0]
    assert browser == [page_path("http://h" + h.url) for h in retriever.search(question, vec, k=5)]


def test_a_bundle_without_its_model_still_answers(page: Any, bundle_copy: Path, serve: str) -> None:
    for f in (bundle_copy / "chatbot/model").glob("model.*"):
        f.unlink()
    page.goto(serve + "chatbot/index.html")
    page.evaluate("() => window.sitebot.ready({semantic: true})")
    answer = page.evaluate("(q) => window.sitebot.ask(q)", PLAIN[0])
    assert answer["citations"], answer
    status = wait_status(page, lambda s: s["model"] == "failed")
    assert status["lite"] == "ready"
    # The panel answers too, with no error message in it.
    page.evaluate("() => window.sitebot.open()")
    answer = page.evaluate("(q) => window.sitebot.ask(q)", PLAIN[1])
    assert answer["citations"] and "went wrong" not in answer["answer"]


@pytest.mark.parametrize("how", ["owner chose lite", "visitor saves data"])
def test_the_model_is_never_downloaded_when_it_is_not_wanted(
    page: Any, bundle_copy: Path, serve: str, how: str
) -> None:
    if how == "owner chose lite":
        set_model_choice(bundle_copy, "lite")
    else:
        page.add_init_script(
            "Object.defineProperty(Navigator.prototype, 'connection', {get: () => ({saveData: true, effectiveType: '4g'})})"
        )
    requests: list[str] = []
    page.context.on("request", lambda r: requests.append(r.url))
    page.goto(serve + "chatbot/index.html")
    page.evaluate("() => window.sitebot.ready({model: true})")  # the best path this visitor gets
    for q in PLAIN:
        assert page.evaluate("(q) => window.sitebot.ask(q)", q)["citations"], q
    page.wait_for_timeout(2500)  # past the engine's idle delay before the model would start
    assert page.evaluate("() => window.sitebot.status()") == {"lexical": "ready", "lite": "ready", "model": "off"}
    assert not [u for u in requests if MODEL_FILES.match(u)]
    assert any("/lite/tokens." in u for u in requests)


def test_the_model_takes_over_from_the_lite_path(page: Any, bundle_copy: Path, serve: str) -> None:
    set_model_choice(bundle_copy, "auto")
    page.goto(serve + "chatbot/index.html")
    page.evaluate("() => window.sitebot.ready({semantic: true})")
    page.evaluate("() => window.sitebot.ready({model: true})")
    assert page.evaluate("() => window.sitebot.status()") == {"lexical": "ready", "lite": "ready", "model": "ready"}
    # The model's vector is the one used now: it embeds the question (the lite path cannot).
    assert len(page.evaluate("(q) => window.sitebot.embed(q)", "refund")) == 384


def test_the_first_semantic_answer_fits_the_budget(browser: Any, bundle_copy: Path, serve: str) -> None:
    """Bytes on the wire (br, as `sitebot serve` sends the twins) in a fresh profile, from the
    page's load to the first semantic answer to a visitor's question."""
    context = browser.new_context()
    try:
        page = context.new_page()
        sizes: list[int] = []

        def finished(request: Any) -> None:
            if request.is_navigation_request():
                return  # the owner's page, not the bot
            s = request.sizes()
            sizes.append(s["responseBodySize"] + s["responseHeadersSize"])

        context.on("requestfinished", finished)
        page.goto(serve + "chatbot/index.html")
        page.evaluate("() => window.sitebot.ready({semantic: true})")
        results = page.evaluate("(q) => window.sitebot.search(q)", PLAIN[2])
        status = page.evaluate("() => window.sitebot.status()")
        spent = sum(sizes)
    finally:
        context.close()
    assert results and status["lite"] == "ready" and status["model"] != "ready"
    assert spent <= FIRST_ANSWER_BUDGET, f"{spent} bytes to the first semantic answer"
