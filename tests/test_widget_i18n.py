"""The widget's languages, right-to-left layout, starter questions, the conversation kept
across pages (sessionStorage), New chat and Copy, in Debian's Chromium.

The example site is served on 127.0.0.1 with its bundle at /chatbot/ and the widget's
<script> tag added to a few of its pages, plus small host pages in other languages.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES
from fake_llm import Reply
from sitebot.serve import serve_in_thread

pytestmark = pytest.mark.browser

ROOT_JS = "document.querySelector('sitebot-widget').shadowRoot"
STARTER = "How long does delivery to Germany take?"
TAG = '<script src="/chatbot/widget.js" defer{attrs}></script>'
HOSTS = {  # extra host pages: name → (<html lang>, data-* attributes of the script tag)
    "fr.html": ("fr", ""),
    "de-over-fr.html": ("fr", ' data-lang="de"'),
    "ar.html": ("ar", ""),
    "he.html": ("he-IL", ""),
    "es-left.html": ("es-ES", ' data-position="left" data-lang="ar"'),
}
WITH_WIDGET = ["pricing/index.html", "policies/shipping.html"]
UNSET_TEXTS = ["title", "greeting", "placeholder", "not_found", "launcher_text", "name"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, examples_bundle: Path) -> Iterator[str]:
    root = tmp_path_factory.mktemp("i18n")
    shutil.copytree(EXAMPLES / "site", root, dirs_exist_ok=True)
    bundle = root / "chatbot"
    shutil.copytree(examples_bundle, bundle)
    assert (bundle / "i18n.json").is_file()  # shipped by `sitebot generate` next to widget.js
    manifest = json.loads((bundle / "sitebot.json").read_text())
    manifest["settings"]["starters"] = [STARTER, "What paper can I use?"]
    (bundle / "sitebot.json").write_text(json.dumps(manifest))
    for rel in WITH_WIDGET:
        page = root / rel
        page.write_text(page.read_text().replace("</body>", TAG.format(attrs="") + "</body>"))
    for name, (lang, attrs) in HOSTS.items():
        (root / name).write_text(
            f"<!doctype html><html lang={lang}><meta charset=utf-8><link rel=icon href='data:,'><title>{name}</title>"
            f"<body><h1>{name}</h1>{TAG.format(attrs=attrs)}</body></html>"
        )
    # The same bundle as sitebot.json writes it when the owner set no bot texts: null.
    unset = root / "unset"
    shutil.copytree(bundle, unset)
    manifest["settings"].update(dict.fromkeys(UNSET_TEXTS))
    (unset / "sitebot.json").write_text(json.dumps(manifest))
    (root / "fr-unset.html").write_text(
        "<!doctype html><html lang=fr><meta charset=utf-8><link rel=icon href='data:,'><title>unset</title>"
        "<body><h1>unset</h1><script src='/unset/widget.js' defer></script></body></html>"
    )
    server, url = serve_in_thread(root, require_bundle=False)
    yield url
    server.shutdown()
    server.server_close()


def shadow(page: Any, selector: str) -> Any:
    return page.locator("sitebot-widget").locator(selector)


def open_panel(page: Any) -> None:
    page.wait_for_function("() => window.sitebot && document.querySelector('sitebot-widget')")
    shadow(page, ".launcher").click()
    shadow(page, ".panel").wait_for(state="visible")
    page.evaluate("() => window.sitebot.ready({model: true})")  # answers from the full engine


def ask(page: Any, question: str) -> None:
    """Asks in the panel and waits for the answer (each answer gets a Copy button)."""
    n = shadow(page, ".copy").count()
    shadow(page, ".input").fill(question)
    shadow(page, ".input").press("Enter")
    page.wait_for_function(f"() => {ROOT_JS}.querySelectorAll('.copy').length > {n}")


def test_french_page_gets_french_strings(page: Any, site: str) -> None:
    page.goto(f"{site}/fr.html")
    open_panel(page)
    assert shadow(page, ".launcher").get_attribute("aria-label") == "Poser une question à ce site"
    assert shadow(page, ".input").get_attribute("placeholder") == "Posez une question…"
    assert shadow(page, ".send").get_attribute("aria-label") == "Envoyer"
    assert shadow(page, ".x").first.get_attribute("aria-label") == "Nouvelle conversation"
    assert shadow(page, ".note").inner_text() == "Ce que vous tapez reste dans votre navigateur."
    # The owner's title and greeting (examples/sitebot.toml) still win.
    assert shadow(page, ".title").inner_text() == "Larkbox help"
    assert "Larkbox" in shadow(page, ".log .msg.bot").first.inner_text()
    ask(page, STARTER)
    assert shadow(page, ".lead").last.inner_text() == "Voici ce que j'ai trouvé :"
    assert shadow(page, ".copy").last.inner_text() == "Copier"
    assert shadow(page, ".panel").get_attribute("dir") is None
    assert page.problems == []


def test_texts_the_owner_did_not_set_are_null_and_follow_the_language(page: Any, site: str) -> None:
    page.goto(f"{site}/fr-unset.html")
    open_panel(page)
    assert shadow(page, ".title").inner_text() == "Posez votre question"
    assert shadow(page, ".log .msg.bot").first.inner_text() == "Bonjour ! Posez-moi vos questions sur ce site."
    assert shadow(page, ".input").get_attribute("placeholder") == "Posez une question…"
    assert shadow(page, ".launcher.wide").count() == 0  # no launcher text
    assert page.problems == []


def test_data_lang_wins_over_the_page(page: Any, site: str) -> None:
    page.goto(f"{site}/de-over-fr.html")
    open_panel(page)
    assert shadow(page, ".input").get_attribute("placeholder") == "Stellen Sie eine Frage…"
    assert shadow(page, ".x").last.get_attribute("aria-label") == "Schließen"
    assert page.problems == []


@pytest.mark.parametrize("name, close", [("ar.html", "إغلاق"), ("he.html", "סגירה")])
def test_rtl_languages_lay_out_right_to_left(page: Any, site: str, name: str, close: str) -> None:
    page.goto(f"{site}/{name}")
    open_panel(page)
    assert shadow(page, ".panel").get_attribute("dir") == "rtl"
    assert shadow(page, ".x").last.get_attribute("aria-label") == close
    assert shadow(page, ".input").evaluate("e => getComputedStyle(e).direction") == "rtl"
    send, field = shadow(page, ".send").bounding_box(), shadow(page, ".input").bounding_box()
    assert send["x"] + send["width"] <= field["x"]  # the send button sits left of the input
    # The close button is at the panel's left edge, the title at its right.
    panel, x, title = (
        shadow(page, ".panel").bounding_box(),
        shadow(page, ".x").last.bounding_box(),
        shadow(page, ".title").bounding_box(),
    )
    assert x["x"] - panel["x"] < 40 and title["x"] > x["x"]
    # The launcher stays at the configured side (right).
    launcher = shadow(page, ".launcher").bounding_box()
    assert launcher["x"] > page.viewport_size["width"] / 2
    assert page.problems == []


def test_launcher_stays_on_the_configured_side_in_rtl(page: Any, site: str) -> None:
    page.goto(f"{site}/es-left.html")
    open_panel(page)
    assert shadow(page, ".panel").get_attribute("dir") == "rtl"
    assert shadow(page, ".launcher").bounding_box()["x"] < 100
    assert shadow(page, ".panel").bounding_box()["x"] < 100
    assert page.problems == []


def test_english_page_and_its_ltr_layout(page: Any, site: str) -> None:
    page.goto(f"{site}/pricing/index.html")
    open_panel(page)
    assert shadow(page, ".panel").get_attribute("dir") is None
    send, field = shadow(page, ".send").bounding_box(), shadow(page, ".input").bounding_box()
    assert send["x"] >= field["x"] + field["width"]
    assert shadow(page, ".input").get_attribute("placeholder") == "Ask a question"
    assert page.problems == []


def test_starter_question_answers_and_goes_away(page: Any, site: str) -> None:
    page.goto(f"{site}/pricing/index.html")
    open_panel(page)
    starters = shadow(page, ".starter")
    assert starters.all_inner_texts() == [STARTER, "What paper can I use?"]
    # Keyboard: Tab from the input reaches … the panel's buttons, the starters among them.
    starters.first.focus()
    page.keyboard.press("Enter")
    shadow(page, ".answer").wait_for()
    assert shadow(page, ".starters").count() == 0
    assert shadow(page, ".msg.user").inner_text() == STARTER
    first = shadow(page, ".answer a.source").first.get_attribute("href")
    assert re.search(r"/policies/shipping(\.html)?(#|$)", first), first
    assert "2–3 working days" in shadow(page, ".answer").inner_text()
    assert page.problems == []


def test_conversation_survives_navigation_and_new_chat_clears_it(page: Any, site: str) -> None:
    page.goto(f"{site}/pricing/index.html")
    open_panel(page)
    ask(page, "How long does delivery to Germany take?")
    before = shadow(page, ".answer").inner_text()
    assert "working days" in before
    page.goto(f"{site}/policies/shipping.html")
    page.wait_for_function(
        f"() => document.querySelector('sitebot-widget') && !{ROOT_JS}.querySelector('.panel').hidden"
    )  # reopened
    assert shadow(page, ".msg.user").all_inner_texts() == ["How long does delivery to Germany take?"]
    assert shadow(page, ".answer").inner_text() == before  # re-rendered from the stored passages
    assert shadow(page, ".answer mark, .answer .row.hit").count() > 0  # the marks (a row is marked whole)
    assert shadow(page, ".starters").count() == 0
    assert shadow(page, ".copy").count() == 1
    # A second question on this page; both exchanges then survive a reload.
    ask(page, "What paper can I use?")
    page.reload()
    page.wait_for_function(
        f"() => document.querySelector('sitebot-widget') && {ROOT_JS}.querySelectorAll('.msg.user').length === 2"
    )
    # New chat: the log is back to the greeting and the starters, and stays so on the next page.
    shadow(page, ".x").first.click()
    assert shadow(page, ".msg.user").count() == 0
    assert shadow(page, ".starter").count() == 2
    page.goto(f"{site}/pricing/index.html")
    page.wait_for_function(
        f"() => document.querySelector('sitebot-widget') && !{ROOT_JS}.querySelector('.panel').hidden"
    )
    assert shadow(page, ".msg.user").count() == 0 and shadow(page, ".starter").count() == 2
    # Closed stays closed.
    shadow(page, ".launcher").click()
    page.goto(f"{site}/policies/shipping.html")
    page.wait_for_function("() => window.sitebot && document.querySelector('sitebot-widget')")
    page.wait_for_timeout(300)
    assert shadow(page, ".panel").is_hidden()
    assert page.problems == []


def test_works_when_session_storage_throws(page: Any, site: str) -> None:
    page.add_init_script(
        "Object.defineProperty(window, 'sessionStorage', {get() { throw new DOMException('denied', 'SecurityError'); }});"
    )
    page.goto(f"{site}/pricing/index.html")
    open_panel(page)
    ask(page, "How long does delivery to Germany take?")
    assert "working days" in shadow(page, ".answer").inner_text()
    assert page.problems == []


def test_copy_puts_the_answer_on_the_clipboard(browser: Any, site: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    try:
        page.goto(f"{site}/pricing/index.html")
        open_panel(page)
        ask(page, "How long does delivery to Germany take?")
        copy = shadow(page, ".copy")
        assert copy.get_attribute("aria-label") == "Copy the answer"
        copy.click()
        page.wait_for_function(f"() => {ROOT_JS}.querySelector('.copy').textContent === 'Copied'")
        text = page.evaluate("() => navigator.clipboard.readText()")
        assert "2–3 working days" in text
        assert re.search(r"http://127\.0\.0\.1:\d+/policies/shipping", text)
        page.wait_for_function(f"() => {ROOT_JS}.querySelector('.copy').textContent === 'Copy'")
        assert problems == []
    finally:
        context.close()


# --- the same in LLM mode (tests/test_llm_widget.py's site and fake LLM) ---------------------------

from test_llm_widget import ANSWER, QUESTION, llm_site, prompt_of, wait_settled  # noqa: E402,F401 - its fixture too


def test_llm_mode_starter_copy_restore_and_new_chat(browser: Any, llm_site: str, fake_llm: Any) -> None:
    fake_llm.script(Reply(ANSWER, chunks=4), Reply("Basic costs 9 euros a month [1]."))
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)

    def with_starters(route: Any) -> None:  # settings.starters, as `sitebot generate` writes them
        manifest = route.fetch().json()
        manifest["settings"]["starters"] = [QUESTION]
        route.fulfill(json=manifest)

    try:
        page.route("**/chatbot-openai/sitebot.json", with_starters)
        page.goto(f"{llm_site}openai.html")
        open_panel(page)
        shadow(page, ".starter").click()
        wait_settled(page)
        answer = shadow(page, ".llm .md").inner_text()
        assert "19 euros" in answer
        shadow(page, ".copy").click()
        text = page.evaluate("() => navigator.clipboard.readText()")
        assert text.startswith("The **Plus plan** costs 19 euros a month [1].")
        assert re.search(r"Sources:\n\[1\] .+ http://127\.0\.0\.1:\d+/pricing", text), text
        # The next page (here: a reload) shows the answer again without asking the model.
        page.reload()
        page.wait_for_function(
            f"() => document.querySelector('sitebot-widget') && {ROOT_JS}.querySelector('.llm .sources')"
        )
        assert shadow(page, ".llm .md").inner_text() == answer
        assert shadow(page, ".llm a.cite").count() >= 1
        assert len(fake_llm.posts) == 1
        # A follow-up carries the restored exchange as history; after New chat, none.
        shadow(page, ".x").first.click()
        assert shadow(page, ".llm").count() == 0
        shadow(page, ".input").fill("What does Basic cost?")
        shadow(page, ".input").press("Enter")
        wait_settled(page)
        _, messages = prompt_of(fake_llm.posts[1])
        assert [m["role"] for m in messages] == ["user"]
        assert problems == []
    finally:
        context.close()
