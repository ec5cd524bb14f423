"""Debian's Chromium for the benchmarks, with the tests' flags, opened on a bundle's demo page.

Import after putting the repository's tests/ folder on sys.path (for conftest's flags).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from conftest import CHROMIUM, CHROMIUM_ARGS

# Times `window.sitebot.search` for each question in a page, in milliseconds.
TIMED = """async (qs) => {
  const times = [];
  for (const q of qs) {
    const t = performance.now();
    await window.sitebot.search(q, {k: 5});
    times.push(performance.now() - t);
  }
  return times;
}"""


def open_bot(playwright: Any, url: str, init_script: str | None = None) -> tuple[Any, Any]:
    """(browser, page) on `url`index.html, once the bot's index and model are loaded.

    `init_script` runs in the page before any of its own scripts (e.g. to watch the engine's messages).
    """
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page()
    if init_script:
        page.add_init_script(init_script)
    page.goto(url + "index.html")
    page.wait_for_function("() => window.sitebot")
    page.evaluate("() => window.sitebot.ready({model: true})")
    return browser, page


@contextmanager
def fresh_context(playwright: Any, args: list[str] | None = None, ignore_https_errors: bool = False) -> Iterator[Any]:
    """A browser context on a fresh profile (an empty disk cache: a first-time visitor), closed after.

    `args` are Chromium flags added to the tests' (bench/h2.py's certificate pin, for an HTTPS origin)."""
    with tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS + (args or []),
            ignore_https_errors=ignore_https_errors,
        )
        try:
            yield context
        finally:
            context.close()
