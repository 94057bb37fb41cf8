"""The handoff API (`/api/handoffs`) for sales tools: list, read and change handoffs with the bearer token
SALES_API_TOKEN (docs/sales.md). The services come from the app context (bot/web/app.py)."""

from __future__ import annotations

import hmac

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.sales.store import HandoffFilter, HandoffUpdateError, get_handoff, list_handoffs, update_handoff
from bot.services import Services


def api_blueprint() -> Blueprint:
    bp = Blueprint("api")

    def authorized(request: Request) -> bool:
        token = request.app.ctx.services.settings.sales_api_token
        header = request.headers.get("authorization") or ""
        return bool(token) and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token)

    def unauthorized() -> HTTPResponse:
        return json({"error": "a valid bearer token (SALES_API_TOKEN) is required"}, status=401,
                    headers={"WWW-Authenticate": "Bearer"})  # fmt: skip

    @bp.get("/api/handoffs")
    async def handoffs(request: Request) -> HTTPResponse:
        services: Services = request.app.ctx.services
        if not authorized(request):
            return unauthorized()
        where = HandoffFilter(request.args.get("conversation_id"), request.args.get("status"),
                              request.args.get("assignee"))  # fmt: skip
        return json(list_handoffs(services.session_factory, where))

    @bp.get("/api/handoffs/<handoff_id:int>")
    async def handoff(request: Request, handoff_id: int) -> HTTPResponse:
        services: Services = request.app.ctx.services
        if not authorized(request):
            return unauthorized()
        found = get_handoff(services.session_factory, handoff_id)
        return json(found) if found else json({"error": "no such handoff"}, status=404)

    @bp.patch("/api/handoffs/<handoff_id:int>")
    async def change_handoff(request: Request, handoff_id: int) -> HTTPResponse:
        services: Services = request.app.ctx.services
        if not authorized(request):
            return unauthorized()
        body = request.json if isinstance(request.json, dict) else None
        allowed = {"status", "assignee", "note"}
        if body is None or not body or set(body) - allowed:
            return json({"error": "send a JSON object with status, assignee and/or note"}, status=400)
        try:
            updated = update_handoff(
                services.session_factory, handoff_id, status=body.get("status"), assignee=body.get("assignee"),
                note=body.get("note"), author="api", known_assignees=set(services.team.get().people),
                now=services.now(),
            )  # fmt: skip
        except HandoffUpdateError as exc:
            return json({"error": str(exc)}, status=422)
        return json(updated) if updated else json({"error": "no such handoff"}, status=404)

    return bp
