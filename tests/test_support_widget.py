"""Handoff to a person, scope rules, the lead form, feedback and branding, in Debian's
Chromium, on a small pharmacy site whose bundle has every [handoff]/[lead]/[feedback]/
[scope] setting. A local webhook receiver (tests/webhook.py) plays the owner's endpoint.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import build, wait_for_held, without_lite_path
from sitebot.serve import serve_in_thread
from webhook import Webhook, start_webhook

pytestmark = pytest.mark.browser

ROOT_JS = "document.querySelector('sitebot-widget').shadowRoot"
TAG = '<script src="/chatbot/widget.js" defer></script>'

PAGES = {
    "index.html": (
        "Larkspur Pharmacy",
        "<p>Larkspur Pharmacy is the neighbourhood pharmacy on Elm Street. Our pharmacists "
        "fill prescriptions, sell over-the-counter medicines and deliver to your door.</p>",
    ),
    "hours.html": (
        "Opening hours",
        "<h2>When we are open</h2><p>Larkspur Pharmacy is open Monday to Friday from 8 am to "
        "7 pm and on Saturday from 9 am to 1 pm. We are closed on Sundays and public holidays.</p>",
    ),
    "delivery.html": (
        "Home delivery",
        "<h2>Delivery area and fees</h2><p>We deliver within 10 km of Elm Street. Delivery "
        "is free for orders over 30 euros, otherwise it costs 3 euros. Orders placed before noon arrive "
        "the same day.</p>",
    ),
    "prescriptions.html": (
        "Prescription refills",
        "<h2>Refill a prescription online</h2><p>Upload a photo of your "
        "prescription or give us your doctor's name and we prepare the refill within two hours. "
        "Bring your health insurance card when you collect it.</p>",
    ),
    "products/pain-relief.html": (
        "Pain relief",
        "<h2>Pain relief tablets</h2><p>We stock ibuprofen and paracetamol "
        "tablets from several brands, in packs of 10 to 30 tablets. Prices start at 2 "
        "euros.</p>",
    ),
    "contact.html": (
        "Contact",
        "<h2>Reach us</h2><p>Call the pharmacy on 555 0134 or write to help@larkspur.example. "
        "Our address is 12 Elm Street.</p>",
    ),
}


def write_site(root: Path, config: str) -> None:
    for rel, (title, body) in PAGES.items():
        path = root / "site" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"<!doctype html><html lang=en><meta charset=utf-8><link rel=icon href='data:,'><title>{title}</title>"
            f"<body><main><h1>{title}</h1>{body}</main>{TAG}</body></html>"
        )
    (root / "site" / "fr.html").write_text(
        "<!doctype html><html lang=fr><meta charset=utf-8><link rel=icon href='data:,'>"
        f"<title>Accueil</title><body><h1>Pharmacie</h1>{TAG}</body></html>"
    )
    (root / "sitebot.toml").write_text(config)


@pytest.fixture(scope="module")
def hook() -> Iterator[Webhook]:
    h, server = start_webhook()
    yield h
    server.close()


def support_config(hook: Webhook, **extra: str) -> str:
    return f"""
source = "site"
base_url = "/"

[bot]
name = "Pip"
launcher_text = "Ask Pip"
avatar = "pip.svg"
starters = []

[handoff]
email = "help@larkspur.example"
subject = "Question from the website"
url = "https://wa.me/15550134"
url_label = "WhatsApp us"
webhook = "{hook.url}handoff"
{extra.get("hours", "")}

[lead]
fields = ["name", "email", "company", "message"]
required = ["name", "email"]
consent = "I agree that Larkspur contacts me about my request."
privacy_url = "https://larkspur.example/privacy"
webhook = "{hook.url}lead"
email = "sales@larkspur.example"
{extra.get("lead", "")}

[feedback]
webhook = "{hook.url}feedback"

