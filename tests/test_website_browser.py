"""The demo website and its chat widget in a real browser: headless Debian Chromium, driven by Playwright.

A visitor arrives from LinkedIn on the pricing page: nothing is stored and nothing reaches the
bot until the chat is opened. Then the privacy notice and the greeting, a German question, a
button, the customer area and a reload; the HTTP API then shows what the bot learned. Links and
images that a bot message would smuggle in stay text. Screenshots go to tests/artifacts/.
`make test` installs Chromium (scripts/ensure_chromium.sh); Playwright downloads no browser.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from bot.aftersale.referrals import ReferralCredit, code_for
from bot.config import settings_from_env
from bot.db import make_engine, make_session_factory
from bot.journey.language import detect_language
from bot.launcher import MODEL, web_part
from bot.website import Site, load_site
from tests.browser import ARTIFACTS, ask, base, bot_texts, open_chat, wait_for_answer
from tests.running_bot import Bot

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")


@pytest.fixture(scope="module")
def site(bot: Bot) -> Site:
    return load_site(bot.settings.website_file)


def session_id(page: Page) -> str:
    return str(json.loads(page.evaluate("window.localStorage.getItem('chat_session')"))["session_id"])


def browser_storage(page: Page) -> dict[str, object]:
    """Everything the page keeps in the browser: local and session storage, cookies."""
    script = "() => ({local: Object.keys(localStorage), session: Object.keys(sessionStorage), cookie: document.cookie})"
    return dict(page.evaluate(script))


NOTHING_STORED = {"local": [], "session": [], "cookie": ""}


def traffic_to_rasa(page: Page, bot: Bot) -> list[str]:
    """Every request and WebSocket the page opens to Rasa's port, from now on."""
    urls: list[str] = []

    def seen(url: str) -> None:
        if urlparse(url).port == bot.settings.rasa_port:
            urls.append(url)

    page.on("request", lambda request: seen(request.url))
    page.on("websocket", lambda socket: seen(socket.url))
    return urls


def test_a_german_visitor_from_linkedin_chats_across_pages(bot: Bot, browser: Browser, site: Site) -> None:
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    requested: list[str] = []
    blocked: dict[str, str] = {}
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: blocked.update({request.url: request.failure or ""}))
    to_rasa = traffic_to_rasa(page, bot)

    # 1. The pricing page, arriving from LinkedIn. With the default WIDGET_CONNECT_ON=open nothing
    #    is stored in the browser and nothing (page, UTM, referrer) reaches the bot until the
    #    visitor opens the chat. Then the privacy notice comes first, and the greeting.
    page.goto(f"{base(bot)}/preise?utm_source=linkedin")
    expect(page.locator(".rw-launcher")).to_be_visible()
    page.wait_for_timeout(3_000)  # time in which a connecting widget would have connected and greeted
    assert browser_storage(page) == NOTHING_STORED and context.cookies() == []
    assert to_rasa == [], "no request and no WebSocket to Rasa before the chat is opened"
    expect(page.locator("#chat-tooltip")).to_be_hidden()
    page.screenshot(path=ARTIFACTS / "01-pricing-before-the-chat-is-opened.png")
    open_chat(page)
    greeting = site.page("pricing", "de").greeting
    expect(page.locator(".rw-messages-container")).to_contain_text(greeting, timeout=20_000)
    notice, first_greeting = bot_texts(page)[:2]
    assert notice.startswith("Kurz zum Datenschutz") and first_greeting == greeting
    privacy_link = page.locator(".rw-messages-container a", has_text="Datenschutzhinweise")
    assert privacy_link.get_attribute("href") == f"{base(bot)}/datenschutz"
    assert page.locator(".rw-new-message").get_attribute("placeholder") == "Ihre Nachricht …"
    page.screenshot(path=ARTIFACTS / "01-pricing-notice-and-greeting.png")

    # 2. A German question gets a German answer with buttons; a click on one answers it.
    ask(page, "Was kostet das bei euch?")
    assert detect_language(bot_texts(page)[-1], None) == "de"
    home_button = page.locator(".rw-reply", has_text="Wattwerk Home")
    expect(home_button).to_be_visible()
    page.screenshot(path=ARTIFACTS / "02-german-answer-with-buttons.png")
    home_button.click()
    expect(page.locator(".rw-messages-container")).to_contain_text("Das kostet Wattwerk Home:", timeout=20_000)
    conversation = session_id(page)

    # 3. Another page: the chat was used, so the widget connects at once and continues the same
    #    conversation, history still there; the customer area greets once.
    page.click("header nav a:text-is('Kundenbereich')")
    page.wait_for_url(f"{base(bot)}/kundenbereich")
    customer_greeting = site.page("customer_area", "de").greeting
    # In the open chat window, or as a tooltip if the visitor had closed it.
    expect(page.locator("body")).to_contain_text(customer_greeting, timeout=20_000)
    open_chat(page)
    messages = page.locator(".rw-messages-container")
    expect(messages).to_contain_text("Das kostet Wattwerk Home:")
    expect(messages).to_contain_text(customer_greeting)
    assert session_id(page) == conversation
    page.screenshot(path=ARTIFACTS / "03-customer-area-history-kept.png")

    # 4. A reload greets no second time, and the privacy notice stays a single one.
    page.reload()
    open_chat(page)
    ask(page, "Danke!")
    texts = bot_texts(page)
    assert texts.count(customer_greeting) == 1 and texts.count(greeting) == 1
    assert sum(text.startswith("Kurz zum Datenschutz") for text in texts) == 1
    page.screenshot(path=ARTIFACTS / "04-after-reload.png")
    context.close()

    # 5. What the bot learned, through Rasa's HTTP API: the page context of the first message
    #    (sent when the chat was opened) still tells where the visitor came from.
    slots = bot.slots(conversation)
    assert (slots["touchpoint"], slots["journey_phase"], slots["language"]) == ("social", "retention", "de")
    assert slots["greeted_pages"] == ["pricing", "customer_area"]
    # Nothing from other hosts: the widget asks for a Google font, which the page's CSP blocks
    # in the browser (without the CSP the request would be tried, and fail differently offline).
    foreign = {url: blocked.get(url, "loaded") for url in requested if urlparse(url).hostname != "localhost"}
    assert all(outcome == "csp" for outcome in foreign.values()), foreign


