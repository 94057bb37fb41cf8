"""The REST and socket.io channels: tolerant of clients that send the message as something other than a string,
strict about requests that carry no message at all."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

import socketio
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import load_settings
from bot.rasa_plugins import admission

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
    "unavailable": (503, "the message could not be processed right now (the server log says why, e.g. the database "
                    "or the lock store unreachable); please send it again in a moment",
                    "die Nachricht konnte gerade nicht verarbeitet werden (warum, steht im Server-Log, z. B. "
                    "Datenbank oder Lock-Store nicht erreichbar); bitte gleich noch einmal senden"),
}  # fmt: skip

#: what a visitor in the widget reads when their message could not be processed at all (the conversation, and so
#: its language, cannot be read then): both languages
UNAVAILABLE_TEXT = ("Entschuldigung, gerade kann ich Ihre Nachricht nicht verarbeiten. Bitte senden Sie sie in einem "
                    "Moment noch einmal. / Sorry, I can't process your message right now. Please send it again in a "
                    "moment.")  # fmt: skip

#: per REST request: why its message could not be processed, if it could not (set by the request middleware)
_failures: ContextVar[list[str] | None] = ContextVar("journey_rest_failures", default=None)


def failure_reason(error: BaseException) -> str:
    """One line on why Rasa could not process a message: the lock store or the database unreachable, or else."""
    name = type(error).__name__
    if name in ("LockError", "ConnectionException") or "lock" in str(error).lower():
        return f"lock store unavailable ({name}: {str(error).splitlines()[0] if str(error) else ''})"
    if name in ("OperationalError", "InterfaceError", "DisconnectionError") or "sqlalchemy" in type(error).__module__:
        return f"database unavailable ({name})"
    return f"{name}: {error}"


def guarded(on_new_message: Callable[[UserMessage], Awaitable[Any]], channel: str,
            ) -> Callable[[UserMessage], Awaitable[Any]]:  # fmt: skip
    """`on_new_message` that, when Rasa cannot process the message (lock store or database down), logs it once with
    the reason and records the failure (REST: a 503) or answers the visitor (socket.io), instead of silence."""

    async def handle(message: UserMessage) -> Any:
        try:
            waiting_room = admission.gate()  # a few messages at a time, the others in order (admission.py)
            if waiting_room is None:
                return await on_new_message(message)
            async with waiting_room:
                return await on_new_message(message)
        except Exception as error:  # whatever it is, the visitor must not wait in silence
            reason = failure_reason(error)
            logger.error("%s message of %s not processed: %s", channel, message.sender_id, reason)
            failures = _failures.get()
            if failures is not None:
                failures.append(reason)
            elif message.output_channel is not None:
                await message.output_channel.send_text_message(message.sender_id, UNAVAILABLE_TEXT)
            return None

    return handle


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
        blueprint = super().blueprint(guarded(on_new_message, "REST"))

        @blueprint.middleware("request")
        async def refuse_what_is_no_message(request: Request) -> HTTPResponse | None:
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            problem = rest_body_problem(request.body or b"")
            if problem is None:
                _failures.set([])
                return None
            logger.info("Refused a REST request: %s", _PROBLEMS[problem][1])
            return problem_response(problem)

        @blueprint.middleware("response")
        async def unavailable_is_no_empty_answer(request: Request, response: HTTPResponse) -> HTTPResponse | None:
            failures = _failures.get()
            return problem_response("unavailable") if failures else None

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

    Five changes to Rasa 3.6's channel: packets of at most 64 KB (engine.io's default is 1 MB); in cluster mode a
    Redis client manager, so a message sent through any replica (a salesperson's in a live chat, bot/sales/live.py)
    reaches the widget connected to another; and three in its socket.io event handlers:
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
            if settings.redis_url:  # what one replica sends to a room reaches the widget on whichever holds it
                self.sio.manager = socketio.AsyncRedisManager(settings.redis_url, channel="journey-socketio")
                self.sio.manager.set_server(self.sio)
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
            await guarded_message(UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata))

        guarded_message = guarded(on_new_message, "socket.io")

        sio = self.sio
        sio.on("connect", connect, namespace=self.namespace)
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        logger.info("socket.io accepts connections from %s", ", ".join(sorted(allowed)))
        return blueprint
