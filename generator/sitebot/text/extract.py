"""Turn a page into a Document: its title, language and main-content sections.

HTML is read with selectolax; Markdown is rendered to HTML first (markdown-it-py) so both
go through the same section walk. A section is the text under one heading, with the
heading path above it and the nearest anchor id to link to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser, LexborNode

from .sources import Page

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


@dataclass
class Document:
    url: str
    title: str
    lang: str
    sections: list[Section] = field(default_factory=list)
    weight: float = 1.0

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.sections)


class Skipped(Exception):
    """The page is deliberately not indexed (e.g. noindex); the message says why."""


def decode(content: bytes, kind: str, charset: str | None = None) -> str:
    """Decode bytes sensibly: BOM, the HTTP charset, UTF-8, a declared charset, else Windows-1252."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", "replace")
    if charset:
        try:
            return content.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong header is common; fall back to sniffing
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if kind == "html":
        m = re.search(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", content[:4096], re.I)
        if m:
            try:
                return content.decode(m.group(1).decode("ascii"), "replace")
            except LookupError:
                pass
    return content.decode("cp1252", "replace")


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


class _Walker:
    """Walks the content root in document order, cutting it into sections at headings."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.stack: list[tuple[int, str, str]] = []  # (level, heading text, anchor)
        self.buf: list[str] = []
        self.level = 0
        self.h1 = ""

    def _flush(self) -> None:
        text = _clean("".join(self.buf))
        headings = tuple(h for lvl, h, _ in self.stack if lvl > 1 or (lvl == 1 and h != self.h1))
        # A heading without its own id links to the nearest enclosing heading that has one.
        # The page's h1 is the top of the page: link to the page itself, not to #its-id.
        anchor = next((a for lvl, _, a in reversed(self.stack) if a and lvl > 1), "")
        if text or self.stack:
            self.sections.append(Section(anchor=anchor, headings=headings, level=self.level, text=text))
        self.buf = []

    def heading(self, node: LexborNode, level: int) -> None:
        self._flush()
        text = _SPACES.sub(" ", node.text(separator=" ")).strip()
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        if level == 1 and not self.h1:
            self.h1 = text
        self.stack.append((level, text, _anchor_of(node)))
        self.level = level

    def walk(self, node: LexborNode, pre: bool = False) -> None:
        for child in node.iter(include_text=True):
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
                elif tag in ("td", "th"):
                    self.buf.append(" ")
                self.walk(child, pre or tag == "pre")
                if block:
                    self.buf.append("\n")

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
    if page.kind == "text":
        return _extract_text(page, text)
    md_title = ""
    if page.kind == "markdown":
        text, md_title = _markdown_to_html(text)
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
    weight = 1.0
    for n in tree.css("[data-sitebot-weight]"):
        try:
            weight = max(0.0, float(n.attributes.get("data-sitebot-weight") or 1))
        except ValueError:
            pass
        break
    root, is_body = _root(tree, selector)
    if root is None:
        return Document(url=page.url, title=title or page.path, lang=lang, weight=weight)
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
    return Document(url=page.url, title=title, lang=lang, sections=sections, weight=weight)


def _extract_text(page: Page, text: str) -> Document:
    lines = [ln.strip() for ln in text.splitlines()]
    title = next((ln for ln in lines if ln), page.path)
    body = _clean(text)
    return Document(url=page.url, title=title, lang="", sections=[Section("", (), 0, body)] if body else [])


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
    return Document(url=page.url, title=title, lang="", sections=sections)
