"""Turn a page into a Document: its title, language and main-content sections.

HTML is read with selectolax; Markdown is rendered to HTML first (markdown-it-py) so both
go through the same section walk. A section is the text under one heading, with the
heading path above it and the nearest anchor id to link to.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser, LexborNode

from .sources import Page
from .tables import dl_groups, dl_line, table_lines

# Elements that are never content, wherever they are.
_DROP_ALWAYS = (
    "script, style, noscript, template, svg, canvas, iframe, object, form, button, select, "
    "textarea, nav, dialog, [hidden], [aria-hidden=true], [data-sitebot-ignore], [role=navigation], "
    "[role=banner][aria-modal], .sitebot-ignore"
)
# Page chrome: dropped when it sits outside the chosen content root, and inside it too
# when the root is <body> (no main/article found).
_CHROME = "header, footer, aside, [role=banner], [role=contentinfo], [role=complementary]"
_CONSENT = re.compile(r"cookie|consent|gdpr|onetrust|cc-banner|cookiebar", re.I)
# Navigation written as plain divs (doc generators: DocBook's navheader, Sphinx's sidebar…).
_NAVLIKE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navheader|navfooter|navigation|breadcrumbs?|menu|sidebar|sphinxsidebar|"
    r"pagination|skip-?link|skip-to-content|toc|related)(?:$|[\s_-])",
    re.I,
)
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "pre",
    "blockquote",
    "table",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "figure",
    "figcaption",
    "br",
    "hr",
    "details",
    "summary",
    "address",
    "caption",
    "body",
}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass
class Section:
    """The text under one heading."""

    anchor: str  # id to link to ("" for the top of the page)
    headings: tuple[str, ...]  # heading path, outermost first (the page's h1 left out)
    level: int  # heading level (0 for the text before any heading)
    text: str
    # Lines of `text` that are one unit each (table rows, "Term: definition"): chunking never
    # cuts them into sentences nor joins them to the next line.
    units: frozenset[str] = frozenset()


@dataclass
class Document:
    url: str
    title: str
    lang: str
    sections: list[Section] = field(default_factory=list)
    weight: float = 1.0
    # Read from the whole <body>: no <main>, <article> or selector marked the content, so site
    # chrome written as plain markup may be in the sections (text/boilerplate.py drops it).
    body_root: bool = False
    site_name: str = ""  # <meta property="og:site_name">: the bot's title when the owner sets none

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.sections)


class Skipped(Exception):
    """The page is deliberately not indexed (e.g. noindex); the message says why."""


# Byte-order marks, the longest first: a UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_META_CHARSET = re.compile(r"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.I)
_WIDE = ("utf-16", "utf-32")


def _codec(name: str) -> str:
    """The codec's canonical name ("UTF16" → "utf-16"), or "" when Python does not know it."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _wide_layout(content: bytes) -> str | None:
    """ "utf-16-le" etc. when the start reads as mostly ASCII in UTF-16/32 (one non-NUL byte per
    code unit, always at the same place), else None: markup, and a <meta charset> declaring
    UTF-16, are ASCII, so a page in UTF-16 without a BOM shows this layout."""
    for codec, width, at in (("utf-32-le", 4, 0), ("utf-32-be", 4, 3), ("utf-16-le", 2, 0), ("utf-16-be", 2, 1)):
        head = content[: 512 - 512 % width]
        units = [head[i : i + width] for i in range(0, len(head) - width + 1, width)]
        if len(units) < 8:
            continue
        ascii_like = sum(1 for u in units if u[at] and not any(b for i, b in enumerate(u) if i != at))
        if ascii_like >= 0.75 * len(units):
            return codec
    return None


