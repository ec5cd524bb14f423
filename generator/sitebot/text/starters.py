"""Starter questions for the panel, suggested from the site's own headings.

A starter is a question a visitor would type, so a heading becomes one only when it reads
as one: its section number goes ("12.1.3. RAID or LVM?" is a book's table of contents, not
a visitor), it opens with a question word or an auxiliary in one of the widget's languages
("How …?", "Comment …?", "Wie …?", "¿Cómo …?") and it is of a length people type. A heading
in Headline Title Case ("What Is a Document?") is put in sentence case, word by word, only
where the site's own text shows the word in lower case; a name stays as the site spells it.

Question-shaped headings of FAQ-like pages ("Can I pause my plan?") are what visitors ask,
so they make the best starters; a lone question heading elsewhere is more often marketing
("Which one is right for you?") and only fills in. The shortest win, from different pages
where possible. A site with none gets "What can you tell me about <title>?" for its top
pages, but only for English pages whose tidied title is a short name; otherwise no starters:
the widget shows none rather than bad ones.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .extract import Document

MAX_STARTERS = 4
MIN_CHARS, MAX_CHARS = 12, 80

# "1.", "1.1.", "12.1.3", "A.1.", "B.", "IV." (DocBook, Sphinx and LaTeX number their sections
# this way), optionally after "Chapter"/"Section"/…; a bare capital letter needs its dot, so
# "A quick question?" keeps its "A".
_NUMBER = re.compile(
    r"^\s*(?:(?:chapter|section|part|appendix|chapitre|kapitel|capítulo)\s+)?"
    r"(?:\d+(?:\.\d+)*\.?|[A-Z](?:\.\d+)*\.|[IVXL]+\.)\s+",
    re.I,
)
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"[^\W\d_][\w'’-]*")

# First words that open a question in the widget's languages (ui/strings.js: en, fr, de, es,
# ar, he). One set for all: pages often have no lang, and the words barely collide.
QUESTION_WORDS = frozenset(
    """
    how what why when where which who whom whose can could do does did is are was were am will would
    should shall may might must have has had
    comment que quoi quel quelle quels quelles pourquoi où quand qui combien est-ce qu'est-ce peut-on
    puis-je dois-je faut-il y
    wie was warum wieso weshalb wo woher wohin womit wozu worauf wann welche welcher welches welchen welchem
    wer wen wem wessen kann kannst können könnte muss müssen darf dürfen soll sollte sollen ist sind gibt
    habe hat haben wird werden bin
    cómo qué por cuál cuáles cuándo dónde quién quiénes cuánto cuánta cuántos cuántas puedo puede pueden
    hay es son tiene tengo debo
    كيف ماذا لماذا متى أين من هل ما كم أي
    איך מה למה מדוע מתי איפה היכן מי האם כמה איזה איזו אילו
    """.split()
)
# French subject inversion: "Acceptez-vous …?", "Puis-je …?".
_INVERSION = re.compile(r"^\w+-(?:t-)?(?:je|tu|il|elle|on|nous|vous|ils|elles)\b", re.I)
# Closed-class words that Headline Title Case capitalises and a sentence does not.
_SMALL = frozenset(
    "a an the of to in on at by for from with and or but nor as is are was were be been do does did can "
    "will would should could may might must has have had this that these those it its my your our their "
    "there into onto about over under than then not no".split()
)
# Titles that make a meaningless "What can you tell me about …?".
_GENERIC_TITLES = frozenset(
    {
        "home",
        "home page",
        "index",
        "welcome",
        "overview",
        "introduction",
        "contents",
        "table of contents",
        "search",
        "search page",
        "preface",
        "foreword",
        "about",
        "untitled",
        "main page",
        "start",
        "getting started",
        "glossary",
        "appendix",
        "bibliography",
        "changelog",
        "license",
        "copyright",
        "credits",
        "sitemap",
        "imprint",
    }
)
_FAQ_PAGE = re.compile(r"faq|frequently|questions|fragen|preguntas", re.I)


def strip_number(heading: str) -> str:
    """The heading without its section number: "12.1.3. RAID or LVM?" → "RAID or LVM?"."""
    return _NUMBER.sub("", heading, count=1).strip()


def is_question(text: str) -> bool:
    """Whether `text` reads as a question a visitor would type."""
    if not (MIN_CHARS <= len(text) <= MAX_CHARS) or not text.endswith(("?", "؟", "？")):
        return False
    if text.startswith("¿"):  # Spanish marks where a question starts
        return True
    words = _WORDS.findall(text)
    if len(words) < 2:
        return False
    first = words[0].lower().replace("’", "'")
    return first in QUESTION_WORDS or first.split("'")[0] in ("qu", "est-ce") or bool(_INVERSION.match(words[0]))


def _headline_words(text: str) -> list[str]:
    """The capitalised words after the first that make `text` Headline Title Case, or []."""
    words = _WORDS.findall(text)[1:]
    caps = [w for w in words if w[0].isupper() and w[1:].islower()]  # "Document", not "JIT" or "PostgreSQL"
    lower = [w for w in words if w.islower()]
    headline = any(w.lower() in _SMALL for w in caps) or (len(caps) >= 2 and len(caps) > len(lower))
    return caps if headline else []


def _lower_counts(docs: list[Document], words: set[str]) -> dict[str, tuple[int, int]]:
    """{word: (times written in lower case, times capitalised)} over the site's text, for `words` only."""
    low: Counter[str] = Counter()
    cap: Counter[str] = Counter()
    for doc in docs:
        for section in doc.sections:
            for w in _WORDS.findall(section.text):
                key = w.lower()
                if key in words:
                    (low if w.islower() else cap)[key] += 1
    return {w: (low[w], cap[w]) for w in words}


