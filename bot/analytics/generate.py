"""A database of made-up conversations for measuring the dashboard at scale: Rasa's `events` as the tracker store
writes them (visitor messages, journey slots), handoffs with claims, then the dashboard's tables filled from them.

    python -m bot.analytics generate --conversations 100000 --database sqlite:///var/analytics-100k.db

Seeded: the same arguments give the same database.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.db import create_tables
from bot.journey.vocabulary import PERSONAS, PHASES
from bot.sales.models import HandoffActivityRow, HandoffRow

TOUCHPOINTS = (("direct", 30), ("search", 30), ("ad", 15), ("social", 10), ("campaign", 10), ("referral", 5))
#: what visitors ask, per phase they are in
ASKED = {
    "awareness": ("greet", "ask_what_is", "ask_features", "ask_comparison", "chitchat"),
    "consideration": ("ask_price", "ask_reviews", "ask_specs", "ask_integrations", "ask_hosting", "ask_roi"),
    "decision": ("ask_price", "ask_trial", "request_contact", "ask_contract", "ask_delivery"),
    "retention": ("ask_support", "ask_billing", "ask_renewal"),
    "advocacy": ("praise", "ask_referral"),
}
PUZZLING = ("wie viele gartenzwerge passen auf euren parkplatz", "can it make coffee", "asdf", "wer gewinnt die wahl",
            "what's the weather like", "habt ihr auch solarmodule")  # fmt: skip
CHUNK = 20_000


def generate(engine: Engine, conversations: int, seed: int = 7, end: dt.date | None = None, days: int = 90) -> None:
    """`conversations` conversations spread over `days` days up to and including `end` (today, UTC), in Rasa's
    `events` table and ours; then the dashboard's tables filled from them."""
    from rasa.core.tracker_store import SQLTrackerStore

    from bot.analytics.ingest import ingest

    create_tables(engine)
    SQLTrackerStore.Base.metadata.create_all(engine)
    chooser = random.Random(seed)
    last = dt.datetime.combine((end or dt.datetime.now(dt.timezone.utc).date()) + dt.timedelta(days=1), dt.time(),
                               dt.timezone.utc)  # fmt: skip
    events = sa.table("events", sa.column("sender_id"), sa.column("type_name"), sa.column("timestamp"),
                      sa.column("intent_name"), sa.column("action_name"), sa.column("data"))  # fmt: skip
    rows: list[dict[str, Any]] = []
    handoffs: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    for number in range(conversations):
        started = last - dt.timedelta(seconds=chooser.uniform(0, days * 86400))
        sender = f"generated-{seed}-{number:07d}"
        said, handed = _conversation(chooser, sender, started)
        rows += said
        if handed is not None:
            handoffs.append(handed)
        if said[2]["data"].endswith(('"retention"}', '"advocacy"}')) and chooser.random() < 0.6:
            answers.append(_nps_answer(chooser, sender, said))  # a customer answers the NPS question
            customer = {key: answers[-1][key] for key in ("conversation_id", "language", "phase")}
            if answers[-1]["score"] <= 6 and chooser.random() < 0.5:  # a detractor accepts a call from support
                handoffs.append({**customer, "kind": "support",
                                 "created_at": answers[-1]["created_at"] + dt.timedelta(minutes=1)})  # fmt: skip
            elif chooser.random() < 0.05:  # a business customer wants more sites
                handoffs.append({**customer, "kind": "upsell", "segment": "b2b",
                                 "created_at": answers[-1]["created_at"] + dt.timedelta(minutes=2)})  # fmt: skip
        if len(rows) >= CHUNK:
            _write(engine, events, rows)
            rows = []
    _write(engine, events, rows)
    _handoffs(engine, handoffs, chooser)
    if answers:
        from bot.aftersale.nps import NpsAnswer

        with engine.begin() as connection:
            connection.execute(NpsAnswer.__table__.insert(), answers)
    ingest(engine)


