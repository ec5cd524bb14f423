"""`sitebot serve`: a small static server for previewing a bundle (and for tests).

It sends the headers a real host should send: CORS (the bundle may be embedded from
another origin), `application/wasm`, no-cache for the two fixed-name files and
long-lived caching for the content-addressed ones.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import BundleError

_HASHED = re.compile(r"\.[0-9a-f]{12}\.[a-z0-9]+$")
_TYPES = {
    ".wasm": "application/wasm",
    ".onnx": "application/octet-stream",
    ".bin": "application/octet-stream",
    ".json": "application/json",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **_TYPES}

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        path = self.path.split("?", 1)[0]
        if _HASHED.search(path):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)


class _SiteHandler(_Handler):
    """Preview on the owner's own pages: the site at /, the bundle at /chatbot/, and the
    widget's script tag added to every HTML page on the fly (the files are not changed)."""

    bundle: Path
    mount = "/chatbot/"

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean.startswith(self.mount):
            return str(self.bundle / clean[len(self.mount):])
        local = Path(super().translate_path(path))
        # Pretty URLs of Markdown pages (docs/setup → docs/setup.md), as the index maps them.
        if not local.exists() and local.with_suffix(".md").is_file():
            return str(local.with_suffix(".md"))
        return str(local)

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
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


def make_server(folder: Path, *, host: str = "127.0.0.1", port: int = 8000, verbose: bool = False,
                require_bundle: bool = True, site: Path | None = None) -> ThreadingHTTPServer:
    """A server for `folder` (not yet serving); port 0 picks a free port.

    With `site`, the site folder is served at / with the bundle mounted at /chatbot/.
    """
    if not folder.is_dir():
        raise BundleError(f"{folder} is not a folder; give the bundle folder that `sitebot generate` wrote")
    if require_bundle and not (folder / "sitebot.json").is_file():
        raise BundleError(f"{folder} has no sitebot.json; give the bundle folder that `sitebot generate` wrote")
    if site is not None:
        if not site.is_dir():
            raise BundleError(f"--site {site} is not a folder")
        handler_cls = type("SiteHandler", (_SiteHandler,), {"bundle": folder.resolve()})
        handler = functools.partial(handler_cls, directory=str(site))
    else:
        handler = functools.partial(_Handler, directory=str(folder))
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as e:
        raise BundleError(f"cannot listen on {host}:{port}: {e.strerror}; choose another --port") from e
    server.daemon_threads = True
    server.verbose = verbose  # type: ignore[attr-defined]
    return server


def serve_in_thread(folder: Path, *, host: str = "127.0.0.1", port: int = 0, require_bundle: bool = True) -> tuple[ThreadingHTTPServer, str]:
    """Start serving in a daemon thread; returns the server and its base URL."""
    server = make_server(folder, host=host, port=port, require_bundle=require_bundle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}/"