[scope]
presets = ["health"]
examples = ["Should I stop taking my medicine early?"]
"""


AVATAR = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="#0a7"/></svg>'


def make_bundle(tmp: Path, config: str) -> str:
    """Builds the pharmacy site with `config` and serves it with its bundle at /chatbot/."""
    write_site(tmp, config)
    (tmp / "pip.svg").write_text(AVATAR)
    build(tmp, tmp / "site" / "chatbot", "--config", str(tmp / "sitebot.toml"))
    server, url = serve_in_thread(tmp / "site", require_bundle=False)
    return server, url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, hook: Webhook) -> Iterator[str]:
    server, url = make_bundle(tmp_path_factory.mktemp("pharmacy"), support_config(hook))
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def fresh_hook(hook: Webhook) -> Webhook:
    hook.reset()
    return hook


def shadow(page: Any, selector: str) -> Any:
    return page.locator("sitebot-widget").locator(selector)


def open_panel(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_function("() => window.sitebot && document.querySelector('sitebot-widget')")
    shadow(page, ".launcher").click()
    shadow(page, ".panel").wait_for(state="visible")
    page.evaluate("() => window.sitebot.ready({model: true})")


def ask(page: Any, question: str) -> Any:
    """Asks in the panel, waits until the bot has replied, and returns the reply's locator."""
    n = shadow(page, ".msg.user").count()
    shadow(page, ".input").fill(question)
    shadow(page, ".input").press("Enter")
    page.wait_for_function(
        f"() => {ROOT_JS}.querySelectorAll('.msg.user').length > {n} && !{ROOT_JS}.querySelector('.busy')"
    )
    return shadow(page, ".msg.user").nth(n)


def mailto_body(href: str) -> str:
    assert href.startswith("mailto:")
    query = urllib.parse.urlsplit(href).query
    return urllib.parse.parse_qs(query)["body"][0]


def test_asking_for_a_human_offers_handoff_and_the_webhook_gets_the_transcript(
    page: Any, site: str, fresh_hook: Webhook
) -> None:
    open_panel(page, f"{site}/index.html")
    ask(page, "When are you open on Saturday?")
    assert "Saturday from 9 am to 1 pm" in shadow(page, ".card").first.inner_text()
    cards = shadow(page, ".card").count()
    ask(page, "can I talk to a human?")
    offer = shadow(page, ".offer").last
    assert "reach a person" in shadow(page, ".log").inner_text()
    assert shadow(page, ".card").count() == cards  # no passages for that question
    whatsapp = offer.get_by_text("WhatsApp us")
    assert whatsapp.get_attribute("href") == "https://wa.me/15550134"
    # The email link carries the transcript, first question and its answer included.
    href = offer.get_by_text("Email us").get_attribute("href")
    assert href.startswith("mailto:help@larkspur.example?")
    body = mailto_body(href)
    assert "You: When are you open on Saturday?" in body and "Saturday from 9 am to 1 pm" in body
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["subject"] == ["Question from the website"]
    # The webhook: contact details, then the transcript as JSON.
    offer.get_by_text("Send this chat to our team").click()
    form = shadow(page, "form.sbf").last
    form.locator("input[name=name]").fill("Ada Lovelace")
    form.locator("input[name=email]").fill("ada@example.com")
    form.locator("input[type=checkbox]").check()
    form.locator("button[type=submit]").click()
    shadow(page, "text=Thanks! We will be in touch.").wait_for()
    (got,) = fresh_hook.wait_for(1)
    assert got.path == "/handoff"
    assert got.body["type"] == "handoff"
    assert got.body["fields"]["name"] == "Ada Lovelace" and got.body["fields"]["email"] == "ada@example.com"
    assert got.body["transcript"][0]["q"] == "When are you open on Saturday?"
    assert "Saturday from 9 am to 1 pm" in got.body["transcript"][0]["a"]
    assert got.body["page"].endswith("/index.html")
    assert page.problems == []


def test_the_talk_to_a_person_button_is_always_in_the_header(page: Any, site: str) -> None:
    open_panel(page, f"{site}/delivery.html")
    button = shadow(page, ".head button[aria-label='Talk to a person']")
    button.click()
    assert shadow(page, ".offer").last.get_by_text("Email us").is_visible()
    assert page.problems == []


def test_a_french_page_gets_the_handoff_in_french(page: Any, site: str) -> None:
    open_panel(page, f"{site}/fr.html")
    assert shadow(page, ".head button[aria-label='Parler à une personne']").count() == 1
    ask(page, "Je voudrais parler à un conseiller")
    offer = shadow(page, ".offer").last
    assert offer.get_by_text("Nous écrire").get_attribute("href").startswith("mailto:help@larkspur.example?")
    assert offer.get_by_text("Envoyer cette conversation à notre équipe").is_visible()
    assert "joindre une personne" in shadow(page, ".log").inner_text()
    assert page.problems == []


