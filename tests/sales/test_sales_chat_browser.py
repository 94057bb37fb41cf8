"""A visitor and sales in the chat, in Chromium, on a whole bot of its own (Rasa, action server, web app and worker;
a team file whose people work around the clock, so the tests hold at any hour). A live chat, in two pages at once:

- the visitor leaves their contact, gets "chat with someone now" beside the call-back question and takes it;
- the salesperson's queue shows them without a reload, she claims the chat, the bot stops answering;
- two messages each way arrive live on the other side; she ends the chat and the bot answers again, knowing who
  talked to the visitor; the conversation keeps all of it, and the handoff says it was handled;
- without anyone claiming in time, the bot apologises and asks for a time to call back instead.
A meeting: the visitor picks one of the salesperson's free slots, shown in their own time zone, gets the link, loads
the invitation into a calendar library, moves the meeting to another slot and cancels it.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator

import icalendar
import pytest
import sqlalchemy as sa
import yaml
from playwright.sync_api import Browser, Page, expect

from bot.config import PROJECT_ROOT
from bot.content.schemas.team import DAYS
from bot.db import make_engine, make_session_factory
from bot.launcher import MODEL, worker_part
from bot.sales import live, meetings
from bot.sales.accounts import add_user
from bot.sales.models import MeetingRow
from tests.browser import ARTIFACTS, base, bot_texts, open_chat, sign_in, wait_for_answer
from tests.running_bot import Bot, new_sender, running_bot, texts

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")

PASSWORD = "live-chat-password-1"
TIMEOUT_S = 20
CONTACT = ["Können Sie mich zurückrufen? Wir sind ein Betrieb mit 30 Leuten.",
           "Jana Roth, Roth Metallbau GmbH, jana.roth@roth-metall.de"]  # fmt: skip


@pytest.fixture(scope="module")
def live_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    team = yaml.safe_load((PROJECT_ROOT / "data" / "sales" / "team.yml").read_text(encoding="utf-8"))
    for person in team["salespeople"]:
        person["hours"] = {day: "00:00-24:00" for day in DAYS}
    team_file = tmp_path_factory.mktemp("team") / "team.yml"
    team_file.write_text(yaml.safe_dump(team, allow_unicode=True), encoding="utf-8")
    extra = {"TEAM_FILE": str(team_file), "LIVE_CLAIM_TIMEOUT_S": str(TIMEOUT_S)}
    for bot in running_bot(tmp_path_factory, extra):
        worker = worker_part(bot.settings)  # it tells the visitors nobody came for
        worker.log = bot.rasa.log.parent / "worker.log"
        worker.start(bot.env)
        try:
            factory = make_session_factory(make_engine(bot.settings.database_url))
            add_user(factory, "lena", PASSWORD, "lena.vogt", dt.datetime.now(dt.timezone.utc), roles=("sales",))
            yield bot
        finally:
            worker.stop()


def visitor_says(page: Page, text: str) -> None:
    """Types a message and sends it, without waiting for an answer (none comes while a person has the chat)."""
    page.fill(".rw-new-message", text)
    page.keyboard.press("Enter")
    expect(page.locator(".rw-messages-container .rw-client").last).to_contain_text(text)


def reach_the_call_back_question(page: Page, bot: Bot) -> None:
    page.goto(f"{base(bot)}/")
    open_chat(page)
    for text in CONTACT:
        visitor_says(page, text)
        wait_for_answer(page)
    page.locator(".rw-reply", has_text="Ja, einverstanden").click()
    expect(page.locator(".rw-messages-container")).to_contain_text("Wann passt Ihnen ein Rückruf", timeout=20_000)


def test_a_salesperson_takes_over_the_chat_and_hands_it_back_to_the_bot(live_bot: Bot, browser: Browser) -> None:
    seller = browser.new_context(locale="de-DE").new_page()
    sign_in(seller, live_bot, "lena", PASSWORD)
    seller.get_by_role("link", name="Live-Chat").click()
    expect(seller.locator("#queue")).to_contain_text("Gerade wartet niemand")

    visitor = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844}).new_page()
    reach_the_call_back_question(visitor, live_bot)
    expect(visitor.locator(".rw-messages-container")).to_contain_text("Lena Vogt aus dem Vertrieb online")
    visitor.locator(".rw-reply", has_text="Jetzt hier im Chat schreiben").click()
    expect(visitor.locator(".rw-messages-container")).to_contain_text("ich hole jemanden aus dem Vertrieb dazu")

    # The queue shows her without a reload; she opens the chat, reads what the visitor wrote, and claims it.
    waiting = seller.locator("#queue li.waiting", has_text="Jana Roth")
    expect(waiting).to_be_visible(timeout=10_000)
    expect(waiting).to_contain_text("Roth Metallbau")
    waiting.get_by_role("link").click()
    expect(seller.locator("#transcript")).to_contain_text("jana.roth@roth-metall.de")
    seller.get_by_role("button", name="Übernehmen").click()
    expect(seller.get_by_role("status")).to_contain_text("im Gespräch")
    expect(visitor.locator(".rw-messages-container")).to_contain_text("Lena Vogt aus dem Vertrieb ist jetzt für Sie da")

    for text in ("Hallo Frau Roth, ich bin Lena. Wie viele Maschinen möchten Sie überwachen?",
                 "Dann passt Wattwerk Business Professional; ich schicke Ihnen gern ein Angebot."):  # fmt: skip
        seller.get_by_label("Ihre Nachricht").fill(text)
        seller.get_by_role("button", name="Senden").click()
        expect(visitor.locator(".rw-messages-container")).to_contain_text(text)
        expect(seller.get_by_label("Ihre Nachricht")).to_have_value("")  # sent without leaving the page
    answers_before = visitor.locator(".rw-response").count()
    for text in ("Es sind 12 Maschinen an zwei Standorten.", "Ja gern, bitte an meine E-Mail-Adresse."):
        visitor_says(visitor, text)
        expect(seller.locator("#transcript li.visitor").last).to_contain_text(text)
    visitor.wait_for_timeout(1500)
    assert visitor.locator(".rw-response").count() == answers_before, "the bot answered while a person had the chat"
    visitor.screenshot(path=str(ARTIFACTS / "live-chat-visitor.png"), full_page=True)
    seller.screenshot(path=str(ARTIFACTS / "live-chat-salesperson.png"), full_page=True)

    seller.get_by_role("button", name="Chat beenden").click()
    expect(seller.get_by_role("status")).to_contain_text("beendet")
    expect(visitor.locator(".rw-messages-container")).to_contain_text("Ich bin wieder für Sie da")
    before = len(bot_texts(visitor))
    visitor_says(visitor, "Was kostet Wattwerk Home?")
    expect(visitor.locator(".rw-response")).not_to_have_count(before, timeout=20_000)
    wait_for_answer(visitor)
    assert "79" in " ".join(bot_texts(visitor)[before:]), "the bot did not answer again after the chat"

    # The conversation keeps both sides; the bot knows who talked to the visitor; the handoff says it was handled.
    session_id = visitor.evaluate("JSON.parse(window.localStorage.getItem('chat_session')).session_id")
    tracker = live_bot.tracker(session_id)
    from_her = [e["text"] for e in tracker["events"]
                if e["event"] == "bot" and (e.get("metadata") or {}).get("live_chat")]  # fmt: skip
    assert len(from_her) == 2 and all(text.startswith("**Lena Vogt:**") for text in from_her)
    said = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert "Es sind 12 Maschinen an zwei Standorten." in said
    assert tracker["slots"]["live_chat_with"] == "Lena Vogt" and tracker["paused"] is False
    (handoff,) = live_bot.handoffs(session_id)
    assert (handoff["status"], handoff["assignee"]) == ("contacted", "lena.vogt")


def bot_events(bot: Bot, sender: str) -> list[str]:
    return [event.get("text") or "" for event in bot.tracker(sender)["events"] if event["event"] == "bot"]


def test_nobody_claims_in_time_and_the_bot_offers_a_call_back(live_bot: Bot) -> None:
    factory = make_session_factory(make_engine(live_bot.settings.database_url))
    live.mark_present(factory, "lena.vogt", dt.datetime.now(dt.timezone.utc))  # her queue page is open, she is away
    sender = new_sender()
    for text in [*CONTACT, "Ja, einverstanden"]:
        replies = live_bot.say(sender, text)
    assert any(button["payload"] == "/request_live" for reply in replies for button in reply.get("buttons") or [])
    assert "hole jemanden" in texts(live_bot.say(sender, "/request_live"))
    assert live_bot.say(sender, "Hallo, ist da jemand?") == []  # paused: a person is coming, the bot keeps quiet
    deadline = time.monotonic() + TIMEOUT_S + 20
    while not any("niemand frei" in text for text in bot_events(live_bot, sender)):  # the worker tells the visitor
        assert time.monotonic() < deadline, "nobody apologised after the waiting time"
        time.sleep(1)
    told = bot_events(live_bot, sender)[-2:]
    assert "niemand frei" in told[0] and "Wann passt Ihnen ein Rückruf" in told[1]
    assert not live_bot.tracker(sender)["paused"]
    assert "Notiert: morgen Vormittag" in texts(live_bot.say(sender, "morgen Vormittag"))
    (handoff,) = live_bot.handoffs(sender)
    assert handoff["callback_time"] == "morgen Vormittag"


def test_a_visitor_books_a_meeting_in_her_time_zone_and_moves_and_cancels_it_through_the_link(
    live_bot: Bot, browser: Browser
) -> None:
    visitor = browser.new_context(locale="de-DE", timezone_id="Europe/London").new_page()
    reach_the_call_back_question(visitor, live_bot)
    visitor.locator(".rw-reply", has_text="Termin wählen").click()
    expect(visitor.locator(".rw-messages-container")).to_contain_text("Ihre Ortszeit: Europe/London")
    first = visitor.locator(".rw-reply").first
    label = first.inner_text().strip()
    first.click()
    expect(visitor.locator(".rw-messages-container")).to_contain_text(f"Gebucht: {label}")
    chat = visitor.locator(".rw-messages-container").inner_text()
    link = re.findall(r"http://localhost:\d+/meetings/[\w-]+", chat)[-1]

    factory = make_session_factory(make_engine(live_bot.settings.database_url))
    with factory() as session:
        row = session.execute(sa.select(MeetingRow).order_by(MeetingRow.id.desc())).scalars().first()
        start = row.starts_at if row.starts_at.tzinfo else row.starts_at.replace(tzinfo=dt.timezone.utc)
        salesperson = row.salesperson
    assert meetings.slot_label(start, "Europe/London", "de") == label  # what she saw is London time

    visitor.goto(link)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Ihr Termin mit Wattwerk")
    expect(visitor.locator(".meeting")).to_contain_text(label)
    invitation = visitor.request.get(link + "/invitation.ics")
    assert invitation.ok and invitation.headers["content-type"].startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(invitation.text()).walk("VEVENT")
    assert event.decoded("DTSTART") == start and str(event["ORGANIZER"]).endswith("@wattwerk.example")
    assert link in str(event["DESCRIPTION"])

    other = visitor.locator("input[name=start]").nth(1)
    other_label = visitor.locator(f"label[for={other.get_attribute('id')}]").inner_text()
    other.check()
    visitor.get_by_role("button", name="Auf diesen Termin verschieben").click()
    expect(visitor.get_by_role("status")).to_contain_text("verschoben")
    expect(visitor.locator(".meeting")).to_contain_text(other_label)
    (moved,) = icalendar.Calendar.from_ical(visitor.request.get(link + "/invitation.ics").text()).walk("VEVENT")
    assert int(moved["SEQUENCE"]) == 1 and moved.decoded("DTSTART") != start
    visitor.screenshot(path=str(ARTIFACTS / "meeting-page.png"), full_page=True)

    visitor.get_by_role("button", name="Termin absagen").click()
    expect(visitor.locator(".meeting")).to_contain_text("ist abgesagt")
    assert meetings.booked_starts(factory, salesperson, dt.datetime.now(dt.timezone.utc)).count(start) == 0
    assert visitor.request.get(link + "x").status == 404