def _strict(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None


def decode(content: bytes, kind: str, charset: str | None = None) -> str:
    """Decode bytes sensibly: a BOM (UTF-8, -16, -32), the HTTP charset, UTF-8, a declared charset,
    else Windows-1252. UTF-16/32 without a BOM (declared in HTTP or <meta>, or not) is read when the
    bytes are laid out that way; a wide charset declared over 8-bit bytes is ignored, as browsers do."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            text = _strict(content[len(bom) :], codec)
            if text is not None:
                return text
            if not codec.startswith("utf-32"):  # FF FE 00 00 may be UTF-16 after all: try the next mark
                return content[len(bom) :].decode(codec, "replace")
    layout = _wide_layout(content)
    if layout:
        # ASCII in UTF-16/32 is also valid UTF-8 (full of NULs) and any header naming an 8-bit
        # charset reads it: the layout, declared or not, decides.
        text = _strict(content, layout)
        if text is not None:
            return text
    if charset and not _codec(charset).startswith(_WIDE):  # a wide charset the bytes do not bear out is wrong
        text = _strict(content, charset)
        if text is not None:
            return text  # a wrong header is common; else fall back to sniffing
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if kind == "html":
        m = _META_CHARSET.search(content[:4096].decode("ascii", "replace"))
        codec = _codec(m.group(1)) if m else ""
        if codec and not codec.startswith(_WIDE):  # a wide charset declared in 8-bit bytes is wrong
            return content.decode(codec, "replace")
    return content.decode("cp1252", "replace")


# Characters that do not occur in text: C0/C1 controls other than whitespace, and U+FFFD (bytes
# that no encoding tried could read).
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_NOT_TEXT_SHARE = 0.05  # random bytes read as Windows-1252 give about 15%


def looks_binary(text: str) -> bool:
    """Whether decoded "text" is really binary data (an image, an archive) under a text name:
    any NUL, or more than 5% of characters that no text holds. Checked on the decoded text, so
    that UTF-16's NUL bytes are not taken for binary."""
    if "\x00" in text:
        return True
    sample = text[:100_000]
    return len(_NOT_TEXT.findall(sample)) > _NOT_TEXT_SHARE * len(sample)


# Bounds on the work one page may cost. The parser's time grows with depth × elements (20,000
# nested <div>s take 5 s, 100,000 never end), so depth is checked on the markup before parsing.
# Browsers stop nesting at 512; real pages stay far below both bounds.
MAX_DEPTH = 1_000
MAX_ELEMENTS = 100_000
_VOID = frozenset(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param source track wbr".split()
)
# Elements that close their open sibling (or merge), so they do not nest: not counted as depth.
_UNNESTED = frozenset(
    "p li dt dd tr td th option optgroup thead tbody tfoot colgroup rb rt rtc rp html head body".split()
)
# Elements whose content is text, not markup: a </div> in a <script> closes nothing.
_RAW = frozenset("script style textarea title xmp iframe noembed noframes plaintext".split())
# HTML elements that end an <svg>/<math> (where, unlike in HTML, <x/> is a whole element).
_BREAKOUT = frozenset(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing "
    "menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var".split()
)
_MARKUP = re.compile(r"<(?:(!--)|[!?]|(/?)([a-z][^\s/>]*))")
_TAG_REST = re.compile(r"""(?:=\s*"[^"]*"|=\s*'[^']*'|[^>])*+>""")


def too_complex(html: str) -> str:
    """Why a page is too costly to parse ("" when it is not): an estimate of its nesting depth and
    element count from a scan of its tags, in the tokenizer's terms where that matters (comments,
    quoted attributes, script text), so that markup cannot hide depth from it. It errs high."""
    text = html.lower()
    open_count: dict[str, int] = {}
    depth = elements = 0
    pos = 0
    while (m := _MARKUP.search(text, pos)) is not None:
        if m.group(1):  # a comment
            end = text.find("-->", m.end())
            if end < 0:
                break
            pos = end + 3
            continue
        if not m.group(3):  # <!doctype>, <?…>: up to the next >
            end = text.find(">", m.end())
            if end < 0:
                break
            pos = end + 1
            continue
        rest = _TAG_REST.match(text, m.end())
        if rest is None:
            break  # a tag left open until the end: the rest is inside it
        pos, name = rest.end(), m.group(3)
        if m.group(2):  # an end tag closes only what is open
            if open_count.get(name, 0) > 0:
                open_count[name] -= 1
                depth -= 1
            continue
        elements += 1
        if elements > MAX_ELEMENTS:
            return f"more than {MAX_ELEMENTS:,} elements"
        foreign = open_count.get("svg", 0) + open_count.get("math", 0)
        if foreign and name in _BREAKOUT:
            depth -= foreign
            open_count["svg"] = open_count["math"] = 0
            foreign = 0
        if name in _VOID or name in _UNNESTED or (foreign and text[pos - 2] == "/"):
            continue
        open_count[name] = open_count.get(name, 0) + 1
        depth += 1
        if depth > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH:,} elements"
        if name in _RAW:
            end = text.find("</" + name, pos)
            if end < 0:
                break
            pos = end
    return ""


