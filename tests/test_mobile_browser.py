"""The demo website and the chat on phones: Playwright's phone profiles (an iPhone and an Android
phone) and plain phone widths from 320 to 430 CSS pixels, in Debian's Chromium.

A visitor on a phone sees the whole page without scrolling sideways, reaches every link and
button with a finger (44 × 44 pixels), and the open chat fills the screen with its header, close
button and text field in view, also while the on-screen keyboard is up. Screenshots go to
tests/artifacts/ (mobile-*.png).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from bot.launcher import MODEL
from bot.website import Site, load_site
from tests.browser import ARTIFACTS, ask, base, chromium, open_chat, phone, wait_for_answer
from tests.running_bot import Bot

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")

PHONES = ["iPhone 12", "Pixel 5"]
WIDTHS = [320, 375, 390, 430]
TARGET = 44  # CSS pixels, the smallest finger target we allow


@pytest.fixture(scope="module")
def playwright_and_browser() -> Iterator[tuple[Playwright, Browser]]:
    with chromium() as both:
        yield both


@pytest.fixture(scope="module")
def site(bot: Bot) -> Site:
    return load_site(bot.settings.website_file)


def assert_no_sideways_scrolling(page: Page, width: int) -> None:
    """The page is exactly as wide as the phone: not wider (it would scroll sideways or cut text off)
    and not laid out wider and zoomed out (then innerWidth grows with it)."""
    scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert inner_width == width, f"laid out {inner_width} pixels wide on a {width} pixel screen"
    assert scroll_width <= inner_width, f"{scroll_width} pixels wide content on a {width} pixel screen"


BOXES = """selector => [...document.querySelectorAll(selector)].map(element => {
  const box = element.getBoundingClientRect(), style = getComputedStyle(element);
  return {text: (element.getAttribute("aria-label") || element.textContent || "").trim().slice(0, 50),
          left: box.left, right: box.right, top: box.top, bottom: box.bottom, width: box.width, height: box.height,
          shown: style.display !== "none" && style.visibility !== "hidden" && box.width > 0};
}).filter(box => box.shown)"""


def boxes(page: Page, selector: str) -> list[dict[str, Any]]:
    return list(page.evaluate(BOXES, selector))


def viewport(page: Page) -> dict[str, float]:
    return dict(page.evaluate("() => ({width: window.innerWidth, height: window.innerHeight})"))


def outside_horizontally(page: Page, selector: str) -> list[str]:
    width = viewport(page)["width"]
    return [box["text"] for box in boxes(page, selector) if box["left"] < -0.5 or box["right"] > width + 0.5]


def outside(page: Page, selector: str) -> list[str]:
    size = viewport(page)
    return [box["text"] or selector for box in boxes(page, selector)
            if box["left"] < -0.5 or box["right"] > size["width"] + 0.5
            or box["top"] < -0.5 or box["bottom"] > size["height"] + 0.5]  # fmt: skip


def too_small(page: Page, selector: str) -> list[str]:
    return [f"{box['text'] or selector} {box['width']:.0f}×{box['height']:.0f}" for box in boxes(page, selector)
            if box["width"] < TARGET - 0.5 or box["height"] < TARGET - 0.5]  # fmt: skip


def overlapping(page: Page, first: str, second: str) -> bool:
    a, b = boxes(page, first)[0], boxes(page, second)[0]
    return bool(a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"])


def assert_page_fits(page: Page, width: int) -> None:
    assert_no_sideways_scrolling(page, width)
    assert outside_horizontally(page, "header a, footer a, footer button") == [], "links and buttons within the width"
    assert too_small(page, "header a, footer a, footer button, .rw-launcher") == [], "finger-sized targets"
    assert outside_horizontally(page, ".rw-launcher, #chat-tooltip") == []


def assert_chat_fills_the_screen(page: Page) -> None:
    """The open chat covers the (visual) viewport, its header, close button and text field are on
    the screen and finger-sized, and no message sticks out at the sides."""
    size = viewport(page)
    chat = boxes(page, ".rw-widget-container.rw-chat-open")[0]
    assert (round(chat["left"]), round(chat["top"]), round(chat["width"]), round(chat["height"])) == (
        0, 0, size["width"], size["height"]), chat  # fmt: skip
    for selector in (".rw-header", ".rw-close-button", ".rw-new-message", ".rw-send"):
        expect(page.locator(selector)).to_be_visible()
        assert outside(page, selector) == [], f"{selector} on the screen"
    assert too_small(page, ".rw-close-button, .rw-send, .rw-new-message, .rw-reply") == []
    messages = ".rw-messages-container .rw-message, .rw-response, .rw-client, .rw-reply, .rw-markdown p"
    assert outside_horizontally(page, messages) == [], "every message fits the width of the screen"
    assert_no_sideways_scrolling(page, int(size["width"]))


# Each language's visitor: browser locale, question, and the answer to the button "Wattwerk Home".
FLOWS = {"de": ("de-DE", "Was kostet das bei euch?", "Das kostet Wattwerk Home:"),
         "en": ("en-GB", "How much does it cost?", "This is what Wattwerk Home costs")}  # fmt: skip
REPLY, FIRST, SECOND = "Wattwerk Home", "pricing", "customer_area"


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("device", PHONES)
def test_a_visitor_on_a_phone_chats(
    bot: Bot, playwright_and_browser: tuple[Playwright, Browser], site: Site, device: str, language: str
) -> None:
    playwright, browser = playwright_and_browser
    locale, question, answer = FLOWS[language]
    first, second = FIRST, SECOND
    profile = phone(playwright, device)
    width, height = profile["viewport"]["width"], profile["viewport"]["height"]
    context = browser.new_context(**profile, locale=locale)
    page = context.new_page()
    shot = f"mobile-{device.replace(' ', '-').lower()}-{language}"

    # The page: as wide as the phone, the navigation wrapped, every link a finger target.
    page.goto(base(bot) + site.page(first, language).path)
    expect(page.locator(".rw-launcher")).to_be_visible()
    assert_page_fits(page, width)
    page.screenshot(path=ARTIFACTS / f"{shot}-1-page.png")

    # The chat, opened with a tap, fills the screen: notice and greeting, header, close button, text field.
    page.locator(".rw-launcher").tap()
    expect(page.locator(".rw-messages-container")).to_contain_text(site.page(first, language).greeting, timeout=20_000)
    wait_for_answer(page)
    assert_chat_fills_the_screen(page)

    # A question, and a tap on one of the answer's buttons.
    ask(page, question)
    button = page.locator(".rw-reply", has_text=REPLY)
    expect(button).to_be_visible()
    assert_chat_fills_the_screen(page)
    page.screenshot(path=ARTIFACTS / f"{shot}-2-buttons.png")
    button.tap()
    expect(page.locator(".rw-messages-container")).to_contain_text(answer, timeout=20_000)
    wait_for_answer(page)
    assert_chat_fills_the_screen(page)
    page.screenshot(path=ARTIFACTS / f"{shot}-3-answer.png")

    # The on-screen keyboard: Chromium on Android shrinks the viewport (interactive-widget=
    # resizes-content), iOS the visual viewport (site.js follows it). The header, the close button,
    # the text field and the latest message stay on the screen.
    page.locator(".rw-new-message").tap()
    page.set_viewport_size({"width": width, "height": height - 300})
    page.wait_for_function(f"() => window.visualViewport.height <= {height - 300}")
    assert_chat_fills_the_screen(page)
    last = boxes(page, ".rw-messages-container .rw-message")[-1]
    list_box = boxes(page, ".rw-messages-container")[0]
    assert last["bottom"] <= list_box["bottom"] + 1, "the latest message stays in view"
    page.screenshot(path=ARTIFACTS / f"{shot}-4-keyboard-up.png")
    page.set_viewport_size({"width": width, "height": height})

    # Closed with the close button; the next page greets in a tooltip, which stays on the screen.
    page.locator(".rw-close-button").tap()
    expect(page.locator(".rw-conversation-container")).to_have_count(0)
    page.locator("header nav a", has_text=site.page(second, language).nav).tap()
    page.wait_for_url(base(bot) + site.page(second, language).path)
    tooltip = page.locator("#chat-tooltip")
    expect(tooltip).to_contain_text(site.page(second, language).greeting, timeout=20_000)
    expect(tooltip).to_be_visible()
    assert_page_fits(page, width)
    assert outside(page, "#chat-tooltip, #chat-tooltip button") == [], "the tooltip stays on the screen"
    assert too_small(page, "#chat-tooltip button") == [], "its buttons are finger-sized"
    assert not overlapping(page, "#chat-tooltip", ".rw-launcher"), "beside the chat button, not over it"
    page.screenshot(path=ARTIFACTS / f"{shot}-5-tooltip.png")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_wider_than_the_phone(
    bot: Bot, playwright_and_browser: tuple[Playwright, Browser], site: Site, width: int
) -> None:
    _, browser = playwright_and_browser
    context = browser.new_context(viewport={"width": width, "height": 740}, screen={"width": width, "height": 740},
                                  is_mobile=True, has_touch=True, device_scale_factor=2, locale="de-DE")  # fmt: skip
    page = context.new_page()
    for each in site.pages:
        page.goto(base(bot) + each.path)
        expect(page.locator(".rw-launcher")).to_be_visible()
        assert_page_fits(page, width)
    page.screenshot(path=ARTIFACTS / f"mobile-{width}px-page.png")
    # The last page with the chat open: notice and greeting fit too.
    open_chat(page)
    greeting = site.page(site.pages[-1].key, "de").greeting  # a German browser: the bot speaks German
    expect(page.locator(".rw-messages-container")).to_contain_text(greeting, timeout=20_000)
    wait_for_answer(page)
    assert_chat_fills_the_screen(page)
    page.screenshot(path=ARTIFACTS / f"mobile-{width}px-chat.png")
    # Closed, and on to the home page: its greeting comes as a tooltip, beside the chat button
    # and on the screen.
    page.locator(".rw-close-button").tap()
    expect(page.locator(".rw-conversation-container")).to_have_count(0)
    page.goto(base(bot) + site.page("home", "de").path)
    tooltip = page.locator("#chat-tooltip")
    expect(tooltip).to_contain_text(site.page("home", "de").greeting, timeout=20_000)
    expect(tooltip).to_be_visible()
    assert_page_fits(page, width)
    assert outside(page, "#chat-tooltip, #chat-tooltip button") == [], "the tooltip stays on the screen"
    assert too_small(page, "#chat-tooltip button") == [], "its buttons are finger-sized"
    assert not overlapping(page, "#chat-tooltip", ".rw-launcher"), "beside the chat button, not over it"
    page.screenshot(path=ARTIFACTS / f"mobile-{width}px-tooltip.png")
    context.close()
