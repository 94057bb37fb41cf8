"""The dashboard's figures against a small conversation history with known answers, stored by the bot's own tracker
store (real Rasa events), on SQLite and PostgreSQL; taken in again and again, and by two workers at once."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import subprocess
import sys
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet, UserUttered

from bot.aftersale.nps import Answer, record
from bot.aftersale.referrals import code_for, credit
from bot.analytics.ingest import ingest
from bot.analytics.models import Missed, Questions
from bot.analytics.report import Period, report
from bot.config import PROJECT_ROOT
from bot.db import create_tables, make_engine, make_session_factory
from bot.rasa_plugins.tracker_store import SettingsSQLTrackerStore
from bot.sales.models import HandoffRow
from bot.sales.store import update_handoff

DAY = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.timezone.utc)
PERIOD = Period.days(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


class History:
    """Conversations written as the running bot writes them; time moves on a minute per event."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.store = SettingsSQLTrackerStore(Domain.load(str(PROJECT_ROOT / "domain")))
        self.engine = make_engine(url)
        create_tables(self.engine)

    def conversation(self, sender: str, start: dt.datetime, *steps: tuple[str, Any, Any]) -> None:
        moment = start.timestamp()
        events: list[Event] = []
        for kind, first, second in steps:
            moment += 60
            if kind == "user":
                events.append(UserUttered(first, {"name": second[0], "confidence": second[1]}, timestamp=moment))
            else:
                events.append(SlotSet(first, second, timestamp=moment))

        async def save() -> None:
            tracker = await self.store.get_or_create_tracker(sender)
            for event in events:
                tracker.update(event)
            await self.store.save(tracker)

        asyncio.run(save())

    def handoff(self, sender: str, created: dt.datetime, claimed_after: dt.timedelta | None, kind: str = "sales"
                ) -> None:  # fmt: skip
        row = {"conversation_id": sender, "kind": kind, "created_at": created, "updated_at": created,
               "consent_at": created, "consent_version": "test", "consent_text": "test", "language": "de",
               "products_shown": [], "reviews_shown": [], "questions": [], "transcript": [],
               "status": "new"}  # fmt: skip
        with self.engine.begin() as connection:
            handoff_id = connection.execute(HandoffRow.__table__.insert().values(row)).inserted_primary_key[0]
        if claimed_after is not None:
            update_handoff(make_session_factory(self.engine), handoff_id, status="claimed", assignee="lena.vogt",
                           author="lena", known_assignees={"lena.vogt"}, now=created + claimed_after)  # fmt: skip


def user(text: str, intent: str, confidence: float = 0.9) -> tuple[str, Any, Any]:
    return ("user", text, (intent, confidence))


def slot(name: str, value: Any) -> tuple[str, Any, Any]:
    return ("slot", name, value)


@pytest.fixture
def history(database_url: str) -> History:
    """Three conversations in November and one in October (outside the period):
    A (German, from a search): awareness → consideration → decision, a budget owner from a business, handed to sales
      and claimed 30 minutes later;
    B (English, from an ad): a household in awareness the bot did not understand twice;
    C (German, from a search): awareness → consideration, a button press;
    D (October): decision."""
    made = History(database_url)
    made.conversation("A", DAY, slot("language", "de"), slot("touchpoint", "search"),
                      user("Was ist Wattwerk?", "ask_what_is"), slot("journey_phase", "awareness"),
                      slot("segment", "b2b"), user("Was kostet das?", "ask_price"),
                      slot("journey_phase", "consideration"), slot("persona", "budget_owner"),
                      user("Bitte rufen Sie mich an", "request_contact"),
                      slot("journey_phase", "decision"))  # fmt: skip
    made.handoff("A", DAY + dt.timedelta(hours=1), claimed_after=dt.timedelta(minutes=30))
    # C, a customer who gave a 3, asked support to call: no prospect's handoff (not in the funnel), claimed in 10 min
    made.handoff("C", DAY + dt.timedelta(days=10, minutes=5), claimed_after=dt.timedelta(minutes=10), kind="support")
    made.conversation("B", DAY + dt.timedelta(days=1), slot("language", "en"), slot("touchpoint", "ad"),
                      user("asdf", "nlu_fallback", 0.3), slot("journey_phase", "awareness"), slot("segment", "b2c"),
                      user("ASDF", "greet", 0.2), user("call me: 0171 2345678", "nlu_fallback", 0.4))  # fmt: skip
    made.conversation("C", DAY + dt.timedelta(days=2), slot("language", "de"), slot("touchpoint", "search"),
                      user("Hallo", "greet"), slot("journey_phase", "awareness"), user("/ask_price", "ask_price", 1.0),
                      slot("journey_phase", "consideration"))  # fmt: skip
    factory = make_session_factory(made.engine)
    for sender, score, when in (("A", 10, DAY), ("B", 7, DAY + dt.timedelta(days=1)),
                                ("C", 3, DAY + dt.timedelta(days=10)), ("D", 0, DAY - dt.timedelta(days=30))):
        record(factory, Answer(sender, sender, score, "en" if sender == "B" else "de"), when)  # fmt: skip
    code = code_for(factory, "customer-A", "A", DAY)  # A's referral link brought C
    credit(factory, code, "C", DAY + dt.timedelta(days=2))
    made.conversation("D", DAY - dt.timedelta(days=30), slot("language", "de"), slot("touchpoint", "ad"),
                      user("Angebot bitte", "request_contact"), slot("journey_phase", "decision"))  # fmt: skip
    return made


