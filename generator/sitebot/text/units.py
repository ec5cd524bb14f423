"""A chunk's units as the browser's cards split them: sentences, or a table row kept on one line.

    units_of("It works. Really!\\nNext line") → ["It works.", "Really!", "Next line"]

A port of runtime_js/src/shared/marking.js `unitsOf` (= shared/lexical.js `splitSentences`,
trimmed, empty ones dropped): the build embeds these units and the browser scores them by
position, so both sides must cut a chunk into the same units, in the same order
(tests/test_units.py runs both on the same texts). JavaScript's notion of whitespace (its
`\\s` and `trim`) differs from Python's, so it is spelt out here.
"""

from __future__ import annotations

import re
import unicodedata

from .rows import parse_row

# ECMAScript WhiteSpace and LineTerminator: what `\s` matches and `trim()` removes.
_JS_SPACE_CHARS = (
    "\t\n\v\f\r \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_GAP = re.compile(f"(?<=[.!?])[{re.escape(_JS_SPACE_CHARS)}]+")


def js_trim(s: str) -> str:
    return s.strip(_JS_SPACE_CHARS)


def _starts_sentence(ch: str) -> bool:
    """`[\\p{Lu}\\p{N}]`: an upper-case letter or any number."""
    cat = unicodedata.category(ch)
    return cat == "Lu" or cat.startswith("N")


def _split_line(line: str) -> list[str]:
    """`line.split(/(?<=[.!?])\\s+(?=[\\p{Lu}\\p{N}])/u)`: a whole run of spaces after . ! ? before a capital or digit."""
    parts, start = [], 0
    for m in _GAP.finditer(line):
        if m.end() < len(line) and _starts_sentence(line[m.end()]):
            parts.append(line[start : m.start()])
            start = m.end()
    parts.append(line[start:])
    return parts


def split_sentences(text: str) -> list[str]:
    """shared/lexical.js splitSentences: per line, a row line whole, else its sentences."""
    out: list[str] = []
    for line in re.split(r"\n+", text):
        if parse_row(js_trim(line)):
            out.append(js_trim(line))
            continue
        out += [t for t in map(js_trim, _split_line(line)) if t]
    return out


def units_of(text: str) -> list[str]:
    """shared/marking.js unitsOf: the passage text's units, as the card shows them."""
    return [t for t in map(js_trim, split_sentences(text)) if t]


MAX_UNITS = 255  # the units file's one count byte; the units past it go unscored (no chunk comes near)


def signed_units(text: str) -> list[str]:
    """The units of a chunk that get a signature: none for a one-unit chunk (the browser uses
    the chunk's own cosine for it), at most MAX_UNITS."""
    units = units_of(text)
    return units[:MAX_UNITS] if len(units) > 1 else []
