"""Live chat in the sales inbox (bot/sales/live.py): the queue of visitors waiting for a person, updated as they come
(server-sent events), and the chat itself: claim, write, end.

The pages work without scripts (forms, a reload shows what is new); /static/live.js adds the live updates and sends
messages without leaving the page. Every change is a form with the session's CSRF token; only an account linked to
a salesperson may claim, and only the salesperson who claimed a chat may write in it or end it. The messages go into
the conversation through Rasa's HTTP API (bot/sales/rasa_api.py), in an executor, with its timeout; when Rasa cannot
take them the salesperson is told and nothing changes. The queue page counts as the salesperson being there (the
chat offers a person only then).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from functools import cache
from typing import Any

from jinja2 import Environment
from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect
from sanic.response import json as json_response

from bot.sales import live
from bot.sales.accounts import SignedIn
from bot.sales.rasa_api import RasaConversations, Sent
from bot.services import Services
from bot.text import markdown_literal
from bot.web.blueprints.inbox import may_claim, salesperson
from bot.web.i18n import translator
from bot.web.jinja import environment
from bot.web.signin import csrf_ok, current_user, forged, message_page, services_of

logger = logging.getLogger(__name__)
#: how often the streams look for something new, and how long one stream lasts before the browser reconnects
POLL_S = 1.0
STREAM_S = 120.0
PRESENCE_EVERY_S = 10.0
MAX_MESSAGE_CHARS = 2000
#: blank lines would split a message into bubbles of which only the first is signed with the salesperson's name
BLANK_LINES = re.compile(r"\n\s*\n")
STATES = {"waiting": "wartet", "active": "im Gespräch", "ending": "wird beendet", "ended": "beendet",
          "missed": "niemand rechtzeitig frei"}  # fmt: skip
WHO = {"visitor": "Besucher/in", "bot": "Assistent", "salesperson": "Vertrieb"}


@cache
def _environment() -> Environment:
    return environment()


def page(template: str, user: SignedIn, **context: Any) -> HTTPResponse:
    body = _environment().get_template(f"inbox/{template}").render(user=user, states=STATES, who=WHO, inbox=True,
                                                                   _=translator(user.language), lang=user.language,
                                                                   **context)  # fmt: skip
    return html(body, headers={"Cache-Control": "no-store"})


def rasa_of(request: Request) -> RasaConversations:
    return request.app.ctx.rasa  # type: ignore[no-any-return]


async def send(request: Request, conversation_id: str, events: list[dict[str, Any]]) -> Sent:
    sent = await asyncio.get_running_loop().run_in_executor(None, rasa_of(request).append, conversation_id, events)
    if not sent.ok:
        logger.warning("Live chat message to conversation %s not taken: %s", conversation_id, sent.reason)
    return sent


async def in_executor(function: Any, *args: Any) -> Any:
    """A database call off the event loop (the streams ask every second)."""
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


def wants_json(request: Request) -> bool:
    return "application/json" in (request.headers.get("accept") or "")


def answer(request: Request, live_id: int, error: str = "", status: int = 200) -> HTTPResponse:
    """A script gets JSON; a form a page (the chat again, or what went wrong)."""
    if wants_json(request):
        return json_response({"ok": not error, "error": error}, status=status if error else 200)
    if error:
        return message_page("Nicht gesendet", error, current_user(request), status)
    return redirect(f"/live/{live_id}")


def signed_form(request: Request) -> tuple[SignedIn | None, HTTPResponse | None]:
    """The salesperson sending a form with the session's CSRF token; the answer for anyone else."""
    user, refusal = salesperson(request)
    if user is not None and not csrf_ok(request, user):
        return None, forged(user)
    return user, refusal


def queue_item(chat: live.LiveChat, people: dict[str, str], language: str = "de") -> dict[str, Any]:
    return {"id": chat.id, "state": chat.state, "state_text": translator(language)(STATES[chat.state]),
            "name": chat.name or "–",
            "company": chat.company or "", "language": chat.language, "phase": chat.phase or "",
            "persona": chat.persona or "", "segment": chat.segment or "",
            "salesperson": people.get(chat.salesperson or "", chat.salesperson or ""),
            "since": chat.requested_at.strftime("%H:%M:%S")}  # fmt: skip


def people_of(services: Services) -> dict[str, str]:
    return {person.id: person.name for person in services.team.get().people.values()}


