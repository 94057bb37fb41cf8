"""At most N messages at once, the others in the order they came (bot/rasa_plugins/admission.py), on a real event
loop."""

from __future__ import annotations

import asyncio

import pytest

from bot.rasa_plugins.admission import FifoGate


def test_no_more_than_the_limit_run_at_once_and_the_rest_start_in_arrival_order() -> None:
    gate = FifoGate(3)
    running, most, started = 0, 0, []

    async def message(n: int) -> None:
        nonlocal running, most
        async with gate:
            started.append(n)
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.01 * (1 + n % 4))  # turns of different lengths
            running -= 1

    async def main() -> None:
        tasks = []
        for n in range(20):
            tasks.append(asyncio.create_task(message(n)))
            await asyncio.sleep(0)  # each arrives after the one before
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert most == 3
    assert started == list(range(20))
    assert gate.active == 0 and gate.waiting == 0


def test_a_newcomer_does_not_overtake_a_waiting_message() -> None:
    gate = FifoGate(1)
    order: list[str] = []

    async def message(name: str, hold: float) -> None:
        async with gate:
            order.append(name)
            await asyncio.sleep(hold)

    async def main() -> None:
        first = asyncio.create_task(message("first", 0.05))
        await asyncio.sleep(0.01)
        waiting = asyncio.create_task(message("waiting", 0.0))
        await asyncio.sleep(0.01)
        await first  # leaves; the place goes to the waiting one, not to a message arriving right now
        newcomer = asyncio.create_task(message("newcomer", 0.0))
        await asyncio.gather(waiting, newcomer)

    asyncio.run(main())
    assert order == ["first", "waiting", "newcomer"]


def test_a_message_given_up_while_waiting_does_not_keep_a_place() -> None:
    gate = FifoGate(1)
    done: list[int] = []

    async def message(n: int) -> None:
        async with gate:
            await asyncio.sleep(0.02)
            done.append(n)

    async def main() -> None:
        tasks = [asyncio.create_task(message(n)) for n in range(4)]
        await asyncio.sleep(0.005)
        tasks[1].cancel()  # the visitor went away while waiting
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())
    assert done == [0, 2, 3]
    assert gate.active == 0 and gate.waiting == 0


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        FifoGate(0)
