"""The build-time side of handoff, lead capture, feedback, scope rules and branding (issue 6).

Each section's keys are specs of the same form as config.SCHEMA, which includes them, so a
bad value is reported with its file line; rules across keys (`rule_problems`) are checked
after. `normalise` runs both on plain values and returns the manifest's `settings.<section>`
(docs/bundle-format.md), so a library user's GenerateOptions and a sitebot.toml go through
the same checks and get the same sentences (the file adds its lines). The single-value checks
(URLs, webhooks, email, time zone, hours) and the spec checker live in sitebot.checks:

    normalise("handoff", {"email": "help@example.com", "hours": "Mon-Fri 09:00-17:30", "timezone": "Europe/Paris"})

Texts left unset stay None in the manifest: the browser supplies its translated defaults.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..checks import (
    email_problem,
    hours_problem,
    is_http_url,
    parse_hours,
    spec_problem,
    timezone_problem,
    url_problem,
    webhook_problem,
)
from ..errors import ConfigError

SECTIONS = ("handoff", "lead", "feedback", "scope")
TARGETS = ("email", "url", "webhook")
LEAD_FIELDS = ("name", "email", "phone", "company", "message")
AVATAR_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
AVATAR_MAX_BYTES = 512 * 1024
MAX_EXAMPLES = 200
# A question is routed when its best cosine with a ruled-out example reaches the threshold
# AND beats its best cosine with an allowed (ordinary support) question by the margin: a
# shop question naming a medicine ("do you sell ibuprofen?") is close to the health
# examples but closer to "Do you sell this medicine?". Calibrated with bench/scope.py on
# the default model (figures there and in the README): a net, not a guarantee.
DEFAULT_SCOPE_THRESHOLD = 0.5
DEFAULT_SCOPE_MARGIN = 0.05

# --- single values ---------------------------------------------------------------------------------


def avatar_problem(value: str) -> str | None:
    """Why `value` is neither an http(s) image URL nor an image file path (the file itself is checked later)."""
    if is_http_url(value):
        return url_problem(value)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:(?![\\/])", value) or not value.strip():
        return "must be an https:// image URL or the path of an image file relative to sitebot.toml"
    if Path(value).suffix.lower() not in AVATAR_TYPES:
        return f"must be an https:// image URL or a {', '.join(AVATAR_TYPES)} file"
    return None


def read_avatar(path: Path) -> bytes:
    """The avatar file's bytes; ValueError saying what is wrong with it."""
    if path.suffix.lower() not in AVATAR_TYPES:
        raise ValueError(f"{path} is not a {', '.join(AVATAR_TYPES)} image")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ValueError(f"{path} cannot be read ({e.strerror or 'not a file'})") from None
    if len(data) > AVATAR_MAX_BYTES:
        raise ValueError(f"{path} is {len(data) // 1024} KB, over the {AVATAR_MAX_BYTES // 1024} KB an avatar may have")
    return data


def is_avatar_url(value: str) -> bool:
    """Whether the avatar is given as a URL (kept as is) rather than an image file (read into the bundle)."""
    return is_http_url(value)


# --- specs: (type, check, message) as in config.SCHEMA, checked by checks.spec_problem ----------------


def _texts(
    max_items: int | None = None,
    max_len: int | None = None,
    allowed: tuple[str, ...] | None = None,
    what: str = "phrases",
) -> Callable[[list[Any]], str | None]:
    def check(v: list[Any]) -> str | None:
        if allowed is not None:
            bad = [x for x in v if x not in allowed]
            if bad or len(set(v)) != len(v):
                return f"must be a list of distinct names among {', '.join(allowed)}"
            return None
        if not all(isinstance(x, str) and x.strip() for x in v):
            return f"must be a list of {what} (non-empty strings)"
        if max_items is not None and len(v) > max_items:
            return f"must hold at most {max_items} {what}"
        if max_len is not None and any(len(x) > max_len for x in v):
            return f"must be {what} of at most {max_len} characters each"
        return None

    return check


def _length(lo: int, hi: int) -> tuple[Callable[[str], bool], str]:
    return (lambda v: lo <= len(v.strip()) and len(v) <= hi), f"must be {lo} to {hi} characters"


_TEXT = (str, lambda v: bool(v.strip()), "must not be empty")
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

