"""The sales inbox and the one-page summary for everyone: axe-core audit, keyboard, phones.

Real Chromium (headless Debian Chromium, driven by Playwright) against the real web app of the
running bot (tests/running_bot.py). Each page is audited with axe-core (website/node_modules,
pinned in website/package.json) for WCAG 2.0/2.1 A and AA; it must find nothing. On a 375 px phone
the page must not be wider than the screen and every button and form field must be a 44x44 px
touch target. A salesperson signs in with the keyboard alone. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bot.db import make_engine, make_session_factory
from bot.launcher import MODEL
from bot.sales import live
from bot.sales.accounts import add_user
from bot.summaries import create_summary
from tests.browser import ARTIFACTS, WCAG_21_AA, base
from tests.browser import axe_violations as audit
from tests.browser import sign_in as browser_sign_in
from tests.running_bot import Bot, new_sender

USER, PASSWORD = "a11y-lena", "a11y-secret-password"
PHONE_WIDTH = 375
PHONE = {"viewport": {"width": PHONE_WIDTH, "height": 812}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}  # fmt: skip
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
TOUCH_TARGET = 44  # CSS pixels, WCAG 2.5.5 / Apple and Google guidelines

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")


@pytest.fixture(scope="module")
def site(bot: Bot) -> dict[str, Any]:
    """An inbox account linked to a salesperson, a handoff with notes and activity, two summaries."""
    factory = make_session_factory(make_engine(bot.settings.database_url))
    now = dt.datetime.now(dt.timezone.utc)
    add_user(factory, USER, PASSWORD, "lena.vogt", now)
    sender = new_sender()
    bot.say(sender, "Können Sie mich bitte zurückrufen? Ich hätte gern ein Angebot für 40 Mitarbeiter.")
    bot.say(sender, "Ida Krause, Krause & Söhne Maschinenbau GmbH, ida.krause@example.de")
    bot.say(sender, "Ja, ich bin einverstanden.")
    (handoff,) = bot.handoffs(sender)
    # Status stays "new": other end-to-end tests count the claimed handoffs of this shared database.
    bot.api(f"/api/handoffs/{handoff['id']}", method="PATCH", body={"assignee": "max.huber"})
    bot.api(f"/api/handoffs/{handoff['id']}", method="PATCH", body={"note": "Ruft Freitag <b>vormittags</b> zurück"})
    roi = {"product": "wattwerk-business", "plan": "business-professional", "units": 4,
           "annual_energy_cost_eur": "60000", "savings_rate": "0.15", "annual_savings_eur": "9000.00",
           "annual_running_cost_eur": "1788.00", "one_off_cost_eur": "490.00", "payback_months": "0.8",
           "tco_3y_eur": "5854.00", "net_3y_eur": "21146.00"}  # fmt: skip
    german = create_summary(factory, new_sender(), "de", "wattwerk-business", roi, now=now)
    english = create_summary(factory, new_sender(), "en", "wattwerk-home", None, now=now)
    expired = create_summary(factory, new_sender(), "en", "wattwerk-home", None, now=now - dt.timedelta(days=400))
    chat = live.request_live(factory, sender, int(handoff["id"]), "de", now)  # she waits for a salesperson
    return {"handoff": int(handoff["id"]), "summary_de": german.token, "summary_en": english.token,
            "summary_expired": expired.token, "live": chat.id}  # fmt: skip


def sign_in(page: Page, bot: Bot, password: str = PASSWORD, username: str = USER) -> None:
    browser_sign_in(page, bot, username, password)


# Each page as a salesperson or a decision maker reaches it; the heading they see first.
def open_login(page: Page, bot: Bot, site: dict[str, Any]) -> str:
    page.goto(base(bot) + "/login")
    return "Anmelden"


def open_login_error(page: Page, bot: Bot, site: dict[str, Any]) -> str:
    sign_in(page, bot, password="not-the-password", username="a11y-nobody")
    expect(page.get_by_text("Benutzer oder Passwort stimmt nicht.")).to_be_visible()
    return "Anmelden"


def open_inbox(page: Page, bot: Bot, site: dict[str, Any]) -> str:
    sign_in(page, bot)
    page.goto(base(bot) + "/inbox?status=new&assignee=max.huber")
    expect(page.get_by_role("link", name=f"#{site['handoff']}")).to_be_visible()
    return "Anfragen"


def open_detail(page: Page, bot: Bot, site: dict[str, Any]) -> str:
    sign_in(page, bot)
    page.goto(base(bot) + f"/handoffs/{site['handoff']}")
    expect(page.get_by_role("button", name="Übernehmen")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Notiz: Ruft Freitag <b>vormittags</b> zurück")  # "Verlauf"
    return f"Anfrage #{site['handoff']}"


def open_not_found(page: Page, bot: Bot, site: dict[str, Any]) -> str:
    sign_in(page, bot)
    page.goto(base(bot) + "/handoffs/999999")
    expect(page.get_by_text("Diese Anfrage gibt es nicht.")).to_be_visible()
    return "Nicht gefunden"


def open_live_queue(page: Page, bot: Bot, site: dict[str, Any]) -> str:
    sign_in(page, bot)
    page.goto(base(bot) + "/live")
    expect(page.locator("#queue li.waiting", has_text="Ida Krause")).to_be_visible()
    return "Live-Chat"


def open_live_chat(page: Page, bot: Bot, site: dict[str, Any]) -> str:
    sign_in(page, bot)
    page.goto(base(bot) + f"/live/{site['live']}")
    expect(page.get_by_role("button", name="Übernehmen")).to_be_visible()
    expect(page.locator("#transcript")).to_contain_text("ida.krause@example.de")
    return f"Live-Chat #{site['live']} · Ida Krause"


def open_summary_de(page: Page, bot: Bot, site: dict[str, Any]) -> str:
    page.goto(base(bot) + f"/summary/{site['summary_de']}")
    return "Wattwerk Business"


def open_summary_en(page: Page, bot: Bot, site: dict[str, Any]) -> str:
    page.goto(base(bot) + f"/summary/{site['summary_en']}")
    return "Wattwerk Home"


def open_summary_expired(page: Page, bot: Bot, site: dict[str, Any]) -> str:
    page.goto(base(bot) + f"/summary/{site['summary_expired']}")
    expect(page.get_by_text("This link has expired")).to_be_visible()
    return "Summary for decision makers"


def open_summary_unknown(page: Page, bot: Bot, site: dict[str, Any]) -> str:
    page.goto(base(bot) + "/summary/no-such-token")
    expect(page.get_by_text("Diese Zusammenfassung gibt es nicht")).to_be_visible()
    return "Zusammenfassung"


PAGES: dict[str, Callable[[Page, Bot, dict[str, Any]], str]] = {
    "login": open_login, "login-error": open_login_error, "inbox": open_inbox, "detail": open_detail,
    "not-found": open_not_found, "live-queue": open_live_queue, "live-chat": open_live_chat,
    "summary-de": open_summary_de, "summary-en": open_summary_en,
    "summary-expired": open_summary_expired, "summary-unknown": open_summary_unknown,
}  # fmt: skip


@pytest.fixture()
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        contexts.append(browser.new_context(locale="de-DE", **options))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


def axe_violations(page: Page, tags: list[str] = WCAG_21_AA) -> list[str]:
    """axe-core's findings for the rules with these tags, one line per rule with the elements it names."""
    return [f"{rule}: {', '.join(targets)}" for rule, targets in audit(page, tags).items()]


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_wcag_21_aa_violation(bot: Bot, site: dict[str, Any], new_context: Any, name: str) -> None:
    # The pages send a strict CSP (default-src 'none'; scripts only our own, on the live chat pages: bot/web/app.py),
    # which would block the injected axe-core script; the audit context bypasses the CSP.
    page = new_context(bypass_csp=True, **DESKTOP).new_page()
    heading = PAGES[name](page, bot, site)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    page.screenshot(path=str(ARTIFACTS / f"inbox-a11y-{name}-desktop.png"), full_page=True)
    found = axe_violations(page)
    assert not found, f"{len(found)} axe violation(s) on {name}:\n" + "\n".join(found)


