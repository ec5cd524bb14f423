"""The live bars of `sitebot generate` (sitebot/buildreport.py), on a clock the test moves."""

from __future__ import annotations

import io

from rich.console import Console

from sitebot.buildreport import progress_bars, reporter


def test_finished_bars_stop_their_clocks_and_embedding_shows_the_time_left() -> None:
    now = [0.0]
    console = Console(file=io.StringIO(), width=120)
    bar = progress_bars(console, disable=True, get_time=lambda: now[0])
    progress = reporter(bar)
    progress("found", 5, None)  # a crawl's counts have no total
    progress("fetch", 3, None)
    now[0] = 10
    progress("fetch", 2, None)
    now[0] = 20
    progress("chunk", 4, 4)  # reading is over
    now[0] = 300
    found, fetch = bar.tasks[0], bar.tasks[1]
    assert found.finished and fetch.finished and (found.completed, fetch.completed) == (5, 5)
    assert bar.columns[3].render(fetch).plain == "0:00:20"  # not 0:05:00: the clock stopped with the crawl
    # Embedding: 50 chunks from the cache at once, then 10 every 10 s: 130 left ≈ 2 min 10 s.
    progress("embed", 50, 200)
    for _ in range(2):
        now[0] += 10
        progress("embed", 10, 200)
    embed = bar.tasks[-1]
    assert bar.columns[-1].render(embed).plain == "about 0:02:10 left"
    assert bar.columns[-1].render(fetch).plain == ""
