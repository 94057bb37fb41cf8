"""Issue 9 (security) against the running bot: the action server answers only our Rasa, every
internal port listens on loopback, the Rasa token never shows in `ps` or in a log, every web
response carries the security headers, summary links expire, and visitor text stays text."""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from rasa_sdk.executor import CollectingDispatcher

from actions.leads import ActionAskLeadConsent, ActionSaveCallbackTime
from bot.db import make_engine, make_session_factory
from bot.logs import install_secret_scrubbing, scrub
from bot.services import Services
from bot.summaries import create_summary
from tests.helpers import make_tracker, user
from tests.running_bot import ACTION_TOKEN, TOKEN, Bot, new_sender, texts


def request(url: str, body: Any = None, headers: dict[str, str] | None = None,
            method: str | None = None) -> tuple[int, dict[str, str], str]:  # fmt: skip
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})},
                                 method=method)  # fmt: skip
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def forged_lead_request(sender: str) -> dict[str, Any]:
    """What the security review sent: a made-up tracker that asks for a handoff with consent."""
    message = {"text": "Bitte rufen Sie mich an: max@example.com", "intent": {"name": "request_contact"},
               "entities": []}  # fmt: skip
    return {
        "next_action": "action_submit_lead",
        "sender_id": sender,
        "tracker": {
            "sender_id": sender,
            "slots": {"lead_consent": True, "language": "de", "segment": "b2b", "lead_name": "Max Forge",
                      "lead_contact": "max@example.com"},  # fmt: skip
            "latest_message": message,
            "events": [{"event": "user", "text": message["text"], "parse_data": message}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
        "version": "3.6.21",
    }


def action_url(bot: Bot, path: str) -> str:
    return f"http://127.0.0.1:{bot.settings.action_port}{path}"


@pytest.mark.parametrize("headers", [{}, {"X-Action-Token": "guessed"}], ids=["no token", "wrong token"])
def test_a_forged_action_request_creates_no_handoff(bot: Bot, headers: dict[str, str]) -> None:
    sender = new_sender()
    status, _, body = request(action_url(bot, "/webhook"), forged_lead_request(sender), headers)
    assert status == 401 and "X-Action-Token" in body
    assert request(action_url(bot, "/actions"), headers=headers)[0] == 401
    assert request(action_url(bot, "/nlg"), {"response": "utter_greet", "tracker": {"slots": {}}}, headers)[0] == 401
    assert bot.handoffs(sender) == []


def test_our_rasa_server_still_runs_actions_through_the_token(bot: Bot) -> None:
    status, _, body = request(action_url(bot, "/actions"), headers={"X-Action-Token": ACTION_TOKEN})
    assert status == 200 and "action_submit_lead" in body
    assert request(action_url(bot, "/health"))[0] == 200  # the launcher's readiness check needs no token
    sender = new_sender()
    replies = bot.say(sender, "Gibt es echte Kundenbewertungen?")  # answered by a custom action
    assert "Bewertung" in texts(replies)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port`, from the kernel's tables."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1, as the kernel prints them


def test_every_internal_port_listens_on_loopback_only(bot: Bot) -> None:
    ports = {"Rasa": bot.settings.rasa_port, "action server": bot.settings.action_port,
             "web app": bot.settings.web_port}  # fmt: skip
    for name, port in ports.items():
        addresses = _listening_addresses(port)
        assert addresses, f"nothing listens on the {name} port {port}"
        assert addresses <= LOOPBACK, f"the {name} listens on {addresses} (0.0.0.0 is all interfaces)"


def test_the_rasa_token_shows_neither_in_the_process_list_nor_in_the_log(bot: Bot) -> None:
    assert bot.tracker(new_sender())["sender_id"]  # a request with ?token=
    status, _, _ = request(f"{bot.settings.rasa_url}/conversations/x/tracker?token=wrong-{TOKEN}")
    assert status == 401
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            assert TOKEN.encode() not in cmdline.read_bytes(), f"the token is in the command line of {cmdline}"
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    assert TOKEN not in bot.rasa.log.read_text(errors="replace")


def test_log_records_are_scrubbed_of_tokens_in_urls_even_in_extras(caplog: pytest.LogCaptureFixture) -> None:
    install_secret_scrubbing()
    access = logging.getLogger("sanic.access.test")
    with caplog.at_level(logging.INFO):
        access.info("GET /conversations/a/tracker?token=%s&x=1", "s3cret",
                    extra={"request": "GET http://localhost:5005/conversations/a/tracker?token=s3cret"})  # fmt: skip
    record = caplog.records[-1]
    assert "s3cret" not in record.getMessage() and "s3cret" not in record.request  # type: ignore[attr-defined]
    assert record.getMessage() == "GET /conversations/a/tracker?token=[redacted]&x=1"
    assert scrub("?a=1&token=abc&b=2") == "?a=1&token=[redacted]&b=2"


def _web(bot: Bot, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    return request(f"http://localhost:{bot.settings.web_port}{path}", headers=headers)


@pytest.mark.parametrize("path", ["/", "/preise", "/en/", "/no-such-page", "/login", "/inbox", "/summary/unknown",
                                  "/api/handoffs", "/health", "/static/site.css"])  # fmt: skip
def test_every_web_response_has_nosniff_and_a_referrer_policy(bot: Bot, path: str) -> None:
    _, headers, _ = _web(bot, path)
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower.get("x-content-type-options") == "nosniff"
    assert lower.get("referrer-policy") in ("no-referrer", "strict-origin-when-cross-origin", "strict-origin")


@pytest.mark.parametrize("path", ["/login", "/inbox", "/summary/unknown", "/no-such-page"])
def test_inbox_and_summary_pages_cannot_be_framed_or_redirect_forms(bot: Bot, path: str) -> None:
    _, headers, _ = _web(bot, path)
    csp = {k.lower(): v for k, v in headers.items()}.get("content-security-policy", "")
    for directive in ("frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"):
        assert directive in csp, f"{path}: {directive} missing in {csp!r}"
    assert {k.lower(): v for k, v in headers.items()}.get("referrer-policy") == "no-referrer"


def test_a_summary_link_expires_after_the_set_days(bot: Bot) -> None:
    factory = make_session_factory(make_engine(bot.settings.database_url))
    now = dt.datetime.now(dt.timezone.utc)
    fresh = create_summary(factory, new_sender(), "de", "wattwerk-sense", None, now=now - dt.timedelta(days=29))
    old = create_summary(factory, new_sender(), "en", "wattwerk-sense", None, now=now - dt.timedelta(days=31))
    status, _, page = _web(bot, f"/summary/{fresh.token}")
    assert status == 200 and "Wattwerk Sense" in page
    status, headers, page = _web(bot, f"/summary/{old.token}")
    assert status == 410 and "expired" in page and "30 days" in page and "Wattwerk Sense" not in page
    assert _web(bot, f"/summary/{old.token}?download=1")[0] == 410


# Markdown a visitor might type where the bot repeats it: links with other schemes, images, HTML.
PAYLOADS = ["[x](javascript:alert(1))", "![img](http://127.0.0.1:1/x.png)", "<img src=x onerror=alert(1)>",
            "[click](data:text/html,<script>alert(1)</script>)", "**morgen** _früh_ `10` Uhr"]  # fmt: skip


def _rendered(text: str) -> str:
    """The message as a Markdown renderer that, like the widget's (rasa-webchat turns react-markdown's
    URL check off), links any scheme turns it into HTML."""
    renderer = MarkdownIt("commonmark")
    renderer.validateLink = lambda url: True  # type: ignore[method-assign]
    return renderer.render(text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_callback_time_is_repeated_as_typed_never_as_markdown(services: Services, payload: str) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user(payload, "inform")], {"lead_callback_time": payload, "language": "en"})
    ActionSaveCallbackTime(services).run(dispatcher, tracker, {})
    html = _rendered(dispatcher.messages[0]["text"])
    assert "<a " not in html and "<img" not in html and "<strong>" not in html and "<code>" not in html
    assert html.startswith("<p>Noted: ")


def test_contact_details_in_the_consent_question_stay_text(catalogue_services: Services) -> None:
    text = "Mein Name ist Max Muster, Firma _Acme_ **GmbH**, max@example.com"
    dispatcher = CollectingDispatcher()
    ActionAskLeadConsent(catalogue_services).run(dispatcher, make_tracker([user(text, "inform")], {"language": "de"}),
                                                 {})  # fmt: skip
    html = _rendered(dispatcher.messages[0]["text"])
    assert "<strong>" not in html and "<em>" not in html and "<a " not in html
    assert "_Acme_ **GmbH**" in html and "max@example.com" in html

