"""The objects a Rasa process holds from its start (the model, TensorFlow, spaCy-free pipelines: about 540,000 of
them) are moved out of the garbage collector's reach once the model is loaded (`gc.freeze()`).

Python's collector walks every tracked object on each full collection. Under 50 visitors a replica ran one about
every ten seconds, each pausing the process, and every conversation it was serving, for up to 0.38 s (issue 14,
docs/benchmarks.md). Frozen objects are still freed by reference counting; only a reference cycle among them
would outlive the process, and those were made once, at start.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

logger = logging.getLogger(__name__)


def freeze_startup_objects() -> int:
    """Collects what start-up left over, then freezes the rest; returns how many objects were frozen."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.info("Froze %d start-up objects for the garbage collector in %.2f s", frozen, time.perf_counter() - started)
    return frozen


def install() -> None:
    """Rasa loads its model in a `before_server_start` listener named at the time the server starts; this wraps it so
    that the objects are frozen right after the model is in memory, before the first message."""
    import rasa.core.run

    load = rasa.core.run.load_agent_on_start
    if getattr(load, "freezes_startup_objects", False):
        return

    async def load_agent_on_start(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        freeze_startup_objects()
        return agent

    load_agent_on_start.freezes_startup_objects = True  # type: ignore[attr-defined]
    rasa.core.run.load_agent_on_start = load_agent_on_start  # type: ignore[assignment]