# [bot] accent and position: config.SCHEMA lists them among the [bot] texts, check_bot checks them
# for library users, so both read them from here.
ACCENT = (str, lambda v: bool(_COLOR.match(v)), "must be a colour like #2563eb")
POSITION = (str, lambda v: v in ("left", "right"), "must be left or right")

BOT: dict[str, Any] = {
    "name": (str, *_length(1, 40)),
    "avatar": (str, avatar_problem, ""),
    "launcher_text": (str, *_length(1, 30)),
    "theme": (str, lambda v: v in ("auto", "light", "dark"), "must be auto, light or dark"),
    "open_after": (int, lambda v: 0 <= v <= 600, "must be between 0 and 600 seconds"),
}

HANDOFF: dict[str, Any] = {
    "label": _TEXT,
    "message": _TEXT,
    "email": (str, email_problem, ""),
    "subject": _TEXT,
    "url": (str, url_problem, ""),
    "url_label": _TEXT,
    "webhook": (str, webhook_problem, ""),
    "hours": (str, hours_problem, ""),
    "timezone": (str, timezone_problem, ""),
    "offline_message": _TEXT,
    "out_of_hours": (list, _texts(allowed=TARGETS), ""),
    "triggers": (list, _texts(max_items=100, max_len=200), ""),
    "on_not_found": (bool, None, ""),
    "on_scope": (bool, None, ""),
}

LEAD: dict[str, Any] = {
    "fields": (
        list,
        lambda v: bool(v) and _texts(allowed=LEAD_FIELDS)(v) is None,
        f"must be a non-empty list of distinct names among {', '.join(LEAD_FIELDS)}",
    ),
    "required": (list, _texts(allowed=LEAD_FIELDS), ""),
    "consent": _TEXT,
    "privacy_url": (str, url_problem, ""),
    "webhook": (str, webhook_problem, ""),
    "format": (str, lambda v: v in ("json", "form"), "must be json or form"),
    "email": (str, email_problem, ""),
    "after_questions": (int, lambda v: 0 <= v <= 50, "must be between 0 and 50 (0: never)"),
    "triggers": (list, _texts(max_items=100, max_len=200), ""),
    "title": _TEXT,
    "intro": _TEXT,
    "with_handoff": (bool, None, ""),
}

FEEDBACK: dict[str, Any] = {
    "webhook": (str, webhook_problem, ""),
    "event": (bool, None, ""),
}

SCOPE: dict[str, Any] = {
    "presets": (list, lambda v: _presets_problem(v), ""),
    "keywords": (list, _texts(max_items=500, max_len=100), ""),
    "examples": (list, _texts(max_items=MAX_EXAMPLES, max_len=200, what="questions"), ""),
    "allowed": (list, _texts(max_items=MAX_EXAMPLES, max_len=200, what="questions"), ""),
    "threshold": (float, lambda v: 0 <= v <= 1, "must be between 0 and 1"),
    "margin": (float, lambda v: 0 <= v <= 1, "must be between 0 and 1"),
    "message": _TEXT,
    "handoff": (bool, None, ""),
}

SPECS: dict[str, dict[str, Any]] = {"handoff": HANDOFF, "lead": LEAD, "feedback": FEEDBACK, "scope": SCOPE}


def _presets_problem(v: list[Any]) -> str | None:
    from .scope_presets import PRESETS

    return _texts(allowed=tuple(PRESETS))(v)


# --- sections --------------------------------------------------------------------------------------


