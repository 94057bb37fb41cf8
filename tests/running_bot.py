"""A running bot for end-to-end tests: action server, web app and Rasa server on free ports.

The trained model, a SQLite database in a temporary directory, and the same launcher code
`make run` uses. The `bot` fixture (tests/conftest.py) starts one for the whole test session.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.catalogue.loader import load_catalogue
from bot.config import Settings, settings_from_env
from bot.db import create_tables, make_engine, make_session_factory
from bot.launcher import Part, Stack, action_part, child_env, rasa_part, web_part

TOKEN = "test-token-" + uuid.uuid4().hex[:8]
SALES_TOKEN = "sales-token-" + uuid.uuid4().hex[:8]
ACTION_TOKEN = "action-token-" + uuid.uuid4().hex[:8]


def post_json(url: str, body: bytes, timeout: float = 30) -> tuple[int, Any]:
    """POSTs a JSON body; returns the status and the answer's JSON (an error's too, or its text if it is no JSON)."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:  # an HTML error page from a proxy
            return error.code, raw.decode(errors="replace")


def say_rest(rasa_url: str, sender: str, message: str, timeout: float = 30) -> tuple[int, Any]:
    """A visitor's message over the REST channel of the Rasa (or nginx) at `rasa_url`: the status and the replies."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    return post_json(f"{rasa_url}/webhooks/rest/webhook", body, timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Bot:
    def __init__(self, settings: Settings, env: dict[str, str], log_dir: Path) -> None:
        self.settings = settings
        self.env = env
        self.spare_web_port = 0
        self.actions = action_part(settings)
        self.web = web_part(settings)
        self.rasa = rasa_part(settings)
        for part in (self.actions, self.web, self.rasa):
            part.log = log_dir / part.log.name
        self.stack = Stack([self.actions, self.web, self.rasa])

    def say(self, sender: str, message: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        payload = {"sender": sender, "message": message} | ({"metadata": metadata} if metadata is not None else {})
        body = json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.settings.rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return list(json.loads(response.read()))

    def tracker(self, sender: str, token: str = TOKEN) -> dict[str, Any]:
        """The stored conversation, as Rasa's HTTP API returns it (slots, events, ...)."""
        url = f"{self.settings.rasa_url}/conversations/{sender}/tracker?token={token}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return dict(json.loads(response.read()))

    def slots(self, sender: str, token: str = TOKEN) -> dict[str, Any]:
        return dict(self.tracker(sender, token)["slots"])

    def api(self, path: str, token: str | None = SALES_TOKEN, method: str = "GET", body: Any = None) -> Any:
        headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://localhost:{self.settings.web_port}{path}", data=data,
                                         headers=headers, method=method)  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def handoffs(self, sender: str) -> list[dict[str, Any]]:
        return list(self.api(f"/api/handoffs?conversation_id={sender}"))

    def restart_rasa(self) -> None:
        self.rasa.stop()
        fresh = Part(self.rasa.name, self.rasa.command, self.rasa.health_url, self.rasa.log)
        fresh.start(self.env)
        fresh.wait_ready(__import__("time").monotonic() + 120)
        self.stack.parts[-1] = self.rasa = fresh


def running_bot(tmp_path_factory: pytest.TempPathFactory, extra_env: dict[str, str] | None = None) -> Iterator[Bot]:
    """A bot of its own; `extra_env` adds or overrides settings (copies of editor files to change, say)."""
    workdir = tmp_path_factory.mktemp("bot")
    # spare_web_port: a second web app that a test may start (the chat accepts its origin too).
    rasa_port, web_port, spare_web_port = free_port(), free_port(), free_port()
    env_values = {
        "RASA_AUTH_TOKEN": TOKEN,
        "SALES_API_TOKEN": SALES_TOKEN,
        "ACTION_SERVER_TOKEN": ACTION_TOKEN,
        "RASA_HOST": "localhost",
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(free_port()),
        "WEB_PORT": str(web_port),
        "CORS_ORIGINS": f"http://localhost:{web_port},http://localhost:{spare_web_port}",
        "CHAT_SOCKET_URL": f"http://localhost:{rasa_port}",
        "DATABASE_URL": f"sqlite:///{workdir / 'journey.db'}",
        "DEFAULT_LANGUAGE": "de",
        "WIDGET_CONNECT_ON": "",  # the default, whatever a developer's .env says
    } | (extra_env or {})
    settings = settings_from_env(env_values)
    engine = make_engine(settings.database_url)
    create_tables(engine)
    load_catalogue(make_session_factory(engine))
    env = child_env(settings) | env_values
    bot = Bot(settings, env, workdir)
    bot.spare_web_port = spare_web_port
    bot.stack.start(env)
    try:
        yield bot
    finally:
        bot.stack.stop()
        if os.environ.get("CI"):
            for part in bot.stack.parts:
                print(f"--- {part.log} (tail)\n" + "\n".join(part.log.read_text(errors="replace").splitlines()[-20:]))


def texts(replies: list[dict[str, Any]]) -> str:
    return " ".join(r.get("text") or "" for r in replies)


def new_sender() -> str:
    return "e2e-" + uuid.uuid4().hex[:10]
