"""`sitebot serve`: a small static server for previewing a bundle (and for tests).

It sends the headers a real host should send: CORS (the bundle may be embedded from
another origin), the content types of sitebot.bundle.format, no-cache for the fixed-name
files and long-lived caching for the content-addressed ones.

With `llm=UPSTREAM` (`sitebot serve --llm`) it also stands in for `sitebot proxy`: the
bundle's sitebot.json is served with `settings.llm.endpoint` set to /__sitebot/llm, and
POSTs there go to UPSTREAM with the key added, the answer streamed back as it arrives.

A file with pre-compressed twins (`x.br`, `x.gz`: bundle/precompress.py) is sent as the twin
the request's Accept-Encoding allows, br first, with `Content-Encoding`, the original's
Content-Type and `Vary: Accept-Encoding`, as nginx's gzip_static or Caddy's `precompressed` do.
Range requests are not honoured (the whole file is sent with 200, as before).

What it refuses, since a preview may run with --host 0.0.0.0 or be reached by DNS rebinding:
a path holding `..` or a NUL in any encoding (400); a file or folder whose real path (symlinks
followed) is outside the folders it serves (404); on the LLM route, a Host that is not an address
it serves (403), and a body without one whole-number Content-Length (400, or 411 when missing or
chunked) or over 1 MB (413).
"""

from __future__ import annotations

import functools
import io
import ipaddress
import json
import os
import re
import socket
import sys
import threading
import urllib.parse
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO

from .bundle.format import FRESH, IMMUTABLE, MANIFEST, TYPES, dumps, is_bundle, is_content_addressed, read_manifest
from .checks import http_parts
from .errors import BundleError, ConfigError

LLM_PATH = "/__sitebot/llm"
KEY_VARIABLE = "SITEBOT_LLM_API_KEY"
_MAX_LLM_BODY = 1 << 20
_BODY_TIMEOUT = 30  # seconds a client may take to send the body it announced
_IDLE_TIMEOUT = 60  # seconds a kept-alive connection may wait for its next request
_WILDCARDS = ("", "0.0.0.0")  # noqa: S104 - the --host values that mean every address


