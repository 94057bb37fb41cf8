"""At most `MESSAGE_CONCURRENCY` visitors' messages are processed at once by one Rasa process; the others wait for
their turn in the order they came.

Without a limit, every message that arrives is started at once, and all of them share the process's one event loop
in small slices. Under 50 visitors that stretched each message over every other one's work: a turn that needs three
calls to the action server (a form, a handoff) waited a full round of 25 messages after each call and took three to
four times as long as a simple one (p95 2.1 s against p50 0.55 s, docs/benchmarks.md). With a few messages at a time,
each one, once started, runs almost alone: what a visitor waits for is mostly their place in the queue, the same for
a simple and a long turn. A limit above one keeps the processor busy while some messages wait for the action server
or the database.
"""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType


class FifoGate:
    """An asyncio semaphore that admits waiters strictly in the order they came (Python 3.10's lets a newcomer in
    ahead of one it just woke)."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("the limit must be at least 1")
        self.limit = limit
        self._active = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    @property
    def active(self) -> int:
        return self._active

    @property
    def waiting(self) -> int:
        return sum(not f.done() for f in self._waiting)

    async def __aenter__(self) -> None:
        if self._active < self.limit and not self._waiting:
            self._active += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await turn  # resolved by a leaving message, which hands its place over
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # the place was handed over just before: pass it on
                self._leave()
            else:
                self._waiting.remove(turn)
            raise

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:  # fmt: skip
        self._leave()

    def _leave(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the place goes to the longest waiting message
                return
        self._active -= 1


_gate: FifoGate | None = None


def gate() -> FifoGate | None:
    """The process's gate; None without a limit."""
    return _gate


def install(limit: int) -> None:
    """Called once when our Rasa process starts, with `MESSAGE_CONCURRENCY` (0: no limit)."""
    global _gate
    _gate = FifoGate(limit) if limit > 0 else None
