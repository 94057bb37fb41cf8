"""The action server (`python -m bot.action_server`): rasa-sdk's app, answering only our Rasa.

rasa-sdk's own `rasa run actions` listens on every interface and runs any action for anyone who
can reach the port, so a forged tracker could store a handoff with a consent nobody gave. Here
the same app (`rasa_sdk.endpoint.create_app`, same plugins) listens on ACTION_BIND_HOST
(loopback by default) and refuses every request without the shared secret that Rasa sends in
the `X-Action-Token` header (`endpoints.yml`). Only `/health` stays open, for the launcher.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import sys
from collections.abc import Sequence

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.config import load_settings
from bot.logs import install_secret_scrubbing
from bot.services import get_services, warm_up

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = frozenset({"/health"})


class ActionServerSettingsError(RuntimeError):
    """The action server cannot start safely (no shared secret)."""


def require_token(app: Sanic, token: str) -> None:
    """Every request but /health must carry `X-Action-Token: <token>`; 401 otherwise, logged once each."""
    if not token:
        raise ActionServerSettingsError("ACTION_SERVER_TOKEN is empty: the action server would answer anyone")

    @app.middleware("request")
    async def check_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or request.method == "OPTIONS":
            return None
        given = request.headers.get(TOKEN_HEADER) or ""
        if hmac.compare_digest(given.encode(), token.encode()):
            return None
        logger.warning("Refused %s %s from %s: %s", request.method, request.path, request.ip,
                       "wrong X-Action-Token" if given else "no X-Action-Token")  # fmt: skip
        return json({"error": f"this action server only answers its Rasa server ({TOKEN_HEADER} missing or wrong)"},
                    status=401)  # fmt: skip


def create_app(token: str, actions_package: str = "actions") -> Sanic:
    from rasa_sdk.endpoint import create_app as create_sdk_app
    from rasa_sdk.plugin import plugin_manager

    app = create_sdk_app(actions_package, cors_origins=[])  # Rasa calls it server to server: no browser origins
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    require_token(app, token)
    app.add_route(_nlg, "/nlg", methods=["POST"])
    # Rasa keeps its connection to us open between messages (bot/rasa_plugins/sessions.py, 20 s): wait longer.
    app.config.KEEP_ALIVE_TIMEOUT = 60
    return app


async def _nlg(request: Request) -> HTTPResponse:
    """Rasa's NLG endpoint (endpoints.yml `nlg:`): an answer's text and buttons from data/content/responses.yml
    as the file is now, so that a saved edit is live at once."""
    from bot.responses import answer_nlg_request

    try:
        responses = get_services().responses.get()
    except ValueError as exc:  # broken since the start (a later broken edit keeps the last good version)
        logger.error("NLG: no answers to give: %s", exc)
        return json({"error": str(exc)}, status=503)
    status, body = answer_nlg_request(request.json, responses)
    if status != 200:
        logger.warning("NLG request refused (%s): %s", status, body["error"])
    return json(body, status=status)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.action_server", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int)
    parser.add_argument("--actions", default="actions", help="the package with the actions (default: actions)")
    args = parser.parse_args(argv)
    install_secret_scrubbing()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    try:
        app = create_app(settings.action_server_token, args.actions)
    except ActionServerSettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    port = args.port or settings.action_port
    warm_up(get_services())  # the first visitor's message does not wait for the files and the knowledge index
    logger.info("Action server on http://%s:%s (requests need %s)", settings.action_bind_host, port, TOKEN_HEADER)
    app.run(host=settings.action_bind_host, port=port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
