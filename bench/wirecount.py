"""Bytes and time per question for any in-page search, in a fresh Chromium profile: the shared core of
bench/pagefind.py and bench/bigsite.py, so Pagefind and sitebot are measured the same way in one run.

    from wirecount import serve, ask_in_page, THROTTLE
    with serve(folder, http2=True) as served:       # or serve(folder): Python's http.server, HTTP/1.1
        asked = ask_in_page(playwright, served.origin + "page.html", ANSWER_JS, questions, throttle=THROTTLE,
                            served=served)          # its browser options, and its protocol checked

`ANSWER_JS` is an async function of one question, evaluated in the page, that resolves once the
visitor could see the results (e.g. Pagefind's search and the data() of its top 5, or
`window.sitebot.search`); what it returns is kept as `Asked.result`. The first question pays for
loading the search (a fresh profile: nothing cached), the later ones only for what they add.
Bytes are Playwright's encoded body + header sizes of each finished request (CDP's
encodedDataLength), counted on the whole context, since a page's own CDP Network domain does not
see a worker's fetches; a response from the HTTP or memory cache counts what crossed the wire: 0.
A worker's own script, whose body Chromium reports as 0 bytes, counts its Content-Length (`moved`).
The count is the same over HTTP/1.x and HTTP/2 (`moved` says how): over HTTP/2 the headers count as
HPACK compressed them, which is part of what HTTP/2 saves.
"""

from __future__ import annotations

import functools
import statistics
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from chromium import fresh_context  # noqa: E402
from h2 import Served, check_protocol, h2_origin  # noqa: E402

MBIT = 1_000_000 / 8  # bytes per second
# The throttle of bench/wire.py and bench/first_answer.py: 10 Mbit/s each way, 40 ms round trip.
THROTTLE = {"offline": False, "latency": 40, "downloadThroughput": 10 * MBIT, "uploadThroughput": 10 * MBIT}
# A visitor whose browser asks to save data (an init script): sitebot's bot.model = "auto" then never
# loads the model, so its lite path is all this visitor gets.
SAVE_DATA = (
    "Object.defineProperty(Navigator.prototype, 'connection', {get: () => ({saveData: true, effectiveType: '4g'})})"
)
BLANK = "<!doctype html><html lang=en><head><meta charset=utf-8><title>bench</title></head><body></body></html>\n"

# Wraps the caller's snippet so the time is the page's own clock around it, not the round trips to Python.
TIMED = """async ([q, src]) => {
  const answer = (0, eval)(src);
  const t0 = performance.now();
  const result = await answer(q);
  return {ms: performance.now() - t0, result};
}"""


@dataclass
class Asked:
    """One question: its time in the page, the bytes it moved and the requests it made."""

    question: str
    ms: float
    bytes: int
    requests: int
    result: Any
    files: list[tuple[str, int]]  # each request's URL and the bytes it moved


class _Quiet(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as `sitebot serve` and any real host
    disable_nagle_algorithm = True  # as `sitebot serve`: no 40 ms wait per response (serve.py)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def serve_folder(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    """A plain static server of `folder` on 127.0.0.1 in a daemon thread (no compression: files go as
    they are on disk); returns it and its origin with a trailing slash. Call shutdown() when done."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# `sitebot serve` and serve_folder answer HTTP/1.1 and keep connections open: Chromium keeps six per
# origin, and requests beyond six wait for one of them.
HTTP1_PROTOCOL = "http/1.1"


@contextmanager
def serve(folder: Path, *, http2: bool = False, https1: bool = False, bundle: bool = False) -> Iterator[Served]:
    """Serve `folder` on 127.0.0.1 for the length of the block: with `http2`, by bench/h2serve.mjs over
    HTTP/2 (TLS, its .br/.gz twins); with `https1`, by the same over HTTP/1.1 (TLS, keep-alive); else by
    `sitebot serve`'s server when `bundle` (its twins), or by serve_folder (files as they are). The
    yielded Served says which, for the printed header."""
    if http2 or https1:
        with h2_origin(folder, http1=not http2) as served:
            yield served
        return
    if bundle:
        from sitebot.serve import serve_in_thread

        server, origin = serve_in_thread(folder)
        label = "HTTP/1.1 (sitebot serve, keep-alive)"
    else:
        server, origin = serve_folder(folder)
        label = "HTTP/1.1 (Python http.server, keep-alive)"
    try:
        yield Served(origin, label, HTTP1_PROTOCOL)
    finally:
        server.shutdown()
        server.server_close()


