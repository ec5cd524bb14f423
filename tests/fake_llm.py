"""The one stand-in this project allows: a local LLM server on 127.0.0.1 that speaks
OpenAI Chat Completions (`POST /v1/chat/completions`) and Anthropic Messages
(`POST /v1/messages`) with SSE streaming, answers CORS preflights, and records every
request. No test reaches a real provider.

    def test_x(fake_llm):
        fake_llm.script(Reply("Plus costs 19 euros a month [1].", chunks=8, delay=0.05))
        ...  # point settings.llm.endpoint at fake_llm.openai or fake_llm.anthropic
        body = fake_llm.posts[-1].body

A reply streams its text in `chunks` deltas, `delay` seconds apart, each SSE event
written in two pieces (so events arrive split across reads), or fails: `status` (401,
429, 500…), `hang` (no more bytes after `after` deltas), `broken` (the connection is
closed after `after` deltas, mid-stream, without the end marker), `end_marker=False`
(the stream ends cleanly but without [DONE] / message_stop).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from loopback import CorsHandler, LoopbackServer

OPENAI_PATH = "/v1/chat/completions"
ANTHROPIC_PATH = "/v1/messages"


@dataclass
class Reply:
    """What the server answers to the next POST (the last one scripted repeats)."""

    text: str = "Hello from the fake model."
    chunks: int = 6
    delay: float = 0.03
    status: int = 200
    hang: bool = False
    broken: bool = False
    after: int = 0  # deltas sent before a hang or a break
    end_marker: bool = True


@dataclass
class Recorded:
    """One request as the server saw it; `headers` keys are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any = None
    deltas_sent: int = 0
    completed: bool = False  # the whole stream, end marker included, was written
    disconnected: bool = False  # the client went away while the stream was being written


class FakeLLM:
    """The server's state: the scripted replies and the recorded requests."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._replies: list[Reply] = [Reply()]
        self._lock = threading.Lock()
        self._release = threading.Event()  # ends hung replies
        self.url = ""

    @property
    def openai(self) -> str:
        return self.url.rstrip("/") + OPENAI_PATH

    @property
    def anthropic(self) -> str:
        return self.url.rstrip("/") + ANTHROPIC_PATH

    @property
    def posts(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST"]

    def script(self, *replies: Reply) -> None:
        """Answer the next POSTs with these replies in turn; the last one repeats."""
        with self._lock:
            self._replies = list(replies) or [Reply()]

    def reset(self) -> None:
        self._release.set()  # hung handlers of the previous test return
        with self._lock:
            self.requests.clear()
            self._replies = [Reply()]
        self._release = threading.Event()

    def wait_for_posts(self, n: int, timeout: float = 10) -> list[Recorded]:
        end = time.monotonic() + timeout
        while len(self.posts) < n:
            if time.monotonic() > end:
                raise AssertionError(f"the fake LLM got {len(self.posts)} POST requests, expected {n}")
            time.sleep(0.01)
        return self.posts

    def _next(self) -> tuple[Reply, threading.Event]:
        with self._lock:
            reply = self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]
            return reply, self._release

    def _record(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)


def _pieces(text: str, n: int) -> list[str]:
    if not text:
        return [""]
    size = -(-len(text) // max(1, min(n, len(text))))
    return [text[i : i + size] for i in range(0, len(text), size)]


def _openai_events(deltas: list[str], end_marker: bool) -> tuple[list[str], list[str], list[str]]:
    """(events before the text, one event per delta, events after) as SSE text."""

    def chunk(delta: dict[str, str], finish: str | None = None) -> str:
        body = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "model": "fake",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return "data: " + json.dumps(body) + "\n\n"

    tail = [chunk({}, "stop")] + (["data: [DONE]\n\n"] if end_marker else [])
    return [chunk({"role": "assistant", "content": ""})], [chunk({"content": d}) for d in deltas], tail


def _anthropic_events(deltas: list[str], end_marker: bool) -> tuple[list[str], list[str], list[str]]:
    event = lambda name, data: f"event: {name}\ndata: {json.dumps({'type': name, **data})}\n\n"  # noqa: E731
    head = [
        event(
            "message_start",
            {
                "message": {
                    "id": "msg_fake",
                    "type": "message",
                    "role": "assistant",
                    "content": [],
                    "model": "fake",
                    "usage": {"input_tokens": 1},
                }
            },
        ),
        event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
        event("ping", {}),
    ]
    body = [event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": d}}) for d in deltas]
    tail = [
        event("content_block_stop", {"index": 0}),
        event("message_delta", {"delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 9}}),
    ]
    return head, body, tail + ([event("message_stop", {})] if end_marker else [])


class _Handler(CorsHandler):
    preflight_max_age = "0"

    def do_OPTIONS(self) -> None:  # noqa: N802 - stdlib name
        self.server.fake._record(Recorded("OPTIONS", self.path, self._headers()))
        self.send_response(204)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        rec = Recorded("POST", self.path, self._headers(), body)
        self.server.fake._record(rec)
        anthropic = self.path == ANTHROPIC_PATH
        if self.path not in (OPENAI_PATH, ANTHROPIC_PATH):
            return self._json(404, {"error": {"message": f"no route {self.path}"}})
        reply, release = self.server.fake._next()
        if reply.status != 200:
            error = (
                {"type": "error", "error": {"type": "api_error", "message": f"fake failure {reply.status}"}}
                if anthropic
                else {"error": {"message": f"fake failure {reply.status}", "type": "api_error"}}
            )
            return self._json(reply.status, error)
        self.send_response(200)
        self._cors()
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        head, deltas, tail = (_anthropic_events if anthropic else _openai_events)(
            _pieces(reply.text, reply.chunks), reply.end_marker
        )
        try:
            for event in head:
                self._chunk(event)
            for i, event in enumerate(deltas):
                if (reply.hang or reply.broken) and i == reply.after:
                    break
                time.sleep(reply.delay)
                half = len(event) // 2  # one event in two pieces: the reader must join them
                self._chunk(event[:half])
                time.sleep(reply.delay / 4)
                self._chunk(event[half:])
                rec.deltas_sent += 1
            else:
                for event in tail:
                    self._chunk(event)
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                rec.completed = True
                return
            if reply.hang:
                release.wait(60)  # no byte more, until the test ends
            # broken (or a hang released): drop the connection without the last chunk
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        except (BrokenPipeError, ConnectionResetError, OSError):
            rec.disconnected = True
            self.close_connection = True

    def _chunk(self, text: str) -> None:
        data = text.encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def start_fake_llm() -> tuple[FakeLLM, LoopbackServer]:
    """A FakeLLM serving on 127.0.0.1 in a daemon thread; close the server after use."""
    fake = FakeLLM()
    # quiet_errors: a client that stopped reading or hung up is what the tests provoke.
    server = LoopbackServer(_Handler, quiet_errors=True, fake=fake)
    fake.url = server.url + "/"
    return fake, server


@pytest.fixture(scope="session")
def fake_llm_server() -> Iterator[FakeLLM]:
    """One fake LLM for the whole run (its URL can go into bundles built once)."""
    fake, server = start_fake_llm()
    yield fake
    fake.reset()
    server.close()


@pytest.fixture
def fake_llm(fake_llm_server: FakeLLM) -> Iterator[FakeLLM]:
    """The fake LLM with no recorded requests and the default reply; hung replies end after the test."""
    fake_llm_server.reset()
    yield fake_llm_server
    fake_llm_server.reset()
