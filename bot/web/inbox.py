"""The sales inbox: sign-in, handoff list with filters, detail with brief and transcript, claim/status/notes.

Server-rendered HTML; every value from a visitor or a salesperson is escaped. Sessions live in the
database (the cookie holds a random token, HttpOnly, SameSite=Strict, and Secure with the `__Host-`
prefix when WEB_BASE_URL is https); every form carries the session's CSRF token (the login form a
double-submit token). Failed sign-ins lock the account name and the client address for a while
(bot/sales/accounts.py); only accounts linked to a salesperson may claim; every change is recorded
with its author in the handoff's activity.
"""

from __future__ import annotations

import hmac
import math
import secrets
from html import escape
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect

from bot.sales.accounts import SignedIn, attempt_sign_in, sign_out, signed_in
from bot.sales.models import STATUSES
from bot.sales.store import HandoffFilter, HandoffUpdateError, get_handoff, list_handoffs, update_handoff
from bot.services import Services

COOKIE = "journey_session"
LOGIN_CSRF = "journey_login_csrf"
SECURE_PREFIX = "__Host-"  # with https: the browser only accepts it Secure, for Path=/ and without Domain
_STYLE = """body{font-family:system-ui,sans-serif;margin:0;color:#1d2b36}header{background:#1d2b36;color:#fff;
padding:.6rem 1rem;display:flex;justify-content:space-between;align-items:center}header a{color:#fff}
main{padding:1rem;max-width:70rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dde;
padding:.4rem;text-align:left;vertical-align:top}.status{font-weight:600}.transcript p{margin:.2rem 0}
.visitor{color:#064}.bot{color:#555}form.inline{display:inline}.error{color:#a00}label{margin-right:.6rem}"""


def _page(title: str, body: str, user: SignedIn | None = None, status: int = 200,
          headers: dict[str, str] | None = None) -> HTTPResponse:  # fmt: skip
    logout = ""
    if user:
        logout = (f"<form class='inline' method='post' action='/logout'>{_csrf_field(user)}"
                  f"{escape(user.username)} <button>Abmelden</button></form>")  # fmt: skip
    return html(
        f"<!doctype html><html lang='de'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'><style>{_STYLE}</style></head>"
        f"<body><header><a href='/inbox'>Wattwerk · Sales-Postfach</a>{logout}</header>"
        f"<main>{body}</main></body></html>",
        status=status,
        headers={
            "Cache-Control": "no-store",
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'",
        } | (headers or {}),  # fmt: skip
    )


def _csrf_field(user: SignedIn) -> str:
    return f"<input type='hidden' name='csrf' value='{escape(user.csrf_token)}'>"


def _wait_text(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} Sekunde{'' if seconds == 1 else 'n'}"
    return f"{math.ceil(seconds / 60)} Minuten"