def test_a_scope_rule_routes_to_handoff_and_logistics_are_answered(page: Any, site: str, fresh_hook: Webhook) -> None:
    open_panel(page, f"{site}/index.html")
    ask(page, "what dose of ibuprofen should I take?")
    reply = shadow(page, ".log > .msg.bot").last
    assert "qualified person" in shadow(page, ".log").inner_text()
    assert shadow(page, ".card").count() == 0  # the pain-relief page was not quoted
    assert shadow(page, ".offer").last.get_by_text("Email us").is_visible()
    ask(page, "what are your opening hours?")
    assert "Monday to Friday from 8 am to 7 pm" in shadow(page, ".card").first.inner_text()
    assert reply.is_visible()
    # A shop question naming the same medicine is close to the health examples, but closer
    # to the allowed questions: it is answered.
    ask(page, "do you sell ibuprofen?")
    assert any("We stock ibuprofen" in t for t in shadow(page, ".card").all_inner_texts())
    assert shadow(page, ".log").inner_text().count("qualified person") == 1
    assert page.problems == []


def test_a_question_close_to_an_example_is_caught_by_meaning(page: Any, site: str) -> None:
    # No keyword of the rules is in this question: only the embedding can catch it.
    question = "Can I quit my medication before finishing it?"
    manifest = json.loads(page.request.get(f"{site}/chatbot/sitebot.json").text())
    words = f" {re.sub(r'[^a-z]+', ' ', question.lower())} "
    assert not [k for k in manifest["settings"]["scope"]["keywords"] if f" {k} " in words]
    open_panel(page, f"{site}/index.html")
    ask(page, question)
    assert "qualified person" in shadow(page, ".log").inner_text()
    assert shadow(page, ".card").count() == 0
    assert page.problems == []


SAVE_DATA = (
    "Object.defineProperty(Navigator.prototype, 'connection', {get: () => ({saveData: true, effectiveType: '4g'})})"
)
MODEL_FILE = re.compile(r".*(\.onnx|\.wasm|/full\.[0-9a-f]+\.js|/index/scope\.[0-9a-f]+\.bin)$")


def test_a_visitor_who_saves_data_has_the_scope_rules_checked_without_the_model(page: Any, site: str) -> None:
    # The model never loads for this visitor: the examples are checked on the lite path. The
    # question shares no keyword of the rules, so only its meaning can route it.
    page.add_init_script(SAVE_DATA)
    requests: list[str] = []
    page.context.on("request", lambda r: requests.append(r.url))
    page.goto(f"{site}/index.html")
    page.wait_for_function("() => window.sitebot && document.querySelector('sitebot-widget')")
    shadow(page, ".launcher").click()
    ask(page, "Can I quit my medication before finishing it?")
    assert "qualified person" in shadow(page, ".log").inner_text()
    assert shadow(page, ".card").count() == 0
    ask(page, "do you sell ibuprofen?")
    assert any("We stock ibuprofen" in t for t in shadow(page, ".card").all_inner_texts())
    before = shadow(page, ".card").count()
    ask(page, "what are your opening hours?")
    assert "Monday to Friday from 8 am to 7 pm" in shadow(page, ".card").nth(before).inner_text()
    assert shadow(page, ".log").inner_text().count("qualified person") == 1
    assert page.evaluate("() => window.sitebot.status()")["model"] == "off"
    assert not [u for u in requests if MODEL_FILE.match(u)]
    assert any("/lite/scope." in u for u in requests)
    assert page.problems == []


def ask_before_the_model(page: Any, url: str, question: str) -> list[Any]:
    """Opens the panel with the model file held back and asks; returns the held requests."""
    held: list[Any] = []
    # These are the keyword answer's tests: the bundle is served without its lite path, as one
    # built with bot.model = "full"; what a visitor sees with it is tests/test_lite_path.py.
    page.route(re.compile(r".*/sitebot\.json(\?.*)?$"), without_lite_path)
    page.route(re.compile(r".*\.onnx$"), lambda route: held.append(route))
    page.goto(url)
    page.wait_for_function("() => window.sitebot && document.querySelector('sitebot-widget')")
    shadow(page, ".launcher").click()
    shadow(page, ".input").fill(question)
    shadow(page, ".input").press("Enter")
    return held