def slugify(text: str) -> str:
    """GitHub-style heading id: lower-case, punctuation dropped, spaces to hyphens."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return re.sub(r"\s", "-", text)


def _markdown_to_html(source: str) -> tuple[str, str]:
    """Render Markdown to HTML with heading ids; returns (html, front-matter title)."""
    title = ""
    m = re.match(r"\A---\s*\n(.*?)\n---\s*\n", source, re.S)
    if m:
        t = re.search(r"^title:\s*(.+?)\s*$", m.group(1), re.M)
        if t:
            title = t.group(1).strip("'\"")
        source = source[m.end() :]
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(source)
    seen: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            inline = tokens[i + 1].content
            slug = slugify(inline) or "section"
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            tok.attrSet("id", slug if n == 0 else f"{slug}-{n}")
    return md.renderer.render(tokens, md.options, {}), title


def _clean(text: str) -> str:
    lines = (_SPACES.sub(" ", ln).strip() for ln in text.split("\n"))
    return "\n".join(ln for ln in lines if ln)


def _anchor_of(node: LexborNode) -> str:
    """The id to link to for a heading: its own, an <a id|name> inside it, or its section's."""
    if node.attributes.get("id"):
        return node.attributes["id"] or ""
    for a in node.css("[id], a[name]"):
        return a.attributes.get("id") or a.attributes.get("name") or ""
    # <section id=x><h2>…</h2>, or DocBook's <div id=x><div class=titlepage>…<h2>: the
    # nearest enclosing element with an id counts when this heading is the first one in it.
    parent = node.parent
    for _ in range(6):
        if parent is None or parent.tag in ("body", "main", "html"):
            break
        if parent.attributes.get("id"):
            first = parent.css_first("h1, h2, h3, h4, h5, h6")
            if first is not None and first.mem_id == node.mem_id:
                return parent.attributes["id"] or ""
            break
        parent = parent.parent
    return ""


def _children(node: LexborNode) -> list[LexborNode]:
    return list(node.iter(include_text=True))


