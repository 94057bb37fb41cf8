"""The web app `make run` starts beside Rasa: demo website with the chat widget, summaries, sales inbox, editor
area, API."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.logs import install_secret_scrubbing
from bot.services import Services, get_services
from bot.web.blueprints.api import api_blueprint
from bot.web.blueprints.dashboard import dashboard_blueprint
from bot.web.blueprints.editor import editor_blueprint
from bot.web.blueprints.inbox import inbox_blueprint
from bot.web.blueprints.live import live_blueprint
from bot.web.blueprints.meetings import meetings_blueprint
from bot.web.blueprints.privacy import privacy_blueprint
from bot.web.blueprints.site import site_blueprint
from bot.web.blueprints.summary import summary_blueprint

logger = logging.getLogger(__name__)


# Inbox, login, summaries, API and error pages: nothing from elsewhere, no scripts, never in a frame.
STRICT_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
              "frame-ancestors 'none'; base-uri 'none'")  # fmt: skip
# The journey dashboard draws its charts with our own scripts (Chart.js and dashboard.js from /static).
DASHBOARD_CSP = STRICT_CSP.replace("default-src 'none';", "default-src 'none'; script-src 'self';")
DASHBOARD_ROUTES = ("dashboard.dashboard",)
# The live chat pages and the inbox's list update themselves (live.js) from a stream of the same origin.
LIVE_CSP = DASHBOARD_CSP.replace("script-src 'self';", "script-src 'self'; connect-src 'self';")
# The demo website's pages set their own policy (the chat widget needs scripts and a socket).
SITE_ROUTES = ("site_home", "site_page")
# The summaries are self-contained pages (a download keeps its styles): their own policy allows only inline styles.
SUMMARY_ROUTES = ("summary.summary",)


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
        if route.endswith(DASHBOARD_ROUTES):
            headers["Content-Security-Policy"] = DASHBOARD_CSP
        elif ".live." in f".{route}" or route.endswith(("inbox.inbox", "inbox.new_leads")):
            headers["Content-Security-Policy"] = LIVE_CSP
        elif not (route.endswith(SUMMARY_ROUTES) and "content-security-policy" in headers):
            headers["Content-Security-Policy"] = STRICT_CSP  # the summaries set a stricter one of their own
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

    app.ctx.services = services  # what the blueprints below share
    app.blueprint(api_blueprint())
    app.blueprint(privacy_blueprint())
    app.blueprint(summary_blueprint())
    app.blueprint(inbox_blueprint())
    app.blueprint(live_blueprint())
    app.blueprint(meetings_blueprint())
    app.blueprint(editor_blueprint())
    app.blueprint(dashboard_blueprint())
    app.blueprint(site_blueprint())  # last: it answers only the paths no other route claims
    return app


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