def test_the_question_shows_while_the_scope_check_waits_for_the_model(page: Any, site: str) -> None:
    held = ask_before_the_model(page, f"{site}/index.html", "Can I quit my medication before finishing it?")
    # The rule needs the model: the question and "Searching…" show, no answer is given yet.
    shadow(page, ".msg.user").wait_for()
    shadow(page, ".busy").wait_for()
    page.wait_for_timeout(300)
    assert shadow(page, ".card").count() == 0 and "qualified person" not in shadow(page, ".log").inner_text()
    wait_for_held(page, held)  # the model is asked for 2 s after the engine starts when no answer is out
    held[0].continue_()
    page.wait_for_function(f"() => /qualified person/.test({ROOT_JS}.querySelector('.log').textContent)")
    assert shadow(page, ".msg.user").count() == 1 and shadow(page, ".card").count() == 0
    assert page.problems == []


def test_the_lead_form_validates_sends_and_keeps_input_when_the_send_fails(
    page: Any, site: str, fresh_hook: Webhook
) -> None:
    open_panel(page, f"{site}/index.html")
    page.evaluate("() => window.sitebot.lead()")
    form = shadow(page, "form.sbf").last
    form.locator("input[name=name]").fill("Grace Hopper")
    form.locator("input[name=email]").fill("grace@not-an-address")
    form.locator("input[name=company]").fill("Navy")
    form.locator("textarea[name=message]").fill("Please send a quote for 40 first-aid kits.")
    form.locator("button[type=submit]").click()
    assert form.locator(".err").inner_text() == "Please enter a valid email address."
    assert form.locator("input[name=email]").get_attribute("aria-invalid") == "true"
    form.locator("input[name=email]").fill("grace@example.com")
    form.locator("button[type=submit]").click()
    assert form.locator(".err").inner_text() == "Please tick the box to agree."
    assert fresh_hook.received == []  # nothing sent while the form is invalid
    form.locator("input[type=checkbox]").check()
    fresh_hook.fail_next(1, 500)
    form.locator("button[type=submit]").click()
    page.wait_for_function(f"() => /Could not send/.test({ROOT_JS}.querySelector('form.sbf .err').textContent)")
    assert "HTTP 500" in form.locator(".err").inner_text()
    # Nothing typed is lost, and an email draft is offered.
    assert form.locator("input[name=name]").input_value() == "Grace Hopper"
    assert form.locator("textarea[name=message]").input_value() == "Please send a quote for 40 first-aid kits."
    draft = form.get_by_text("Email instead").get_attribute("href")
    assert draft.startswith("mailto:sales@larkspur.example?") and "40 first-aid kits" in mailto_body(draft)
    retry = form.locator("button[type=submit]")
    assert retry.inner_text() == "Try again"
    retry.click()
    shadow(page, "text=Thanks! We will be in touch.").wait_for()
    failed, ok = fresh_hook.wait_for(2)
    assert (failed.status, ok.status) == (500, 200)
    # Chromium logs the failed request itself; nothing else may be logged.
    page.problems[:] = [p for p in page.problems if "status of 500" not in p]
    assert ok.path == "/lead" and ok.headers["content-type"] == "application/json"
    assert ok.body["type"] == "lead"
    assert ok.body["fields"] == {
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "company": "Navy",
        "message": "Please send a quote for 40 first-aid kits.",
        "consent": True,
    }
    assert page.problems == []


def test_thumbs_send_feedback_to_the_webhook_and_as_an_event(page: Any, site: str, fresh_hook: Webhook) -> None:
    open_panel(page, f"{site}/index.html")
    page.evaluate("() => { window.__fb = []; addEventListener('sitebot:feedback', e => window.__fb.push(e.detail)); }")
    ask(page, "How much does delivery cost?")
    shadow(page, ".thumb[aria-label='Not helpful']").last.click()
    (got,) = fresh_hook.wait_for(1)
    assert got.path == "/feedback"
    assert got.body["type"] == "feedback" and got.body["rating"] == "down"
    assert got.body["question"] == "How much does delivery cost?"
    assert "30 euros" in got.body["answer"]
    assert page.evaluate("() => window.__fb.map(d => d.rating)") == ["down"]
    assert shadow(page, ".thumb[aria-label='Not helpful']").last.get_attribute("aria-pressed") == "true"
    assert shadow(page, ".thumb[aria-label='Helpful']").last.is_disabled()
    assert page.problems == []


