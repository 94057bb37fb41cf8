"""The visitor's meeting page behind the link the chat gives (bot/sales/meetings.py): when and with whom, the
invitation for their calendar, rebooking to another free slot of the same salesperson, cancelling.

The secret in the link is the only key (no account): only its hash is stored, the page is not indexed and sends no
referrer. Texts are the editors' (data/content/messages.yml) in the language of the conversation. Every change
notifies the salesperson through the handoff's channels with the updated invitation.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from jinja2 import Template
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, raw, redirect

from bot.sales import meetings
from bot.sales.routing import Salesperson
from bot.services import Services
from bot.web.jinja import environment
from bot.web.signin import services_of

HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


@cache
def _template() -> Template:
    return environment().get_template("meetings/page.html")


def _link(services: Services, token: str) -> str:
    return f"{services.settings.web_base_url.rstrip('/')}/meetings/{token}"


def page(services: Services, token: str, meeting: meetings.Meeting | None, notice: str = "", problem: bool = False,
         status: int = 200) -> HTTPResponse:  # fmt: skip
    messages = services.messages.get()
    language = meeting.language if meeting else "de"
    text = {key: messages.render(f"meeting_page_{key}", language)
            for key in ("title", "download", "move", "move_button", "cancel_button", "no_slots")}  # fmt: skip
    context: dict[str, Any] = {"lang": language, "token": token, "meeting": meeting, "notice": notice,
                               "problem": problem, **text}  # fmt: skip
    if meeting is not None:
        person = services.team.get().people.get(meeting.salesperson)
        when = f"{meetings.slot_label(meeting.starts_at, meeting.time_zone, language)} ({meeting.time_zone})"
        name = person.name if person else meeting.salesperson
        context["summary"] = (messages.render("meeting_page_cancelled", language, when=when)
                              if meeting.state == "cancelled" else
                              messages.render("meeting_page_booked", language, when=when, salesperson=name,
                                              minutes=meeting.minutes))  # fmt: skip
        context["slots"] = _other_slots(services, meeting, person)
    return html(_template().render(**context), status=status, headers=HEADERS)


def _other_slots(services: Services, meeting: meetings.Meeting, person: Salesperson | None) -> list[tuple[str, str]]:
    if person is None or meeting.state != "booked":
        return []
    now = services.now()
    booked = meetings.booked_starts(services.session_factory, person.id, now)
    return [(start.strftime("%Y-%m-%dT%H:%MZ"), meetings.slot_label(start, meeting.time_zone, meeting.language))
            for start in meetings.free_slots(person, booked, now)]  # fmt: skip


def unknown(services: Services, token: str) -> HTTPResponse:
    messages = services.messages.get()
    return page(services, token, None, messages.render("meeting_page_unknown", "de") + " / "
                + messages.render("meeting_page_unknown", "en"), problem=True, status=404)  # fmt: skip


def meeting_and_person(services: Services, token: str) -> tuple[meetings.Meeting | None, Salesperson | None]:
    meeting = meetings.by_token(services.session_factory, token)
    return meeting, services.team.get().people.get(meeting.salesperson) if meeting else None


def meetings_blueprint() -> Blueprint:
    bp = Blueprint("meetings")

    @bp.get("/meetings/<token:str>")
    async def show(request: Request, token: str) -> HTTPResponse:
        services = services_of(request)
        meeting = meetings.by_token(services.session_factory, token)
        if meeting is None:
            return unknown(services, token)
        notice = {"moved": "meeting_page_moved"}.get(request.args.get("done") or "")
        return page(services, token, meeting, services.messages.get().render(notice, meeting.language)
                    if notice else "")  # fmt: skip

    @bp.get("/meetings/<token:str>/invitation.ics")
    async def invitation(request: Request, token: str) -> HTTPResponse:
        services = services_of(request)
        meeting, person = meeting_and_person(services, token)
        if meeting is None or person is None:
            return unknown(services, token)
        messages, language = services.messages.get(), meeting.language
        body = meetings.invitation(meeting, person, (None, None),
                                   messages.render("meeting_invitation_summary", language, salesperson=person.name),
                                   messages.render("meeting_invitation_text", language, link=_link(services, token)),
                                   services.now())  # fmt: skip
        return raw(body.encode(), content_type="text/calendar; charset=utf-8",
                   headers={**HEADERS, "Content-Disposition": 'attachment; filename="wattwerk-termin.ics"'})

    @bp.post("/meetings/<token:str>/rebook")
    async def rebook(request: Request, token: str) -> HTTPResponse:
        services = services_of(request)
        meeting, person = meeting_and_person(services, token)
        if meeting is None or person is None:
            return unknown(services, token)
        try:
            start = dt.datetime.strptime(request.form.get("start") or "", "%Y-%m-%dT%H:%MZ")
            meetings.rebook(services.session_factory, token, person, start.replace(tzinfo=dt.timezone.utc),
                            services.settings.handoff_channels, services.now())  # fmt: skip
        except (ValueError, meetings.SlotTaken):
            taken = services.messages.get().render("meeting_page_taken", meeting.language)
            return page(services, token, meeting, taken, problem=True, status=409)
        return redirect(f"/meetings/{token}?done=moved")

    @bp.post("/meetings/<token:str>/cancel")
    async def cancel(request: Request, token: str) -> HTTPResponse:
        services = services_of(request)
        if meetings.by_token(services.session_factory, token) is None:
            return unknown(services, token)
        meetings.cancel(services.session_factory, token, services.settings.handoff_channels, services.now())
        return redirect(f"/meetings/{token}")

    return bp