def register_inbox(app: Sanic, services: Services) -> None:
    secure = services.settings.web_base_url.startswith("https://")
    session_cookie = SECURE_PREFIX + COOKIE if secure else COOKIE
    login_cookie = SECURE_PREFIX + LOGIN_CSRF if secure else LOGIN_CSRF

    def set_cookie(response: HTTPResponse, name: str, value: str, max_age: int | None = None) -> None:
        response.cookies[name] = value
        cookie = response.cookies[name]
        cookie["path"] = "/"
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        if secure:
            cookie["secure"] = True
        if max_age is not None:
            cookie["max-age"] = max_age

    def current(request: Request) -> SignedIn | None:
        return signed_in(services.session_factory, request.cookies.get(session_cookie), services.now())

    def csrf_ok(request: Request, user: SignedIn) -> bool:
        return hmac.compare_digest(request.form.get("csrf") or "", user.csrf_token)

    def login_form(error: str = "", status: int = 200, headers: dict[str, str] | None = None) -> HTTPResponse:
        token = secrets.token_urlsafe(24)
        message = f"<p class='error'>{escape(error)}</p>" if error else ""
        response = _page("Anmelden", (
            f"<h1>Anmelden</h1>{message}<form method='post' action='/login'>"
            f"<input type='hidden' name='csrf' value='{token}'>"
            "<p><label>Benutzer <input name='username' autocomplete='username' required></label></p>"
            "<p><label>Passwort <input name='password' type='password' autocomplete='current-password' required>"
            "</label></p><button>Anmelden</button></form>"), status=status, headers=headers)  # fmt: skip
        set_cookie(response, login_cookie, token)
        return response

    @app.get("/login")
    async def login_page(request: Request) -> HTTPResponse:
        return login_form()

    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
        expected = request.cookies.get(login_cookie) or ""
        if not expected or not hmac.compare_digest(request.form.get("csrf") or "", expected):
            return login_form("Das Formular ist abgelaufen, bitte noch einmal.", status=403)
        result = attempt_sign_in(services.session_factory, request.form.get("username") or "",
                                 request.form.get("password") or "", request.remote_addr or request.ip,
                                 services.now())  # fmt: skip
        if result.retry_after:
            return login_form(f"Zu viele Fehlversuche. Bitte in {_wait_text(result.retry_after)} erneut versuchen.",
                              status=429, headers={"Retry-After": str(result.retry_after)})  # fmt: skip
        if result.token is None:
            return login_form("Benutzer oder Passwort stimmt nicht.", status=401)
        response = redirect("/inbox")
        set_cookie(response, session_cookie, result.token)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        # Only the form of a signed-in page ends the session and drops the cookie: a cross-site POST
        # (which carries no cookie and no token) must not sign anybody out.
        user = current(request)
        if user is None:
            return redirect("/login")
        if not csrf_ok(request, user):
            return _page("Abgelehnt", "<p class='error'>Ungültiges Formular (CSRF).</p>", user, status=403)
        sign_out(services.session_factory, request.cookies.get(session_cookie) or "")
        response = redirect("/login")
        set_cookie(response, session_cookie, "", max_age=0)
        return response

    @app.get("/inbox")
    async def inbox(request: Request) -> HTTPResponse:
        user = current(request)
        if user is None:
            return redirect("/login")
        status, assignee = request.args.get("status") or None, request.args.get("assignee") or None
        items = list_handoffs(services.session_factory, HandoffFilter(status=status, assignee=assignee))
        people = services.team.get().salespeople
        options = lambda values, chosen: "".join(  # noqa: E731
            f"<option value='{escape(v)}'{' selected' if v == chosen else ''}>{escape(label)}</option>"
            for v, label in values
        )
        filters = (
            "<form method='get' action='/inbox'><label>Status <select name='status'><option value=''>alle</option>"
            f"{options([(s, s) for s in STATUSES], status)}</select></label><label>Zuständig <select name='assignee'>"
            f"<option value=''>alle</option>{options([(p.id, p.name) for p in people.values()], assignee)}</select>"
            "</label><button>Filtern</button></form>"
        )  # fmt: skip
        rows = "".join(
            f"<tr><td><a href='/handoffs/{h['id']}'>#{h['id']}</a></td><td>{escape(h['created_at'] or '')[:16]}</td>"
            f"<td>{escape(h['name'])}</td><td>{escape(h['company'] or '')}</td>"
            f"<td class='status'>{escape(h['status'])}</td>"
            f"<td>{escape(people[h['assignee']].name if h['assignee'] in people else h['assignee'] or '–')}</td>"
            f"<td>{escape(h['language'])}</td></tr>"
            for h in items
        )  # fmt: skip
        table = ("<table><tr><th>#</th><th>Eingang</th><th>Name</th><th>Firma</th><th>Status</th><th>Zuständig</th>"
                 f"<th>Sprache</th></tr>{rows}</table>" if items else "<p>Keine Anfragen.</p>")  # fmt: skip
        return _page("Sales-Postfach", f"<h1>Anfragen</h1>{filters}{table}", user)

    @app.get("/handoffs/<handoff_id:int>")
    async def detail(request: Request, handoff_id: int) -> HTTPResponse:
        user = current(request)
        if user is None:
            return redirect("/login")
        h = get_handoff(services.session_factory, handoff_id)
        if h is None:
            return _page("Nicht gefunden", "<p>Diese Anfrage gibt es nicht.</p>", user, status=404)
        return _page(f"Anfrage #{handoff_id}", _detail_html(h, user, services), user)

    async def change(request: Request, handoff_id: int, **fields: Any) -> HTTPResponse:
        user = current(request)
        if user is None:
            return redirect("/login")
        if not csrf_ok(request, user):
            return _page("Abgelehnt", "<p class='error'>Ungültiges Formular (CSRF).</p>", user, status=403)
        try:
            updated = update_handoff(services.session_factory, handoff_id, author=user.username,
                                     known_assignees=set(services.team.get().salespeople), now=services.now(),
                                     **fields)  # fmt: skip
        except HandoffUpdateError as exc:
            return _page("Fehler", f"<p class='error'>{escape(str(exc))}</p>", user, status=422)
        if updated is None:
            return _page("Nicht gefunden", "<p>Diese Anfrage gibt es nicht.</p>", user, status=404)
        return redirect(f"/handoffs/{handoff_id}")

    @app.post("/handoffs/<handoff_id:int>/claim")
    async def claim(request: Request, handoff_id: int) -> HTTPResponse:
        user = current(request)
        if user is not None and user.salesperson_id not in services.team.get().salespeople:
            return _page("Abgelehnt", "<p class='error'>Nur Konten, die mit einer Vertriebsperson verknüpft sind, "
                         "können Anfragen übernehmen.</p>", user, status=403)  # fmt: skip
        return await change(request, handoff_id, status="claimed", assignee=user.salesperson_id if user else None)

    @app.post("/handoffs/<handoff_id:int>/status")
    async def set_status(request: Request, handoff_id: int) -> HTTPResponse:
        return await change(request, handoff_id, status=request.form.get("status") or "")

    @app.post("/handoffs/<handoff_id:int>/notes")
    async def add_note(request: Request, handoff_id: int) -> HTTPResponse:
        return await change(request, handoff_id, note=request.form.get("note") or "")


