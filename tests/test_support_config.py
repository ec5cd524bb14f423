"""Handoff, lead capture, feedback, scope rules and branding at build time (issue 6): the
sitebot.toml keys and their checks, and what lands in sitebot.json for the browser."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import build, invoke_cli, one_error_line, tree_hashes, write_toml
from sitebot import GenerateOptions, generate
from sitebot.bot.scope_presets import ALLOWED, PRESETS
from sitebot.bot.support import DEFAULT_SCOPE_MARGIN, DEFAULT_SCOPE_THRESHOLD, normalise
from sitebot.bundle.format import manifest_files, read_manifest
from sitebot.checks import parse_hours
from sitebot.errors import ConfigError
from sitebot.index import lite, quantise
from sitebot.index.embed import embed_texts
from sitebot.index.model import default_model, load
from sitebot.options import BotSettings
from sitebot.retrieve import LiteTable

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def settings_of(bundle: Path) -> dict[str, Any]:
    return json.loads((bundle / "sitebot.json").read_text())["settings"]


# --- bad values: one sentence with the file line and the dotted key, exit 1, old bundle kept --------

BAD = {
    "unknown key": (
        '[handoff]\nemail = "help@acme.example"\ncolour = "red"\n',
        ["sitebot.toml:3: unknown key 'handoff.colour'"],
    ),
    "wrong type": (
        '[lead]\nemail = "sales@acme.example"\nafter_questions = "3"\n',
        ["sitebot.toml:3: 'lead.after_questions' must be an int, not str"],
    ),
    "invalid url": ('[handoff]\nurl = "not a url"\n', ["sitebot.toml:2: 'handoff.url' must be an http(s) URL"]),
    "ftp webhook": (
        '[handoff]\nwebhook = "ftp://files.example/hook"\n',
        ["sitebot.toml:2: 'handoff.webhook' must be an https:// URL"],
    ),
    "http webhook": (
        '[feedback]\nwebhook = "http://example.com/hook"\n',
        ["sitebot.toml:2: 'feedback.webhook' must use https:// (http:// is only for localhost"],
    ),
    "invalid colour": ('[bot]\naccent = "blue;}"\n', ["sitebot.toml:2: 'bot.accent' must be a colour like #2563eb"]),
    "bad hours": (
        '[handoff]\nemail = "help@acme.example"\nhours = "Mon-Fri 9-17"\ntimezone = "Europe/Paris"\n',
        ["sitebot.toml:3: 'handoff.hours' cannot read 'Mon-Fri 9-17'", '"Mon-Fri 09:00-17:30, Sat 10:00-14:00"'],
    ),
    "end before start": (
        '[handoff]\nemail = "help@acme.example"\nhours = "Mon 17:00-09:00"\ntimezone = "Europe/Paris"\n',
        ["sitebot.toml:3: 'handoff.hours' has a group that ends before it starts"],
    ),
    "unknown timezone": (
        '[handoff]\nemail = "help@acme.example"\nhours = "Mon-Fri 09:00-17:00"\ntimezone = "Mars/Olympus"\n',
        ["sitebot.toml:4: 'handoff.timezone' must be an IANA time zone name like Europe/Paris"],
    ),
    "hours without timezone": (
        '[handoff]\nemail = "help@acme.example"\nhours = "Mon-Fri 09:00-17:00"\n',
        ["sitebot.toml:3: 'handoff.hours' needs handoff.timezone"],
    ),
    "no handoff target": (
        '[bot]\nname = "Ada"\n\n[handoff]\nlabel = "Talk to us"\n',
        ["sitebot.toml:4: [handoff] needs at least one of email, url or webhook"],
    ),
    "no lead target": ('[lead]\nfields = ["email"]\n', ["sitebot.toml:1: [lead] needs webhook or email"]),
    "required not asked": (
        '[lead]\nemail = "s@acme.example"\nfields = ["name"]\nrequired = ["email"]\n',
        ["sitebot.toml:4: 'lead.required' names email, which lead.fields does not ask for"],
    ),
    "empty scope": (
        '[scope]\nmessage = "Not here."\n',
        ["sitebot.toml:1: [scope] needs presets, keywords or examples"],
    ),
    "bad email": ('[handoff]\nemail = "help at acme"\n', ["sitebot.toml:2: 'handoff.email' must be an email address"]),
    "slack": (
        '[handoff]\nwebhook = "https://hooks.slack.com/services/T0/B0/abc"\n',
        [
            "sitebot.toml:2: 'handoff.webhook' is a Slack webhook: Slack webhooks do not accept browser requests and "
            "would be public in the bundle; use a Zapier/Make webhook or your own endpoint that posts to Slack"
        ],
    ),
    "credentials": (
        '[lead]\nwebhook = "https://me:SECRET-PW@hooks.example/lead"\n',
        ["sitebot.toml:2: 'lead.webhook' carries credentials (user:pass@) that would be public in the bundle"],
    ),
    "key in query": (
        '[feedback]\nwebhook = "https://hooks.example/fb?api_key=SECRET-PW"\n',
        ["sitebot.toml:2: 'feedback.webhook' has a key in its query (api_key=…) that would be public in the bundle"],
    ),
    "theme": ('[bot]\ntheme = "sepia"\n', ["sitebot.toml:2: 'bot.theme' must be auto, light or dark"]),
    "long name": (f'[bot]\nname = "{"x" * 41}"\n', ["sitebot.toml:2: 'bot.name' must be 1 to 40 characters"]),
    "launcher text": (
        '[bot]\nlauncher_text = ""\n',
        ["sitebot.toml:2: 'bot.launcher_text' must be 1 to 30 characters"],
    ),
    "unknown preset": (
        '[scope]\npresets = ["astrology"]\n',
        ["sitebot.toml:2: 'scope.presets' must be a list of distinct names among health, legal, finance"],
    ),
    "threshold": (
        '[scope]\npresets = ["health"]\nthreshold = 1.5\n',
        ["sitebot.toml:3: 'scope.threshold' must be between 0 and 1"],
    ),
    "too many examples": (
        "[scope]\nexamples = [" + ", ".join(['"q?"'] * 201) + "]\n",
        ["sitebot.toml:2: 'scope.examples' must hold at most 200 questions"],
    ),
    "lead field": (
        '[lead]\nemail = "s@acme.example"\nfields = ["name", "fax"]\n',
        ["sitebot.toml:3: 'lead.fields' must be a non-empty list"],
    ),
    "out of hours": (
        '[handoff]\nemail = "h@acme.example"\nout_of_hours = ["phone"]\n',
        ["sitebot.toml:3: 'handoff.out_of_hours' must be a list of distinct names among email, url, webhook"],
    ),
    "not a table": ('handoff = "yes"\n', ["'handoff' must be a [handoff] table"]),
    "avatar type": (
        '[bot]\navatar = "logo.bmp"\n',
        ["sitebot.toml:2: 'bot.avatar' must be an https:// image URL or a .png"],
    ),
    "avatar missing": (
        '[bot]\navatar = "brand/none.png"\n',
        ["sitebot.toml:2: 'bot.avatar'", "none.png cannot be read"],
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_values_name_key_and_line(
    case: str, site: Path, tmp_path: Path, previous: tuple[Path, dict[str, str]]
) -> None:
    text, needles = BAD[case]
    out, before = previous
    r = invoke_cli("generate", str(site), "-o", str(out), "--config", str(write_toml(tmp_path, text)))
    line = one_error_line(r)
    for n in needles:
        assert n in line, (n, line)
    assert "SECRET-PW" not in r.stderr  # a credential is never repeated
    assert tree_hashes(out) == before


def test_every_problem_is_reported_at_once(site: Path, tmp_path: Path, previous: tuple[Path, dict[str, str]]) -> None:
    out, before = previous
    cfg = write_toml(
        tmp_path,
        '[bot]\naccent = "blue;}"\ntheme = "sepia"\n\n[handoff]\nurl = "not a url"\nwebhook = "ftp://x/"\n'
        'colour = 1\n\n[lead]\nafter_questions = "3"\n',
    )
    line = one_error_line(invoke_cli("generate", str(site), "-o", str(out), "--config", str(cfg)))
    for n in (
        "sitebot.toml:2: 'bot.accent'",
        "sitebot.toml:3: 'bot.theme'",
        "sitebot.toml:6: 'handoff.url'",
        "sitebot.toml:7: 'handoff.webhook'",
        "sitebot.toml:8: unknown key 'handoff.colour'",
        "sitebot.toml:11: 'lead.after_questions'",
    ):
        assert n in line, (n, line)
    assert tree_hashes(out) == before


def test_oversized_avatar_is_refused(site: Path, tmp_path: Path, previous: tuple[Path, dict[str, str]]) -> None:
    out, before = previous
    (tmp_path / "big.png").write_bytes(b"\x89PNG" + b"\0" * (600 * 1024))
    line = one_error_line(
        invoke_cli(
            "generate", str(site), "-o", str(out), "--config", str(write_toml(tmp_path, '[bot]\navatar = "big.png"\n'))
        )
    )
    assert "sitebot.toml:2: 'bot.avatar'" in line and "512 KB" in line
    assert tree_hashes(out) == before


# --- a full configuration lands in sitebot.json as the browser reads it -----------------------------

FULL = """[bot]
name = "Ada"
avatar = "brand/ada.gif"
launcher_text = "Ask Ada"
theme = "dark"
accent = "#0f766e"

