"""The Rasa process keeps its connection to an endpoint open between requests, and a restarted
endpoint costs no failed request (bot/rasa_plugins/sessions.py). A real server in its own process."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_plugins import sessions

SERVER = textwrap.dedent("""
    import sys
    from aiohttp import web

    async def answer(request):
        body = await request.json()
        return web.json_response({"echo": body, "client_port": request.transport.get_extra_info("peername")[1],
                                  "token": request.headers.get("X-Action-Token")})

    app = web.Application()
    app.router.add_post("/webhook", answer)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.05)
    server.kill()
    raise RuntimeError("test server did not start")


@pytest.fixture
def port() -> Iterator[int]:
    sessions.install()
    yield _free_port()


def test_requests_reuse_one_connection_and_keep_the_endpoints_headers(port: int) -> None:
    server = _start(port)
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Action-Token": "secret"})

    async def three() -> list[dict]:
        return [await endpoint.request(json={"n": n}, method="post") for n in range(3)]

    try:
        answers = asyncio.run(three())
    finally:
        server.kill()
        server.wait()
    assert [a["echo"] for a in answers] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert {a["token"] for a in answers} == {"secret"}
    assert len({a["client_port"] for a in answers}) == 1, "one connection for all three requests"


def test_a_restarted_endpoint_answers_the_next_request(port: int) -> None:
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")

    async def conversation() -> list[dict]:
        server = _start(port)
        first = await endpoint.request(json={"n": 1}, method="post")
        # The action server dies with our connection open, and comes back; Rasa's event loop runs meanwhile.
        server.kill()
        await asyncio.to_thread(server.wait)
        server = await asyncio.to_thread(_start, port)
        try:
            second = await endpoint.request(json={"n": 2}, method="post")
        finally:
            server.kill()
            server.wait()
        return [first, second]

    first, second = asyncio.run(conversation())
    assert first["echo"] == {"n": 1} and second["echo"] == {"n": 2}
