"""The widget in Debian's Chromium: parity with Python, answers, isolation, safety.

Every test drives a real bundle built by `sitebot generate`, served on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import EXAMPLES, build
from sitebot.index.embed import embed_texts
from sitebot.index.model import LoadedModel, default_model, load
from sitebot.retrieve import Retriever
from sitebot.serve import serve_in_thread

pytestmark = pytest.mark.browser

QUESTIONS = [json.loads(line) for line in (EXAMPLES / "questions.jsonl").read_text().splitlines() if line.strip()]
# Five of the twelve, on five different pages, for the end-to-end walk-through. Retrieval
# quality over all twelve (misses included) is measured by bench/quality.py, not here.
E2E = [QUESTIONS[i] for i in (1, 2, 3, 5, 7)]


@pytest.fixture(scope="module")
def model() -> LoadedModel:
    return load(default_model())


def wait_ready(page: Any, *, model: bool = False) -> None:
    page.wait_for_function("() => window.sitebot && window.sitebot.search")
    page.evaluate(f"() => window.sitebot.ready({{model: {'true' if model else 'false'}}})")


def page_path(url: str) -> str:
    """'http://127.0.0.1:1234/docs/setup#wifi' → 'docs/setup'."""
    return re.sub(r"^https?://[^/]+/", "", url).split("#")[0]


PARITY_STRINGS = [
    "refund",
    "How do I get my money back?",
    "wifi",
    "Can I pause my ink plan while on holiday?",
    "Überweisung für Bestellung Nr. 4711 — geht das?",
    "¿Cuánto cuesta el envío a España?",
    "café crème brûlée",
    "打印机无法连接到无线网络",
    "日本語のマニュアルはありますか",
    "Привет, как вернуть принтер?",
    "ΟΔΥΣΣΕΥΣ και σύνδεση",
    "🖨️ printer jam 😡 help!!!",
    "def main():\n    print('hello')\n    return 0",
    "SELECT * FROM orders WHERE id = 42;",
    "curl -X POST https://api.example.com/v1/jobs -H 'Authorization: Bearer x'",
    "pg_dump --format=custom mydb > db.dump",
    "  leading and trailing spaces  ",
    "UPPER CASE QUESTION ABOUT WARRANTY",
    "a",
    "?!",
    "x" * 300,
    " ".join(["long question about shipping times and costs to many countries"] * 40),
    "The quick brown fox jumps over the lazy dog. " * 30,
    "e-mail vs email vs E‑mail",
    "ﬁne ligatures and ｆｕｌｌｗｉｄｔｈ",
    "İstanbul'a kargo",
    "tab\tseparated\tvalues",
    "line one\nline two\r\nline three",
    "1234567890 0987654321",
    "naïve coöperation résumé",
]


def test_query_vectors_match_python(page: Any, served_site: str, model: LoadedModel) -> None:
    assert len(PARITY_STRINGS) == 30
    page.goto(served_site + "chatbot/index.html")
    wait_ready(page, model=True)
    browser_vecs = np.array(
        page.evaluate(
            "async (xs) => { const out = []; for (const x of xs) out.push(await window.sitebot.embed(x)); return out; }",
            PARITY_STRINGS,
        )
    )
    py_vecs = embed_texts(model, PARITY_STRINGS, max_tokens=128)
    cos = (browser_vecs * py_vecs).sum(axis=1) / np.linalg.norm(browser_vecs, axis=1) / np.linalg.norm(py_vecs, axis=1)
    worst = int(cos.argmin())
    assert cos.min() >= 0.999, (PARITY_STRINGS[worst], float(cos[worst]))


def test_keyboard_user_gets_the_right_page_cited_first(page: Any, served_site: str) -> None:
    page.goto(served_site + "chatbot/index.html")
    wait_ready(page, model=True)
    page.keyboard.press("/")  # the shortcut opens the panel and focuses the input
    host = page.locator("sitebot-widget")
    dialog = host.locator("[role=dialog]")
    dialog.wait_for(state="visible")
    for q in E2E:
        page.keyboard.type(q["q"])
        page.keyboard.press("Enter")
        # The reply replaces the "searching…" line; it is the log's last element but its Copy button.
        page.wait_for_function(
            "() => { const log = document.querySelector('sitebot-widget').shadowRoot.querySelector('[role=log]');"
            " return !log.querySelector('.busy') && log.lastElementChild.matches('.copy')"
            " && log.lastElementChild.previousElementSibling.matches('.answer, .msg.bot'); }"
        )
        reply = host.locator("[role=log] > :not(.copy)").last
        href = (
            reply.locator("a.source").first.get_attribute("href", timeout=1000)
            if reply.locator("a.source").count()
            else ""
        )
        assert page_path(href or "") == q["url"], (q, href, reply.inner_text()[:200])
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("() => document.activeElement.tagName") == "SITEBOT-WIDGET"
    assert page.problems == []


def test_search_api_ranks_the_answering_page_first(page: Any, served_site: str) -> None:
    page.goto(served_site + "chatbot/index.html")
    wait_ready(page, model=True)
    for q in E2E:
        results = page.evaluate("(q) => window.sitebot.search(q, {k: 5})", q["q"])
        assert len(results) == 5
        assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
        top = results[0]
        assert set(top) == {"url", "title", "heading", "score", "text"}
        assert top["url"].startswith(served_site)  # absolute, resolved against the page
        assert page_path(top["url"]) == q["url"], (q, [r["url"] for r in results])
        if q["anchor"]:
            assert top["url"].endswith("#" + q["anchor"]) or "#" in top["url"]
    answer = page.evaluate("(q) => window.sitebot.ask(q)", E2E[0]["q"])
    assert answer["citations"] and page_path(answer["citations"][0]["url"]) == E2E[0]["url"]
    assert answer["answer"].strip()


def test_python_port_ranks_like_the_browser(page: Any, served_site: str, examples_bundle: Path) -> None:
    page.goto(served_site + "chatbot/index.html")
    wait_ready(page, model=True)
    retriever = Retriever(examples_bundle)
    for q in QUESTIONS:
        vec = np.array(page.evaluate("(q) => window.sitebot.embed(q)", q["q"]), dtype=np.float32)
        browser = [
            page_path(r["url"]) + "#" + r["url"].partition("#")[2]
            for r in page.evaluate("(q) => window.sitebot.search(q, {k: 5})", q["q"])
        ]
        python = [
            page_path("http://h" + h.url) + "#" + h.url.partition("#")[2] for h in retriever.search(q["q"], vec, k=5)
        ]
        assert browser == python, q["q"]


# Questions the demo site cannot answer: off-topic ones, and ones close to its topic that name
# something it never mentions (the unknown-term rule of index/notfound.py).
UNANSWERABLE = [
    "What is the airspeed velocity of an unladen swallow?",
    "How do I print from my Raspberry Pi with CUPS?",
    "Can the printer join a Kubernetes cluster?",
    "Does the scanner work with Evernote and Dropbox?",
]


def test_python_port_decides_not_found_like_the_browser(page: Any, served_site: str, examples_bundle: Path) -> None:
    page.goto(served_site + "chatbot/index.html")
    wait_ready(page, model=True)
    retriever = Retriever(examples_bundle)
    rule = retriever.params["not_found"]
    reasons = set()
    for q in [x["q"] for x in QUESTIONS] + UNANSWERABLE:
        vec = np.array(page.evaluate("(q) => window.sitebot.embed(q)", q), dtype=np.float32)
        ranked, python = retriever.rank(q, vec)
        answer = page.evaluate("(q) => window.sitebot.ask(q)", q)
        assert (answer["citations"] == []) is python, q
        best = float(retriever.dense_scores(vec).max())
        reasons.add("answered" if not python else "floor" if best < rule["floor"] else "unknown terms")
    assert reasons == {"answered", "floor", "unknown terms"}  # each branch of the rule was compared


def test_unanswerable_question_says_so(page: Any, served_site: str) -> None:
    page.goto(served_site + "chatbot/index.html")
    wait_ready(page, model=True)
    answer = page.evaluate("() => window.sitebot.ask('What is the airspeed velocity of an unladen swallow?')")
    assert answer == {"answer": "I couldn't find that on this site.", "citations": []}


def test_lexical_answers_while_the_model_is_loading(page: Any, served_site: str) -> None:
    # Hold the model back: the first answers must come from the lexical index alone.
    page.route(re.compile(r".*\.onnx$"), lambda route: None)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(served_site + "chatbot/index.html")
    wait_ready(page)
    results = page.evaluate("() => window.sitebot.search('refund policy return window', {k: 3})")
    assert results and page_path(results[0]["url"]) == "policies/refunds.html"
    shards = [u for u in requests if "/text/" in u]
    total = page.evaluate("() => fetch('sitebot.json').then(r => r.json()).then(m => m.counts.shards)")
    assert 1 <= len(shards) < total  # only the winning chunks' shards were fetched


def test_panel_fills_a_phone_screen(browser: Any, served_site: str) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(served_site + "chatbot/index.html")
    page.wait_for_function("() => window.sitebot")
    page.evaluate("() => window.sitebot.open()")
    box = page.locator("sitebot-widget [role=dialog]").bounding_box()
    assert box and box["width"] >= 380
    ctx.close()


# --- embedding on someone else's page ----------------------------------------------------------

HOSTILE_CSS = """
* { font-family: 'Comic Sans MS', cursive !important; color: rgb(255, 0, 0) !important; }
button { background: rgb(0, 255, 0) !important; border-radius: 0 !important; padding: 40px !important; }
a, mark, p { font-size: 40px !important; text-decoration: line-through !important; }
[role=dialog], .panel, .launcher { display: none !important; }
"""


def host_page(folder: Path, widget_src: str, *, css: str = "", body: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "style.css").write_text(css)
    (folder / "index.html").write_text(
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Host</title><link rel=icon href='data:,'><link rel=stylesheet href=style.css></head>"
        f"<body><p id=para>Host paragraph</p><button id=btn>Host button</button><a id=lnk href=#>Host link</a><mark id=mk>m</mark>{body}"
        f"<script src='{widget_src}' defer></script></body></html>"
    )


WIDGET_STYLE = """() => {
  const root = document.querySelector('sitebot-widget').shadowRoot;
  const b = root.querySelector('button');
  const s = getComputedStyle(b);
  return {font: s.fontFamily, color: s.color, bg: s.backgroundColor, pad: s.padding, display: s.display};
}"""
PAGE_STYLE = """() => Object.fromEntries(['para', 'btn', 'lnk', 'mk'].map(id => {
  const s = getComputedStyle(document.getElementById(id));
  return [id, [s.fontFamily, s.color, s.fontSize, s.backgroundColor, s.padding, s.margin, s.display]];
}))"""


def test_widget_from_another_origin_and_css_isolation(page: Any, examples_bundle: Path, tmp_path: Path) -> None:
    bundle_server, bundle_url = serve_in_thread(examples_bundle)  # 127.0.0.1:<a>
    plain, hostile = tmp_path / "plain", tmp_path / "hostile"
    host_page(plain, bundle_url + "widget.js")
    host_page(hostile, bundle_url + "widget.js", css=HOSTILE_CSS)
    host_page(tmp_path / "nowidget", "data:text/javascript,")
    site_server, site_url = serve_in_thread(tmp_path, host="localhost", require_bundle=False)  # another origin
    try:
        page.goto(site_url + "nowidget/index.html")
        page_before = page.evaluate(PAGE_STYLE)
        page.goto(site_url + "plain/index.html")
        wait_ready(page)
        widget_plain = page.evaluate(WIDGET_STYLE)
        assert page.evaluate(PAGE_STYLE) == page_before  # the widget's CSS does not reach the page
        answer = page.evaluate("() => window.sitebot.ask('How long does delivery to Germany take?')")
        assert answer["citations"] and answer["citations"][0]["url"].startswith(site_url)
        page.goto(site_url + "hostile/index.html")
        wait_ready(page)
        assert page.evaluate(WIDGET_STYLE) == widget_plain  # the page's CSS does not reach the widget
        page.evaluate("() => window.sitebot.open()")
        assert page.locator("sitebot-widget [role=dialog]").is_visible()
        assert page.problems == []
    finally:
        bundle_server.shutdown()
        bundle_server.server_close()
        site_server.shutdown()
        site_server.server_close()


def test_page_text_with_markup_is_shown_as_text(page: Any, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        "<html lang=en><head><title>Security notes</title></head><body><main><h1>Security notes</h1>"
        "<h2 id=xss>Cross-site scripting examples</h2><p>A classic attack string is "
        '<code>&lt;img src=x onerror="window.__pwned=1"&gt;</code> and another is '
        "<code>&lt;script&gt;window.__pwned=2&lt;/script&gt;</code>; both must be escaped by every template.</p>"
        "</main></body></html>"
    )
    out = build(site, tmp_path / "bundle")
    server, url = serve_in_thread(out)
    try:
        page.goto(url + "index.html")
        wait_ready(page)
        page.evaluate("() => window.sitebot.open()")
        answer = page.evaluate("() => window.sitebot.ask('cross-site scripting attack string onerror script')")
        assert "<img src=x onerror=" in answer["answer"] and "<script>" in answer["answer"]
        root = "document.querySelector('sitebot-widget').shadowRoot"
        page.wait_for_function(f"() => {root}.querySelector('.answer')")
        shown = page.evaluate(f"() => {root}.querySelector('[role=log]').textContent")
        assert "<img src=x onerror=" in shown and "<script>window.__pwned=2</script>" in shown
        assert page.evaluate(f"() => {root}.querySelectorAll('[role=log] img, [role=log] script').length") == 0
        assert page.evaluate("() => window.__pwned") is None
    finally:
        server.shutdown()
        server.server_close()


def test_demo_page_console_is_clean(page: Any, served_site: str) -> None:
    page.goto(served_site + "chatbot/index.html")
    wait_ready(page, model=True)
    page.evaluate("() => window.sitebot.open()")
    page.evaluate("() => window.sitebot.ask('shipping costs')")
    assert page.problems == []


def test_works_under_a_strict_content_security_policy(page: Any, examples_bundle: Path, tmp_path: Path) -> None:
    site = tmp_path / "csp"
    shutil.copytree(examples_bundle, site / "chatbot")
    (site / "index.html").write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8><link rel=icon href='data:,'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
        "style-src 'self'; worker-src 'self'; connect-src 'self'\"><title>Strict</title></head>"
        "<body><p>Strict page</p><script src='chatbot/widget.js' defer></script></body></html>"
    )
    server, url = serve_in_thread(site, require_bundle=False)
    try:
        page.goto(url + "index.html")
        wait_ready(page, model=True)
        page.evaluate("() => window.sitebot.open()")
        answer = page.evaluate("() => window.sitebot.ask('When can I phone support?')")
        assert answer["citations"]
        assert page.locator("sitebot-widget [role=dialog]").is_visible()
        assert page.problems == []  # a CSP violation would be a console error
    finally:
        server.shutdown()
        server.server_close()
