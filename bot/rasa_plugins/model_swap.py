"""A new model (Rasa's `PUT /model`, sent by train-and-deploy, bot/content/deploy.py) loads beside the conversations.

Rasa loads the model on its event loop: for the 3–10 s that takes, the replica answers nothing, and an action call
that was waiting for the action server passes its timeout meanwhile and ends in the technical apology (seen in the
cluster test: visitors on the loading replica got "bei mir hakt es gerade"). Here the expensive part, reading the
model (`Agent.load_model`), runs in a worker thread; the event loop keeps serving the old model's conversations
(more slowly, as both share the interpreter) until the new one is in place.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

logger = logging.getLogger(__name__)


def install() -> None:
    import rasa.core.agent
    import rasa.core.lock_store
    import rasa.core.tracker_store
    import rasa.server

    original = rasa.server._load_agent

    async def load_beside(model_path: Any = None, model_server: Any = None, remote_storage: Any = None,
                          endpoints: Any = None) -> Any:  # fmt: skip
        if model_server is not None or remote_storage is not None or not model_path:
            return await original(model_path, model_server, remote_storage, endpoints)
        started = time.monotonic()
        agent = rasa.core.agent.Agent(
            generator=endpoints.nlg if endpoints else None,
            tracker_store=rasa.core.tracker_store.TrackerStore.create(endpoints.tracker_store) if endpoints else None,
            lock_store=rasa.core.lock_store.LockStore.create(endpoints.lock_store) if endpoints else None,
            action_endpoint=endpoints.action if endpoints else None,
        )  # fmt: skip
        try:
            await asyncio.get_running_loop().run_in_executor(None, agent.load_model, model_path)
        except Exception as error:
            logger.error("The model %s could not be loaded: %s", model_path, error)
            return await original(model_path, model_server, remote_storage, endpoints)  # Rasa's own error answer
        logger.info("Loaded the model %s beside the conversations in %.1f s", model_path, time.monotonic() - started)
        return agent

    rasa.server._load_agent = load_beside  # type: ignore[assignment]
