"""One kept-alive HTTP session per outside endpoint of the Rasa process (the action server above all).

Rasa opens a new aiohttp session, and with it a new connection, for every request to an endpoint:
two to four times per visitor message for the action server, each with its TCP handshake and the
session's set-up in both processes. This keeps one session per endpoint (same headers, auth and
timeout as Rasa's) and lets its connections stay open between requests, for less time than the
action server keeps an idle connection (bot/action_server.py), so a request never goes out on a
connection the server is closing. A session made in an event loop that is gone, or closed, is replaced.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

from bot.rasa_plugins import action_payload

IDLE_CONNECTION_S = 20  # an idle connection is closed after this long; the action server waits 60 s


class _Kept:
    """`async with endpoint.session() as session`: hands out the kept session without closing it afterwards."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        return None


def kept_session(endpoint: Any) -> _Kept:
    """`EndpointConfig.session`, kept for the endpoint and the running event loop."""
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    session = getattr(endpoint, "_journey_session", None)
    if session is None or session.closed or getattr(session, "_loop", loop) is not loop:
        auth = endpoint.basic_auth
        session = aiohttp.ClientSession(  # as Rasa's EndpointConfig.session, with a kept-alive connector
            headers=endpoint.headers,
            auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_S),
            json_serialize=action_payload.dumps,  # the action call's events as kept JSON texts
        )
        endpoint._journey_session = session
    return _Kept(session)


def install() -> None:
    """Puts the kept sessions, and the action calls' kept event JSON that they send, in place of
    Rasa's; called once when our Rasa process starts."""
    from rasa.utils.endpoints import EndpointConfig

    EndpointConfig.session = kept_session  # type: ignore[method-assign]
    action_payload.install()
