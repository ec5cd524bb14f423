"""`sitebot serve`: a small static server for previewing a bundle (and for tests).

It sends the headers a real host should send: CORS (the bundle may be embedded from
another origin), the content types of sitebot.bundle.format, no-cache for the fixed-name
files and long-lived caching for the content-addressed ones.

With `llm=UPSTREAM` (`sitebot serve --llm`) it also stands in for `sitebot proxy`: the
bundle's sitebot.json is served with `settings.llm.endpoint` set to /__sitebot/llm, and
POSTs there go to UPSTREAM with the key added, the answer streamed back as it arrives.
"""

from __future__ import annotations

import functools
import io
import json
import threading
import urllib.parse
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .bundle.format import FRESH, IMMUTABLE, MANIFEST, TYPES, dumps, is_bundle, is_content_addressed, read_manifest
from .checks import http_parts
from .errors import BundleError, ConfigError

LLM_PATH = "/__sitebot/llm"
KEY_VARIABLE = "SITEBOT_LLM_API_KEY"
_MAX_LLM_BODY = 1 << 20


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}
    bundle: Path
    llm: tuple[str, str, str] | None = None  # (upstream, provider, key) with --llm
    _forwarding = False

    def end_headers(self) -> None:
        if self._forwarding:  # the LLM route is for this page only: no CORS, never cached
            self.send_header("Cache-Control", "no-store")
            super().end_headers()
            return
        self.send_header("Access-Control-Allow-Origin", "*")
        # A preview revalidates every fixed name (not the five minutes a host allows), so a
        # rebuild shows on the next reload.
        self.send_header("Cache-Control", IMMUTABLE if is_content_addressed(self.path.split("?", 1)[0]) else FRESH)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    def send_head(self):  # type: ignore[no-untyped-def]
        if self.llm is not None and Path(self.translate_path(self.path)).resolve() == self.bundle / MANIFEST:
            return self._manifest()
        return super().send_head()

    def _manifest(self) -> io.BytesIO:
        """sitebot.json with the LLM endpoint pointing at this server's forwarder."""
        manifest = read_manifest(self.bundle)
        manifest["settings"]["llm"]["endpoint"] = LLM_PATH
        body = dumps(manifest)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        if self.llm is None or self.path.split("?", 1)[0] != LLM_PATH:
            self.send_error(404)
            return
        self._forwarding = True
        origin = self.headers.get("Origin")
        if origin and urllib.parse.urlsplit(origin).netloc != self.headers.get("Host"):
            self._json(403, "only pages served by `sitebot serve` may use its LLM forwarder")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_LLM_BODY:
            self._json(413, f"the request is over {_MAX_LLM_BODY} bytes")
            return
        self._forward(self.rfile.read(length))

    def _json(self, status: int, message: str) -> None:
        body = json.dumps({"error": {"message": message}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _forward(self, body: bytes) -> None:
        """POST to the upstream with the key; stream its answer back chunk by chunk."""
        import httpx

        upstream, provider, key = self.llm  # type: ignore[misc]
        headers = {
            "Content-Type": "application/json",
            "Accept": self.headers.get("Accept") or "text/event-stream",
            "Accept-Encoding": "identity",
        }
        if provider == "anthropic":
            headers["x-api-key"] = key
            headers["anthropic-version"] = self.headers.get("anthropic-version") or "2023-06-01"
        else:
            headers["Authorization"] = f"Bearer {key}"
        started = False
        try:
            with httpx.stream(
                "POST", upstream, content=body, headers=headers, timeout=httpx.Timeout(120, connect=10)
            ) as r:
                self.send_response(r.status_code)
                self.send_header("Content-Type", r.headers.get("content-type", "application/json"))
                self.end_headers()
                started = True
                if r.status_code >= 400:  # errors keep their status; their text never carries the key
                    self.wfile.write(r.read().replace(key.encode(), b"[redacted]"))
                    return
                for chunk in r.iter_bytes():
                    self.wfile.write(chunk)  # unbuffered: each chunk leaves as it arrives
        except httpx.HTTPError as e:
            if not started:
                self._json(502, f"{upstream} could not be reached ({type(e).__name__})")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page stopped the answer


class _SiteHandler(_Handler):
    """Preview on the owner's own pages: the site at /, the bundle at /chatbot/, and the
    widget's script tag added to every HTML page on the fly (the files are not changed)."""

    mount = "/chatbot/"

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean.startswith(self.mount):
            return str(self.bundle / clean[len(self.mount) :])
        local = Path(super().translate_path(path))
        # Pretty URLs of Markdown pages (docs/setup → docs/setup.md), as the index maps them.
        if not local.exists() and local.with_suffix(".md").is_file():
            return str(local.with_suffix(".md"))
        return str(local)

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if self.llm is not None and path.resolve() == self.bundle / MANIFEST:
            return self._manifest()
        if path.is_dir() and (path / "index.html").is_file() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if path.suffix in (".html", ".htm") and not str(path).startswith(str(self.bundle)) and path.is_file():
            body = path.read_bytes()
            tag = f'<script src="{self.mount}widget.js" defer></script>'.encode()
            body = body.replace(b"</body>", tag + b"</body>", 1) if b"</body>" in body else body + tag
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()


def _llm_route(folder: Path, upstream: str, key: str | None) -> tuple[str, str, str]:
    """(upstream, provider, key) for --llm, or the sentence saying what is missing."""
    if http_parts(upstream) is None:
        raise ConfigError(
            f"--llm {upstream!r} must be the provider's http(s) chat URL, "
            "e.g. https://api.openai.com/v1/chat/completions"
        )
    settings = read_manifest(folder).get("settings")
    if not isinstance(settings, dict) or settings.get("mode") != "llm" or not isinstance(settings.get("llm"), dict):
        raise BundleError(
            f'{folder} was built without the llm mode; rebuild it with bot.mode = "llm" '
            "(or --mode llm) to preview with --llm"
        )
    if not key:
        raise ConfigError(
            f"set {KEY_VARIABLE} to the provider's key to preview with --llm "
            f"(e.g. {KEY_VARIABLE}=… sitebot serve {folder} --llm {upstream}); it stays on this machine"
        )
    return upstream, str(settings["llm"].get("provider", "openai")), key


def make_server(
    folder: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    verbose: bool = False,
    require_bundle: bool = True,
    site: Path | None = None,
    llm: str | None = None,
    llm_key: str | None = None,
) -> ThreadingHTTPServer:
    """A server for `folder` (not yet serving); port 0 picks a free port.

    With `site`, the site folder is served at / with the bundle mounted at /chatbot/.
    With `llm` (the provider's chat URL) and `llm_key`, LLM requests are forwarded there.
    """
    if not folder.is_dir():
        raise BundleError(f"{folder} is not a folder; give the bundle folder that `sitebot generate` wrote")
    if (require_bundle or llm) and not is_bundle(folder):
        raise BundleError(f"{folder} has no sitebot.json; give the bundle folder that `sitebot generate` wrote")
    attrs = {"bundle": folder.resolve(), "llm": _llm_route(folder, llm, llm_key) if llm else None}
    if site is not None:
        if not site.is_dir():
            raise BundleError(f"--site {site} is not a folder")
        handler = functools.partial(type("SiteHandler", (_SiteHandler,), attrs), directory=str(site))
    else:
        handler = functools.partial(type("Handler", (_Handler,), attrs), directory=str(folder))
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as e:
        raise BundleError(f"cannot listen on {host}:{port}: {e.strerror}; choose another --port") from e
    server.daemon_threads = True
    server.verbose = verbose  # type: ignore[attr-defined]
    return server


def serve_in_thread(
    folder: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    require_bundle: bool = True,
    site: Path | None = None,
    llm: str | None = None,
    llm_key: str | None = None,
) -> tuple[ThreadingHTTPServer, str]:
    """Start serving in a daemon thread; returns the server and its base URL."""
    server = make_server(
        folder, host=host, port=port, require_bundle=require_bundle, site=site, llm=llm, llm_key=llm_key
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}/"
