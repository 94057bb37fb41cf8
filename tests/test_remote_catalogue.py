"""The remote catalogue against a real local HTTP server that can be made slow, failing or malformed."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from bot.catalogue.loader import CONTENT_DIR, load_catalogue
from bot.catalogue.remote import CatalogueApiClient, RemoteCatalogue, RemoteSettings
from bot.catalogue.service import LocalCatalogue
from bot.db import create_tables, make_engine, make_session_factory


class Api:
    """A catalogue API on 127.0.0.1 whose behaviour a test sets: ok, slow, 500, malformed, invalid."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests = 0
        home = yaml.safe_load((CONTENT_DIR / "wattwerk-home.yml").read_text(encoding="utf-8"))
        home["name"] = "Wattwerk Home (remote)"
        self.payload = json.loads(json.dumps({"products": [home]}, default=str))
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                api.requests += 1
                if api.mode == "slow":
                    time.sleep(2.0)
                if api.mode == "500":
                    self.send_response(500)
                    self.end_headers()
                    return
                body = {"ok": json.dumps(api.payload), "slow": json.dumps(api.payload), "malformed": "{not json",
                        "invalid": json.dumps(api.invalid())}[api.mode]  # fmt: skip
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def invalid(self) -> dict:
        broken = json.loads(json.dumps(self.payload))
        broken["products"][0]["reviews"][0]["rating"] = 7
        return broken

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def api() -> Iterator[Api]:
    server = Api()
    yield server
    server.stop()


@pytest.fixture()
def local(tmp_path: Path) -> LocalCatalogue:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    create_tables(engine)
    load_catalogue(make_session_factory(engine))
    return LocalCatalogue(make_session_factory(engine))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def remote(url: str, local: LocalCatalogue, clock: Clock | None = None, timeout: float = 0.5) -> RemoteCatalogue:
    settings = RemoteSettings(url, timeout_s=timeout, retries=1, backoff_s=0.05, cache_ttl_s=60, cooldown_s=30)
    return RemoteCatalogue(CatalogueApiClient(settings), local, settings, clock=clock or Clock())


def names(products: list) -> list[str]:
    return [p.name for p in products]


def test_products_come_from_the_api_and_are_cached(api: Api, local: LocalCatalogue) -> None:
    clock = Clock()
    catalogue = remote(api.url, local, clock)
    assert names(catalogue.products()) == ["Wattwerk Home (remote)"]
    catalogue.products()
    assert api.requests == 1  # the short cache answered the second call
    clock.now += 61
    catalogue.products()
    assert api.requests == 2


def test_the_apis_products_have_their_review_platforms_checked_like_a_file(
    api: Api, local: LocalCatalogue, caplog: pytest.LogCaptureFixture
) -> None:
    (home,) = remote(api.url, local).products()
    trustpilot = home.review_platforms[0]
    assert (trustpilot.name, trustpilot.url) == ("Trustpilot", "https://www.trustpilot.com/evaluate/wattwerk.example")
    api.payload["products"][0]["review_platforms"][0]["url"] = "trustpilot.com/evaluate/wattwerk.example"
    with caplog.at_level(logging.WARNING, logger="bot.catalogue.remote"):
        products = remote(api.url, local).products()
    assert names(products) == ["Wattwerk Business", "Wattwerk Home", "Wattwerk Sense"]  # the local catalogue
    assert "review_platforms[1].url: must be a web address" in caplog.records[0].getMessage()
    assert all(product.review_platforms for product in products)


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("500", "answered HTTP 500"), ("malformed", "did not answer with JSON"), ("invalid", "must be from 1 to 5 stars")],
)
def test_a_failing_api_falls_back_to_the_local_catalogue_and_says_why(
    api: Api, local: LocalCatalogue, caplog: pytest.LogCaptureFixture, mode: str, reason: str
) -> None:
    api.mode = mode
    with caplog.at_level(logging.WARNING, logger="bot.catalogue.remote"):
        products = remote(api.url, local).products()
    assert names(products) == ["Wattwerk Business", "Wattwerk Home", "Wattwerk Sense"]
    assert len(caplog.records) == 1 and reason in caplog.records[0].getMessage()


def test_a_server_error_is_retried_once_before_giving_up(api: Api, local: LocalCatalogue) -> None:
    api.mode = "500"
    remote(api.url, local).products()
    assert api.requests == 2


def test_a_slow_api_does_not_hold_the_visitor_up(api: Api, local: LocalCatalogue) -> None:
    api.mode = "slow"
    started = time.monotonic()
    products = remote(api.url, local, timeout=0.3).products()
    elapsed = time.monotonic() - started
    assert names(products)[0] == "Wattwerk Business"
    assert elapsed < 1.5, f"took {elapsed:.2f} s"


def test_an_unreachable_api_falls_back_and_is_left_alone_for_the_cool_down(
    api: Api, local: LocalCatalogue, caplog: pytest.LogCaptureFixture
) -> None:
    url = api.url
    api.stop()
    clock = Clock()
    catalogue = remote(url, local, clock)
    with caplog.at_level(logging.WARNING, logger="bot.catalogue.remote"):
        assert names(catalogue.products())[0] == "Wattwerk Business"
        clock.now += 10
        assert names(catalogue.products())[0] == "Wattwerk Business"
    assert len(caplog.records) == 1 and "is not reachable" in caplog.records[0].getMessage()