def _url_path(target: str) -> str:
    """The path of a request target, percent-decoded, with backslashes read as slashes (as
    Windows and some clients read them), so that every spelling of `..` looks the same."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    try:
        path = urllib.parse.unquote(path, errors="surrogatepass")
    except UnicodeDecodeError:
        path = urllib.parse.unquote(path)
    return path.replace("\\", "/")


def _climbs(target: str) -> bool:
    """True when the target holds a `..` segment or a NUL: browsers never send either."""
    path = _url_path(target)
    return "\0" in path or ".." in path.split("/")


def _join(root: Path, url_path: str) -> str:
    """`url_path` under `root`, `.` and `..` segments dropped, its trailing slash kept (the stdlib's
    send_head tells a folder from a file by it)."""
    words = [w for w in url_path.split("/") if w not in ("", ".", "..")]
    return str(root.joinpath(*words)) + ("/" if url_path.endswith("/") else "")


def _inside(path: str | Path, roots: tuple[Path, ...]) -> bool:
    """True when the real path of `path` (every symlink followed) is one of `roots` or under one."""
    real = Path(os.path.realpath(path))
    return any(real == root or real.is_relative_to(root) for root in roots)


def accepted_encodings(header: str) -> set[str]:
    """The content codings an Accept-Encoding header allows (q > 0), `*` standing for any not named."""
    named: dict[str, float] = {}
    for part in header.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name:
            named[name.lower()] = q
    allowed = {name for name, q in named.items() if q > 0}
    if named.get("*", 0) > 0:
        allowed |= {e for e in ("br", "gzip") if e not in named}
    return allowed


def _served_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers a page served by this server sends: the loopback names and --host, with the port."""
    names = {"127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host} - set(_WILDCARDS)
    with_port = {f"{name.lower()}:{port}" for name in names}
    return frozenset(with_port | ({name.lower() for name in names} if port == 80 else set()))


def _host_allowed(header: str | None, server: _Server) -> bool:
    """Whether a Host header names this server. A DNS-rebinding page sends its own name (evil.test:PORT),
    so a name is accepted only if listed; bound to every address, any IP literal on the port is ours too."""
    value = (header or "").strip().lower()
    if value in server.hosts:
        return True
    name, sep, port = value.rpartition(":")
    if not (server.wildcard and sep and port == str(server.server_address[1])):
        return False
    try:
        ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hosts: frozenset[str] = frozenset()
    wildcard = False
    verbose = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up or stalls is not a bug of ours: one line, and only with --verbose.
        if isinstance(sys.exc_info()[1], OSError):
            if self.verbose:
                print(f"{client_address[0]}: connection ended: {sys.exc_info()[1]}", file=sys.stderr)
            return
        super().handle_error(request, client_address)


class _Handler(SimpleHTTPRequestHandler):
    # HTTP/1.1 keeps each connection open for the next request. A first lite answer makes about 70
    # small requests (token rows, term shards, lists, text); with HTTP/1.0's connection per request,
    # each paid a new TCP connection and a new thread here. Every answer below has a Content-Length
    # except the streamed LLM one, which closes its connection.
    protocol_version = "HTTP/1.1"
    timeout = _IDLE_TIMEOUT  # an idle kept-alive connection is closed, not held by a thread forever
    # The headers and the body go out in two writes. On a kept-alive connection Nagle's algorithm
    # held the body until the client acknowledged the headers, which it delays by up to 40 ms:
    # each of a first answer's ~60 small files took ~50 ms on loopback, one after another.
    disable_nagle_algorithm = True
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}
    bundle: Path
    roots: tuple[Path, ...]  # the real paths of the served folders: nothing outside them is served
    llm: tuple[str, str, str] | None = None  # (upstream, provider, key) with --llm
    server: _Server
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
        self.send_header("Vary", "Accept-Encoding")  # a cache must not hand a gzip body to a client that did not ask
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    def translate_path(self, path: str) -> str:
        return _join(Path(self.directory), _url_path(path))

    def _refused(self) -> bool:
        """Send 400 for a path that climbs, 404 for one that leaves the served folders through a
        symlink (the folder's index pages included, as send_head would serve them); True if sent."""
        if _climbs(self.path):
            self.send_error(400, "The path must not hold '..' or a NUL byte")
            return True
        local = self.translate_path(self.path)
        indexes = [os.path.join(local, name) for name in ("index.html", "index.htm")] if os.path.isdir(local) else []
        if not all(_inside(p, self.roots) for p in [local, *indexes] if p == local or os.path.lexists(p)):
            self.send_error(404)
            return True
        return False

    def send_head(self):  # type: ignore[no-untyped-def]
        if self._refused():
            return None
        if self.llm is not None and Path(self.translate_path(self.path)).resolve() == self.bundle / MANIFEST:
            return self._manifest()
        return self._precompressed(Path(self.translate_path(self.path))) or super().send_head()

    def _precompressed(self, path: Path) -> BinaryIO | None:
        """Start the answer with `path`'s twin that the client accepts, and return it; None when
        there is no such twin (the plain file is then sent as usual)."""
        if self.path.split("?", 1)[0].endswith("/") or not path.is_file():
            return None
        accepted = accepted_encodings(self.headers.get("Accept-Encoding", ""))
        for suffix, encoding in ((".br", "br"), (".gz", "gzip")):  # br first: it is the smaller
            twin = path.with_name(path.name + suffix)
            if encoding not in accepted or not twin.is_file() or not _inside(twin, self.roots):
                continue
            if twin.stat().st_mtime < path.stat().st_mtime:  # the file was edited after the build
                continue
            try:
                f = twin.open("rb")
            except OSError:
                continue
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(os.fstat(f.fileno()).st_size))
            self.send_header("Last-Modified", self.date_time_string(int(os.fstat(f.fileno()).st_mtime)))
            self.end_headers()
            return f
        return None

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
        host = self.headers.get("Host")
        origin = self.headers.get("Origin")
        if not _host_allowed(host, self.server) or (
            origin and urllib.parse.urlsplit(origin).netloc.lower() != (host or "").strip().lower()
        ):
            self._refuse(403, "only pages served by `sitebot serve` may use its LLM forwarder")
            return
        length = self._body_length()
        if length is None:
            return
        body = self._read_body(length)
        if body is not None:
            self._forward(body)

    def _body_length(self) -> int | None:
        """The announced body length, or None once a refusal is sent: a length that is not one whole
        number would be read as something else (-1 reads to the end, past the cap)."""
        if "Transfer-Encoding" in self.headers:
            self._refuse(411, "send the request with a Content-Length; chunked bodies are not accepted")
            return None
        values = {v.strip() for v in self.headers.get_all("Content-Length") or []}
        if not values:
            self._refuse(411, "send the request with a Content-Length")
            return None
        value = values.pop() if len(values) == 1 else ""  # two different lengths: neither can be trusted
        if not re.fullmatch(r"[0-9]+", value):
            self._refuse(400, "Content-Length must be one whole number of bytes")
            return None
        digits = value.lstrip("0") or "0"  # compared by length first: int() refuses over 4,300 digits
        if len(digits) > len(str(_MAX_LLM_BODY)) or int(digits) > _MAX_LLM_BODY:
            self._refuse(413, f"the request is over {_MAX_LLM_BODY} bytes")
            return None
        return int(digits)

    def _read_body(self, length: int) -> bytes | None:
        """The body, or None when the client sent less than it announced (it is not forwarded cut)."""
        self.connection.settimeout(_BODY_TIMEOUT)
        try:
            body = self.rfile.read(length)
        except OSError:
            body = b""
        finally:
            self.connection.settimeout(self.timeout)
        if len(body) < length:
            self.close_connection = True
            return None
        return body

    def _refuse(self, status: int, message: str) -> None:
        """Answer with an error and close, reading what the client still sends first (a bounded
        amount): closing with unread bytes resets the connection, and the client may lose the answer."""
        self.close_connection = True
        self._json(status, message)
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(1)
            left = 4 * _MAX_LLM_BODY
            while left > 0 and (data := self.connection.recv(1 << 16)):
                left -= len(data)
        except OSError:
            pass  # the client is gone: nothing more to tell it

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
                # Streamed without a length: the end of the answer is the end of the connection.
                self.send_header("Connection", "close")
                self.close_connection = True
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
        clean = _url_path(path)
        if clean.startswith(self.mount):
            return _join(self.bundle, clean[len(self.mount) :])
        local = Path(super().translate_path(path))
        # Pretty URLs of Markdown pages (docs/setup → docs/setup.md), as the index maps them.
        if not local.exists() and local.with_suffix(".md").is_file():
            return str(local.with_suffix(".md"))
        return str(local)

    def send_head(self):  # type: ignore[no-untyped-def]
        if self._refused():
            return None
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
    attrs: dict[str, Any] = {
        "bundle": folder.resolve(),
        "roots": (folder.resolve(),),
        "llm": _llm_route(folder, llm, llm_key) if llm else None,
    }
    if site is not None:
        if not site.is_dir():
            raise BundleError(f"--site {site} is not a folder")
        attrs["roots"] = (site.resolve(), folder.resolve())
        handler = functools.partial(type("SiteHandler", (_SiteHandler,), attrs), directory=str(site))
    else:
        handler = functools.partial(type("Handler", (_Handler,), attrs), directory=str(folder))
    try:
        server = _Server((host, port), handler)
    except OSError as e:
        raise BundleError(f"cannot listen on {host}:{port}: {e.strerror}; choose another --port") from e
    server.verbose = verbose
    server.hosts = _served_hosts(host, server.server_address[1])
    server.wildcard = host in _WILDCARDS
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
