"""The web app `make run` starts beside Rasa: demo website with the chat widget, summaries, sales inbox, editor
area, API."""

from __future__ import annotations

import argparse
import datetime as dt
import hmac
import logging
import sys
from collections.abc import Sequence
from html import escape

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, json

from bot.config import PROJECT_ROOT
from bot.logs import install_secret_scrubbing
from bot.sales.store import HandoffFilter, HandoffUpdateError, get_handoff, list_handoffs, update_handoff
from bot.services import Services, get_services
from bot.summaries import find_summary
from bot.web.blueprints.editor import register_editor
from bot.web.blueprints.inbox import register_inbox
from bot.web.site_pages import render_page
from bot.web.summary_page import render_summary, render_summary_notice

logger = logging.getLogger(__name__)


# Inbox, login, summaries, API and error pages: nothing from elsewhere, no scripts, never in a frame.
STRICT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
              "frame-ancestors 'none'; base-uri 'none'")  # fmt: skip
# The demo website's pages set their own policy (the chat widget needs scripts and a socket).
SITE_ROUTES = ("site_home", "site_page")


def add_security_headers(app: Sanic) -> None:
    """One response middleware for every route, so no page can forget a header."""

    @app.middleware("response")
    async def security_headers(request: Request, response: HTTPResponse) -> None:
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        route = request.route.name if request.route else ""
        if route.endswith(SITE_ROUTES) and "content-security-policy" in headers:
            # Same-site navigation keeps the page (touchpoints); other sites see only our origin.
            headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
            return
        # Summary links carry their secret in the URL: never send it on as a referrer.
        headers["Referrer-Policy"] = "no-referrer"
        headers["Content-Security-Policy"] = STRICT_CSP
        headers["X-Frame-Options"] = "DENY"


def create_app(services: Services, name: str = "journey_web") -> Sanic:
    app = Sanic(name)
    # Behind reverse proxies, the client's address (login back-off per address) comes from their
    # X-Forwarded-For; without any (the default) from the connection.
    app.config.PROXIES_COUNT = services.settings.web_proxies
    add_security_headers(app)

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return json({"status": "ok"})

    @app.get("/summary/<token:str>")
    async def summary(request: Request, token: str) -> HTTPResponse:
        messages = services.messages.get()
        found = find_summary(services.session_factory, token)
        product = None
        if found is not None:
            product = next((p for p in services.catalogue.products() if p.id == found.product_id), None)
        language = "en" if (request.headers.get("accept-language") or "").lower().startswith("en") else "de"
        if found is not None and found.expired(services.now(), dt.timedelta(days=services.settings.summary_link_days)):
            text = messages.render("summary_expired", found.language, days=f"{services.settings.summary_link_days:g}")
            return html(render_summary_notice(text, found.language, messages), status=410)
        if found is None or product is None:
            text = messages.render("summary_not_found", language)
            return html(render_summary_notice(text, language, messages), status=404)
        page = render_summary(found, product, messages)
        headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
        if request.args.get("download"):
            headers["Content-Disposition"] = f'attachment; filename="{product.id}-summary-{found.language}.html"'
        return html(page, headers=headers)

    def authorized(request: Request) -> bool:
        token = services.settings.sales_api_token
        header = request.headers.get("authorization") or ""
        return bool(token) and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token)

    def unauthorized() -> HTTPResponse:
        return json({"error": "a valid bearer token (SALES_API_TOKEN) is required"}, status=401,
                    headers={"WWW-Authenticate": "Bearer"})  # fmt: skip

    @app.get("/api/handoffs")
    async def handoffs(request: Request) -> HTTPResponse:
        if not authorized(request):
            return unauthorized()
        where = HandoffFilter(request.args.get("conversation_id"), request.args.get("status"),
                              request.args.get("assignee"))  # fmt: skip
        return json(list_handoffs(services.session_factory, where))

    @app.get("/api/handoffs/<handoff_id:int>")
    async def handoff(request: Request, handoff_id: int) -> HTTPResponse:
        if not authorized(request):
            return unauthorized()
        found = get_handoff(services.session_factory, handoff_id)
        return json(found) if found else json({"error": "no such handoff"}, status=404)

    @app.patch("/api/handoffs/<handoff_id:int>")
    async def change_handoff(request: Request, handoff_id: int) -> HTTPResponse:
        if not authorized(request):
            return unauthorized()
        body = request.json if isinstance(request.json, dict) else None
        allowed = {"status", "assignee", "note"}
        if body is None or not body or set(body) - allowed:
            return json({"error": "send a JSON object with status, assignee and/or note"}, status=400)
        try:
            updated = update_handoff(
                services.session_factory, handoff_id, status=body.get("status"), assignee=body.get("assignee"),
                note=body.get("note"), author="api", known_assignees=set(services.team.get().salespeople),
                now=services.now(),
            )  # fmt: skip
        except HandoffUpdateError as exc:
            return json({"error": str(exc)}, status=422)
        return json(updated) if updated else json({"error": "no such handoff"}, status=404)

    register_inbox(app, services)
    register_editor(app, services)
    register_website(app, services)
    return app


