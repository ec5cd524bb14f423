"""Run the crawl's asyncio loop in a worker thread, with its callbacks on the caller's thread.

    bridge = Bridge(buffer=8)
    result = bridge.run(main, on_page, progress)   # main() is the crawl's coroutine

A slow on_page (extracting, embedding) must never stall requests in flight or trip their
timeouts, so the loop gets its own thread. Pages cross over through a queue; at most
`buffer` of them wait for on_page before the crawl waits too, which bounds memory.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Bridge(Generic[Item]):
    def __init__(self, buffer: int) -> None:
        self._events: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
        # Items handed over but not yet through on_item (asyncio primitives bind to a loop on first use).
        self._slots = asyncio.Semaphore(buffer)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[object] | None = None
        self._stopped = threading.Event()

    def run(
        self,
        main: Callable[[], Awaitable[Result]],
        on_item: Callable[[Item], None],
        progress: Callable[[str, int, int | None], None] | None,
    ) -> Result:
        """Run main() in a worker thread; call on_item and progress here until it returns (or raises)."""
        worker = threading.Thread(target=self._thread_main, args=(main,), name="sitebot-crawl", daemon=True)
        worker.start()
        try:
            while True:
                kind, value = self._events.get()
                if kind == "item":
                    try:
                        on_item(value)  # type: ignore[arg-type]
                    finally:
                        self._call_soon(self._slots.release)
                elif kind == "progress":
                    if progress is not None:
                        progress(*value)  # type: ignore[misc]
                elif kind == "done":
                    return value  # type: ignore[return-value]
                else:
                    raise value  # type: ignore[misc]
        finally:
            # on_item raised (or the caller was interrupted): stop the crawl before returning.
            self._stopped.set()
            self._call_soon(self._cancel)
            worker.join()

    def progress(self, stage: str, n: int = 1) -> None:
        """Report progress (from the loop's thread)."""
        self._events.put(("progress", (stage, n, None)))

    async def emit(self, item: Item) -> None:
        """Hand an item to on_item, waiting while `buffer` items are already waiting."""
        await self._slots.acquire()  # released by the caller's thread once on_item returns
        self._events.put(("item", item))

    def _thread_main(self, main: Callable[[], Awaitable[Result]]) -> None:
        try:
            result = asyncio.run(self._main(main))
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread and raised there
            self._events.put(("error", e))
        else:
            self._events.put(("done", result))

    async def _main(self, main: Callable[[], Awaitable[Result]]) -> Result:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        if self._stopped.is_set():
            raise asyncio.CancelledError
        return await main()

    def _call_soon(self, fn: Callable[[], object]) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(fn)
        except RuntimeError:  # the loop has finished and closed
            pass

    def _cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
