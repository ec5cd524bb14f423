"""The build-time side of handoff, lead capture, feedback, scope rules and branding (issue 6).

Each section's keys are specs of the same form as config.SCHEMA, which includes them, so a
bad value is reported with its file line; rules across keys (`rule_problems`) are checked
after. `normalise` runs both on plain values and returns the manifest's `settings.<section>`
(docs/bundle-format.md), so a library user's GenerateOptions and a sitebot.toml go through
the same checks and get the same sentences (the file adds its lines):

    normalise("handoff", {"email": "help@example.com", "hours": "Mon-Fri 09:00-17:30", "timezone": "Europe/Paris"})

Texts left unset stay None in the manifest: the browser supplies its translated defaults.
"""

from __future__ import annotations

import re
import urllib.parse
import zoneinfo
from pathlib import Path
from typing import Any, Callable, Mapping

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

_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_DAYS = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), 1)}
_FULL_DAYS = {"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7}
_TIME = r"(\d{1,2}):(\d{2})"
HOURS_FORM = 'write groups like "Mon-Fri 09:00-17:30, Sat 10:00-14:00" (days Mon to Sun, 24-hour HH:MM times, end after start)'


# --- single values ---------------------------------------------------------------------------------

def email_problem(value: str) -> str | None:
    return None if _EMAIL.match(value) else "must be an email address like help@example.com"


def url_problem(value: str) -> str | None:
    """Why `value` is not an absolute http(s) URL, or None."""
    try:
        parts = urllib.parse.urlsplit(value)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in value)
    except ValueError:
        ok = False
    return None if ok else "must be an http(s) URL like https://example.com/contact"


def webhook_problem(value: str) -> str | None:
    """Why `value` cannot be a webhook the browser posts to, or None (the URL is never repeated)."""
    from ..config import KEY_PARAMS

    if url_problem(value):
        return "must be an https:// URL (http:// only for localhost)"
    parts = urllib.parse.urlsplit(value)
    host = (parts.hostname or "").lower().rstrip(".")
    public = "that would be public in the bundle, which anyone can read"
    if "@" in parts.netloc:
        return f"carries credentials (user:pass@) {public}; use a webhook URL without them"
    names = {k.lower() for k, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)}
    if names & KEY_PARAMS:
        return (f"has a key in its query ({sorted(names & KEY_PARAMS)[0]}=…) {public}; use a webhook URL "
                "without a secret, or your own endpoint that adds it")
    if host == "hooks.slack.com":
        return ("is a Slack webhook: Slack webhooks do not accept browser requests and would be public in the bundle; "
                "use a Zapier/Make webhook or your own endpoint that posts to Slack")
    if parts.scheme.lower() == "http" and host not in _LOOPBACK:
        return "must use https:// (http:// is only for localhost, 127.0.0.1 or [::1])"
    return None


def timezone_problem(value: str) -> str | None:
    problem = "must be an IANA time zone name like Europe/Paris or America/New_York"
    if not value or value != value.strip() or value.startswith(("/", ".")):
        return problem
    known = zoneinfo.available_timezones()
    if known:
        return None if value in known else problem
    try:  # no tz database listing (some minimal systems): try to load it
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return problem
    return None


def _day(word: str) -> int | None:
    w = word.lower()
    return _DAYS.get(w) or _FULL_DAYS.get(w)


def _days(spec: str) -> list[int] | None:
    """'Mon' → [1]; 'Fri-Mon' → [5, 6, 7, 1] (a range may wrap past Sunday)."""
    ends = [p.strip() for p in re.split(r"\s*[-–]\s*", spec.strip())]
    if len(ends) > 2 or any(_day(e) is None for e in ends):
        return None
    a, b = _day(ends[0]), _day(ends[-1])
    assert a is not None and b is not None
    return [(a - 1 + i) % 7 + 1 for i in range((b - a) % 7 + 1)]


def _minutes(h: str, m: str, *, end: bool) -> int | None:
    hh, mm = int(h), int(m)
    if mm > 59 or hh > 24 or (hh == 24 and (mm or not end)):
        return None
    return hh * 60 + mm


