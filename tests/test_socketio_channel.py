"""The website widget's channel (socket.io) on the running bot, spoken by a real socket.io client.

What rasa-webchat does in the browser, step by step: ask for a session, send the hidden
`/page_view` with the page context, type a message, come back on a reload with the same
session id. tests/test_website_browser.py then shows the same in headless Chromium.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import socketio

from bot.launcher import MODEL
from bot.website import load_site
from tests.running_bot import Bot

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")

PRICING_DE = {"path": "/preise", "title": "Preise | Wattwerk", "referrer": "", "utm": {"source": "linkedin"},
              "language": "de-DE", "page_language": "de"}  # fmt: skip


class Widget:
    """A socket.io client that behaves like rasa-webchat (session_persistence, customData).

    It uses HTTP long-polling: engine.io's WebSocket client needs a newer aiohttp than Rasa pins.
    The browser test uses WebSockets.
    """

    def __init__(self, bot: Bot, origin: str) -> None:
        self.bot = bot
        self.origin = origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.client.on("bot_uttered", self.received.put)
        self.client.on("session_confirm", self.confirmed.put)
        self.session_id = ""

    async def open(self, session_id: str | None = None) -> str:
        await self.client.connect(self.bot.settings.rasa_url, headers={"Origin": self.origin},
                                  transports=["polling"], socketio_path="/socket.io", wait_timeout=10)  # fmt: skip
        await self.client.emit("session_request", {"session_id": session_id})
        self.session_id = await asyncio.wait_for(self.confirmed.get(), 10)
        return self.session_id

    async def send(self, message: str, page: dict[str, Any]) -> None:
        await self.client.emit("user_uttered", {"message": message, "customData": {"page": page},
                                                "session_id": self.session_id})  # fmt: skip

    async def answers(self, count: int) -> list[str]:
        return [str((await asyncio.wait_for(self.received.get(), 30)).get("text")) for _ in range(count)]

    async def close(self) -> None:
        # Without abort, the client waits for the open long-poll request to end (up to 25 s).
        await self.client.eio.disconnect(abort=True)


def origin(bot: Bot) -> str:
    return f"http://localhost:{bot.settings.web_port}"


def test_the_widget_channel_shows_the_privacy_notice_once_and_greets_each_page_once(bot: Bot) -> None:
    site = load_site(bot.settings.website_file)

    async def visit() -> tuple[str, list[str], list[str]]:
        first = Widget(bot, origin(bot))
        session_id = await first.open()
        await first.send("/page_view", PRICING_DE)
        greeted = await first.answers(2)
        await first.close()
        # A reload of the same page: same session id, no second greeting or notice.
        again = Widget(bot, origin(bot))
        assert await again.open(session_id) == session_id
        await again.send("/page_view", PRICING_DE | {"referrer": origin(bot) + "/"})
        await again.send("Was kostet Wattwerk Home?", PRICING_DE)
        answered = await again.answers(1)
        await again.close()
        return session_id, greeted, answered

    session_id, (notice, greeting), (answer,) = asyncio.run(visit())
    assert "Datenschutz" in notice and f"({origin(bot)}/datenschutz)" in notice
    assert greeting == site.page("pricing", "de").greeting
    assert answer.startswith("Das kostet Wattwerk Home:  \n"), "line breaks become Markdown hard breaks"
    slots = bot.slots(session_id)
    assert (slots["greeted_pages"], slots["privacy_notice_shown"]) == (["pricing"], True)
    assert (slots["journey_phase"], slots["touchpoint"], slots["language"]) == ("decision", "social", "de")


def test_an_english_browser_is_greeted_in_english_on_a_german_page_and_empty_messages_are_ignored(bot: Bot) -> None:
    site = load_site(bot.settings.website_file)

    async def visit() -> list[str]:
        widget = Widget(bot, origin(bot))
        await widget.open()
        await widget.send("/page_view", {"path": "/", "language": "en-GB", "page_language": "de"})
        greeted = await widget.answers(2)
        await widget.client.emit("user_uttered", {"message": None, "session_id": widget.session_id})  # init payload
        await widget.send("How much does Wattwerk Home cost?", {"path": "/", "language": "en-GB"})
        greeted += await widget.answers(1)
        await widget.close()
        return greeted

    notice, greeting, answer = asyncio.run(visit())
    assert answer.startswith("This is what Wattwerk Home costs"), "an empty message gets no answer"
    assert notice.startswith("A quick note on privacy") and f"({origin(bot)}/en/privacy)" in notice
    assert greeting == site.page("home", "en").greeting


def test_a_website_on_another_origin_cannot_open_the_chat(bot: Bot) -> None:
    async def connect(origin: str) -> str:
        client = socketio.AsyncClient(reconnection=False)
        outcome: asyncio.Queue[str] = asyncio.Queue()
        client.on("connect", lambda: outcome.put_nowait("connected"))
        client.on("connect_error", lambda data: outcome.put_nowait("refused"))
        # wait=False: on a refusal, connect() itself would wait for the long-poll request to end.
        await client.connect(bot.settings.rasa_url, headers={"Origin": origin}, transports=["polling"], wait=False)
        try:
            return await asyncio.wait_for(outcome.get(), 10)
        finally:
            await client.eio.disconnect(abort=True)

    assert asyncio.run(connect("http://evil.example")) == "refused"
    assert asyncio.run(connect(origin(bot))) == "connected"