def test_branding_name_avatar_launcher_text(page: Any, site: str) -> None:
    page.goto(f"{site}/index.html")
    page.wait_for_function("() => window.sitebot && document.querySelector('sitebot-widget')")
    launcher = shadow(page, ".launcher")
    assert "Ask Pip" in launcher.inner_text()
    avatar = launcher.locator("img.avatar")
    page.wait_for_function(f"() => {ROOT_JS}.querySelector('.launcher img.avatar').naturalWidth > 0")
    assert re.search(r"/chatbot/brand/avatar\.[0-9a-f]+\.svg$", avatar.get_attribute("src"))
    launcher.click()
    assert shadow(page, ".title").inner_text() == "Pip"
    assert page.problems == []


@pytest.mark.parametrize("page_style, dark", [("", False), ("body{background:#121212;color:#eee}", True)])
def test_auto_theme_follows_the_page(page: Any, site: str, page_style: str, dark: bool) -> None:
    page.goto(f"{site}/index.html")
    page.add_style_tag(content=page_style or "body{}")
    page.wait_for_function("() => window.sitebot && document.querySelector('sitebot-widget')")
    page.evaluate("() => document.body.setAttribute('class', 'x')")  # the page switched theme: re-checked
    page.wait_for_function(f"() => {ROOT_JS}.querySelector('.sb').classList.contains('dark') === {str(dark).lower()}")
    bg = shadow(page, ".launcher").evaluate("e => getComputedStyle(e.closest('.sb')).getPropertyValue('--sitebot-bg')")
    assert (bg.strip() == "#1b1e23") is dark


@pytest.fixture(scope="module")
def office_hours_site(tmp_path_factory: pytest.TempPathFactory, hook: Webhook) -> Iterator[str]:
    config = support_config(
        hook,
        hours='hours = "Mon-Fri 09:00-17:00"\ntimezone = "Europe/Paris"\nofflinemessage = ""',
        lead='after_questions = 2\nformat = "form"',
    )
    config = config.replace(
        'offlinemessage = ""', 'offline_message = "We are closed now; we answer messages on weekdays."'
    )
    server, url = make_bundle(tmp_path_factory.mktemp("hours"), config)
    yield url
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "when, live",
    [
        (datetime(2026, 11, 29, 12, 0, tzinfo=UTC), False),  # a Sunday
        (datetime(2026, 11, 30, 9, 30, tzinfo=UTC), True),  # Monday 10:30 in Paris
    ],
)
def test_opening_hours_decide_what_is_offered(page: Any, office_hours_site: str, when: datetime, live: bool) -> None:
    page.clock.set_fixed_time(when)
    open_panel(page, f"{office_hours_site}/index.html")
    ask(page, "can I speak to someone please?")
    offer = shadow(page, ".offer").last
    assert offer.get_by_text("Email us").is_visible()
    assert offer.get_by_text("WhatsApp us").count() == (1 if live else 0)
    assert ("we answer messages on weekdays" in offer.inner_text()) is not live
    assert page.problems == []


def test_the_lead_form_comes_after_n_questions_and_posts_form_fields(
    page: Any, office_hours_site: str, fresh_hook: Webhook
) -> None:
    open_panel(page, f"{office_hours_site}/index.html")
    ask(page, "Do you deliver?")
    assert shadow(page, "form.sbf").count() == 0
    ask(page, "Can I refill a prescription online?")
    form = shadow(page, "form.sbf")
    form.wait_for()
    assert "Leave your details" in form.inner_text()
    assert form.locator("a", has_text="Privacy policy").get_attribute("href") == "https://larkspur.example/privacy"
    form.locator("input[name=name]").fill("Alan")
    form.locator("input[name=email]").fill("alan@example.com")
    form.locator("input[type=checkbox]").check()
    form.locator("button[type=submit]").click()
    shadow(page, "text=Thanks! We will be in touch.").wait_for()
    # format = "form": a Formspree-style urlencoded post (no CORS preflight), the transcript as text.
    (got,) = fresh_hook.wait_for(1)
    assert got.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert (got.body["type"], got.body["name"], got.body["email"], got.body["consent"]) == (
        "lead",
        "Alan",
        "alan@example.com",
        "true",
    )
    assert "You: Do you deliver?" in got.body["transcript"]
    assert fresh_hook.preflights == 0
    assert page.problems == []