def rule_problems(section: str, values: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """Problems across keys of a section: (key, or None for the section itself, the sentence after it)."""
    out: list[tuple[str | None, str]] = []
    if section == "handoff":
        if not any(values.get(k) for k in TARGETS):
            out.append(
                (None, "[handoff] needs at least one of email, url or webhook: where the visitor reaches a person")
            )
        if values.get("hours") and not values.get("timezone"):
            out.append(("hours", "'handoff.hours' needs handoff.timezone too, an IANA name like Europe/Paris"))
    elif section == "lead":
        fields = values.get("fields", ["name", "email", "message"])
        extra = [f for f in values.get("required", []) if isinstance(fields, list) and f not in fields]
        if extra:
            out.append(
                ("required", f"'lead.required' names {', '.join(map(str, extra))}, which lead.fields does not ask for")
            )
        if not values.get("webhook") and not values.get("email"):
            out.append((None, "[lead] needs webhook or email: where the visitor's details are sent"))
    elif section == "scope":
        if not any(values.get(k) for k in ("presets", "keywords", "examples")):
            out.append((None, "[scope] needs presets, keywords or examples: the questions the bot must not answer"))
    return out


def key_problems(section: str, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, sentence naming the dotted key) for each unknown key or bad value of a section."""
    spec = SPECS[section]
    out = []
    for key, value in values.items():
        if key not in spec:
            out.append((key, f"unknown key '{section}.{key}' (known here: {', '.join(sorted(spec))})"))
        else:
            problem = spec_problem(spec[key], value)
            if problem:
                out.append((key, f"'{section}.{key}' {problem}"))
    return out


def problems(section: str, values: Mapping[str, Any]) -> list[str]:
    """Every problem of a section's values, keys first, then the rules across keys (no file lines)."""
    found = [msg for _, msg in key_problems(section, values)]
    return found or [msg for _, msg in rule_problems(section, values)]


def normalise(section: str, values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The manifest's `settings.<section>` (None when the section is absent); ConfigError listing every problem."""
    if values is None:
        return None
    found = problems(section, values)
    if found:
        raise ConfigError("; ".join(found))
    v = dict(values)
    if section == "handoff":
        texts = ("label", "message", "email", "subject", "url", "url_label", "webhook")
        return {
            **{k: v.get(k) for k in texts},
            "hours": parse_hours(v["hours"]) if v.get("hours") else None,
            "timezone": v.get("timezone"),
            "offline_message": v.get("offline_message"),
            "out_of_hours": list(v.get("out_of_hours", ["email", "webhook"])),
            "triggers": list(v.get("triggers", [])),
            "on_not_found": v.get("on_not_found", True),
            "on_scope": v.get("on_scope", True),
        }
    if section == "lead":
        fields = list(v.get("fields", ["name", "email", "message"]))
        return {
            "fields": fields,
            "required": list(v.get("required", ["email"] if "email" in fields else [])),
            "consent": v.get("consent"),
            "privacy_url": v.get("privacy_url"),
            "webhook": v.get("webhook"),
            "format": v.get("format", "json"),
            "email": v.get("email"),
            "after_questions": v.get("after_questions", 0),
            "triggers": list(v.get("triggers", [])),
            "title": v.get("title"),
            "intro": v.get("intro"),
            "with_handoff": v.get("with_handoff", True),
        }
    if section == "feedback":
        return {"webhook": v.get("webhook"), "event": v.get("event", True)}
    return _scope(v)


def _scope(v: dict[str, Any]) -> dict[str, Any]:
    """`settings.scope` with the presets folded in; "examples" and "allowed" hold the texts
    (the pipeline embeds them, examples first). The built-in ordinary support questions are
    always among the allowed ones when there are examples to compare with."""
    from .scope_presets import ALLOWED, PRESETS

    presets = [PRESETS[p] for p in v.get("presets", [])]
    keywords = [
        " ".join(k.lower().split()) for k in [*v.get("keywords", []), *(k for p in presets for k in p.keywords)]
    ]
    examples = list(
        dict.fromkeys(" ".join(e.split()) for e in [*v.get("examples", []), *(e for p in presets for e in p.examples)])
    )
    allowed = [" ".join(e.split()) for e in [*v.get("allowed", []), *ALLOWED]] if examples else []
    return {
        "keywords": list(dict.fromkeys(keywords)),
        "threshold": float(v.get("threshold", DEFAULT_SCOPE_THRESHOLD)),
        "margin": float(v.get("margin", DEFAULT_SCOPE_MARGIN)),
        "message": v.get("message"),
        "handoff": v.get("handoff", True),
        "examples": examples,
        "allowed": [a for a in dict.fromkeys(allowed) if a not in examples],
    }


def check_bot(bot: Any) -> None:
    """The branding settings of a BotSettings (accent, name, avatar, launcher text, theme); ConfigError."""
    specs = {"accent": ACCENT, "position": POSITION, **BOT}
    found = []
    for key, spec in specs.items():
        value = getattr(bot, key, None)
        if value is not None:
            problem = spec_problem(spec, str(value) if isinstance(value, Path) else value)
            if problem:
                found.append(f"'bot.{key}' {problem}")
    if found:
        raise ConfigError("; ".join(found))
