"""Starter questions for the panel, suggested from the site's own headings.

Question-shaped headings of FAQ-like pages ("Can I pause my plan?") are what visitors
ask, so they make the best starters; a lone question heading elsewhere is more often
marketing ("Which one is right for you?") and only fills in. The shortest win, from
different pages where possible. A site with none gets "What can you tell me about
<title>?" for its top-level pages.
"""

from __future__ import annotations

from .extract import Document

MAX_STARTERS = 4


def suggest_starters(docs: list[Document], limit: int = MAX_STARTERS) -> list[str]:
    """Up to `limit` starter questions, in a stable order (same site, same starters)."""
    seen: set[str] = set()
    found: list[tuple[bool, int, str, str]] = []  # (not from a FAQ-like page, length, text, page url)
    for doc in docs:
        questions = [
            h for h in dict.fromkeys(s.headings[-1].strip() for s in doc.sections if s.headings) if h.endswith("?")
        ]
        faq_like = len(questions) >= 3
        for heading in questions:
            if 12 <= len(heading) <= 70 and heading.lower() not in seen:
                seen.add(heading.lower())
                found.append((not faq_like, len(heading), heading, doc.url))
    found.sort()
    picked: list[str] = []
    used_pages: set[str] = set()
    # FAQ questions first, then the rest; within each, one question per page first (the
    # starters show the breadth of the site), then fill.
    for group in (False, True):
        for one_per_page in (True, False):
            for other, _, text, url in found:
                if len(picked) == limit:
                    return picked
                if other != group or text in picked or (one_per_page and url in used_pages):
                    continue
                picked.append(text)
                used_pages.add(url)
    if picked:
        return picked
    top = sorted(docs, key=lambda d: (d.url.count("/"), len(d.url), d.url))
    return [f"What can you tell me about {d.title}?" for d in top[:3] if d.title and len(d.title) <= 60]
