"""Serve a folder over HTTP/2 (TLS) with bench/h2serve.mjs, as most static hosts serve, for the benchmarks.

    with h2_origin(folder) as served:      # a throwaway self-signed certificate, node h2serve.mjs on 127.0.0.1
        with fresh_context(playwright, **served.browser) as context: ...
        check_protocol(page, served.protocol)

`Served` says where a folder is served, by what and over which protocol, and the options a Chromium
context needs to reach it: for HTTPS, the certificate's public-key pin
(`--ignore-certificate-errors-spki-list`), which makes Chromium treat this one certificate as valid.
`ignore_https_errors` alone would do for loading, but Chromium does not store a response with a
certificate error in its HTTP cache, so a second question would fetch again what a real host's visitor
has cached: the pin keeps the cache as it is for a trusted certificate. `ignore_https_errors` is set too,
in case a Chromium ignores the pin.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitebot.bundle.format import FRESH, IMMUTABLE, TYPES

H2SERVE = Path(__file__).resolve().parent / "h2serve.mjs"
NODE = shutil.which("node") or "node"

HTTP1_LABEL = "HTTP/1.1 (sitebot serve)"
H2_LABEL = "HTTP/2 (node h2serve)"
HTTPS1_LABEL = "HTTP/1.1 (node h2serve http1: TLS, keep-alive)"

# Every response's protocol, as the page and each of its workers saw it (Resource Timing's nextHopProtocol;
# "" for one the cache answered, which crossed no wire). A worker's fetches are only in its own timeline.
PROTOCOLS_JS = """() => [
  ...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')
].filter((e) => e.transferSize > 0).map((e) => [e.name, e.nextHopProtocol])"""


@dataclass
class Served:
    """A folder being served: its origin (with a trailing slash), the server's label for the printed
    header, the ALPN name every response must come over, and `fresh_context`'s extra options."""

    origin: str
    label: str
    protocol: str  # "h2" or "http/1.1", as nextHopProtocol names it
    browser: dict[str, Any] = field(default_factory=dict)


def spki_pin(cert: Path) -> str:
    """base64 of the sha256 of the certificate's SubjectPublicKeyInfo: Chromium's pin format."""
    pem = subprocess.run(["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"], check=True, capture_output=True)
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"], input=pem.stdout, check=True, capture_output=True
    )
    return base64.b64encode(hashlib.sha256(der.stdout).digest()).decode()


@contextmanager
def h2_origin(folder: Path, http1: bool = False) -> Iterator[Served]:
    """Serve `folder` with `node bench/h2serve.mjs` on 127.0.0.1 (a free port) over HTTP/2 with a
    self-signed certificate made for this run; stopped and the certificate deleted on exit. With `http1`,
    over HTTP/1.1 instead (keep-alive, TLS), as a host without HTTP/2 serves."""
    with tempfile.TemporaryDirectory(prefix="sitebot-h2-") as tmp:
        cert, key = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        proc = subprocess.Popen(
            [NODE, str(H2SERVE), str(folder), "0", str(cert), str(key), *(["http1"] if http1 else [])],
            stdout=subprocess.PIPE,
            text=True,
            env={
                **os.environ,
                "SITEBOT_SERVE_HEADERS": json.dumps({"types": TYPES, "immutable": IMMUTABLE, "fresh": FRESH}),
            },
        )
        try:
            line = proc.stdout.readline() if proc.stdout else ""
            if not line.strip().isdigit():
                raise RuntimeError(f"{H2SERVE.name} did not start (exit {proc.poll()}, said {line!r})")
            yield Served(
                origin=f"https://127.0.0.1:{int(line)}/",
                label=HTTPS1_LABEL if http1 else H2_LABEL,
                protocol="http/1.1" if http1 else "h2",
                browser={
                    "args": [f"--ignore-certificate-errors-spki-list={spki_pin(cert)}"],
                    "ignore_https_errors": True,
                },
            )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def check_protocol(page: Any, protocol: str) -> int:
    """Raise unless every response the page and its workers fetched over the network came over `protocol`;
    returns how many were checked. Call it before the page closes (its timelines go with it). Resource
    Timing keeps 250 entries per timeline by default: the first 250 (the load and first answer) are checked."""
    seen = page.evaluate(PROTOCOLS_JS)
    for worker in page.workers:
        seen += worker.evaluate(PROTOCOLS_JS)
    wrong = [(url, got) for url, got in seen if got != protocol]
    if not seen or wrong:
        raise RuntimeError(
            f"expected every response over {protocol}, got {len(wrong)} of {len(seen)} otherwise, e.g. {wrong[:3]}"
            if seen
            else f"no response to check the protocol of (expected {protocol})"
        )
    return len(seen)
