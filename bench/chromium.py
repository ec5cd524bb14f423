"""Debian's Chromium for the benchmarks, with the tests' flags, opened on a bundle's demo page.

Import after putting the repository's tests/ folder on sys.path (for conftest's flags).
"""

from __future__ import annotations

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


def open_bot(playwright: Any, url: str) -> tuple[Any, Any]:
    """(browser, page) on `url`index.html, once the bot's index and model are loaded."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page()
    page.goto(url + "index.html")
    page.wait_for_function("() => window.sitebot")
    page.evaluate("() => window.sitebot.ready({model: true})")
    return browser, page