def test_the_widget_speaks_english_when_the_browser_does(bot: Bot, browser: Browser, site: Site) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{base(bot)}/")  # the German home page
    open_chat(page)
    messages = page.locator(".rw-messages-container")
    expect(messages).to_contain_text("A quick note on privacy", timeout=20_000)
    expect(messages).to_contain_text(site.page("home", "en").greeting)
    assert page.locator(".rw-new-message").get_attribute("placeholder") == "Your message …"
    ask(page, "How much does Wattwerk Home cost?")
    expect(messages).to_contain_text("This is what Wattwerk Home costs")
    ask(page, "Do you have a video of Wattwerk Home?")
    video = page.locator(".rw-messages-container a", has_text="https://wattwerk.example/video/home")
    assert video.get_attribute("href") == "https://wattwerk.example/video/home", "a URL in an answer is a link"
    page.screenshot(path=ARTIFACTS / "05-english-browser.png")
    assert bot.slots(session_id(page))["language"] == "en"

    # Starting over: the browser forgets the conversation; a new one starts when the chat is opened.
    first = session_id(page)
    with page.expect_navigation():
        page.click("#chat-restart")
    expect(page.locator(".rw-launcher")).to_be_visible()
    assert browser_storage(page) == NOTHING_STORED
    open_chat(page)
    expect(messages).to_contain_text("A quick note on privacy", timeout=20_000)
    assert session_id(page) != first
    context.close()


def test_the_language_switch_switches_the_widget_and_the_bot(bot: Bot, browser: Browser, site: Site) -> None:
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    to_rasa = traffic_to_rasa(page, bot)
    page.goto(f"{base(bot)}/preise")
    # Using the language switch is no interaction with the chat: still nothing stored or sent.
    page.click("header a.language")  # "English"
    page.wait_for_url(f"{base(bot)}/en/pricing")
    page.click("header a.language")  # "Deutsch"
    page.wait_for_url(f"{base(bot)}/preise")
    expect(page.locator(".rw-launcher")).to_be_visible()
    assert browser_storage(page) == NOTHING_STORED and to_rasa == []

    open_chat(page)
    expect(page.locator(".rw-messages-container")).to_contain_text(site.page("pricing", "de").greeting, timeout=20_000)
    page.click("header a.language")  # "English"
    page.wait_for_url(f"{base(bot)}/en/pricing")
    open_chat(page)
    assert page.locator(".rw-new-message").get_attribute("placeholder") == "Your message …"
    ask(page, "ok")
    assert detect_language(bot_texts(page)[-1], None) == "en"
    slots = bot.slots(session_id(page))
    assert (slots["language"], slots["greeted_pages"]) == ("en", ["pricing"]), "one page, greeted once"
    context.close()


@pytest.fixture(scope="module")
def web_connecting_on_mount(bot: Bot) -> Iterator[str]:
    """A second web app with WIDGET_CONNECT_ON=mount (an opt-in that needs consent), beside the running bot."""
    env = bot.env | {"WEB_PORT": str(bot.spare_web_port), "WIDGET_CONNECT_ON": "mount"}
    part = web_part(settings_from_env(env))
    part.log = bot.actions.log.parent / "web-mount.log"
    part.start(env)
    try:
        part.wait_ready(time.monotonic() + 60)
        yield f"http://localhost:{bot.spare_web_port}"
    finally:
        part.stop()