[handoff]
label = "Talk to a person"
message = "A colleague can help you with that."
email = "help@acme.example"
subject = "Question from acme.example"
url = "https://wa.me/15551234567"
url_label = "WhatsApp us"
webhook = "https://hooks.zapier.com/hooks/catch/123/abc/"
hours = "Mon-Fri 09:00-17:30, Sat 10:00-14:00"
timezone = "Europe/Paris"
offline_message = "We are closed; leave your email."
out_of_hours = ["email", "url"]
triggers = ["speak to sales", "real person"]
on_not_found = false
on_scope = true

[lead]
fields = ["name", "email", "phone", "company", "message"]
required = ["name", "email"]
consent = "I agree to be contacted about my request."
privacy_url = "https://acme.example/privacy"
webhook = "http://127.0.0.1:8765/lead"
format = "form"
email = "sales@acme.example"
after_questions = 3
triggers = ["get a quote"]
title = "Get a quote"
intro = "Tell us about your project."
with_handoff = false

[feedback]
webhook = "https://acme.example/api/feedback"
event = false

[scope]
presets = ["health", "finance"]
keywords = ["Legal  Advice", "what dose"]
examples = ["Should I sue my neighbour?", "Is this contract fair to me?"]
threshold = 0.6
message = "I can't advise on that; a colleague will help."
handoff = true
"""


@pytest.fixture(scope="module")
def full_bundle(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("full")
    (folder / "brand").mkdir()
    (folder / "brand" / "ada.gif").write_bytes(GIF)
    return build(site, folder / "bundle", "--config", str(write_toml(folder, FULL)))


def test_full_configuration_manifest_shape(full_bundle: Path) -> None:
    s = settings_of(full_bundle)
    assert (s["name"], s["launcher_text"], s["theme"], s["accent"]) == ("Ada", "Ask Ada", "dark", "#0f766e")
    assert s["handoff"] == {
        "label": "Talk to a person",
        "message": "A colleague can help you with that.",
        "email": "help@acme.example",
        "subject": "Question from acme.example",
        "url": "https://wa.me/15551234567",
        "url_label": "WhatsApp us",
        "webhook": "https://hooks.zapier.com/hooks/catch/123/abc/",
        "hours": [{"days": [1, 2, 3, 4, 5], "from": 540, "to": 1050}, {"days": [6], "from": 600, "to": 840}],
        "timezone": "Europe/Paris",
        "offline_message": "We are closed; leave your email.",
        "out_of_hours": ["email", "url"],
        "triggers": ["speak to sales", "real person"],
        "on_not_found": False,
        "on_scope": True,
    }
    assert s["lead"] == {
        "fields": ["name", "email", "phone", "company", "message"],
        "required": ["name", "email"],
        "consent": "I agree to be contacted about my request.",
        "privacy_url": "https://acme.example/privacy",
        "webhook": "http://127.0.0.1:8765/lead",
        "format": "form",
        "email": "sales@acme.example",
        "after_questions": 3,
        "triggers": ["get a quote"],
        "title": "Get a quote",
        "intro": "Tell us about your project.",
        "with_handoff": False,
    }
    assert s["feedback"] == {"webhook": "https://acme.example/api/feedback", "event": False}
    preset_keywords = [k for p in ("health", "finance") for k in PRESETS[p].keywords]
    examples = 2 + sum(len(PRESETS[p].examples) for p in ("health", "finance"))
    assert s["scope"] == {
        "keywords": list(dict.fromkeys(["legal advice", "what dose", *preset_keywords])),
        "threshold": 0.6,
        "margin": DEFAULT_SCOPE_MARGIN,
        "message": "I can't advise on that; a colleague will help.",
        "handoff": True,
        "examples": examples,
        "allowed": len(ALLOWED),
    }
    assert all(k == k.lower() for k in s["scope"]["keywords"])
    assert len(set(s["scope"]["keywords"])) == len(s["scope"]["keywords"])


def test_avatar_file_is_copied_content_addressed(full_bundle: Path) -> None:
    avatar = settings_of(full_bundle)["avatar"]
    assert avatar.startswith("brand/avatar.") and avatar.endswith(".gif")
    assert (full_bundle / avatar).read_bytes() == GIF
    assert hashlib.sha256(GIF).hexdigest()[:12] in avatar


def test_avatar_url_is_kept_as_is(site: Path, tmp_path: Path) -> None:
    out = build(
        site,
        tmp_path / "b",
        "--config",
        str(write_toml(tmp_path, '[bot]\navatar = "https://cdn.acme.example/ada.png?v=2"\n')),
    )
    assert settings_of(out)["avatar"] == "https://cdn.acme.example/ada.png?v=2"
    assert not (out / "brand").exists()


def test_scope_vectors_are_the_examples_then_the_allowed_questions_embedded_as_queries(full_bundle: Path) -> None:
    manifest = json.loads((full_bundle / "sitebot.json").read_text())
    scope = normalise(
        "scope",
        {"presets": ["health", "finance"], "examples": ["Should I sue my neighbour?", "Is this contract fair to me?"]},
    )
    assert scope is not None
    texts = [*scope["examples"], *scope["allowed"]]
    assert scope["allowed"] == list(ALLOWED)
    n, dims = manifest["counts"]["scope"], manifest["model"]["dims"]
    assert n == len(texts)
    assert manifest["settings"]["scope"]["examples"] == len(scope["examples"])
    assert manifest["settings"]["scope"]["allowed"] == len(ALLOWED)
    assert manifest["files"]["scope"].startswith("index/scope.") and manifest["files"]["scope"].endswith(".bin")
    data = (full_bundle / manifest["files"]["scope"]).read_bytes()
    assert len(data) == n * dims + (-(n * dims) % 4) + 4 * n
    stored = quantise.dequantise(*quantise.from_bytes(data, n, dims))
    assert np.allclose(np.linalg.norm(stored, axis=1), 1, atol=0.01)
    expected = embed_texts(load(default_model()), texts, max_tokens=manifest["model"]["query_max_tokens"])
    cos = (stored * expected).sum(axis=1) / np.linalg.norm(stored, axis=1)
    assert cos.min() >= 0.999, float(cos.min())


def test_the_lite_path_carries_the_scope_questions_as_its_static_vectors(full_bundle: Path) -> None:
    # For a visitor whose model never loads: the same questions, as the browser's lite encoder
    # sums a question for the scope check (lite.js embedStatic), with widened thresholds.
    manifest = read_manifest(full_bundle)
    section = manifest["lite"]["scope"]
    scope = manifest["settings"]["scope"]
    n = manifest["counts"]["scope"]
    assert section["count"] == n == scope["examples"] + scope["allowed"]
    assert section["threshold"] == scope["threshold"] == 0.6
    assert section["margin"] == pytest.approx(scope["margin"] + lite.SCOPE_MARGIN_EXTRA)
    assert section["file"] in manifest_files(manifest)
    table = LiteTable.read(full_bundle, manifest)
    dims = manifest["lite"]["dims"]
    stored = quantise.dequantise(*quantise.from_bytes((full_bundle / section["file"]).read_bytes(), n, dims))
    texts = [
        *normalise(
            "scope",
            {
                "presets": ["health", "finance"],
                "examples": ["Should I sue my neighbour?", "Is this contract fair to me?"],
            },
        )["examples"],  # type: ignore[index]
        *ALLOWED,
    ]
    for text, row, expected in zip(texts, stored, table.static_vectors(texts), strict=True):
        assert expected is not None, text
        assert float(row @ expected) / float(np.linalg.norm(row)) >= 0.999, text
    # Another question scores lower with every row than an example's own text scores with its row.
    (other,) = table.static_vectors(["where do I park my bike"])
    assert other is not None and float((stored @ other).max()) < 0.9


def test_a_bundle_without_the_sections_has_them_null(previous: tuple[Path, dict[str, str]]) -> None:
    out, _ = previous
    manifest = json.loads((out / "sitebot.json").read_text())
    s = manifest["settings"]
    assert (s["name"], s["avatar"], s["launcher_text"], s["theme"]) == (None, None, None, "auto")
    assert (s["handoff"], s["lead"], s["feedback"], s["scope"]) == (None, None, None, None)
    assert "scope" not in manifest["files"] and "scope" not in manifest["counts"]


def test_defaults_of_a_minimal_configuration(site: Path, tmp_path: Path) -> None:
    cfg = write_toml(
        tmp_path,
        '[handoff]\nemail = "help@acme.example"\n\n[lead]\nwebhook = "https://hooks.example/l"\n\n'
        '[feedback]\n\n[scope]\nkeywords = ["Lawsuit"]\n',
    )
    s = settings_of(build(site, tmp_path / "b", "--config", str(cfg)))
    assert s["handoff"] == {
        "label": None,
        "message": None,
        "email": "help@acme.example",
        "subject": None,
        "url": None,
        "url_label": None,
        "webhook": None,
        "hours": None,
        "timezone": None,
        "offline_message": None,
        "out_of_hours": ["email", "webhook"],
        "triggers": [],
        "on_not_found": True,
        "on_scope": True,
    }
    assert s["lead"] == {
        "fields": ["name", "email", "message"],
        "required": ["email"],
        "consent": None,
        "privacy_url": None,
        "webhook": "https://hooks.example/l",
        "format": "json",
        "email": None,
        "after_questions": 0,
        "triggers": [],
        "title": None,
        "intro": None,
        "with_handoff": True,
    }
    assert s["feedback"] == {"webhook": None, "event": True}
    assert s["scope"] == {
        "keywords": ["lawsuit"],
        "threshold": DEFAULT_SCOPE_THRESHOLD,
        "margin": DEFAULT_SCOPE_MARGIN,
        "message": None,
        "handoff": True,
        "examples": 0,
        "allowed": 0,
    }


# --- presets ---------------------------------------------------------------------------------------

ORDINARY = [
    "What are your opening hours?",
    "Pharmacy opening hours on Sunday",
    "How much are your prices?",
    "Do you ship to Canada?",
    "How do I get a refund?",
    "Where is your legal notice?",
    "Where are the terms and conditions?",
    "What is your privacy policy?",
    "Which payment methods do you accept?",
    "Do you sell ibuprofen?",
    "Is tax included in the price?",
    "Can I order my prescription online?",
    "Do you accept bitcoin?",
    "Do you offer loans?",
    "Can I book a lawyer?",
    "Something is wrong with my order",
    "Can I end my contract early?",
    "How do I see my portfolio in the app?",
    "Can my landlord pay the invoice?",
    "Where do I see my test results?",
]


def test_presets_are_sized_and_specific() -> None:
    for name, p in PRESETS.items():
        assert 12 <= len(p.examples) <= 20, name
        assert len(set(p.examples)) == len(p.examples) and all(e.endswith("?") for e in p.examples)
        for k in p.keywords:
            assert k == k.lower() and " ".join(k.split()) == k, (name, k)
            hits = [q for q in ORDINARY if re.search(rf"(?<!\w){re.escape(k)}(?!\w)", q.lower())]
            assert not hits, (name, k, hits)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_preset_keywords_and_examples_land_in_the_bundle(preset: str) -> None:
    scope = normalise("scope", {"presets": [preset]})
    assert scope is not None
    assert set(PRESETS[preset].keywords) <= set(scope["keywords"])
    assert scope["examples"] == list(PRESETS[preset].examples)


# --- the library path: the same checks, with the dotted key -----------------------------------------


def test_library_options_are_checked_before_anything_is_written(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "lib"
    with pytest.raises(ConfigError, match=r"'handoff.webhook' is a Slack webhook.*posts to Slack"):
        generate(GenerateOptions(source=site, output=out, handoff={"webhook": "https://hooks.slack.com/services/x"}))
    with pytest.raises(ConfigError, match=r"unknown key 'lead.colour'.*"):
        generate(GenerateOptions(source=site, output=out, lead={"email": "s@acme.example", "colour": 1}))
    with pytest.raises(ConfigError, match=r"\[scope\] needs presets, keywords or examples"):
        generate(GenerateOptions(source=site, output=out, scope={}))
    with pytest.raises(ConfigError, match=r"'bot.accent' must be a colour"):
        generate(GenerateOptions(source=site, output=out, bot=BotSettings(accent="red")))
    with pytest.raises(ConfigError, match=r"'bot.avatar' .*cannot be read"):
        generate(GenerateOptions(source=site, output=out, bot=BotSettings(avatar=str(tmp_path / "none.png"))))
    assert not out.exists()


def test_library_options_build_the_same_settings(site: Path, tmp_path: Path) -> None:
    (tmp_path / "a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    opts = GenerateOptions(
        source=site,
        output=tmp_path / "lib",
        bot=BotSettings(name="Ada", avatar=str(tmp_path / "a.svg")),
        handoff={"email": "help@acme.example"},
        feedback={},
        scope={"presets": ["legal"]},
    )
    generate(opts)
    s = settings_of(tmp_path / "lib")
    assert s["name"] == "Ada" and s["avatar"].startswith("brand/avatar.") and s["avatar"].endswith(".svg")
    assert s["handoff"]["email"] == "help@acme.example" and s["feedback"] == {"webhook": None, "event": True}
    assert s["scope"]["examples"] == len(PRESETS["legal"].examples) and s["lead"] is None


# --- opening hours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Mon-Fri 09:00-17:30, Sat 10:00-14:00",
            [{"days": [1, 2, 3, 4, 5], "from": 540, "to": 1050}, {"days": [6], "from": 600, "to": 840}],
        ),
        (
            "Mon-Fri 09:00-12:00, 13:00-17:00; Sat, Sun 10:00-14:00",
            [
                {"days": [1, 2, 3, 4, 5], "from": 540, "to": 720},
                {"days": [1, 2, 3, 4, 5], "from": 780, "to": 1020},
                {"days": [6, 7], "from": 600, "to": 840},
            ],
        ),
        ("Fri-Mon 08:00-24:00", [{"days": [1, 5, 6, 7], "from": 480, "to": 1440}]),
        ("sunday 9:30 – 12:00", [{"days": [7], "from": 570, "to": 720}]),
    ],
)
def test_hours_parse(text: str, expected: list[dict[str, Any]]) -> None:
    assert parse_hours(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Mon-Fri",
        "09:00-17:00",
        "Mon 17:00-09:00",
        "Mon 25:00-26:00",
        "Mon 09:60-10:00",
        "Lun 09:00-10:00",
        "Mon-Fri 9-17",
        "Sat 10:00-14:00, Sun",
    ],
)
def test_bad_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_hours(text)
