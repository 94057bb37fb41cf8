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

import hmac
import math
import secrets
from functools import cache
from typing import Any

from jinja2 import Environment
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect

from bot.sales.accounts import SignedIn, attempt_sign_in, sign_out, signed_in
from bot.sales.brief import KIND_NAMES, brief_text
from bot.sales.models import STATUSES
from bot.sales.store import HandoffFilter, HandoffUpdateError, get_handoff, list_handoffs, update_handoff
from bot.services import Services
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

ACTIONS = {"claim": "übernommen", "status": "Status", "assignee": "Zuständig", "note": "Notiz"}


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
         **context: Any) -> HTTPResponse:  # fmt: skip
    body = _environment().get_template(f"inbox/{template}").render(user=user, **context)
    return html(body, status=status, headers={"Cache-Control": "no-store"} | (headers or {}))


def may_claim(services: Services, user: SignedIn) -> bool:
    return user.salesperson_id is not None and user.salesperson_id in services.team.get().people


def login_form(services: Services, error: str = "", status: int = 200, headers: dict[str, str] | None = None
               ) -> HTTPResponse:  # fmt: skip
    token = secrets.token_urlsafe(24)
    response = page("login.html", None, status, headers, error=error, token=token)
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
        return login_form(services_of(request))

    @bp.post("/login")
    async def login(request: Request) -> HTTPResponse:
        services = services_of(request)
        expected = request.cookies.get(cookie_name(services, LOGIN_CSRF)) or ""
        if not expected or not hmac.compare_digest(request.form.get("csrf") or "", expected):
            return login_form(services, "Das Formular ist abgelaufen, bitte noch einmal.", status=403)
        result = attempt_sign_in(services.session_factory, request.form.get("username") or "",
                                 request.form.get("password") or "", request.remote_addr or request.ip,
                                 services.now())  # fmt: skip
        if result.retry_after:
            return login_form(services, f"Zu viele Fehlversuche. Bitte in {wait_text(result.retry_after)} erneut "
                              "versuchen.", status=429, headers={"Retry-After": str(result.retry_after)})  # fmt: skip
        if result.token is None:
            return login_form(services, "Benutzer oder Passwort stimmt nicht.", status=401)
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
        status, assignee = request.args.get("status") or None, request.args.get("assignee") or None
        items = list_handoffs(services.session_factory, HandoffFilter(status=status, assignee=assignee))
        people = services.team.get().people
        return page("list.html", user, items=items, statuses=STATUSES, chosen_status=status, kinds=KIND_NAMES,
                    chosen_assignee=assignee, people={p.id: p.name for p in people.values()})  # fmt: skip

    @bp.get("/handoffs/<handoff_id:int>")
    async def detail(request: Request, handoff_id: int) -> HTTPResponse:
        user, answer = salesperson(request)
        if user is None:
            return answer  # type: ignore[return-value]
        services = services_of(request)
        h = get_handoff(services.session_factory, handoff_id)
        if h is None:
            return message_page("Nicht gefunden", "Diese Anfrage gibt es nicht.", user, 404, error=False)
        try:
            person = services.team.get().people.get(user.salesperson_id or "")
        except (ValueError, OSError):  # the brief still shows, in German
            person = None
        language = person.languages[0] if person and person.languages else "de"
        return page("detail.html", user, h=h, statuses=STATUSES, kinds=KIND_NAMES, may_claim=may_claim(services, user),
                    actions=ACTIONS, brief=brief_text(h, reader_language=language).split("Gesprächsverlauf:")[0]
                    )  # fmt: skip

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