def live_blueprint() -> Blueprint:
    bp = Blueprint("live")

    @bp.listener("before_server_start")
    async def connect_rasa(app: Sanic, loop: Any) -> None:
        settings = app.ctx.services.settings
        app.ctx.rasa = RasaConversations(settings.rasa_url, settings.rasa_auth_token)

    @bp.listener("after_server_stop")
    async def close_rasa(app: Sanic, loop: Any) -> None:
        app.ctx.rasa.close()

    @bp.get("/live")
    async def queue(request: Request) -> HTTPResponse:
        user, refusal = salesperson(request)
        if user is None:
            return refusal  # type: ignore[return-value]
        services = services_of(request)
        if user.salesperson_id:
            live.mark_present(services.session_factory, user.salesperson_id, services.now())
        people = people_of(services)
        items = [queue_item(chat, people, user.language) for chat in live.open_chats(services.session_factory)]
        return page("live.html", user, items=items, title="Live-Chat")

    @bp.get("/live/stream")
    async def queue_stream(request: Request) -> HTTPResponse | None:
        user, refusal = salesperson(request)
        if user is None:
            return refusal
        services = services_of(request)
        people = people_of(services)
        response = await request.respond(content_type="text/event-stream", headers={"Cache-Control": "no-store"})
        started, last, seen = time.monotonic(), None, 0.0
        await response.send("retry: 1000\n\n")
        while time.monotonic() - started < STREAM_S:
            if user.salesperson_id and time.monotonic() - seen >= PRESENCE_EVERY_S:
                await in_executor(live.mark_present, services.session_factory, user.salesperson_id, services.now())
                seen = time.monotonic()
            items = [queue_item(chat, people, user.language)
                     for chat in await in_executor(live.open_chats, services.session_factory)]
            if items != last:
                await response.send(f"event: queue\ndata: {json.dumps(items)}\n\n")
                last = items
            else:
                await response.send(": still here\n\n")
            await asyncio.sleep(POLL_S)
        await response.eof()
        return None

    def chat_or_404(request: Request, live_id: int, user: SignedIn) -> tuple[live.LiveChat | None, HTTPResponse | None]:
        chat = live.get_chat(services_of(request).session_factory, live_id)
        if chat is None:
            return None, message_page("Nicht gefunden", "Diesen Live-Chat gibt es nicht.", user, 404, error=False)
        return chat, None

    @bp.get("/live/<live_id:int>")
    async def chat_page(request: Request, live_id: int) -> HTTPResponse:
        user, refusal = salesperson(request)
        if user is None:
            return refusal  # type: ignore[return-value]
        chat, missing = chat_or_404(request, live_id, user)
        if chat is None:
            return missing  # type: ignore[return-value]
        services = services_of(request)
        lines = live.transcript(services.session_factory, chat.conversation_id)
        mine = chat.state == "active" and chat.salesperson == user.salesperson_id
        if mine:  # at their desk: the worker does not hand the chat back to the bot
            live.mark_present(services.session_factory, str(user.salesperson_id), services.now())
        return page("live_chat.html", user, chat=chat, lines=lines, mine=mine, title=f"Live-Chat #{chat.id}",
                    message_id=uuid.uuid4().hex,
                    may_claim=chat.state == "waiting" and may_claim(services, user), people=people_of(services),
                    after=lines[-1].event_id if lines else 0)  # fmt: skip

    @bp.get("/live/<live_id:int>/stream")
    async def chat_stream(request: Request, live_id: int) -> HTTPResponse | None:
        user, refusal = salesperson(request)
        if user is None:
            return refusal
        chat, missing = chat_or_404(request, live_id, user)
        if chat is None:
            return missing
        services = services_of(request)
        try:
            after = int(request.headers.get("last-event-id") or request.args.get("after") or 0)
        except ValueError:
            after = 0
        state = request.args.get("state") or chat.state  # what the page shows: a change since reloads it
        response = await request.respond(content_type="text/event-stream", headers={"Cache-Control": "no-store"})
        started, seen = time.monotonic(), 0.0
        await response.send("retry: 1000\n\n")
        while time.monotonic() - started < STREAM_S:
            for line in await in_executor(live.transcript, services.session_factory, chat.conversation_id, after):
                data = {"who": line.who, "who_text": translator(user.language)(WHO[line.who]), "text": line.text}
                await response.send(f"id: {line.event_id}\nevent: line\ndata: {json.dumps(data)}\n\n")
                after = line.event_id
            now = await in_executor(live.get_chat, services.session_factory, live_id)
            if now is None:
                break
            if now.state != state:
                state = now.state
                await response.send(f"event: state\ndata: {json.dumps({'state': state})}\n\n")
            if state in ("ended", "missed"):
                break  # nothing more will come
            if state == "active" and now.salesperson == user.salesperson_id and \
                    time.monotonic() - seen >= PRESENCE_EVERY_S:  # at their desk, in their own chat
                await in_executor(live.mark_present, services.session_factory, now.salesperson, services.now())
                seen = time.monotonic()
            await asyncio.sleep(POLL_S)
        await response.eof()
        return None

    @bp.post("/live/<live_id:int>/claim")
    async def claim(request: Request, live_id: int) -> HTTPResponse:
        user, refusal = signed_form(request)
        if user is None:
            return refusal  # type: ignore[return-value]
        services = services_of(request)
        if not may_claim(services, user):
            return message_page("Abgelehnt", "Nur Konten, die mit einer Vertriebsperson verknüpft sind, können "
                                "Live-Chats übernehmen.", user, 403)  # fmt: skip
        waiting = live.get_chat(services.session_factory, live_id)
        if waiting is not None and waiting.state == "waiting" and \
                not live.paused(services.session_factory, waiting.conversation_id):
            live.drop(services.session_factory, live_id, services.now())  # the bot never paused: nobody is waiting
        chat = live.claim(services.session_factory, live_id, str(user.salesperson_id), user.username, services.now())
        if chat is None:
            return message_page("Nicht mehr frei", "Diesen Live-Chat hat schon jemand übernommen, oder die Wartezeit "
                                "ist abgelaufen.", user, 409)  # fmt: skip
        name = people_of(services).get(chat.salesperson or "", user.username)
        text = services.messages.get().render("live_joined", chat.language, salesperson=markdown_literal(name))
        sent = await send(request, chat.conversation_id, [live.said(text)])
        if not sent.ok:  # the chat is theirs; the visitor learns it with the first message that gets through
            return message_page("Übernommen, Begrüßung nicht gesendet", f"Der Chat ist Ihrer, aber die "
                                f"Begrüßung kam nicht an ({sent.reason}). Bitte schreiben Sie gleich selbst.", user,
                                502)  # fmt: skip
        return redirect(f"/live/{live_id}")

    def own_chat(request: Request, live_id: int, user: SignedIn) -> tuple[live.LiveChat | None, str]:
        chat = live.get_chat(services_of(request).session_factory, live_id)
        if chat is None or chat.state != "active" or chat.salesperson != user.salesperson_id:
            return None, "Dieser Live-Chat ist nicht (mehr) Ihrer: Nachrichten und Beenden gehen nur im eigenen."
        return chat, ""

    @bp.post("/live/<live_id:int>/messages")
    async def write(request: Request, live_id: int) -> HTTPResponse:
        user, refusal = signed_form(request)
        if user is None:
            return refusal  # type: ignore[return-value]
        chat, problem = own_chat(request, live_id, user)
        if chat is None:
            return answer(request, live_id, problem, 409)
        text = BLANK_LINES.sub("\n", (request.form.get("text") or "").strip())  # one bubble, signed with the name
        if not text or len(text) > MAX_MESSAGE_CHARS:
            return answer(request, live_id, f"Eine Nachricht hat 1 bis {MAX_MESSAGE_CHARS} Zeichen.", 422)
        services = services_of(request)
        message_id = re.sub(r"[^0-9a-f]", "", request.form.get("message_id") or "")[:32] or uuid.uuid4().hex
        if live.sent_already(services.session_factory, chat.conversation_id, message_id):
            return answer(request, live_id)  # a retry of a message that did arrive
        name = people_of(services).get(chat.salesperson or "", user.username)
        event = live.said(f"**{markdown_literal(name)}:** {text}", chat.id, chat.salesperson)
        event["metadata"]["message_id"] = message_id
        sent = await send(request, chat.conversation_id, [event])
        if not sent.ok:
            return answer(request, live_id, f"Die Nachricht kam nicht an ({sent.reason}); bitte noch einmal.", 502)
        live.count_message(services.session_factory, live_id)
        return answer(request, live_id)

    @bp.post("/live/<live_id:int>/end")
    async def finish(request: Request, live_id: int) -> HTTPResponse:
        user, refusal = signed_form(request)
        if user is None:
            return refusal  # type: ignore[return-value]
        services = services_of(request)
        chat = live.start_ending(services.session_factory, live_id, user.salesperson_id or "")
        if chat is None:  # not theirs, or ended already (the button pressed twice, another tab)
            return redirect(f"/live/{live_id}")
        name = people_of(services).get(chat.salesperson or "", user.username)
        text = services.messages.get().render("live_ended", chat.language, salesperson=markdown_literal(name))
        sent = await send(request, chat.conversation_id,
                          live.resumed([text], {"live_state": None, "live_chat_with": name}))  # fmt: skip
        if not sent.ok:  # the bot stays paused and the chat open: ending can be tried again
            live.keep_active(services.session_factory, live_id)
            return answer(request, live_id, f"Der Chat ließ sich nicht beenden ({sent.reason}); bitte noch einmal.",
                          502)  # fmt: skip
        live.end(services.session_factory, live_id, user.username, services.now())
        return redirect(f"/live/{live_id}")

    return bp
