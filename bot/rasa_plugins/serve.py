"""Starts Rasa (`python -m bot.rasa_plugins.serve run ...`) with its API token from the environment.

`rasa run --auth-token <token>` would show the token to every user of the machine (`ps`), so the
launcher passes the arguments without it and this wrapper appends RASA_AUTH_TOKEN inside the
process: `sys.argv` is a copy, `/proc/<pid>/cmdline` keeps what the launcher passed. Rasa's HTTP
API takes the token only as `?token=`, so every log record of the process is scrubbed of it.
"""

from __future__ import annotations

import os
import sys

from bot.logs import install_secret_scrubbing


def rasa_arguments(argv: list[str], token: str) -> list[str]:
    """Rasa's command line: the given arguments, plus the token when the HTTP API is on."""
    if any(a == "--auth-token" or a.startswith("--auth-token=") for a in argv):
        raise SystemExit("pass the API token in RASA_AUTH_TOKEN, not on the command line")
    if "--enable-api" not in argv:
        return list(argv)
    if not token:
        raise SystemExit("RASA_AUTH_TOKEN is empty: Rasa's HTTP API would answer anyone")
    return [*argv, "--auth-token", token]


def main() -> None:
    install_secret_scrubbing()
    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:], os.environ.get("RASA_AUTH_TOKEN", "").strip())]
    from rasa.__main__ import main as rasa_main

    from bot.config import load_settings
    from bot.rasa_plugins import (
        action_faults,
        admission,
        context,
        events,
        gc_freeze,
        graph_runner,
        input_guard,
        model_swap,
        sessions,
        slot_extraction,
        tracker_store,
        validation,
    )

    settings = load_settings()
    tracker_store.install()  # a database error is an error the channel reports, not a silent in-memory fallback
    validation.install()  # one compiled validator for action-server responses (bot/rasa_plugins/validation.py)
    sessions.install()  # kept-alive sessions per endpoint; action calls reuse each event's JSON
    slot_extraction.install()  # the journey's slot mapping once per message, in this process (no round trip)
    events.install()  # an event's class looked up once per type name
    context.install()  # the NLU reads a message with the visitor's previous one (short follow-ups)
    input_guard.install()  # a typed "/intent{...}" is words: only our own buttons' payloads set intents
    graph_runner.install()  # the model's graphs run node by node in a fixed order, without dask's scheduling
    action_faults.install(settings.action_timeout_s)  # a hung or dead action server: an apology, not silence
    admission.install(settings.message_concurrency)  # a few messages at a time, the rest in order
    gc_freeze.install()  # the model's objects out of the collector's reach: no long pauses under load
    model_swap.install()  # PUT /model reads the new model in a thread: the chat goes on meanwhile

    rasa_main()


if __name__ == "__main__":
    main()
