"""The sales inbox as salespeople work in it, in Chromium: paging and search by name, company, e-mail and date, each
account in its own language, a priority with its reasons, duplicate leads linked, and a new lead announced without a
reload. And every text the inbox's templates mark has its English version."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import sessionmaker

from bot.config import PROJECT_ROOT
from bot.db import make_engine, make_session_factory
from bot.launcher import MODEL
from bot.sales.accounts import add_user
from bot.sales.handoffs import Brief, Consent, Contact, create_handoff
from bot.sales.routing import load_team
from bot.web.i18n import EN
from bot.web.jinja import TEMPLATES
from tests.browser import ARTIFACTS, base, sign_in
from tests.running_bot import Bot

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")

PASSWORD = "inbox-browser-password"
TEAM = load_team(PROJECT_ROOT / "data" / "sales" / "team.yml")
MARKED = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""")


@pytest.mark.parametrize("template", sorted(p.name for p in (TEMPLATES / "inbox").glob("*.html")))
def test_every_marked_text_of_the_inbox_has_its_english_version(template: str) -> None:
    text = (TEMPLATES / "inbox" / template).read_text(encoding="utf-8")
    missing = [a or b for a, b in MARKED.findall(text) if (a or b) not in EN]
    assert not missing, f"add to bot/web/i18n.py EN: {missing}"


@pytest.fixture(scope="module")
def db(bot: Bot) -> sessionmaker:
    factory = make_session_factory(make_engine(bot.settings.database_url))
    now = dt.datetime.now(dt.timezone.utc)
    add_user(factory, "inbox-de", PASSWORD, "lena.vogt", now)
    add_user(factory, "inbox-en", PASSWORD, "sarah.miller", now, language="en")
    return factory


def lead(db: sessionmaker, company: str, email: str, created: dt.datetime, **brief: object) -> int:
    contact = Contact(f"Kim {company[-4:]}", company, email, None)
    return create_handoff(db, f"inbox-{uuid.uuid4().hex}", contact, Consent(created, "v1", "ok?"),
                          Brief(**brief), TEAM, (), created).id  # type: ignore[arg-type]  # fmt: skip


def test_the_sign_in_page_follows_the_browsers_language(bot: Bot, browser: Browser) -> None:
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(f"{base(bot)}/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("User name")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.get_by_label("User name").fill("nobody-here")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("User name or password is wrong.")


def test_paging_search_and_the_accounts_language(bot: Bot, db: sessionmaker, browser: Browser) -> None:
    tag = uuid.uuid4().hex[:8]
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=40)
    for number in range(30):  # one a day, the newest first in the list
        lead(db, f"Paging {tag} GmbH {number:02d}", f"kim{number}@{tag}.example", start + dt.timedelta(days=number))
    page = browser.new_context(locale="de-DE").new_page()
    sign_in(page, bot, "inbox-de", PASSWORD)
    page.get_by_label("Suche (Name, Firma, E-Mail)").fill(f"paging {tag}")
    page.get_by_role("button", name="Filtern").click()
    expect(page.locator("caption")).to_have_text("30 Treffer · Seite 1 von 2")
    expect(page.locator("tbody tr")).to_have_count(25)
    expect(page.locator("tbody tr").first).to_contain_text(f"Paging {tag} GmbH 29")
    page.get_by_role("link", name="Nächste Seite").click()
    expect(page.locator("tbody tr")).to_have_count(5)
    expect(page.locator("tbody tr").last).to_contain_text(f"Paging {tag} GmbH 00")

    page.get_by_label("Suche (Name, Firma, E-Mail)").fill(f"KIM7@{tag.upper()}.example")  # an address, any case
    page.get_by_role("button", name="Filtern").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text(f"Paging {tag} GmbH 07")

    day = (start + dt.timedelta(days=10)).date()
    page.goto(f"{base(bot)}/inbox?q={tag}&since={day}&until={day + dt.timedelta(days=2)}")
    expect(page.locator("caption")).to_have_text("3 Treffer · Seite 1 von 1")

    english = browser.new_context(locale="de-DE").new_page()  # a German browser: the account's language decides
    sign_in(english, bot, "inbox-en", PASSWORD)
    english.goto(f"{base(bot)}/inbox?q={tag}")
    expect(english.get_by_role("heading", level=1)).to_have_text("Requests")
    expect(english.locator("caption")).to_have_text("30 results · Page 1 of 2")
    expect(english.get_by_role("link", name="Next page")).to_be_visible()
    expect(english.locator("html")).to_have_attribute("lang", "en")
    english.get_by_role("button", name="Deutsch").click()  # her choice, kept with the account
    expect(english.get_by_role("heading", level=1)).to_have_text("Anfragen")
    english.reload()
    expect(english.locator("html")).to_have_attribute("lang", "de")
    english.get_by_role("button", name="English").click()
    expect(english.get_by_role("heading", level=1)).to_have_text("Requests")


def test_priority_reasons_duplicates_and_a_new_lead_without_a_reload(bot: Bot, db: sessionmaker,
                                                                     browser: Browser) -> None:  # fmt: skip
    tag = uuid.uuid4().hex[:8]
    now = dt.datetime.now(dt.timezone.utc)
    roi = {"payback_months": "4.5", "net_3y_eur": "21146.00", "product": "wattwerk-business",
           "plan": "business-professional", "annual_savings_eur": "9000.00", "tco_3y_eur": "5854.00"}  # fmt: skip
    first = lead(db, f"Prio {tag} AG", f"anna@{tag}.example", now - dt.timedelta(days=3), segment="b2b",
                 phase="decision", company_size=60, roi=roi, language="de")  # fmt: skip
    second = lead(db, f"Prio {tag} AG Werk 2", f"Anna@{tag.upper()}.example", now - dt.timedelta(days=1),
                  segment="b2c", phase="awareness", language="de")  # fmt: skip
    page = browser.new_context(locale="de-DE").new_page()
    sign_in(page, bot, "inbox-de", PASSWORD)
    page.goto(f"{base(bot)}/inbox?q=prio+{tag}")
    rows = page.locator("tbody tr")
    expect(rows.nth(1).locator(".priority")).to_contain_text("hoch")
    expect(rows.nth(1).locator(".priority")).to_contain_text("kurz vor der Entscheidung")
    expect(rows.nth(1).locator(".priority")).to_contain_text("rechnet sich nach 4,5 Monaten")
    expect(rows.nth(0).locator(".priority")).to_contain_text("niedrig")
    expect(rows.nth(0)).to_contain_text(f"auch #{first}")  # the same address two days earlier
    page.get_by_role("link", name=f"#{second}", exact=True).click()
    expect(page.get_by_text("Frühere Anfragen mit derselben E-Mail")).to_be_visible()
    expect(page.locator("dl.facts").first).to_contain_text(f"Anna@{tag.upper()}.example")

    page.goto(f"{base(bot)}/inbox")
    expect(page.locator("#new-leads")).to_be_hidden()
    newest = lead(db, f"Neu {tag} KG", f"neu@{tag}.example", dt.datetime.now(dt.timezone.utc), segment="b2b")
    expect(page.locator("#new-leads")).to_be_visible(timeout=15_000)  # announced, no reload
    page.screenshot(path=str(ARTIFACTS / "inbox-new-lead.png"), full_page=True)
    page.get_by_role("link", name="Liste aktualisieren").click()
    expect(page.get_by_role("link", name=f"#{newest}", exact=True)).to_be_visible()

