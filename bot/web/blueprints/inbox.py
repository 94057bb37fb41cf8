"""The sales inbox: sign-in, handoff list with filters, detail with brief and transcript, claim/status/notes.

A Sanic blueprint rendering Jinja2 templates (bot/web/templates/inbox/, through bot/web/jinja.py:
autoescape on, every value from a visitor or a salesperson is escaped). The pages meet WCAG 2.1 AA
(labelled controls, landmarks, errors as alerts, visible focus, 44 px touch targets, no page wider
than a 375 px phone): tests/test_inbox_accessibility_browser.py audits them with axe-core.
Sessions live in the database (the cookie: bot/web/signin.py, shared with the editor area); every form
carries the session's CSRF token (the login form a double-submit token). Failed sign-ins lock the account
name and the client address for a while (bot/sales/accounts.py); only accounts linked to a salesperson may claim;
every change is recorded with its author in the handoff's activity. The security headers (CSP, framing, referrer)
come from the web app's middleware, the services from its context (bot/web/app.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import math
import secrets
import time
from functools import cache
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect

from bot.journey.explain import explanation_lines
from bot.sales.accounts import LANGUAGES, SignedIn, attempt_sign_in, set_language, sign_out, signed_in
from bot.sales.brief import KIND_NAMES, LABELS, brief_text, pages_viewed
from bot.sales.models import STATUSES
from bot.sales.priority import lead_priority
from bot.sales.store import (
    HandoffFilter,
    HandoffUpdateError,
    count_handoffs,
    earlier_with_same_email,
    get_handoff,
    list_handoffs,
    newest_id,
    update_handoff,
)
from bot.services import Services
from bot.web.i18n import translator
from bot.web.jinja import environment
from bot.web.signin import (
    LOGIN_CSRF,
    cookie_name,
    csrf_ok,
    current_user,
    forged,
    message_page,
    services_of,
    set_cookie,
)

ACTIONS = {"claim": "übernommen", "status": "Status", "assignee": "Zuständig", "note": "Notiz", "live": "Live-Chat",
           "meeting": "Termin"}  # fmt: skip
PER_PAGE = 25
STREAM_S, POLL_S = 120.0, 2.0


def wait_text(seconds: int) -> str:
    """ "30 Sekunden", "15 Minuten": how long a locked sign-in has to wait."""
    if seconds < 120:
        return f"{seconds} Sekunde{'' if seconds == 1 else 'n'}"
    return f"{math.ceil(seconds / 60)} Minuten"


def _when(iso: str | None) -> str:
    return (iso or "")[:16].replace("T", " ")


@cache
def _environment() -> Environment:
    return environment(when=_when)


def page(template: str, user: SignedIn | None, status: int = 200, headers: dict[str, str] | None = None,
         language: str | None = None, **context: Any) -> HTTPResponse:  # fmt: skip
    """An inbox page in the account's language (bot/web/i18n.py); before signing in, in `language`."""
    lang = user.language if user else (language or "de")
    body = _environment().get_template(f"inbox/{template}").render(user=user, _=translator(lang), lang=lang,
                                                                   inbox=True, **context)  # fmt: skip
    return html(body, status=status, headers={"Cache-Control": "no-store"} | (headers or {}))


def browser_language(request: Request) -> str:
    """English for a browser that prefers it (the sign-in page, before the account's language is known)."""
    return "en" if (request.headers.get("accept-language") or "").lower().startswith("en") else "de"


def may_claim(services: Services, user: SignedIn) -> bool:
    return user.salesperson_id is not None and user.salesperson_id in services.team.get().people


def login_form(services: Services, error: str = "", status: int = 200, headers: dict[str, str] | None = None,
               language: str = "de") -> HTTPResponse:  # fmt: skip
    token = secrets.token_urlsafe(24)
    response = page("login.html", None, status, headers, language=language, error=error, token=token)
    set_cookie(services, response, cookie_name(services, LOGIN_CSRF), token)
    return response


def refused(user: SignedIn) -> HTTPResponse:
    return message_page("Kein Zugriff", "Dieses Konto ist nicht für das Sales-Postfach freigegeben (Rolle sales).",
                        user, 403)  # fmt: skip


