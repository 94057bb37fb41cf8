"""The journey dashboard in Chromium: a marketing account sees the charts drawn from a generated history of 500
conversations, the numbers under each chart are the report's, every chart downloads as CSV, the page has no WCAG 2.1
AA violation, and a sales account is turned away. Only the web app runs (on its own database)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.analytics.generate import generate
from bot.analytics.report import Period, report
from bot.config import settings_from_env
from bot.db import create_tables, make_engine, make_session_factory
from bot.launcher import child_env, web_part
from bot.sales.accounts import add_user
from tests.browser import ARTIFACTS, axe_violations, sign_in
from tests.running_bot import free_port

PASSWORD = "dashboard-secret-password"
CONVERSATIONS = 500


class WebApp:
    def __init__(self, url: str, database_url: str) -> None:
        self.url, self.database_url = url, database_url


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    workdir = tmp_path_factory.mktemp("dashboard")
    values = {"DATABASE_URL": f"sqlite:///{workdir / 'journey.db'}", "WEB_PORT": str(free_port()),
              "RASA_HOST": "localhost", "LOG_DIR": str(workdir / "log"), "RASA_AUTH_TOKEN": uuid.uuid4().hex,
              "SALES_API_TOKEN": uuid.uuid4().hex, "ACTION_SERVER_TOKEN": uuid.uuid4().hex}  # fmt: skip
    settings = settings_from_env(values)
    engine = make_engine(settings.database_url)
    create_tables(engine)
    generate(engine, CONVERSATIONS, seed=3)
    factory = make_session_factory(engine)
    now = dt.datetime.now(dt.timezone.utc)
    add_user(factory, "mia.marketing", PASSWORD, None, now, roles=("marketing",))
    add_user(factory, "sam.sales", PASSWORD, None, now, roles=("sales",))
    part = web_part(settings)
    part.start(child_env(settings) | values)
    try:
        part.wait_ready(time.monotonic() + 60)
        yield WebApp(f"http://localhost:{settings.web_port}", settings.database_url)
    finally:
        part.stop()


def test_a_marketing_account_sees_the_charts_with_the_reports_numbers(web: WebApp, browser: Browser) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    since = today - dt.timedelta(days=89)
    figures = report(make_engine(web.database_url), Period.days(since, today))
    assert figures["conversations"] == CONVERSATIONS
    page = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    _sign_in(page, web, "mia.marketing")
    expect(page.get_by_role("heading", level=1)).to_have_text("Journey-Dashboard")  # lands on the dashboard
    page.get_by_label("Von").fill(since.isoformat())
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.locator("body[data-charts=drawn]")).to_have_count(1)
    expect(page.locator(".summary")).to_contain_text(f"{CONVERSATIONS} Gespräche")
    assert figures["nps"]["answers"] > 0, "the generated customers answered the NPS question"
    expect(page.locator("section[aria-labelledby=nps-title]")).to_contain_text(f"NPS {figures['nps']['score']} aus")
    for name in ("funnel", "transitions", "personas", "segments", "touchpoints", "handoffs", "nps"):
        box = page.locator(f"canvas#{name}").bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, f"the {name} chart is drawn"
    page.locator("section[aria-labelledby=funnel-title] summary").click()  # the chart's numbers
    funnel = page.get_by_role("table", name="Trichter")
    for step, count in figures["phases"]["funnel"].items():
        expect(funnel.get_by_role("row", name=f"{step} {count}", exact=True)).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "journey-dashboard.png"), full_page=True)
    assert not errors, errors
    with page.expect_download() as download:
        page.locator("#funnel-title ~ a.csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["figure", "key", "value"]
    assert rows[1:] == [["funnel", step, str(count)] for step, count in figures["phases"]["funnel"].items()]
    audited = browser.new_context(locale="de-DE", bypass_csp=True).new_page()  # axe is injected as a script
    _sign_in(audited, web, "mia.marketing")
    audited.goto(f"{web.url}/dashboard?since={since.isoformat()}")
    expect(audited.locator("body[data-charts=drawn]")).to_have_count(1)
    assert axe_violations(audited) == {}


def test_a_date_that_is_none_is_named_and_other_roles_are_turned_away(web: WebApp, browser: Browser) -> None:
    page = browser.new_context(locale="de-DE").new_page()
    _sign_in(page, web, "mia.marketing")
    page.goto(web.url + "/dashboard?since=31.11.2026")
    expect(page.get_by_role("alert")).to_contain_text("„31.11.2026“ ist kein Datum")
    sales = browser.new_context(locale="de-DE").new_page()
    _sign_in(sales, web, "sam.sales")
    response = sales.goto(web.url + "/dashboard")
    assert response is not None and response.status == 403
    assert sales.goto(web.url + "/dashboard.csv").status == 403  # type: ignore[union-attr]


def _sign_in(page: Page, web: WebApp, username: str) -> None:
    sign_in(page, web.url, username, PASSWORD)