@pytest.fixture(scope="module")
def llm_site(tmp_path_factory: pytest.TempPathFactory, fake_llm_server: Any) -> Iterator[str]:
    config = f"""
source = "site"
base_url = "/"

[bot]
mode = "llm"
starters = []

[llm]
endpoint = "{fake_llm_server.openai}"
model = "fake-model"

[handoff]
email = "help@larkspur.example"

[scope]
presets = ["health"]
"""
    server, url = make_bundle(tmp_path_factory.mktemp("pharmacy-llm"), config)
    yield url
    server.shutdown()
    server.server_close()


def test_in_llm_mode_a_ruled_out_question_never_reaches_the_model(page: Any, llm_site: str, fake_llm: Any) -> None:
    open_panel(page, f"{llm_site}/index.html")
    ask(page, "what dose of ibuprofen should I take?")
    assert "qualified person" in shadow(page, ".log").inner_text()
    assert shadow(page, ".offer").last.get_by_text("Email us").is_visible()
    ask(page, "Can I quit my medication before finishing it?")  # by meaning, in LLM mode too
    assert shadow(page, ".log").inner_text().count("qualified person") == 2
    assert fake_llm.posts == []
    # An ordinary question still goes to the model.
    shadow(page, ".input").fill("When are you open on Saturday?")
    shadow(page, ".input").press("Enter")
    (post,) = fake_llm.wait_for_posts(1)
    assert "Saturday" in json.dumps(post.body)
    assert page.problems == []


@pytest.fixture(scope="module")
def auto_open_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server, url = make_bundle(
        tmp_path_factory.mktemp("auto-open"), 'source = "site"\nbase_url = "/"\n[bot]\nopen_after = 1\n'
    )
    yield url
    server.shutdown()
    server.server_close()


def test_the_panel_opens_by_itself_once_per_visit(page: Any, auto_open_site: str) -> None:
    page.goto(f"{auto_open_site}/index.html")
    page.wait_for_function("() => window.sitebot && document.querySelector('sitebot-widget')")
    assert shadow(page, ".panel").is_hidden()
    shadow(page, ".panel").wait_for(state="visible", timeout=5000)
    assert shadow(page, ".launcher").get_attribute("aria-expanded") == "true"
    shadow(page, ".head button[aria-label='Close']").click()
    # The next page of the visit: the visitor closed it, so it stays closed. A fake clock stands
    # in for waiting: the widget sets its timer in the same task that adds the element, so once
    # the element is there, running the clock 2 s fires the timer if it was set.
    page.clock.install()
    page.goto(f"{auto_open_site}/hours.html")
    page.wait_for_function("() => window.sitebot && document.querySelector('sitebot-widget')")
    page.clock.run_for(2000)
    assert shadow(page, ".panel").is_hidden()
    assert page.problems == []


@pytest.fixture(scope="module")
def handoff_only_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The pharmacy with a [handoff] and no scope rules: first questions need not wait for the model."""
    config = 'source = "site"\nbase_url = "/"\n\n[handoff]\nemail = "help@larkspur.example"\n'
    server, url = make_bundle(tmp_path_factory.mktemp("handoff-only"), config)
    yield url
    server.shutdown()
    server.server_close()


def test_a_keyword_answer_that_becomes_not_found_offers_a_person(page: Any, handoff_only_site: str) -> None:
    # Asked before the model is in: keywords find the delivery page. Once the model arrives
    # the turn is upgraded to "not found" (the site never mentions a Raspberry Pi), and a
    # person is offered then, as for any "not found".
    question = "Can you deliver to the Raspberry Pi kiosk at the Elm Street market?"
    held = ask_before_the_model(page, f"{handoff_only_site}/index.html", question)
    page.wait_for_function(f"() => {ROOT_JS}.querySelector('.prelim a.source')")
    assert shadow(page, ".offer").count() == 0
    wait_for_held(page, held)
    for route in held:
        route.continue_()
    page.wait_for_function(f"() => !{ROOT_JS}.querySelector('.prelim') && {ROOT_JS}.querySelector('.offer')")
    assert "couldn't find" in shadow(page, ".log").inner_text()
    assert shadow(page, "a.source").count() == 0