def test_with_connect_on_mount_the_bot_greets_before_the_chat_is_opened(
    bot: Bot, browser: Browser, site: Site, web_connecting_on_mount: str
) -> None:
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{web_connecting_on_mount}/preise?utm_source=linkedin")
    greeting = site.page("pricing", "de").greeting
    # The notice shows as a tooltip beside the chat button (#chat-tooltip, site.js), before it is opened.
    expect(page.locator("#chat-tooltip")).to_contain_text("Kurz zum Datenschutz", timeout=20_000)
    expect(page.locator("#chat-tooltip")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "06-mount-proactive-greeting.png")
    # Why this mode needs consent: before the visitor touched the chat, the browser holds a
    # conversation and the bot has stored the page the visitor came to, with its UTM parameters.
    conversation = session_id(page)
    pages = [event.get("metadata", {}).get("page", {}).get("url")
             for event in bot.tracker(conversation)["events"] if event["event"] == "user"]  # fmt: skip
    assert f"{web_connecting_on_mount}/preise?utm_source=linkedin" in pages
    open_chat(page)
    expect(page.locator(".rw-messages-container")).to_contain_text(greeting, timeout=20_000)
    notice, first_greeting = bot_texts(page)[:2]
    assert notice.startswith("Kurz zum Datenschutz") and first_greeting == greeting
    context.close()


# Links and images a bot message could carry, as Markdown: the widget must show them as text.
INJECTED = ["[x](javascript:alert(1))", "[y](data:text/html,<script>alert(1)</script>)",
            "![img](http://127.0.0.1:1/x.png)"]  # fmt: skip
WEB_LINK = "Mehr auf [unserer Website](https://wattwerk.example/)."
LINK_SCHEMES = re.compile(r"(https?|mailto|tel):", re.IGNORECASE)


def test_a_bot_message_links_only_to_web_mail_and_phone_and_shows_no_images(bot: Bot, browser: Browser) -> None:
    """The bot escapes what visitors typed (bot/text.py); the page script makes sure anyway. Rasa's
    own messages reach the page unchanged through its WebSocket, and the test adds crafted ones."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sockets: list[WebSocketRoute] = []
    from_page: list[str | bytes] = []

    def forward(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        socket.on_message(lambda message: (from_page.append(message), server.send(message)))
        sockets.append(socket)

    page.route_web_socket(re.compile(r"/socket\.io/"), forward)
    page.goto(f"{base(bot)}/")
    open_chat(page)
    responses = page.locator(".rw-messages-container .rw-response")
    messages = page.locator(".rw-messages-container")
    expect(messages).to_contain_text("Kurz zum Datenschutz", timeout=20_000)
    wait_for_answer(page)
    # socket.io starts with HTTP polling and moves to the WebSocket soon after ("5": upgrade).
    for _ in range(100):
        if "5" in from_page:
            break
        page.wait_for_timeout(100)
    assert "5" in from_page, f"socket.io never moved to the WebSocket: {from_page}"
    before = responses.count()
    for text in [*INJECTED, WEB_LINK]:
        sockets[-1].send("42" + json.dumps(["bot_uttered", {"text": text}]))  # a socket.io event
    expect(responses).to_have_count(before + 4, timeout=20_000)
    wait_for_answer(page)
    page.screenshot(path=ARTIFACTS / "07-links-and-images-as-text.png")

    def check() -> None:
        hrefs = messages.locator("a").evaluate_all("links => links.map(link => link.getAttribute('href'))")
        assert [href for href in hrefs if not LINK_SCHEMES.match(href or "")] == [], "only web, mail, phone links"
        assert messages.locator("img").count() == 0, "no images"
        assert bot_texts(page)[-4:] == [*INJECTED, "Mehr auf unserer Website."], "shown as written"
        assert messages.locator("a", has_text="unserer Website").get_attribute("href") == "https://wattwerk.example/"

    check()
    messages.get_by_text(INJECTED[0]).click()
    # The widget keeps the conversation in the browser; after a reload it is shown the same way.
    page.reload()
    open_chat(page)
    expect(messages).to_contain_text(WEB_LINK.replace("[", "").replace("](https://wattwerk.example/)", ""))
    check()
    assert dialogs == [] and not [url for url in requested if "127.0.0.1:1/" in url]
    context.close()


def test_a_visitor_with_a_customers_referral_link_is_attributed_across_pages(bot: Bot, browser: Browser) -> None:
    """The link a customer got in the chat (bot/aftersale/referrals.py): the visitor lands on the home page, moves to
    the pricing page (the site keeps the code in its links; nothing is stored in the browser), opens the chat there
    and asks; the conversation's touchpoint is `referral` and the customer is credited with it."""
    engine = make_engine(bot.settings.database_url)
    code = code_for(make_session_factory(engine), f"customer-{uuid.uuid4().hex[:8]}", "conversation-of-the-customer",
                    dt.datetime.now(dt.timezone.utc))  # fmt: skip
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(f"{base(bot)}/?ref={code}")
    page.get_by_role("navigation").get_by_role("link", name="Preise").click()
    expect(page).to_have_url(re.compile(rf"/preise\?ref={code}$"))
    assert browser_storage(page) == NOTHING_STORED and context.cookies() == []
    open_chat(page)
    ask(page, "Was kostet Wattwerk Home?")
    visitor = session_id(page)
    assert bot.tracker(visitor)["slots"]["touchpoint"] == "referral"
    with engine.connect() as connection:
        credited = connection.execute(sa.select(ReferralCredit.code).where(ReferralCredit.conversation_id == visitor))
        assert credited.scalars().all() == [code]
