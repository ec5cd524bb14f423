"""What `sitebot generate` tells the owner at the end, in words a site owner uses.

A crawl meets many URLs it does not read, and most are no problem: links to other sites,
pages the owner marked noindex or excluded, images. Calling them "skipped pages" under a
"Warning:" sent owners hunting for a fault that was not there. So the skips are sorted:
what the owner should act on (broken links, pages that failed, the page limit) is a
warning; the rest is one plain line of counts, shown only without --quiet.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

# Reasons that are the owner's own choice (or a page's), not a fault.
AS_ASKED = {
    "noindex": "marked noindex",
    "data-sitebot-ignore": "marked data-sitebot-ignore",
    "excluded": "excluded",
    "robots.txt": "disallowed by robots.txt",
    "duplicate": "duplicates",
}
# Reasons that are no page at all, or nothing to read: counted, never warned about.
NOT_PAGES = ("trap", "no text")
# The crawl stopped early: more pages exist than were read. The owner should raise the limit.
LIMITS = {"max pages": "--max-pages (crawl.max_pages)", "max depth": "--max-depth (crawl.max_depth)"}


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def describe_skips(skipped: Iterable[tuple[str, str]], start: str | None = None) -> tuple[list[str], list[str]]:
    """(warnings, notes) about the skipped URLs and files; `start` is the crawl's start URL, if any."""
    skipped = list(skipped)
    home = _host(start) if start else ""
    reasons = Counter(r for _, r in skipped)
    warnings: list[str] = []
    notes: list[str] = []
    off_site = sum(1 for u, r in skipped if r == "out of scope" and _host(u) != home)
    outside = reasons["out of scope"] - off_site
    if off_site:
        notes.append(f"left {plural(off_site, 'link')} to other sites alone")
    if outside:
        notes.append(f"left {plural(outside, 'link')} outside the crawl's scope alone")
    if reasons["redirect out of scope"]:
        notes.append(f"did not follow {plural(reasons['redirect out of scope'], 'link')} that redirect to other sites")
    files = sum(n for r, n in reasons.items() if r.startswith("unsupported type"))
    if files:
        notes.append(f"left {plural(files, 'link')} to files that are not pages (images, archives…) alone")
    asked = [f"{reasons[r]:,} {label}" for r, label in AS_ASKED.items() if reasons[r]]
    if asked:
        notes.append("left out as asked: " + ", ".join(asked))
    for r in NOT_PAGES:
        if reasons[r]:
            what = "URLs that repeat without end (calendars, filters)" if r == "trap" else "pages with no text"
            notes.append(f"left out {reasons[r]:,} {what}")
    for r, flag in LIMITS.items():
        if reasons[r]:
            warnings.append(f"stopped at the {r.split()[1]} limit: {plural(reasons[r], 'page')} not read; raise {flag}")
    known = {"out of scope", "redirect out of scope", *AS_ASKED, *NOT_PAGES, *LIMITS}
    failed = Counter({r: n for r, n in reasons.items() if r not in known and not r.startswith("unsupported type")})
    if failed:
        what = ", ".join(f"{r}: {n:,}" for r, n in sorted(failed.items()))
        warnings.append(f"{plural(sum(failed.values()), 'page')} could not be indexed ({what})")
    return warnings, notes


def preview_hint(output: Path, source: Path | str, crawled: bool) -> list[str]:
    """The command that shows the bot, in full; for a crawl, why the owner's pages are not in it."""
    serve = f"sitebot serve {shlex.quote(str(output))}"
    if not crawled:
        return [f"Preview on your own pages: {serve} --site {shlex.quote(str(source))}"]
    return [
        f"Preview: {serve}  (the bot on a demo page)",
        f"  Your pages stay at {source} and are not served by the preview; to see the bot on them,",
        f"  add the tag in {output / 'snippet.html'} to your site.",
    ]


LABELS = {
    "read": "Reading pages",
    "found": "URLs found",
    "fetch": "Fetching",
    "skip": "Not read",
    "chunk": "Chunking",
    "embed": "Embedding chunks",
    "units": "Embedding sentences",
}
# Stages that start once the reading (a folder's or a crawl's) is over.
AFTER_READING = ("chunk", "embed", "units")


class TimeLeft(TimeRemainingColumn):
    """ "about 0:01:20 left" for a bar with a total that is still running; nothing otherwise
    (a crawl's counts have no total, and a finished bar has nothing left)."""

    def render(self, task: Task) -> Text:
        if task.total is None or task.finished or task.time_remaining is None:
            return Text("")
        return Text.assemble("about ", super().render(task), " left")


def progress_bars(console: Console, *, disable: bool, get_time: Callable[[], float] | None = None) -> Progress:
    """The build's live bars: a count, the time taken, and the time left where it is known."""
    extra = {"get_time": get_time} if get_time else {}
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeLeft(),
        console=console,
        disable=disable,
        transient=True,
        **extra,
    )


def reporter(bar: Progress) -> Callable[[str, int, int | None], None]:
    """The `progress(stage, n, total)` callback of generate() that drives `bar`.

    A bar is added with its first count as done, not as a step: embedding reports the chunks
    found in the cache at once, and as a step they would make the time left look like seconds.
    When chunking starts, the reading bars are over: they are stopped, so their clocks stop
    (rich keeps a bar without a total running until it is stopped).
    """
    tasks: dict[str, TaskID] = {}

    def progress(stage: str, n: int, total: int | None) -> None:
        if stage not in tasks:
            if stage in AFTER_READING:
                for task in bar.tasks:
                    if not task.finished:
                        bar.update(task.id, total=task.completed)
                    bar.stop_task(task.id)
            tasks[stage] = bar.add_task(LABELS.get(stage, stage), total=total, completed=n)
            return
        bar.update(tasks[stage], advance=n, total=total)

    return progress
