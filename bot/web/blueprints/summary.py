"""The one-page summaries for decision makers (`/summary/<token>`): the page, its download, and a notice in the
reader's language for a link that expired or does not exist. The services come from the app context."""

from __future__ import annotations

import datetime as dt

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html

from bot.services import Services
from bot.summaries import find_summary
from bot.web.summary_page import render_summary, render_summary_notice

#: a summary page needs nothing but its own inline styles (it works as a download)
SUMMARY_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
               "frame-ancestors 'none'; base-uri 'none'")  # fmt: skip


def summary_blueprint() -> Blueprint:
    bp = Blueprint("summary")

    @bp.get("/summary/<token:str>")
    async def summary(request: Request, token: str) -> HTTPResponse:
        services: Services = request.app.ctx.services
        messages = services.messages.get()
        found = find_summary(services.session_factory, token)
        product = None
        if found is not None:
            product = next((p for p in services.catalogue.products() if p.id == found.product_id), None)
        language = "en" if (request.headers.get("accept-language") or "").lower().startswith("en") else "de"
        if found is not None and found.expired(services.now(), dt.timedelta(days=services.settings.summary_link_days)):
            text = messages.render("summary_expired", found.language, days=f"{services.settings.summary_link_days:g}")
            return html(render_summary_notice(text, found.language, messages), status=410,
                        headers={"Content-Security-Policy": SUMMARY_CSP})  # fmt: skip
        if found is None or product is None:
            text = messages.render("summary_not_found", language)
            return html(render_summary_notice(text, language, messages), status=404,
                        headers={"Content-Security-Policy": SUMMARY_CSP})  # fmt: skip
        page = render_summary(found, product, messages)
        headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Content-Security-Policy": SUMMARY_CSP}
        if request.args.get("download"):
            headers["Content-Disposition"] = f'attachment; filename="{product.id}-summary-{found.language}.html"'
        return html(page, headers=headers)

    return bp