class _Walker:
    """Walks the content root in document order, cutting it into sections at headings."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.stack: list[tuple[int, str, str]] = []  # (level, heading text, anchor)
        self.buf: list[str] = []
        self.units: set[str] = set()
        self.level = 0
        self.h1 = ""

    def _flush(self) -> None:
        text = _clean("".join(self.buf))
        headings = tuple(h for lvl, h, _ in self.stack if lvl > 1 or (lvl == 1 and h != self.h1))
        # A heading without its own id links to the nearest enclosing heading that has one.
        # The page's h1 is the top of the page: link to the page itself, not to #its-id.
        anchor = next((a for lvl, _, a in reversed(self.stack) if a and lvl > 1), "")
        if text or self.stack:
            units = frozenset(self.units & set(text.split("\n")))
            self.sections.append(Section(anchor=anchor, headings=headings, level=self.level, text=text, units=units))
        self.buf = []
        self.units = set()

    def heading(self, node: LexborNode, level: int) -> None:
        self._flush()
        text = _SPACES.sub(" ", node.text(separator=" ")).strip()
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        if level == 1 and not self.h1:
            self.h1 = text
        self.stack.append((level, text, _anchor_of(node)))
        self.level = level

    def walk(self, root: LexborNode) -> None:
        """Every text and heading under `root`, in document order. A stack, not recursion: the
        depth of a page is the page's to choose (RecursionError at 1,000 nested <div>s)."""
        # (node, inside <pre>); None ends a block element, where a newline goes; a string is a
        # line made whole (a table row, a "Term: definition" pair), True when it is one unit.
        todo: list[tuple[LexborNode | None | tuple[str, bool], bool]] = [(c, False) for c in _children(root)]
        todo.reverse()
        while todo:
            child, pre = todo.pop()
            if child is None:
                self.buf.append("\n")
                continue
            if isinstance(child, tuple):
                line, unit = child
                self.buf.append(f"\n{line}\n")
                if unit:
                    self.units.add(_SPACES.sub(" ", line).strip())
                continue
            tag = child.tag
            if tag == "-text":
                t = child.text(deep=False) or ""
                self.buf.append(t if pre else t.replace("\n", " "))
            elif tag in _HEADINGS:
                self.heading(child, _HEADINGS[tag])
            elif tag and not tag.startswith("-"):
                block = tag in _BLOCK
                if block:
                    self.buf.append("\n")
                    todo.append((None, pre))
                elif tag in ("td", "th"):
                    self.buf.append(" ")
                inner = pre or tag == "pre"
                parts = None if inner else self._lines(child)
                if parts is not None:
                    todo.extend((p, inner) for p in reversed(parts))
                else:
                    todo.extend((c, inner) for c in reversed(_children(child)))

    @staticmethod
    def _lines(node: LexborNode) -> list[LexborNode | tuple[str, bool]] | None:
        """A data table's row lines, or a definition list's pairs ("Term: definition" lines, or
        the term as a line and then its definition's nodes to walk as prose); None for any
        other element, and for a layout table, whose children are walked as they are."""
        if node.tag == "table":
            lines = table_lines(node)
            return None if lines is None else list(lines)
        if node.tag != "dl":
            return None
        out: list[LexborNode | tuple[str, bool]] = []
        for terms, defs in dl_groups(node):
            line = dl_line(terms, defs)
            if line is not None:
                out.append((line, True))
                continue
            out += terms
            out += defs
        return out

    def finish(self) -> list[Section]:
        self._flush()
        # Drop headings with no text of their own only when nothing else carries them;
        # chunking merges empty parents into their first child.
        return self.sections


def _root(tree: LexborHTMLParser, selector: str) -> tuple[LexborNode | None, bool]:
    if selector:
        node = tree.css_first(selector)
        if node is not None:
            return node, False
    for sel in ("main", "[role=main]", "article"):
        node = tree.css_first(sel)
        if node is not None:
            return node, False
    return tree.body, True


def extract(page: Page, *, selector: str = "") -> Document:
    """Extract the main content of a page into sections. Raises Skipped for noindex pages."""
    if page.kind == "pdf":
        return _extract_pdf(page)
    text = decode(page.content, page.kind, page.charset)
    if looks_binary(text):
        raise Skipped("binary content, not text")
    if page.kind == "text":
        return _extract_text(page, text)
    md_title = ""
    if page.kind == "markdown":
        text, md_title = _markdown_to_html(text)
    reason = too_complex(text)
    if reason:
        raise Skipped(reason)
    tree = LexborHTMLParser(text)
    for meta in tree.css("meta[name]"):
        name = (meta.attributes.get("name") or "").lower()
        if name in ("robots", "sitebot") and "noindex" in (meta.attributes.get("content") or "").lower():
            raise Skipped("noindex")
    if tree.css_first("[data-sitebot-ignore=page], body[data-sitebot-ignore]") is not None:
        raise Skipped("data-sitebot-ignore")
    html = tree.css_first("html")
    lang = (html.attributes.get("lang") or "") if html is not None else ""
    title_node = tree.css_first("title")
    title = md_title or (_SPACES.sub(" ", title_node.text()).strip() if title_node is not None else "")
    owner_weight = _owner_weight(tree)
    root, is_body = _root(tree, selector)
    if root is None:
        title = title or page.path
        weight = default_weight(page.url, title) if owner_weight is None else owner_weight
        return Document(url=page.url, title=title, lang=lang, weight=weight)
    for node in root.css(_DROP_ALWAYS):
        node.decompose()
    if is_body:
        for node in root.css(_CHROME):
            node.decompose()
    for node in root.css("[class], [id]"):
        hint = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if node.tag in ("main", "article", "body") or node.mem_id == root.mem_id:
            continue
        if _CONSENT.search(hint) or _NAVLIKE.search(hint):
            node.decompose()
    walker = _Walker()
    walker.walk(root)
    sections = walker.finish()
    if not title:
        title = walker.h1 or page.path
    weight = default_weight(page.url, title) if owner_weight is None else owner_weight
    return Document(
        url=page.url,
        title=title,
        lang=lang,
        sections=sections,
        weight=weight,
        body_root=is_body,
        site_name=_site_name(tree),
    )


