"""Issue 15, item 5: the panel is never tiny, and stays uncovered. Real pages from Debian's
documentation packages (DocBook without <meta name=viewport>, Sphinx with it), served on
127.0.0.1 with the widget's script tag and the chrome an owner's site has on top (a fixed
header, a sticky footer, a consent bar drawn late at the maximal z-index), opened in Chromium
on a desktop and on an emulated phone. Screenshots go to test-artefacts/ (or $SITEBOT_ARTEFACTS)
for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import CALLER_ENV, ROOT
from loopback import LoopbackServer
from sitebot.serve import serve_in_thread

pytestmark = pytest.mark.browser

ARTEFACTS = Path(CALLER_ENV.get("SITEBOT_ARTEFACTS") or ROOT / "test-artefacts")
DEBIAN_REFERENCE = Path("/usr/share/debian-reference")  # DocBook, no viewport meta; CI installs it
SQLALCHEMY = Path("/usr/share/doc/python-sqlalchemy-doc/html")  # Sphinx, with a viewport meta
PAGES = {
    "debian-reference": "/debref/ch02.en.html",
    "debian-reference-dark": "/debref/ch05.en.html?dark=1",
    "sqlalchemy": "/sqla/orm/quickstart.html",
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}

# The owner's site chrome: a fixed header and a sticky footer at z-indexes sites use, and a
# consent bar that a consent manager draws late (after the widget), at the maximal z-index.
CHROME = """
<style>
#owner-header{position:fixed;top:0;left:0;right:0;height:72px;z-index:99999;background:#143;color:#fff;font:20px sans-serif;padding:20px}
#owner-footer{position:sticky;bottom:0;height:64px;z-index:100000;background:#431;color:#fff;font:18px sans-serif;padding:16px}
#owner-consent{position:fixed;left:0;right:0;bottom:0;height:160px;z-index:2147483647;background:#ffe;color:#000;
  border-top:3px solid #c00;font:18px sans-serif;padding:20px}
body{padding-top:80px}
</style>
<div id=owner-header>Owner's fixed header</div>
<script>
window.showConsent = () => {
  const bar = document.createElement("div");
  bar.id = "owner-consent";
  bar.textContent = "We use cookies. Accept all / Reject / Settings";
  document.body.append(bar);
};
</script>
"""
DARK = (
    "<style>html,body{background:#15171a!important;color:#ddd!important}"
    "body *:not([id^=owner]){background:transparent!important;color:#ddd!important}</style>"
)
FOOTER = "<div id=owner-footer>Owner's sticky footer</div>"


class _Pages(SimpleHTTPRequestHandler):
    """The documentation packages as they are installed, each HTML page with the widget's
    script tag and the owner's chrome added before </body> (?dark=1: a dark page)."""

    server: Any

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def translate_path(self, path: str) -> str:
        clean = urlsplit(path).path
        for prefix, folder in (("/debref/", DEBIAN_REFERENCE), ("/sqla/", SQLALCHEMY)):
            if clean.startswith(prefix):
                return str(folder / clean[len(prefix) :])
        return "/nonexistent"

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = Path(self.translate_path(self.path))
        if path.suffix != ".html" or not path.is_file():
            return super().do_GET()
        dark = "dark" in parse_qs(urlsplit(self.path).query)
        added = CHROME + (DARK if dark else "") + FOOTER + f"<script src='{self.server.widget}' defer></script>"
        html = re.sub(r"</body>", lambda _: added + "</body>", path.read_text(encoding="utf-8"), count=1, flags=re.I)
        body = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site(examples_bundle: Path) -> Iterator[str]:
    for folder, package in ((DEBIAN_REFERENCE, "debian-reference-en"), (SQLALCHEMY, "python-sqlalchemy-doc")):
        if not folder.is_dir():
            pytest.fail(f"{folder} is missing: apt-get install {package} (scripts/test.sh does)")
    bundle_server, bundle_url = serve_in_thread(examples_bundle)  # the bundle on its own origin, as on a CDN
    pages = LoopbackServer(_Pages, widget=bundle_url + "widget.js")
    yield pages.url
    pages.close()
    bundle_server.shutdown()
    bundle_server.server_close()