WEBCHAT_JS = PROJECT_ROOT / "website" / "node_modules" / "rasa-webchat" / "lib" / "index.js"
STATIC_DIR = PROJECT_ROOT / "website" / "static"


def content_security_policy(socket_url: str) -> str:
    """Scripts, styles and fonts from this site only; connections to it and to Rasa's socket.io."""
    websocket_url = "ws" + socket_url[4:] if socket_url.startswith("http") else socket_url
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
        f"img-src 'self' data:; connect-src 'self' {socket_url} {websocket_url}; frame-ancestors 'self'; "
        "base-uri 'self'; form-action 'self'"
    )


def register_website(app: Sanic, services: Services) -> None:
    """The demo website (data/website/site.yml) with the chat widget; registered last, so it
    only answers paths no other route claims."""
    if not WEBCHAT_JS.exists():
        logger.error("The chat widget is missing (%s): run `make install` to install it with npm", WEBCHAT_JS)
    app.static("/static/webchat.js", str(WEBCHAT_JS), name="webchat_js")
    app.static("/static", str(STATIC_DIR), name="site_static")

    async def page(request: Request, path: str = "") -> HTTPResponse:
        site = services.website.get()
        found = site.page_at(request.path)
        if found is None:
            english = request.path.startswith("/en/") or (request.headers.get("accept-language") or "").startswith("en")
            home = site.page("home", "en" if english else "de")
            language = "en" if english else "de"
            text = "Page not found" if english else "Seite nicht gefunden"
            body = (f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{text}</title>'
                    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
                    f'<body><main><h1>{text}</h1><p><a href="{escape(home.path)}">{escape(home.title)}</a></p></main>'
                    "</body></html>")  # fmt: skip
            return html(body, status=404)
        products = services.catalogue.products() if found.key in ("product", "pricing") else []
        headers = {"Cache-Control": "no-cache", "Content-Security-Policy": csp}
        settings = services.settings
        page = render_page(site, found, products, settings.chat_socket_url, settings.widget_connect_on)
        return html(page, headers=headers)

    async def favicon(request: Request) -> HTTPResponse:
        return HTTPResponse(status=204)

    # The pages load nothing from other hosts: the widget's stylesheet asks for a Google font,
    # which would tell Google about every visitor; the browser blocks that request here.
    csp = content_security_policy(services.settings.chat_socket_url)
    app.add_route(favicon, "/favicon.ico", name="favicon")

    app.add_route(page, "/", name="site_home")
    app.add_route(page, "/<path:path>", name="site_page")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.web.app", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    services = get_services()
    app = create_app(services)
    install_secret_scrubbing()
    settings = services.settings
    app.run(host=settings.bind_host, port=args.port or settings.web_port, access_log=False, workers=1, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