def ask_in_page(
    playwright: Any,
    page_url: str,
    answer_js: str,
    questions: list[str],
    *,
    throttle: dict[str, Any] | None = None,
    before_js: str | None = None,
    init_js: str | None = None,
    count_load: bool = False,
    served: Served | None = None,
) -> list[Asked]:
    """Open `page_url` in a fresh profile and answer each question in turn with `answer_js`.

    The page's own load is not counted, unless `count_load`: then what the page's load fetched
    besides the page itself (a widget's script and its settings) counts with the first question.
    `before_js` (optional) runs after the load, uncounted; `init_js` before the page's scripts
    (e.g. a visitor's Save-Data). With `throttle`, CDP Network.emulateNetworkConditions applies
    it to the page (and its workers). With `served` (bench/h2.py), the context gets its browser options
    (an HTTPS origin's certificate pin) and, before the page closes, every response it fetched must have
    come over `served.protocol`, else RuntimeError.
    """
    out: list[Asked] = []
    with fresh_context(playwright, **(served.browser if served else {})) as context:
        page = context.new_page()
        if init_js:
            page.add_init_script(init_js)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        if throttle:
            cdp.send("Network.emulateNetworkConditions", throttle)
        finished: list[Any] = []
        context.on("requestfinished", lambda r: finished.append(r))
        page.goto(page_url)
        if before_js:
            page.evaluate(before_js)
        page.wait_for_timeout(100)
        loaded = [r for r in finished if not r.is_navigation_request()] if count_load else []
        for q in questions:
            start = len(finished)
            got = page.evaluate(TIMED, [q, answer_js])
            page.wait_for_timeout(30)  # the last requestfinished events reach Python
            mine = finished[start:] + loaded
            loaded = []
            files = [(r.url, moved(r)) for r in mine]
            out.append(Asked(q, got["ms"], sum(b for _, b in files), len(mine), got["result"], files))
        if served:
            check_protocol(page, served.protocol)
        page.close()
    return out


def moved(request: Any) -> int:
    """Bytes a finished request's response moved: Chromium's encodedDataLength, the same count over either
    protocol. Playwright splits it in two: over HTTP/1.x `responseHeadersSize` is the status line and
    headers as sent (text) and `responseBodySize` the rest, the body as encoded on the wire; over HTTP/2
    there is no header text, so `responseHeadersSize` is 0 and `responseBodySize` holds it all: the
    HEADERS frame as HPACK compressed it and the body's DATA frames (a bundle file's headers measured
    64 to 120 B over HTTP/2 against 300 to 340 B over HTTP/1.x). Their sum is what was received either way (TLS
    records' own overhead, which only the HTTPS server has, is not counted). Chromium reports a body of 0
    for a worker's own script (the engine) served by `sitebot serve`, so there its Content-Length counts
    instead (over HTTP/2 the script's size is reported as for any other file)."""
    sizes = request.sizes()
    body = sizes["responseBodySize"]
    if body == 0:
        response = request.response()
        length = response.all_headers().get("content-length") if response else None
        body = int(length) if length and length.isdigit() else 0
    return body + sizes["responseHeadersSize"]


def per_question(asked: list[Asked]) -> dict[str, float]:
    """First question's bytes and time (the load), and the median and mean bytes of the later ones; and the
    median of the next ten alone, since in a long session more and more is already in the cache."""
    later = [a.bytes for a in asked[1:]] or [0]
    return {
        "next10_median": statistics.median(later[:10]),
        "first_bytes": asked[0].bytes,
        "first_ms": asked[0].ms,
        "later_median": statistics.median(later),
        "later_mean": statistics.fmean(later),
        "later_ms_median": statistics.median([a.ms for a in asked[1:]] or [0.0]),
    }