@pytest.fixture
def open_page(browser: Any, site: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """open_page(name, device) → a Chromium page showing PAGES[name], the widget loaded and the
    owner's consent bar drawn after it; the model is not fetched (the layout does not need it)."""
    contexts: list[Any] = []

    def start(name: str, device: dict[str, Any]) -> Any:
        ctx = browser.new_context(**device)
        contexts.append(ctx)
        page = ctx.new_page()
        page.route(re.compile(r".*\.(onnx|wasm)$"), lambda route: route.abort())
        page.goto(site + PAGES[name])
        page.wait_for_function("() => window.sitebot && document.querySelector('sitebot-widget')")
        page.evaluate("() => window.showConsent()")
        return page

    yield start
    for ctx in contexts:
        ctx.close()


def shoot(page: Any, request: pytest.FixtureRequest, what: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    page.screenshot(path=str(ARTEFACTS / f"{name}-{what}.png"))


# Where the visitor's finger or pointer lands: the panel's corners (inset 8 px: inside the rounded corners) and centre,
# in the page's client coordinates, and what the page finds there (the host element is all
# the page can see of the shadow tree) and the shadow tree finds there.
HITS = """() => {
  const host = document.querySelector('sitebot-widget');
  const panel = host.shadowRoot.querySelector('.panel');
  const r = panel.getBoundingClientRect();
  const points = [[r.left + 8, r.top + 8], [r.right - 8, r.top + 8], [r.left + 8, r.bottom - 8],
                  [r.right - 8, r.bottom - 8], [(r.left + r.right) / 2, (r.top + r.bottom) / 2]];
  return points.map(([x, y]) => {
    const el = document.elementFromPoint(x, y);
    const inner = host.shadowRoot.elementFromPoint(x, y);
    return {x, y, page: el ? (el.id || el.tagName.toLowerCase()) : null, panel: !!inner && panel.contains(inner)};
  });
}"""

# What the page finds at the launcher's centre.
LAUNCHER_HIT = """() => {
  const r = document.querySelector('sitebot-widget').shadowRoot.querySelector('.launcher').getBoundingClientRect();
  const el = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
  return el && (el.id || el.tagName.toLowerCase());
}"""

# What the visitor sees, in device-independent px: the panel's rectangle against the visible
# part of the page (the visual viewport), the greeting's text size times every scale between
# CSS px and the screen (the panel's own transform, if any, and the browser's page zoom), the
# input's, and the launcher's size.
SIZES = """() => {
  const root = document.querySelector('sitebot-widget').shadowRoot;
  const panel = root.querySelector('.panel');
  const zoom = visualViewport.scale;
  const r = panel.getBoundingClientRect();
  const own = panel.offsetWidth ? r.width / panel.offsetWidth : 0;
  const px = (el) => parseFloat(getComputedStyle(el).fontSize) * own * zoom;
  const launcher = root.querySelector('.launcher').getBoundingClientRect();
  return {
    panel: {left: r.left, top: r.top, width: r.width, height: r.height},
    view: {left: visualViewport.offsetLeft, top: visualViewport.offsetTop, width: visualViewport.width, height: visualViewport.height},
    text: px(root.querySelector('.msg')), input: px(root.querySelector('.input')),
    launcher: Math.min(launcher.width, launcher.height) * zoom,
  };
}"""


def covers_view(sizes: dict[str, Any]) -> bool:
    p, v = sizes["panel"], sizes["view"]
    return (
        abs(p["left"] - v["left"]) <= 2
        and abs(p["top"] - v["top"]) <= 2
        and abs(p["width"] - v["width"]) <= 2
        and abs(p["height"] - v["height"]) <= 2
    )


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("name", list(PAGES))
def test_the_open_panel_is_above_the_pages_fixed_and_sticky_elements(
    open_page: Any, request: pytest.FixtureRequest, name: str, device: str
) -> None:
    page = open_page(name, DESKTOP if device == "desktop" else PHONE)
    launcher = page.evaluate(LAUNCHER_HIT)
    assert launcher == "sitebot-widget", launcher  # the closed launcher is not under the consent bar either
    page.evaluate("() => window.sitebot.open()")
    page.wait_for_timeout(300)  # the opening animation
    hits = page.evaluate(HITS)
    shoot(page, request, "open")
    assert [h["page"] for h in hits] == ["sitebot-widget"] * 5, hits  # not the header, footer or consent bar
    assert all(h["panel"] for h in hits), hits  # nor the widget's own launcher


@pytest.mark.parametrize("name", list(PAGES))
def test_a_phone_gets_the_full_screen_panel_at_a_readable_size(
    open_page: Any, request: pytest.FixtureRequest, name: str
) -> None:
    page = open_page(name, PHONE)
    closed = page.evaluate(SIZES)
    shoot(page, request, "closed")
    page.evaluate("() => window.sitebot.open()")
    page.wait_for_timeout(300)
    sizes = page.evaluate(SIZES)
    shoot(page, request, "phone")
    seen = {
        "fills the screen": covers_view(sizes),
        "text >= 14 px": sizes["text"] >= 14,  # was 6 px on a page without viewport meta
        "input >= 16 px": sizes["input"] >= 15.9,  # iOS zooms into a smaller input on focus
        "launcher >= 44 px": closed["launcher"] >= 44,  # a finger-sized button, also on a 980 px wide layout
    }
    assert all(seen.values()), (seen, sizes, closed["launcher"])

    # Turned to landscape: still the whole screen, still readable.
    page.set_viewport_size({"width": 844, "height": 390})
    page.wait_for_timeout(300)
    turned = page.evaluate(SIZES)
    shoot(page, request, "landscape")
    assert covers_view(turned) and turned["text"] >= 14, turned


def test_a_pinch_zoomed_phone_page_keeps_the_panel_on_screen(open_page: Any, request: pytest.FixtureRequest) -> None:
    page = open_page("debian-reference", PHONE)
    page.evaluate("() => window.sitebot.open()")
    cdp = page.context.new_cdp_session(page)
    # A pinch to 1:1 (from the 0.4 the 980 px wide page is first shown at); headless Chromium
    # does not synthesise pinch gestures, so the page scale is set as a pinch sets it.
    cdp.send("Emulation.setPageScaleFactor", {"pageScaleFactor": 1.0})
    page.wait_for_timeout(400)
    sizes = page.evaluate(SIZES)
    shoot(page, request, "zoomed")
    assert sizes["view"]["width"] < 600, sizes  # the gesture did zoom the page in
    assert covers_view(sizes), sizes  # the panel follows the visible part of the page
    assert sizes["text"] >= 14, sizes


def test_desktop_panel_keeps_its_size(open_page: Any, request: pytest.FixtureRequest) -> None:
    page = open_page("debian-reference-dark", DESKTOP)
    page.evaluate("() => window.sitebot.open()")
    page.wait_for_timeout(300)
    sizes = page.evaluate(SIZES)
    dark = page.evaluate("() => document.querySelector('sitebot-widget').shadowRoot.querySelector('.sb.dark') !== null")
    shoot(page, request, "dark")
    assert dark  # a dark page gets the dark panel
    assert sizes["panel"]["width"] == 400 and sizes["text"] == 15, sizes  # the floating panel, as before
