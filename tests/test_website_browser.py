"""The demo website and its chat widget in a real browser: headless Debian Chromium, driven by Playwright.

A visitor arrives from LinkedIn on the pricing page, sees the privacy notice and the greeting,
asks in German, clicks a button, moves on to the customer area and reloads it; the HTTP API
then shows what the bot learned. Screenshots go to tests/artifacts/ for a human to look at.
`make test` installs Chromium (scripts/ensure_chromium.sh); Playwright downloads no browser.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bot.config import PROJECT_ROOT, settings_from_env
from bot.language import detect_language
from bot.launcher import MODEL, web_part
from bot.website import Site, load_site
from tests.running_bot import Bot

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
# As root and on a machine without internet: no sandbox, no background connections to Google.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium_path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium_path).exists():
        message = f"Chromium not found at {chromium_path}: run `make browser` (or set CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it; a skipped browser test would prove nothing
        pytest.skip(message)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(bot: Bot) -> Site:
    return load_site(bot.settings.website_file)


def base(bot: Bot) -> str:
    return f"http://localhost:{bot.settings.web_port}"


def open_chat(page: Page) -> None:
    """Opens the chat window (the widget keeps it closed on a new page and shows a tooltip)."""
    expect(page.locator(".rw-launcher")).to_be_visible()
    if not page.locator(".rw-conversation-container").is_visible():
        page.click(".rw-launcher")
    expect(page.locator(".rw-conversation-container")).to_be_visible()


def bot_texts(page: Page) -> list[str]:
    return [text.strip() for text in page.locator(".rw-messages-container .rw-response").all_inner_texts()]


def session_id(page: Page) -> str:
    return str(json.loads(page.evaluate("window.localStorage.getItem('chat_session')"))["session_id"])


def ask(page: Page, text: str) -> None:
    before = page.locator(".rw-messages-container .rw-response").count()
    page.fill(".rw-new-message", text)
    page.keyboard.press("Enter")
    expect(page.locator(".rw-messages-container .rw-response")).not_to_have_count(before, timeout=20_000)
    # The widget shows an answer's messages one after another, with "typing" dots in between.
    expect(page.locator(".rw-typing-indication")).to_have_count(0, timeout=20_000)


def test_a_german_visitor_from_linkedin_chats_across_pages(bot: Bot, browser: Browser, site: Site) -> None:
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    requested: list[str] = []
    blocked: dict[str, str] = {}
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: blocked.update({request.url: request.failure or ""}))

    # 1. The pricing page, arriving from LinkedIn: the bot speaks first, with the privacy notice.
    page.goto(f"{base(bot)}/preise?utm_source=linkedin")
    tooltip = page.locator(".rw-tooltip-body")
    expect(tooltip).to_contain_text("Kurz zum Datenschutz", timeout=20_000)
    page.screenshot(path=ARTIFACTS / "01-pricing-proactive-greeting.png")
    open_chat(page)
    greeting = site.page("pricing", "de").greeting
    expect(page.locator(".rw-messages-container")).to_contain_text(greeting)
    notice, first_greeting = bot_texts(page)[:2]
    assert notice.startswith("Kurz zum Datenschutz") and first_greeting == greeting
    privacy_link = page.locator(".rw-messages-container a", has_text="Datenschutzhinweise")
    assert privacy_link.get_attribute("href") == f"{base(bot)}/datenschutz"
    assert page.locator(".rw-new-message").get_attribute("placeholder") == "Ihre Nachricht …"

    # 2. A German question gets a German answer with buttons; a click on one answers it.
    ask(page, "Was kostet das bei euch?")
    assert detect_language(bot_texts(page)[-1], None) == "de"
    home_button = page.locator(".rw-reply", has_text="Wattwerk Home")
    expect(home_button).to_be_visible()
    page.screenshot(path=ARTIFACTS / "02-german-answer-with-buttons.png")
    home_button.click()
    expect(page.locator(".rw-messages-container")).to_contain_text("Das kostet Wattwerk Home:", timeout=20_000)
    conversation = session_id(page)

    # 3. Another page: same conversation, history still there, the customer area greets once.
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

    # 5. What the bot learned, through Rasa's HTTP API.
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
    expect(page.locator(".rw-tooltip-body")).to_contain_text("A quick note on privacy", timeout=20_000)
    open_chat(page)
    expect(page.locator(".rw-messages-container")).to_contain_text(site.page("home", "en").greeting)
    assert page.locator(".rw-new-message").get_attribute("placeholder") == "Your message …"
    ask(page, "How much does Wattwerk Home cost?")
    expect(page.locator(".rw-messages-container")).to_contain_text("This is what Wattwerk Home costs")
    ask(page, "Do you have a video of Wattwerk Home?")
    video = page.locator(".rw-messages-container a", has_text="https://wattwerk.example/video/home")
    assert video.get_attribute("href") == "https://wattwerk.example/video/home", "a URL in an answer is a link"
    page.screenshot(path=ARTIFACTS / "05-english-browser.png")
    assert bot.slots(session_id(page))["language"] == "en"

    # Starting over: a new conversation, greeted afresh.
    first = session_id(page)
    page.click("#chat-restart")
    expect(page.locator(".rw-tooltip-body")).to_contain_text("A quick note on privacy", timeout=20_000)
    assert session_id(page) != first
    context.close()


def test_the_language_switch_switches_the_widget_and_the_bot(bot: Bot, browser: Browser, site: Site) -> None:
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{base(bot)}/preise")
    expect(page.locator("body")).to_contain_text(site.page("pricing", "de").greeting, timeout=20_000)
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
def web_connecting_on_open(bot: Bot) -> Iterator[str]:
    """A second web app with WIDGET_CONNECT_ON=open, beside the running bot."""
    env = bot.env | {"WEB_PORT": str(bot.spare_web_port), "WIDGET_CONNECT_ON": "open"}
    part = web_part(settings_from_env(env))
    part.log = bot.actions.log.parent / "web-open.log"
    part.start(env)
    try:
        part.wait_ready(time.monotonic() + 60)
        yield f"http://localhost:{bot.spare_web_port}"
    finally:
        part.stop()


def test_with_connect_on_open_nothing_is_stored_before_the_chat_is_opened(
    bot: Bot, browser: Browser, site: Site, web_connecting_on_open: str
) -> None:
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sockets: list[str] = []
    page.on("request", lambda request: sockets.append(request.url) if "/socket.io/" in request.url else None)
    page.goto(f"{web_connecting_on_open}/preise")
    expect(page.locator(".rw-launcher")).to_be_visible()
    page.wait_for_timeout(2_000)  # time in which a connecting widget would have connected
    assert sockets == [] and page.evaluate("window.localStorage.getItem('chat_session')") is None
    page.click(".rw-launcher")
    messages = page.locator(".rw-messages-container")
    expect(messages).to_contain_text("Kurz zum Datenschutz", timeout=20_000)
    expect(messages).to_contain_text(site.page("pricing", "de").greeting)
    assert bot_texts(page)[0].startswith("Kurz zum Datenschutz"), "the widget's empty init payload is no message"
    context.close()