def _write(engine: Engine, events: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        with engine.begin() as connection:
            connection.execute(events.insert(), rows)


def _conversation(chooser: random.Random, sender: str, started: dt.datetime
                  ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:  # fmt: skip
    language = "de" if chooser.random() < 0.6 else "en"
    b2b = chooser.random() < 0.55
    depth = chooser.choices(range(5), weights=(40, 33, 20, 5, 2))[0]  # how far along the journey it gets
    journey = list(PHASES[: min(depth, 2) + 1]) if depth < 3 else [PHASES[depth]]
    persona = chooser.choice(PERSONAS) if chooser.random() < 0.5 else None
    clock = iter(_times(started, chooser))
    rows = [_slot(sender, next(clock), "language", language),
            _slot(sender, next(clock), "touchpoint", _touchpoint(chooser))]  # fmt: skip
    for position, phase in enumerate(journey):
        rows.append(_slot(sender, next(clock), "journey_phase", phase))
        if position == 1 and persona:
            rows.append(_slot(sender, next(clock), "persona", persona))
        if position == 0 and chooser.random() < 0.7:
            rows.append(_slot(sender, next(clock), "segment", "b2b" if b2b else "b2c"))
        for _ in range(chooser.randint(1, 3)):
            rows.append(_user(sender, next(clock), chooser, phase, language))
    handed = None
    if b2b and "decision" in journey and chooser.random() < 0.45:
        handed = {"conversation_id": sender, "created_at": dt.datetime.fromtimestamp(rows[-1]["timestamp"] + 30,
                  dt.timezone.utc), "language": language, "segment": "b2b", "phase": "decision", "persona": persona,
                  "touchpoint": json.loads(rows[1]["data"])["value"]}  # fmt: skip
    return rows, handed


def _nps_answer(chooser: random.Random, sender: str, said: list[dict[str, Any]]) -> dict[str, Any]:
    score = chooser.choices(range(11), weights=(1, 1, 1, 1, 2, 2, 4, 8, 12, 14, 12))[0]
    answered = dt.datetime.fromtimestamp(said[-1]["timestamp"] + 60, dt.timezone.utc)
    phase = json.loads(said[2]["data"])["value"]
    return {
        "conversation_id": sender,
        "customer": sender,
        "language": json.loads(said[0]["data"])["value"],
        "phase": phase,
        "product": None,
        "score": score,
        "created_at": answered,
    }


def _times(started: dt.datetime, chooser: random.Random) -> Iterator[float]:
    moment = started.timestamp()
    while True:
        yield moment
        moment += chooser.uniform(5, 90)


def _touchpoint(chooser: random.Random) -> str:
    names, weights = zip(*TOUCHPOINTS, strict=True)
    return chooser.choices(names, weights=weights)[0]


def _slot(sender: str, at: float, name: str, value: Any) -> dict[str, Any]:
    data = {"event": "slot", "timestamp": at, "name": name, "value": value}
    return {"sender_id": sender, "type_name": "slot", "timestamp": at, "intent_name": None, "action_name": None,
            "data": json.dumps(data)}  # fmt: skip


def _user(sender: str, at: float, chooser: random.Random, phase: str, language: str) -> dict[str, Any]:
    if chooser.random() < 0.08:
        text, intent, confidence = chooser.choice(PUZZLING), "nlu_fallback", chooser.uniform(0.1, 0.45)
    else:
        intent = chooser.choice(ASKED[phase])
        text, confidence = f"{intent.replace('_', ' ')} ({language})", chooser.uniform(0.6, 1.0)
    data = {"event": "user", "timestamp": at, "text": text,
            "parse_data": {"intent": {"name": intent, "confidence": confidence}, "text": text}}  # fmt: skip
    return {"sender_id": sender, "type_name": "user", "timestamp": at, "intent_name": intent, "action_name": None,
            "data": json.dumps(data)}  # fmt: skip


def _handoffs(engine: Engine, handoffs: list[dict[str, Any]], chooser: random.Random) -> None:
    """The handoffs, each new, claimed or further on; a claimed one with its claim, minutes to hours later."""
    consent = {"consent_version": "generated", "consent_text": "generated", "products_shown": [], "reviews_shown": [],
               "questions": [], "transcript": []}  # fmt: skip
    with engine.begin() as connection:
        for handoff in handoffs:
            status = chooser.choices(("new", "claimed", "contacted", "won", "lost"), weights=(20, 30, 30, 10, 10))[0]
            created = handoff["created_at"]
            row = {**handoff, **consent, "consent_at": created, "status": status, "updated_at": created,
                   "name": "Generated", "company": "Generated GmbH", "email": None, "phone": None}  # fmt: skip
            handoff_id = connection.execute(HandoffRow.__table__.insert().values(row)).inserted_primary_key[0]
            if status != "new":
                claimed = created + dt.timedelta(minutes=chooser.uniform(2, 240))
                claim = {"handoff_id": handoff_id, "at": claimed, "author": "generated", "action": "claim",
                         "detail": "generated"}  # fmt: skip
                connection.execute(HandoffActivityRow.__table__.insert().values(claim))