def _site_name(tree: LexborHTMLParser) -> str:
    meta = tree.css_first('meta[property="og:site_name"]')
    return _SPACES.sub(" ", (meta.attributes.get("content") or "") if meta is not None else "").strip()


def _owner_weight(tree: LexborHTMLParser) -> float | None:
    """The page's `data-sitebot-weight` (the first one), or None when the owner set none."""
    for n in tree.css("[data-sitebot-weight]"):
        try:
            return max(0.0, float(n.attributes.get("data-sitebot-weight") or 1))
        except ValueError:
            return None
    return None


# Changelogs, release notes and news answer "what changed", and they mention every feature, so
# they outrank the pages that explain one. A path part (a folder, or a file name without its
# extension) that is one of these words, alone or with a version ("changelog-4.3", "whatsnew/3.11"),
# or a title that says so, gives the page half weight; the owner's data-sitebot-weight wins.
CHANGELOG_WEIGHT = 0.5
_CHANGELOG_PART = re.compile(r"(change-?log|changes|news|release-?notes|releases|whats-?new)([-_.]?v?\d[\w.-]*)?", re.I)
_CHANGELOG_TITLE = re.compile(r"\b(change ?log|change history|release notes|what[’']?s new)\b|^news\b", re.I)


def default_weight(url: str, title: str) -> float:
    """A page's weight when its owner set none: CHANGELOG_WEIGHT for a changelog / release notes /
    "what's new" / news page (by its URL's path or its title), 1.0 otherwise."""
    path = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    if "://" in url:
        path = path.partition("/")[2]  # the host is not part of the path
    stems = [part.rsplit(".", 1)[0] if "." in part else part for part in path.lower().split("/") if part]
    if any(_CHANGELOG_PART.fullmatch(s) for s in stems) or _CHANGELOG_TITLE.search(title):
        return CHANGELOG_WEIGHT
    return 1.0


def _extract_text(page: Page, text: str) -> Document:
    lines = [ln.strip() for ln in text.splitlines()]
    title = next((ln for ln in lines if ln), page.path)
    body = _clean(text)
    sections = [Section("", (), 0, body)] if body else []
    return Document(url=page.url, title=title, lang="", sections=sections, weight=default_weight(page.url, title))


def _extract_pdf(page: Page) -> Document:
    """PDF text with pypdf: a section per PDF page, linked as #page=N (what PDF viewers open)."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(page.content))
        texts = [(p.extract_text() or "") for p in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise Skipped(f"unreadable PDF ({e.__class__.__name__})") from e
    sections = [Section(f"page={i}", (f"Page {i}",), 2, _clean(t)) for i, t in enumerate(texts, 1) if t.strip()]
    first_line = next((ln.strip() for t in texts for ln in t.splitlines() if ln.strip()), "")
    title = str(meta_title).strip() or first_line[:120] or page.path
    return Document(url=page.url, title=title, lang="", sections=sections, weight=default_weight(page.url, title))
