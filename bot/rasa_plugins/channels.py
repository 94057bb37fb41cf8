"""The REST and socket.io channels: tolerant of clients that send the message as something other than a string,
strict about requests that carry no message at all."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import load_settings

logger = logging.getLogger(__name__)


def message_text(raw: Any) -> str | None:
    """The visitor's words from a `message` field of any JSON type.

    A text stays as it is. Some clients (and YAML files with an unquoted "Ruft mich an: ...")
    turn a message with a colon into an object; its keys and values are joined back into
    the sentence, so nothing the visitor wrote is lost. Numbers become their text.
    """
    if raw is None or isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "ja" if raw else "nein"
    if isinstance(raw, int | float):
        return str(raw)
    if isinstance(raw, dict):
        return " ".join(f"{key}: {message_text(value) or ''}".strip() for key, value in raw.items())
    if isinstance(raw, list):
        return " ".join(filter(None, (message_text(item) for item in raw)))
    return str(raw)


#: the largest REST request body accepted (a chat message is a few hundred bytes)
MAX_BODY_BYTES = 64 * 1024
#: the longest sender id accepted (the widget's are 32 characters)
MAX_SENDER_CHARS = 256

#: what a REST client did wrong, in English and German: (status, code, English, German)
_PROBLEMS = {
    "too_large": (413, "the request body is larger than 64 KB", "die Anfrage ist größer als 64 KB"),
    "empty": (400, "the request body is empty; send JSON like {\"sender\": \"id\", \"message\": \"Hallo\"}",
              "die Anfrage ist leer; senden Sie JSON wie {\"sender\": \"id\", \"message\": \"Hallo\"}"),
    "not_json": (400, "the request body is not JSON", "die Anfrage ist kein JSON"),
    "not_object": (400, "the request body must be a JSON object with sender and message",
                   "die Anfrage muss ein JSON-Objekt mit sender und message sein"),
    "no_sender": (400, "sender is missing or not a text of at most 256 characters",
                  "sender fehlt oder ist kein Text mit höchstens 256 Zeichen"),
    "no_message": (400, "message is missing or empty", "message fehlt oder ist leer"),
}  # fmt: skip


def rest_body_problem(body: bytes) -> str | None:
    """Why a REST webhook request cannot be a visitor's message (a key of `_PROBLEMS`); None if it can."""
    if len(body) > MAX_BODY_BYTES:
        return "too_large"
    if not body.strip():
        return "empty"
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "not_json"
    if not isinstance(payload, dict):
        return "not_object"
    sender = payload.get("sender")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return "no_sender"
    if not (message_text(payload.get("message")) or "").strip():
        return "no_message"
    return None


def problem_response(problem: str) -> HTTPResponse:
    status, english, german = _PROBLEMS[problem]
    return response.json({"error": problem, "message": english, "message_de": german}, status=status)


class JourneyRestInput(RestInput):
    """Rasa's REST channel (same URL, /webhooks/rest/webhook) with `message_text` applied, and a 4xx JSON error,
    before Rasa sees it, for a request that is no visitor's message: empty, not JSON, not an object, larger than
    64 KB, without a sender or without a message. The input channel is always `rest`, whatever the body says."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def refuse_what_is_no_message(request: Request) -> HTTPResponse | None:
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            problem = rest_body_problem(request.body or b"")
            if problem is None:
                return None
            logger.info("Refused a REST request: %s", _PROBLEMS[problem][1])
            return problem_response(problem)

        return blueprint

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()  # Rasa would take it from the body: a client could pose as another channel

    async def _extract_sender(self, req: Request) -> str | None:
        sender = req.json.get("sender")
        return str(sender) if sender is not None else None

    def _extract_message(self, req: Request) -> str | None:
        raw = req.json.get("message") if isinstance(req.json, dict) else None
        text = message_text(raw)
        if raw is not None and not isinstance(raw, str):
            logger.warning("REST message was a %s, not a string; used it as text: %r", type(raw).__name__, text)
        return text

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """Page context from the website (path, title, referrer, UTM, browser language), if sent."""
        metadata = request.json.get("metadata") if isinstance(request.json, dict) else None
        return metadata if isinstance(metadata, dict) else None


class JourneySocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output with line breaks kept: the widget renders Markdown, which joins
    single lines, so each line break becomes a Markdown hard break. (Rasa already sends
    paragraphs, separated by a blank line, as separate messages.)"""

    async def _send_message(self, socket_id: str, response: Any) -> None:
        text = response.get("text") if isinstance(response, dict) else None
        if isinstance(text, str):
            response = {**response, "text": text.replace("\n", "  \n")}
        await super()._send_message(socket_id, response)


