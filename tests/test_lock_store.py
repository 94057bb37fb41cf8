"""The cluster's Redis lock store (bot/rasa_plugins/lock_store.py) against a real redis-server: two replicas' stores
take one conversation's lock one after the other, in the order the messages came, and a waiting message goes on
soon after the earlier one is done; a dead holder's ticket expires; a stopped Redis is a clear error, not a hang."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.lock_store import LockError

from bot.rasa_plugins.lock_store import AtomicRedisLockStore
from tests.running_bot import free_port


@pytest.fixture()
def redis_port(tmp_path: Path) -> Iterator[int]:
    if shutil.which("redis-server") is None:  # make test installs it with apt as root
        (pytest.fail if os.environ.get("CI") else pytest.skip)("needs Debian's redis-server (make services)")
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    store = AtomicRedisLockStore(host="127.0.0.1", port=port, socket_timeout=1)
    deadline = time.monotonic() + 10
    while True:
        try:
            store.red.ping()
            break
        except Exception:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield port
    os.kill(process.pid, signal.SIGCONT)
    process.kill()
    process.wait()


def replica(port: int) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=port, socket_timeout=1)


def test_two_replicas_take_a_conversations_lock_one_after_the_other_in_order(redis_port: int) -> None:
    stores = [replica(redis_port) for _ in range(2)]
    log: list[tuple[str, int, float]] = []

    async def message(n: int, store: AtomicRedisLockStore, delay: float) -> None:
        await asyncio.sleep(delay)
        async with store.lock("visitor-1"):
            log.append(("in", n, time.monotonic()))
            await asyncio.sleep(0.2)  # processing the message
            log.append(("out", n, time.monotonic()))

    async def main() -> None:
        await asyncio.gather(*(message(n, stores[n % 2], 0.01 * n) for n in range(6)))

    asyncio.run(main())
    assert [(kind, n) for kind, n, _ in log] == [(kind, n) for n in range(6) for kind in ("in", "out")]
    # each message waited for the one before it, and went on within a tenth of a second of its end
    gaps = [log[i + 1][2] - log[i][2] for i in range(1, len(log) - 1, 2)]
    assert max(gaps) < 0.1, gaps
    assert stores[0].get_lock("visitor-1") is None  # nothing left in Redis


def test_other_conversations_do_not_wait(redis_port: int) -> None:
    store = replica(redis_port)
    entered: list[float] = []

    async def message(conversation: str) -> None:
        async with store.lock(conversation):
            entered.append(time.monotonic())
            await asyncio.sleep(0.3)

    async def main() -> float:
        started = time.monotonic()
        await asyncio.gather(*(message(f"visitor-{n}") for n in range(5)))
        return started

    started = asyncio.run(main())
    assert max(entered) - started < 0.1


def test_a_held_lock_is_in_rasas_own_format_and_a_dead_holders_ticket_expires(redis_port: int) -> None:
    store, other = replica(redis_port), replica(redis_port)
    # a replica that took the lock and died: its ticket was never returned
    assert store.issue_ticket("visitor-2", lock_lifetime=0.5) == 0
    held = other.get_lock("visitor-2")  # Rasa's own reading of the lock
    assert held is not None and held.now_serving == 0 and held.last_issued == 0

    async def main() -> float:
        started = time.monotonic()
        async with other.lock("visitor-2"):
            return time.monotonic() - started

    waited = asyncio.run(main())
    assert 0.3 < waited < 1.0


def test_a_stopped_redis_is_a_clear_error_within_its_timeout(redis_port: int) -> None:
    store = replica(redis_port)
    pid = int(subprocess.check_output(["pgrep", "-f", f"redis-server 127.0.0.1:{redis_port}"]).split()[0])
    os.kill(pid, signal.SIGSTOP)

    async def main() -> None:
        async with store.lock("visitor-3"):
            pass

    started = time.monotonic()
    with pytest.raises(LockError):
        asyncio.run(main())
    assert time.monotonic() - started < 2.5
    os.kill(pid, signal.SIGCONT)

    async def again() -> bool:
        async with store.lock("visitor-3"):
            return True

    assert asyncio.run(again())