def test_the_figures_of_a_known_history(history: History) -> None:
    ingest(history.engine)
    figures = report(history.engine, PERIOD)
    assert figures["conversations"] == 3
    assert figures["phases"]["funnel"] == {"awareness": 3, "consideration": 2, "decision": 1, "handoff": 1}
    assert figures["phases"]["now"] == {"awareness": 1, "consideration": 1, "decision": 1, "retention": 0,
                                        "advocacy": 0, None: 0}  # fmt: skip
    assert figures["transitions"] == [{"from": None, "to": "awareness", "count": 3},
                                      {"from": "awareness", "to": "consideration", "count": 2},
                                      {"from": "consideration", "to": "decision", "count": 1}]  # fmt: skip
    assert figures["personas"]["budget_owner"] == 1 and figures["personas"][None] == 2
    assert (figures["segments"]["b2b"], figures["segments"]["b2c"], figures["segments"][None]) == (1, 1, 1)
    assert figures["touchpoints"] == [
        {"touchpoint": "search", "conversations": 2, "handoffs": 1, "conversion": 0.5},
        {"touchpoint": "ad", "conversations": 1, "handoffs": 0, "conversion": 0.0},
    ]
    assert figures["handoffs"] == {
        "total": 2, "by_kind": {"sales": 1, "support": 1, "upsell": 0}, "by_status": {"claimed": 2},
        "by_kind_status": {"sales": {"claimed": 1}, "support": {"claimed": 1}, "upsell": {}},
        "claimed": 2, "median_minutes_to_claim": 20.0,
        "median_minutes_to_claim_by_kind": {"sales": 30.0, "support": 10.0, "upsell": None},
    }  # fmt: skip
    assert figures["nps"] == {
        "answers": 3, "promoters": 1, "passives": 1, "detractors": 1, "score": 0,
        "weeks": [{"week": "2026-11-09", "answers": 2, "promoters": 1, "passives": 1, "detractors": 0, "score": 50},
                  {"week": "2026-11-16", "answers": 1, "promoters": 0, "passives": 0, "detractors": 1, "score": -100}],
    }  # fmt: skip
    assert figures["referrals"] == {"links": 1, "visitors": 1, "handoffs": 0}
    assert figures["not_understood"] == [{"text": "asdf", "count": 2},  # "asdf" and "ASDF"
                                         {"text": "call me: […]", "count": 1}]  # never how to reach a visitor
    assert figures["questions"]["unknown"] == [{"intent": "ask_what_is", "count": 1}, {"intent": "greet", "count": 1}]
    assert figures["questions"]["awareness"] == [{"intent": "ask_price", "count": 2}]  # typed, and a button
    assert figures["questions"]["consideration"] == [{"intent": "request_contact", "count": 1}]
    english = report(history.engine, Period(PERIOD.since, PERIOD.until, "en"))
    assert english["conversations"] == 1 and english["phases"]["funnel"]["awareness"] == 1
    assert (english["nps"]["answers"], english["nps"]["score"]) == (1, 0)


def test_taking_in_again_counts_only_what_is_new(history: History) -> None:
    assert ingest(history.engine) > 0
    assert ingest(history.engine) == 0
    history.conversation("C", DAY + dt.timedelta(days=2, hours=1), user("Ich möchte bestellen", "ask_trial"),
                         slot("journey_phase", "decision"))  # fmt: skip
    ingest(history.engine, batch=1)  # one event per transaction: a conversation spread over batches
    figures = report(history.engine, PERIOD)
    assert figures["phases"]["funnel"]["decision"] == 2
    assert {"from": "consideration", "to": "decision", "count": 2} in figures["transitions"]
    assert _turns(history) == 10  # every visitor message once (nine before, one new)


def test_two_workers_taking_in_at_once_count_every_message_once(history: History) -> None:
    engines = [make_engine(history.url) for _ in range(2)]
    errors: list[BaseException] = []

    def work(engine: Any) -> None:
        try:
            ingest(engine, batch=3)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert _turns(history) == 9
    assert report(history.engine, PERIOD)["conversations"] == 3


def test_the_command_line_prints_the_same_figures_as_json_and_csv(history: History) -> None:
    command = [sys.executable, "-m", "bot.analytics", "report", "--database", history.url, "--since", "2026-11-01",
               "--until", "2026-11-30"]  # fmt: skip
    shown = json.loads(subprocess.run([*command, "--format", "json"], cwd=PROJECT_ROOT, capture_output=True,
                                      text=True, check=True, timeout=120).stdout)  # fmt: skip
    assert {"conversations", "phases", "personas", "segments", "touchpoints", "handoffs", "nps"} <= set(shown)
    assert shown["conversations"] == 3 and shown["phases"]["funnel"]["handoff"] == 1
    table = subprocess.run([*command, "--format", "csv"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                           check=True, timeout=120).stdout  # fmt: skip
    rows = list(csv.reader(io.StringIO(table)))
    assert rows[0] == ["figure", "key", "value"]
    assert ["funnel", "consideration", "2"] in rows and ["touchpoint_conversion", "search", "0.5"] in rows
    wrong = subprocess.run([*command[:-2], "--until", "30.11.2026"], cwd=PROJECT_ROOT, capture_output=True,
                           text=True, timeout=120)  # fmt: skip
    assert wrong.returncode == 2 and "no date like 2026-11-30" in wrong.stderr


def _turns(history: History) -> int:
    """Every visitor message taken in: those counted as questions and those not understood."""
    with history.engine.connect() as connection:
        asked = connection.execute(sa.select(sa.func.sum(Questions.__table__.c["count"]))).scalar_one()
        missed = connection.execute(sa.select(sa.func.count()).select_from(Missed.__table__)).scalar_one()
    return int(asked or 0) + int(missed)