@pytest.mark.parametrize("name", PAGES)
def test_landmarks_and_headings_lead_a_screen_reader_through_the_page(
    bot: Bot, site: dict[str, Any], new_context: Any, name: str
) -> None:
    """axe-core's best practices (not WCAG rules): one main landmark, all content in landmarks, headings in order."""
    page = new_context(bypass_csp=True, **DESKTOP).new_page()  # bypass_csp: see the test above
    PAGES[name](page, bot, site)
    expect(page.get_by_role("main")).to_have_count(1)
    found = axe_violations(page, ["best-practice"])
    assert not found, f"{len(found)} axe best-practice violation(s) on {name}:\n" + "\n".join(found)


@pytest.mark.parametrize("name", PAGES)
def test_on_a_phone_the_page_fits_and_controls_are_big_enough(
    bot: Bot, site: dict[str, Any], new_context: Any, name: str
) -> None:
    page = new_context(**PHONE).new_page()
    heading = PAGES[name](page, bot, site)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    page.screenshot(path=str(ARTIFACTS / f"inbox-a11y-{name}-phone-375.png"), full_page=True)
    # A phone browser zooms out to show a page that is too wide, and innerWidth grows with it: so the
    # page must also be shown at the phone's own width.
    content, shown = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert (
        shown == PHONE_WIDTH and content <= shown
    ), f"the page is {content} px wide, shown {shown} px wide, on a {PHONE_WIDTH} px phone"
    small = page.evaluate(
        """min => [...document.querySelectorAll('button, select, input:not([type=hidden]), textarea')]
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, box]) => box.width > 0 && (box.width < min || box.height < min))
            .map(([el, box]) => `${el.tagName} "${el.innerText || el.name}" ${box.width}x${box.height}`)""",
        TOUCH_TARGET,
    )
    assert not small, f"touch targets smaller than {TOUCH_TARGET}x{TOUCH_TARGET} px: " + ", ".join(small)


def focus_ring(page: Page) -> float:
    """The width of the visible outline around the focused element, 0 without one."""
    return float(
        page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth); }""")
    )


def focused_label(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement.labels?.[0]?.textContent.trim() ?? ''"))


def test_a_salesperson_signs_in_with_the_keyboard_alone(bot: Bot, site: dict[str, Any], new_context: Any) -> None:
    page = new_context(**DESKTOP).new_page()
    page.goto(base(bot) + "/login")
    page.keyboard.press("Tab")
    assert focused_label(page) == "Benutzer", "the first Tab reaches the user name field"
    assert focus_ring(page) >= 2, "the focused field shows a clear focus ring"
    page.keyboard.type(USER)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Passwort")).to_be_focused()
    assert focus_ring(page) >= 2
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(base(bot) + "/inbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anfragen")
    page.screenshot(path=str(ARTIFACTS / "inbox-a11y-keyboard-signed-in.png"))


def test_a_wrong_password_is_announced_to_screen_readers(bot: Bot, site: dict[str, Any], new_context: Any) -> None:
    page = new_context(**DESKTOP).new_page()
    sign_in(page, bot, password="not-the-password", username="a11y-nobody")
    expect(page.get_by_role("alert")).to_have_text("Benutzer oder Passwort stimmt nicht.")