class JourneySocketIOInput(SocketIOInput):
    """Rasa's socket.io channel (for the website widget), open only to the origins in CORS_ORIGINS.

    Four changes to Rasa 3.6's channel: packets of at most 64 KB (engine.io's default is 1 MB), and three in its
    socket.io event handlers:
    - Origins: Rasa turns engine.io's origin check off (`cors_allowed_origins=[]`) and leaves
      CORS to the server's `--cors` setting. That covers the browser's HTTP requests, but not
      WebSockets, which browsers open to any server. `connect` here refuses a connection whose
      Origin is not in CORS_ORIGINS (read when the server starts; `*` allows every origin).
    - Session persistence: Rasa's `session_request` calls python-socketio 5's `enter_room`
      without awaiting it (RasaHQ/rasa#13027), so the socket never joins the session's room
      and the bot's answers, sent to that room, never arrive. It is awaited here.
    - Messages: answers go through `JourneySocketIOOutput`; a message that is not a string or
      has unreadable metadata is still handled (as text, without the metadata) and logged; an
      empty message is ignored.
    """

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> OutputChannel | None:
        return JourneySocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        assert self.sio is not None
        self.sio.eio.max_http_buffer_size = MAX_BODY_BYTES  # a larger packet closes the connection, as on REST
        namespace = self.namespace or "/"
        rasa_connect = self.sio.handlers[namespace]["connect"]
        settings = load_settings()
        allowed = frozenset(settings.cors_origins)
        if settings.replica:  # cluster mode: nginx routes a session by the replica its id starts with
            make_id = self.sio.eio.generate_id
            self.sio.eio.generate_id = lambda: f"{settings.replica}-{make_id()}"
        refused: set[str] = set()  # logged once each, up to 100 origins

        async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any] | None = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin and "*" not in allowed and origin not in allowed:
                if origin not in refused and len(refused) < 100:
                    refused.add(origin)
                    logger.warning("Refused socket.io connections from %s: not in CORS_ORIGINS", origin)
                return False
            return bool(await rasa_connect(sid, environ, auth))

        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            session_id = (data or {}).get("session_id") or uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        async def handle_message(sid: str, data: dict[str, Any]) -> None:
            if not isinstance(data, dict):
                logger.warning("Ignored a socket.io message that is not an object: %r", data)
                return
            sender_id = data.get("session_id") if self.session_persistence else sid
            if not sender_id:
                logger.warning("Ignored a socket.io message without a session_id (send session_request first)")
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except json.JSONDecodeError as exc:
                    logger.warning("socket.io message metadata is not JSON (%s); handled without it", exc)
                    metadata = {}
            raw = data.get("message")
            text = message_text(raw) or ""
            if raw is not None and not isinstance(raw, str):
                logger.warning("socket.io message was a %s, not a string; used as text: %r", type(raw).__name__, text)
            if not text.strip():
                # rasa-webchat sends its init payload, unset here, when the chat is open as it connects.
                logger.debug("Ignored an empty socket.io message from %s", sender_id)
                return
            output = JourneySocketIOOutput(sio, self.bot_message_evt)
            metadata = metadata if isinstance(metadata, dict) else {}
            await on_new_message(UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata))

        sio = self.sio
        sio.on("connect", connect, namespace=self.namespace)
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        logger.info("socket.io accepts connections from %s", ", ".join(sorted(allowed)))
        return blueprint
