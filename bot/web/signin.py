"""What the inbox and the editor area share: the session cookie, the signed-in account of a request, the CSRF check
of a form, and the page that says why something was refused. The services come from the app context
(`request.app.ctx.services`, bot/web/app.py).

The cookie holds a random session token (bot/sales/accounts.py): HttpOnly, SameSite=Strict, and Secure with the
`__Host-` prefix when WEB_BASE_URL is https.
"""

from __future__ import annotations

import hmac
from functools import cache
from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse, html

from bot.sales.accounts import SignedIn, signed_in
from bot.services import Services
from bot.web.i18n import translator
from bot.web.jinja import environment

COOKIE = "journey_session"
LOGIN_CSRF = "journey_login_csrf"
SECURE_PREFIX = "__Host-"  # with https: the browser only accepts it Secure, for Path=/ and without Domain


def services_of(request: Request) -> Services:
    return request.app.ctx.services  # type: ignore[no-any-return]


def secure(services: Services) -> bool:
    return services.settings.web_base_url.startswith("https://")


def cookie_name(services: Services, name: str = COOKIE) -> str:
    return SECURE_PREFIX + name if secure(services) else name


def set_cookie(services: Services, response: HTTPResponse, name: str, value: str, max_age: int | None = None
               ) -> None:  # fmt: skip
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["path"] = "/"
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    if secure(services):
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def current_user(request: Request) -> SignedIn | None:
    services = services_of(request)
    return signed_in(services.session_factory, request.cookies.get(cookie_name(services)), services.now())


def csrf_ok(request: Request, user: SignedIn) -> bool:
    return hmac.compare_digest(request.form.get("csrf") or "", user.csrf_token)


def message_page(title: str, text: str, user: SignedIn | None, status: int, error: bool = True) -> HTTPResponse:
    """A page with one message (refused, not found, an error), in the areas' layout and the account's language."""
    language = user.language if user else "de"
    _ = translator(language)
    body = _environment().get_template("inbox/message.html").render(user=user, title=_(title), text=_(text),
                                                                     error=error, _=_, lang=language)  # fmt: skip
    return html(body, status=status, headers={"Cache-Control": "no-store"})


@cache
def _environment() -> Any:
    return environment()


def forged(user: SignedIn) -> HTTPResponse:
    return message_page("Abgelehnt", "Ungültiges Formular (CSRF).", user, 403)
