"""Check the "answer" annotations of the question sets against the pages they name.

Each answerable question may carry "answer": a list of short verbatim phrases from the sentence that answers it.
Every phrase must occur in the visible text of at least one of the question's target pages, compared after
collapsing whitespace and case folding. The page text is read straight from the site's files (selectolax for HTML,
markdown-it for Markdown), not through sitebot, so the ground truth does not depend on the code it measures.

    python bench/check_answers.py            # all annotated sets; prints failures, exit 1 if any
    python bench/check_answers.py --dump debian-installation-guide ch06s03.html   # print a page's text
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parent.parent

# question file -> the folder of the site it was written for
SETS: dict[str, tuple[Path, Path]] = {
    "debian-installation-guide": (
        ROOT / "bench/questions/debian-installation-guide.jsonl",
        Path("/usr/share/doc/installation-guide-amd64/en"),
    ),
    "sqlalchemy-14": (
        ROOT / "bench/questions/sqlalchemy-14.jsonl",
        Path("/usr/share/doc/python-sqlalchemy-doc/html"),
    ),
    "examples": (ROOT / "examples/questions.jsonl", ROOT / "examples/site"),
}

# Tags whose text a reader never sees on the page.
INVISIBLE = ("script", "style", "noscript", "template", "head")
# Tags that start a new line for the reader; inline tags (code, a, em) join their text to the words around them.
BLOCK = re.compile(
    r"(<(?:/?(?:p|div|li|ul|ol|dl|dt|dd|td|th|tr|table|caption|h[1-6]|pre|blockquote|section|article|header|footer"
    r"|nav|aside|main|figure|figcaption|form|hr)\b|br\b)[^>]*>)",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Collapse whitespace and fold case, so a phrase matches however the page wraps it."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def resolve(site: Path, rel: str) -> Path:
    """The file behind a page reference: "pricing/" is pricing/index.html, "docs/setup" may be docs/setup.md."""
    path = site / rel
    if rel.endswith("/") or path.is_dir():
        return path / "index.html"
    if path.exists():
        return path
    for ext in (".html", ".md"):
        if path.with_name(path.name + ext).exists():
            return path.with_name(path.name + ext)
    raise FileNotFoundError(path)


def visible_text(path: Path) -> str:
    """The page's text as a reader sees it (block boundaries become spaces)."""
    source = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".md":
        source = MarkdownIt("commonmark").enable("table").render(source)
    tree = LexborHTMLParser(BLOCK.sub(r"\n\1", source))
    for node in tree.css(",".join(INVISIBLE)):
        node.decompose()
    root = tree.body or tree.root
    return root.text(separator="") if root is not None else ""


@cache
def page_text(site: Path, rel: str) -> str:
    return normalise(visible_text(resolve(site, rel)))


def targets(question: dict) -> list[str]:
    if "pages" in question:
        return list(question["pages"])
    return [question["url"]] if "url" in question else []


def check_set(name: str) -> tuple[list[str], int, int]:
    """Failures of one set, and how many answerable questions carry answers / an empty list."""
    file, site = SETS[name]
    failures: list[str] = []
    annotated = empty = 0
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        question = json.loads(line)
        pages = targets(question)
        if not pages:
            if question.get("answer"):
                failures.append(f"{name}:{number}: answer given for a question with no target page")
            continue
        if "answer" not in question:
            failures.append(f"{name}:{number}: no 'answer' field")
            continue
        answer = question["answer"]
        if not answer:
            empty += 1
            continue
        annotated += 1
        if len(answer) > 3:
            failures.append(f"{name}:{number}: {len(answer)} alternatives (at most 3)")
        for phrase in answer:
            words = len(phrase.split())
            # 4–15 words; a table cell such as "2–3 working days" may be shorter
            if not 3 <= words <= 15:
                failures.append(f"{name}:{number}: {words} words in {phrase!r} (3–15)")
            if not any(normalise(phrase) in page_text(site, page) for page in pages):
                failures.append(f"{name}:{number}: not on {', '.join(pages)}: {phrase!r}")
    return failures, annotated, empty


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", default=list(SETS), help=f"sets to check (default: {', '.join(SETS)})")
    parser.add_argument("--dump", nargs=2, metavar=("SET", "PAGE"), help="print one page's visible text and exit")
    args = parser.parse_args(argv)
    if args.dump:
        name, page = args.dump
        sys.stdout.write(re.sub(r"[ \t]*\n\s*", "\n", visible_text(resolve(SETS[name][1], page))) + "\n")
        return 0
    failed = False
    for name in args.sets:
        failures, annotated, empty = check_set(name)
        for failure in failures:
            print(failure)
        print(f"{name}: {annotated} annotated, {empty} with no answering sentence, {len(failures)} failures")
        failed = failed or bool(failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