def parse_hours(text: str) -> list[dict[str, Any]]:
    """'Mon-Fri 09:00-17:30, Sat 10:00-14:00' → [{"days": [1,…,5], "from": 540, "to": 1050}, …].

    Days are ISO (1 = Monday), times minutes since midnight. A group without days reuses the
    previous group's ('Mon-Fri 09:00-12:00, 13:00-17:00'); days without times carry on to the
    next group ('Sat, Sun 10:00-14:00'). Raises ValueError saying what could not be read.
    """
    groups = [g.strip() for g in re.split(r"[,;]", text)]
    if not any(groups):
        raise ValueError("is empty")
    out: list[dict[str, Any]] = []
    pending: list[int] = []
    last: list[int] = []
    for n, group in enumerate(groups, 1):
        m = re.fullmatch(rf"(?:(.*?)\s+)?{_TIME}\s*[-–]\s*{_TIME}", group)
        if m is None:
            days = _days(group) if group else None
            if days is None:
                raise ValueError(f"cannot read {group!r} (group {n})")
            pending += days
            continue
        days = _days(m.group(1)) if m.group(1) else None
        if m.group(1) and days is None:
            raise ValueError(f"cannot read the days {m.group(1)!r} (group {n})")
        days = pending + (days or [])
        if not days:
            if not last:
                raise ValueError(f"has no days before {group!r} (group {n})")
            days = last
        start, end = _minutes(m.group(2), m.group(3), end=False), _minutes(m.group(4), m.group(5), end=True)
        if start is None or end is None:
            raise ValueError(f"has a time that is not HH:MM on a 24-hour clock in {group!r} (group {n})")
        if end <= start:
            raise ValueError(f"has a group that ends before it starts ({group!r}, group {n})")
        out.append({"days": sorted(set(days)), "from": start, "to": end})
        pending, last = [], days
    if pending:
        raise ValueError(f"ends with days but no times ({groups[-1]!r})")
    return out


def hours_problem(value: str) -> str | None:
    try:
        parse_hours(value)
    except ValueError as e:
        return f"{e}; {HOURS_FORM}"
    return None


def avatar_problem(value: str) -> str | None:
    """Why `value` is neither an http(s) image URL nor an image file path (the file itself is checked later)."""
    if value.lower().startswith(("http://", "https://")):
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
    return value.lower().startswith(("http://", "https://"))


# --- specs: (type, check, message) as in config.SCHEMA; a check returns a bool or a problem string ---

def _texts(max_items: int | None = None, max_len: int | None = None, allowed: tuple[str, ...] | None = None,
           what: str = "phrases") -> Callable[[list[Any]], str | None]:
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
    "fields": (list, lambda v: bool(v) and _texts(allowed=LEAD_FIELDS)(v) is None,
               f"must be a non-empty list of distinct names among {', '.join(LEAD_FIELDS)}"),
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


def spec_problem(spec: tuple[Any, Any, str], value: Any) -> str | None:
    """Why `value` does not fit a (type, check, message) spec, or None; the text follows the quoted key."""
    typ, ok, msg = spec
    good_type = isinstance(value, typ) and not (typ is int and isinstance(value, bool))
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        good_type = True
    if not good_type:
        article = "an" if typ.__name__[0] in "aeiou" else "a"
        return f"must be {article} {typ.__name__}, not {type(value).__name__}"
    result = ok(value) if ok is not None else None
    if result is False:
        return msg
    return result if isinstance(result, str) else None


# --- sections --------------------------------------------------------------------------------------

def rule_problems(section: str, values: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """Problems across keys of a section: (key, or None for the section itself, the sentence after it)."""
    out: list[tuple[str | None, str]] = []
    if section == "handoff":
        if not any(values.get(k) for k in TARGETS):
            out.append((None, "[handoff] needs at least one of email, url or webhook: where the visitor reaches a person"))
        if values.get("hours") and not values.get("timezone"):
            out.append(("hours", "'handoff.hours' needs handoff.timezone too, an IANA name like Europe/Paris"))
    elif section == "lead":
        fields = values.get("fields", ["name", "email", "message"])
        extra = [f for f in values.get("required", []) if isinstance(fields, list) and f not in fields]
        if extra:
            out.append(("required", f"'lead.required' names {', '.join(map(str, extra))}, which lead.fields does not ask for"))
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
            "consent": v.get("consent"), "privacy_url": v.get("privacy_url"), "webhook": v.get("webhook"),
            "format": v.get("format", "json"), "email": v.get("email"),
            "after_questions": v.get("after_questions", 0), "triggers": list(v.get("triggers", [])),
            "title": v.get("title"), "intro": v.get("intro"), "with_handoff": v.get("with_handoff", True),
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
    keywords = [" ".join(k.lower().split()) for k in [*v.get("keywords", []), *(k for p in presets for k in p.keywords)]]
    examples = list(dict.fromkeys(" ".join(e.split()) for e in [*v.get("examples", []), *(e for p in presets for e in p.examples)]))
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
    from ..config import SCHEMA

    found = []
    for key in ("accent", "position", *BOT):
        value = getattr(bot, key, None)
        if value is not None:
            problem = spec_problem(SCHEMA["bot"][key], str(value) if isinstance(value, Path) else value)
            if problem:
                found.append(f"'bot.{key}' {problem}")
    if found:
        raise ConfigError("; ".join(found))
