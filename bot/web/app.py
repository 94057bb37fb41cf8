"""The web app `make run` starts beside Rasa: summary pages (issue 3); inbox and website follow."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, json

from bot.services import Services, get_services
from bot.summaries import find_summary
from bot.web.summary_page import render_summary

logger = logging.getLogger(__name__)


def create_app(services: Services, name: str = "journey_web") -> Sanic:
    app = Sanic(name)

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
        if found is None or product is None:
            language = "en" if (request.headers.get("accept-language") or "").lower().startswith("en") else "de"
            return html(f"<!doctype html><p>{messages.render('summary_not_found', language)}</p>", status=404)
        page = render_summary(found, product, messages)
        headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
        if request.args.get("download"):
            headers["Content-Disposition"] = f'attachment; filename="{product.id}-summary-{found.language}.html"'
        return html(page, headers=headers)

    return app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.web.app", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    services = get_services()
    app = create_app(services)
    app.run(host="0.0.0.0", port=args.port or services.settings.web_port, access_log=False, workers=1, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