def salesperson(request: Request) -> tuple[SignedIn | None, HTTPResponse | None]:
    """The signed-in account with the sales role, or the answer for anyone else."""
    user = current_user(request)
    if user is None:
        return None, redirect("/login")
    if not user.may("sales"):
        return None, refused(user)
    return user, None


def _day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw else default
    except ValueError:
        return default


def home(user: SignedIn | None) -> str:
    """Where an account lands after signing in: the first area its roles open."""
    for area, path in (("sales", "/inbox"), ("editor", "/editor"), ("marketing", "/dashboard")):
        if user is not None and user.may(area):
            return path
    return "/inbox"  # no area: the inbox says why not


def inbox_blueprint() -> Blueprint:
    bp = Blueprint("inbox")

    @bp.get("/login")
    async def login_page(request: Request) -> HTTPResponse:
        return login_form(services_of(request), language=browser_language(request))

    @bp.post("/login")
    async def login(request: Request) -> HTTPResponse:
        services = services_of(request)
        language = browser_language(request)
        _ = translator(language)
        expected = request.cookies.get(cookie_name(services, LOGIN_CSRF)) or ""
        if not expected or not hmac.compare_digest(request.form.get("csrf") or "", expected):
            return login_form(services, _("Das Formular ist abgelaufen, bitte noch einmal."), status=403,
                              language=language)  # fmt: skip
        result = attempt_sign_in(services.session_factory, request.form.get("username") or "",
                                 request.form.get("password") or "", request.remote_addr or request.ip,
                                 services.now())  # fmt: skip
        if result.retry_after:
            wait = (f"Too many failed attempts. Please try again in {result.retry_after} seconds." if language == "en"
                    else f"Zu viele Fehlversuche. Bitte in {wait_text(result.retry_after)} erneut versuchen.")
            return login_form(services, wait, status=429, headers={"Retry-After": str(result.retry_after)},
                              language=language)  # fmt: skip
        if result.token is None:
            return login_form(services, _("Benutzer oder Passwort stimmt nicht."), status=401, language=language)
        user = signed_in(services.session_factory, result.token, services.now())
        response = redirect(home(user))
        set_cookie(services, response, cookie_name(services), result.token)
        return response

    @bp.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        # Only the form of a signed-in page ends the session and drops the cookie: a cross-site POST
        # (which carries no cookie and no token) must not sign anybody out.
        services = services_of(request)
        user = current_user(request)
        if user is None:
            return redirect("/login")
        if not csrf_ok(request, user):
            return forged(user)
        sign_out(services.session_factory, request.cookies.get(cookie_name(services)) or "")
        response = redirect("/login")
        set_cookie(services, response, cookie_name(services), "", max_age=0)
        return response

    @bp.get("/inbox")
    async def inbox(request: Request) -> HTTPResponse:
        user, answer = salesperson(request)
        if user is None:
            return answer  # type: ignore[return-value]
        services = services_of(request)
        where = HandoffFilter(status=request.args.get("status") or None, assignee=request.args.get("assignee") or None,
                              text=(request.args.get("q") or "").strip()[:100] or None,
                              since=_day(request.args.get("since")), until=_day(request.args.get("until")))  # fmt: skip
        total = count_handoffs(services.session_factory, where)
        pages = max(1, math.ceil(total / PER_PAGE))
        number = min(max(1, _int(request.args.get("page"), 1)), pages)
        items = list_handoffs(services.session_factory, where, PER_PAGE, (number - 1) * PER_PAGE)
        for item in items:
            item["priority"] = lead_priority(item, user.language)
        people = services.team.get().people
        args = {key: value for key, value in (("q", where.text), ("status", where.status),
                                              ("assignee", where.assignee), ("since", where.since),
                                              ("until", where.until)) if value}  # fmt: skip

        def page_link(number: int) -> str:
            return "/inbox?" + urlencode({**args, "page": number})

        return page("list.html", user, items=items, statuses=STATUSES, chosen=where, kinds=KIND_NAMES, total=total,
                    pages=pages, page_number=number, page_link=page_link, newest=newest_id(services.session_factory),
                    duplicates=earlier_with_same_email(services.session_factory, items,
                                                       services.settings.duplicate_lead_days),
                    people={p.id: p.name for p in people.values()})  # fmt: skip

    @bp.get("/inbox/stream")
    async def new_leads(request: Request) -> HTTPResponse | None:
        """Server-sent events: `new` once a handoff newer than the list's newest has arrived."""
        user, answer = salesperson(request)
        if user is None:
            return answer
        services = services_of(request)
        after = _int(request.args.get("after"), 0)
        response = await request.respond(content_type="text/event-stream", headers={"Cache-Control": "no-store"})
        await response.send("retry: 2000\n\n")
        started = time.monotonic()
        while time.monotonic() - started < STREAM_S:
            newest = await asyncio.get_running_loop().run_in_executor(None, newest_id, services.session_factory)
            if newest > after:
                await response.send(f"event: new\ndata: {newest}\n\n")
                after = newest
            await asyncio.sleep(POLL_S)
        await response.eof()
        return None

    @bp.post("/account/language")
    async def choose_language(request: Request) -> HTTPResponse:
        user = current_user(request)
        if user is None:
            return redirect("/login")
        if not csrf_ok(request, user):
            return forged(user)
        language = request.form.get("language") or ""
        if language in LANGUAGES:
            set_language(services_of(request).session_factory, user.username, language)
        back = request.headers.get("referer") or "/inbox"
        return redirect(back if back.startswith(services_of(request).settings.web_base_url) or back.startswith("/")
                        else "/inbox")  # fmt: skip

    @bp.get("/handoffs/<handoff_id:int>")
    async def detail(request: Request, handoff_id: int) -> HTTPResponse:
        user, answer = salesperson(request)
        if user is None:
            return answer  # type: ignore[return-value]
        services = services_of(request)
        h = get_handoff(services.session_factory, handoff_id)
        if h is None:
            return message_page("Nicht gefunden", "Diese Anfrage gibt es nicht.", user, 404, error=False)
        said = [t.get("text") or "" for t in h.get("transcript") or [] if t.get("from") == "visitor"]
        earlier = earlier_with_same_email(services.session_factory, [h], services.settings.duplicate_lead_days)
        return page("detail.html", user, h=h, statuses=STATUSES, kinds=KIND_NAMES, may_claim=may_claim(services, user),
                    actions=ACTIONS, brief=brief_text(h, reader_language=user.language).split("Gesprächsverlauf:")[0],
                    priority=lead_priority(h, user.language), labels=LABELS, earlier=earlier.get(h["id"], []),
                    why=explanation_lines(h.get("journey_explanation"), user.language, said),
                    pages=pages_viewed(services.session_factory, h["conversation_id"]))  # fmt: skip

    async def change(request: Request, handoff_id: int, **fields: Any) -> HTTPResponse:
        user, answer = salesperson(request)
        if user is None:
            return answer  # type: ignore[return-value]
        if not csrf_ok(request, user):
            return forged(user)
        services = services_of(request)
        try:
            updated = update_handoff(services.session_factory, handoff_id, author=user.username,
                                     known_assignees=set(services.team.get().people), now=services.now(),
                                     **fields)  # fmt: skip
        except HandoffUpdateError as exc:
            return message_page("Fehler", str(exc), user, 422)
        if updated is None:
            return message_page("Nicht gefunden", "Diese Anfrage gibt es nicht.", user, 404, error=False)
        return redirect(f"/handoffs/{handoff_id}")

    @bp.post("/handoffs/<handoff_id:int>/claim")
    async def claim(request: Request, handoff_id: int) -> HTTPResponse:
        user = current_user(request)
        if user is not None and not may_claim(services_of(request), user):
            return message_page("Abgelehnt", "Nur Konten, die mit einer Vertriebsperson verknüpft sind, können "
                                "Anfragen übernehmen.", user, 403)  # fmt: skip
        return await change(request, handoff_id, status="claimed", assignee=user.salesperson_id if user else None)

    @bp.post("/handoffs/<handoff_id:int>/status")
    async def set_status(request: Request, handoff_id: int) -> HTTPResponse:
        return await change(request, handoff_id, status=request.form.get("status") or "")

    @bp.post("/handoffs/<handoff_id:int>/notes")
    async def add_note(request: Request, handoff_id: int) -> HTTPResponse:
        return await change(request, handoff_id, note=request.form.get("note") or "")

    return bp
