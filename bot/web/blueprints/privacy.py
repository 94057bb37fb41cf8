"""The privacy API (`/api/privacy/export`, `/api/privacy/delete`): a data subject's request answered by a tool, for
accounts with the admin role only, authorised by the account's personal API token (`python -m bot.sales.cli
add-token NAME`) as `Authorization: Bearer …`. The body names the person: `{"conversation": ID}`, `{"email": …}` or
`{"phone": …}`. docs/privacy.md."""

from __future__ import annotations

import asyncio
from functools import partial

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.privacy.erase import erase
from bot.privacy.export import export
from bot.privacy.records import SELECTORS, Selector, SelectorError
from bot.sales.accounts import SignedIn, account_of_api_token
from bot.services import Services


def _account(request: Request) -> SignedIn | HTTPResponse:
    services: Services = request.app.ctx.services
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    account = account_of_api_token(services.session_factory, token)
    if account is None:
        return json({"error": "a personal API token of an admin account is required "
                              "(python -m bot.sales.cli add-token NAME)"}, status=401,
                    headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    if "admin" not in account.roles:
        return json({"error": "only accounts with the admin role may export or delete personal data"}, status=403)
    return account


def _selector(request: Request) -> Selector | HTTPResponse:
    body = request.json if isinstance(request.json, dict) else None
    named = [key for key in SELECTORS if body and body.get(key) is not None]
    if body is None or len(named) != 1 or set(body) - set(SELECTORS):
        return json({"error": "send a JSON object with exactly one of conversation, email or phone"}, status=400)
    try:
        return Selector.of(named[0], str(body[named[0]]))
    except SelectorError as error:
        return json({"error": str(error)}, status=422)


def _request(request: Request) -> tuple[SignedIn, Selector] | HTTPResponse:
    """The admin account and the person a request names, or the answer that refuses it."""
    account = _account(request)
    if isinstance(account, HTTPResponse):
        return account
    selector = _selector(request)
    return selector if isinstance(selector, HTTPResponse) else (account, selector)


def privacy_blueprint() -> Blueprint:
    bp = Blueprint("privacy")

    @bp.post("/api/privacy/export")
    async def export_person(request: Request) -> HTTPResponse:
        named = _request(request)
        if isinstance(named, HTTPResponse):
            return named
        services: Services = request.app.ctx.services
        work = partial(export, services.session_factory, named[1], f"api:{named[0].username}", services.now())
        document = await asyncio.get_running_loop().run_in_executor(None, work)  # a phone number reads every message
        return json(document, headers={"Cache-Control": "no-store"})

    @bp.post("/api/privacy/delete")
    async def delete_person(request: Request) -> HTTPResponse:
        named = _request(request)
        if isinstance(named, HTTPResponse):
            return named
        services: Services = request.app.ctx.services
        work = partial(erase, services.session_factory, named[1], f"api:{named[0].username}", services.now())
        done = await asyncio.get_running_loop().run_in_executor(None, work)
        return json(done.as_dict(), headers={"Cache-Control": "no-store"})

    return bp
