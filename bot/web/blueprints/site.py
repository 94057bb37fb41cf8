"""The demo website: its pages (bot/web/site_pages.py, Jinja2 templates in bot/web/templates/site/) with the chat
widget, the widget's script and the site's static files, and a 404 page in the visitor's language."""

from __future__ import annotations

import logging

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html

from bot.config import PROJECT_ROOT
from bot.journey.touchpoint import referral_code
from bot.web.signin import services_of
from bot.web.site_pages import render_not_found, render_page

logger = logging.getLogger(__name__)

WEBCHAT_JS = PROJECT_ROOT / "website" / "node_modules" / "rasa-webchat" / "lib" / "index.js"
CHART_JS = PROJECT_ROOT / "website" / "node_modules" / "chart.js" / "dist" / "chart.umd.js"  # the dashboard's charts
STATIC_DIR = PROJECT_ROOT / "website" / "static"


def content_security_policy(socket_url: str) -> str:
    """Scripts, styles and fonts from this site only; connections to it and to Rasa's socket.io."""
    websocket_url = "ws" + socket_url[4:] if socket_url.startswith("http") else socket_url
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
        f"img-src 'self' data:; connect-src 'self' {socket_url} {websocket_url}; frame-ancestors 'self'; "
        "base-uri 'self'; form-action 'self'"
    )


def site_blueprint() -> Blueprint:
    """The demo website (data/website/site.yml) with the chat widget; registered last, so it
    only answers paths no other route claims."""
    bp = Blueprint("site")
    if not WEBCHAT_JS.exists():
        logger.error("The chat widget is missing (%s): run `make install` to install it with npm", WEBCHAT_JS)
    bp.static("/static/webchat.js", str(WEBCHAT_JS), name="webchat_js")
    bp.static("/static/chart.js", str(CHART_JS), name="chart_js")
    bp.static("/static", str(STATIC_DIR), name="site_static")

    async def page(request: Request, path: str = "") -> HTTPResponse:
        services = services_of(request)
        site = services.website.get()
        found = site.page_at(request.path)
        if found is None:
            english = request.path.startswith("/en/") or (request.headers.get("accept-language") or "").startswith("en")
            return html(render_not_found(site, english), status=404)
        products = services.catalogue.products() if found.key in ("product", "pricing") else []
        settings = services.settings
        # The pages load nothing from other hosts: the widget's stylesheet asks for a Google font,
        # which would tell Google about every visitor; the browser blocks that request here.
        headers = {
            "Cache-Control": "no-cache",
            "Content-Security-Policy": content_security_policy(settings.chat_socket_url),
        }
        referral = referral_code({"ref": request.args.get("ref") or ""})
        page = render_page(site, found, products, settings.chat_socket_url, settings.widget_connect_on, referral)
        return html(page, headers=headers)

    async def favicon(request: Request) -> HTTPResponse:
        return HTTPResponse(status=204)

    bp.add_route(favicon, "/favicon.ico", name="favicon")

    bp.add_route(page, "/", name="site_home")
    bp.add_route(page, "/<path:path>", name="site_page")
    return bp