def sentence_case(text: str, counts: dict[str, tuple[int, int]]) -> str:
    """Headline Title Case to sentence case: a word is lowered if it is a small word or the site writes it so."""
    if not _headline_words(text):
        return text
    out: list[str] = []
    first = True  # the first word keeps its capital
    for part in re.split(r"(\W+)", text):
        if part[:1].isalpha():
            key = part.lower()
            if not first and part[0].isupper() and part[1:].islower():
                lowered, capitalised = counts.get(key, (0, 0))
                if key in _SMALL or lowered > capitalised:
                    part = key
            first = False
        out.append(part)
    return "".join(out)


def _candidates(docs: list[Document]) -> list[tuple[bool, str, str, str]]:
    """(from a FAQ-like page, question as tidied, lang, page url) for every question-shaped heading."""
    found = []
    for doc in docs:
        headings = dict.fromkeys(_tidy(s.headings[-1], doc.lang) for s in doc.sections if s.headings)
        questions = [h for h in headings if is_question(h)]
        faq_like = len(questions) >= 3 or bool(_FAQ_PAGE.search(f"{doc.url} {doc.title}") and questions)
        found += [(faq_like, q, doc.lang, doc.url) for q in questions]
    return found


# The permalink marks generators put after a heading (Sphinx "¶", MkDocs and Hugo "#", "§", "🔗").
_PERMALINK = re.compile(r"\s*(?:[¶§#]|🔗)\s*$")


def _tidy(heading: str, lang: str) -> str:
    text = _PERMALINK.sub("", _SPACES.sub(" ", strip_number(heading)).strip())
    if not lang.lower().startswith("fr"):  # French sets a space before "?"; English ("JIT ?") does not
        text = re.sub(r"\s+([?？])$", r"\1", text)
    return text


def suggest_starters(docs: list[Document], limit: int = MAX_STARTERS) -> list[str]:
    """Up to `limit` starter questions, in a stable order (same site, same starters); [] when none read well.

    `docs` should carry tidied titles (text.titles.tidy_titles), as the fallback quotes them.
    """
    found = _candidates(docs)
    headline = {w.lower() for _, q, _, _ in found for w in _headline_words(q)}
    counts = _lower_counts(docs, headline) if headline else {}
    seen: set[str] = set()
    ranked: list[tuple[bool, int, str, str]] = []  # (not from a FAQ-like page, length, text, page url)
    for faq_like, q, _, url in found:
        q = sentence_case(q, counts)
        if q.lower() not in seen:
            seen.add(q.lower())
            ranked.append((not faq_like, len(q), q, url))
    ranked.sort()
    picked: list[str] = []
    used_pages: set[str] = set()
    # FAQ questions first, then the rest; within each, one question per page first (the
    # starters show the breadth of the site), then fill.
    for group in (False, True):
        for one_per_page in (True, False):
            for other, _, text, url in ranked:
                if len(picked) == limit:
                    return picked
                if other != group or text in picked or (one_per_page and url in used_pages):
                    continue
                picked.append(text)
                used_pages.add(url)
    return picked or _about_titles(docs)


def _about_titles(docs: Iterable[Document], limit: int = 3) -> list[str]:
    """ "What can you tell me about <title>?" for the top pages whose title reads well in it."""
    top = sorted(docs, key=lambda d: (d.url.count("/"), len(d.url), d.url))
    out: list[str] = []
    for d in top:
        title = strip_number(_SPACES.sub(" ", d.title).strip())
        if len(out) < limit and _names_a_topic(title, d.lang) and title not in out:
            out.append(title)
    return [f"What can you tell me about {t}?" for t in out]


def _names_a_topic(title: str, lang: str) -> bool:
    """A short name ("Pricing", "SQLAlchemy Documentation"), not a tagline, a sentence or a navigation page."""
    if lang and not lang.lower().startswith("en"):  # the sentence around it is English
        return False
    words = title.split()
    return (
        0 < len(title) <= 40
        and len(words) <= 5
        and title.lower() not in _GENERIC_TITLES
        and not title.endswith(tuple(".?!:;,…"))
        and words[0].lower() not in ("the", "a", "an")
        and not any(c in title for c in "|—–:()[]")
    )
