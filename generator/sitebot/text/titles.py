"""Page titles without the site's name: "Session Basics — SQLAlchemy 1.4 Documentation" → "Session Basics".

Site generators put the site's name in every page's <title>, as a suffix ("… — Python 3.11
documentation", "… | Acme Help") or a prefix ("PostgreSQL: Documentation: 15: …"). In a
citation it is noise, so the bundle's page titles go without it. (The chunks are still
embedded with the full title: without it, recall@5 on the SQLAlchemy manual fell from 0.909
to 0.864.) The site's name is the part that at least half the titles (and three or more)
share after or before one separator.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from .extract import Document

SEPARATORS = (" — ", " – ", " | ", " - ", " · ", " :: ", ": ")
_SPACES = re.compile(r"\s+")
MIN_SHARE = 0.5
MIN_PAGES = 3


def _clean(title: str) -> str:
    return _SPACES.sub(" ", title).strip()


def site_name(titles: Sequence[str]) -> tuple[str, str, str] | None:
    """(name, separator, "suffix" or "prefix") shared by most titles, or None."""
    titles = [_clean(t) for t in titles]
    if len(titles) < MIN_PAGES:
        return None
    best: tuple[int, tuple[str, str, str]] | None = None
    for sep in SEPARATORS:
        suffixes = Counter(t.rsplit(sep, 1)[1] for t in titles if sep in t)
        prefixes = Counter(t.split(sep, 1)[0] for t in titles if sep in t)
        for counts, where in ((suffixes, "suffix"), (prefixes, "prefix")):
            if not counts:
                continue
            name, n = counts.most_common(1)[0]
            if name and n >= MIN_PAGES and n >= MIN_SHARE * len(titles) and (best is None or n > best[0]):
                best = (n, (name, sep, where))
    return best[1] if best else None


def strip_site_name(title: str, found: tuple[str, str, str] | None) -> str:
    """The title without the site's name; a title that is only the name keeps it."""
    title = _clean(title)
    if not found:
        return title
    name, sep, where = found
    if where == "suffix" and title.endswith(sep + name):
        rest = title[: -len(sep + name)]
    elif where == "prefix" and title.startswith(name + sep):
        rest = title[len(name + sep) :]
    else:
        return title
    return rest.strip() or title


def tidy_titles(docs: Sequence[Document]) -> list[Document]:
    """The documents with the site's name taken out of their titles."""
    found = site_name([d.title for d in docs])
    return [replace(d, title=strip_site_name(d.title, found)) for d in docs]


MAX_BOT_TITLE = 40  # the panel's header line; longer names wrap onto a second line on a phone
_HOME = re.compile(r"/(?:index(?:\.[a-z]{2}(?:-[a-z]{2})?)?\.html?)?$", re.I)


def bot_title(docs: Sequence[Document]) -> str | None:
    """The site's name, for the panel's title when the owner set no bot.title; None when the site shows none.

    In order: og:site_name (the owner's own word for it, the home page's first), the name
    that most page titles share, the home page's title. The panel shows it as its title,
    over the translated subtitle ("Answers from this site's pages"), so it reads in any of
    the widget's languages.
    """
    home = [d for d in docs if _HOME.search(d.url)]
    home.sort(key=lambda d: (d.url.count("/"), len(d.url)))
    named = Counter(d.site_name for d in docs if d.site_name)
    if home and home[0].site_name:
        return shorten(home[0].site_name)
    if named:
        return shorten(named.most_common(1)[0][0])
    found = site_name([d.title for d in docs])
    if found:
        return shorten(found[0])
    if home and home[0].title.strip():
        return shorten(_clean(home[0].title))
    return None


def shorten(name: str, limit: int = MAX_BOT_TITLE) -> str:
    """`name` cut at a word to `limit` characters, with "…" when cut."""
    name = _clean(name)
    if len(name) <= limit:
        return name
    cut = name[: limit - 1].rsplit(" ", 1)[0] if " " in name[: limit - 1] else name[: limit - 1]
    return cut.rstrip(" ,;:—–-|·") + "…"