def _detail_html(h: dict[str, Any], user: SignedIn, services: Services) -> str:
    from bot.sales.brief import brief_text

    e = escape
    csrf = _csrf_field(user)
    statuses = "".join(f"<option{' selected' if s == h['status'] else ''}>{s}</option>" for s in STATUSES)
    speakers = {"visitor": ("visitor", "Besucher")}
    transcript = "".join(
        "<p class='{}'><b>{}:</b> {}</p>".format(*speakers.get(t.get("from") or "", ("bot", "Bot")),
                                                 e(t.get("text") or ""))
        for t in h.get("transcript") or []
    )  # fmt: skip
    notes = "".join(f"<li>{e(n['text'])} <small>– {e(n['author'])}, {e((n['at'] or '')[:16])}</small></li>"
                    for n in h.get("notes") or [])  # fmt: skip
    deliveries = "".join(
        f"<li>{e(d['channel'])}: {e(d['status'])} ({d['attempts']} Versuch(e))"
        f"{' – ' + e(d['last_error']) if d.get('last_error') else ''}</li>"
        for d in h.get("deliveries") or []
    )
    claim = (f"<form class='inline' method='post' action='/handoffs/{h['id']}/claim'>{csrf}<button>Übernehmen"
             "</button></form>" if user.salesperson_id in services.team.get().salespeople else "")  # fmt: skip
    activity = "".join(
        f"<tr><td>{e(_when(a['at']))}</td><td>{e(a['author'])}</td>"
        f"<td>{e(_ACTIONS.get(a['action'], a['action']))}: {e(a['detail'])}</td></tr>"
        for a in h.get("activity") or []
    )
    return (
        f"<h1>Anfrage #{h['id']} · {e(h['name'])}</h1>{claim}"
        f"<form class='inline' method='post' action='/handoffs/{h['id']}/status'>{csrf}"
        f"<select name='status'>{statuses}</select><button>Status setzen</button></form>"
        f"<h2>Brief</h2><pre style='white-space:pre-wrap'>{e(brief_text(h).split('Gesprächsverlauf:')[0])}</pre>"
        f"<h2>Benachrichtigungen</h2><ul>{deliveries or '<li>keine Kanäle eingerichtet</li>'}</ul>"
        f"<h2>Verlauf</h2>" + (f"<table class='activity'><tr><th>Wann (UTC)</th><th>Wer</th><th>Was</th></tr>{activity}"
                               "</table>" if activity else "<p>Noch keine Änderungen.</p>") +
        f"<h2>Notizen</h2><ul>{notes}</ul><form method='post' action='/handoffs/{h['id']}/notes'>{csrf}"
        "<textarea name='note' rows='3' cols='60' required></textarea><br><button>Notiz speichern</button></form>"
        f"<h2>Gesprächsverlauf</h2><div class='transcript'>{transcript}</div>"
    )


_ACTIONS = {"claim": "übernommen", "status": "Status", "assignee": "Zuständig", "note": "Notiz"}


def _when(iso: str | None) -> str:
    return (iso or "")[:16].replace("T", " ")
