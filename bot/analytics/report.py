"""The journey figures for a period (and a language): what the dashboard shows and `python -m bot.analytics report`
prints. Computed in SQL from the dashboard's tables (bot/analytics/models.py) and the handoffs; a conversation counts
in the period it started in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.analytics.ingest import PHASE_BIT
from bot.analytics.models import ConversationFacts, PhaseTransition, Turn
from bot.journey.vocabulary import PERSONAS, PHASES, SEGMENTS
from bot.sales.models import HandoffActivityRow, HandoffRow

#: the funnel's steps before the handoff
FUNNEL = ("awareness", "consideration", "decision")
TOP = 10


@dataclass(frozen=True)
class Period:
    since: dt.datetime
    until: dt.datetime  # exclusive
    language: str | None = None

    @classmethod
    def days(cls, since: dt.date, until: dt.date, language: str | None = None) -> Period:
        """From the start of `since` to the end of `until` (UTC)."""
        start = dt.datetime.combine(since, dt.time(), dt.timezone.utc)
        return cls(start, dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.timezone.utc), language)


def report(engine: Engine, period: Period) -> dict[str, Any]:
    """Every figure of the dashboard; the keys are the ones `--format json` prints."""
    with engine.connect() as connection:
        facts = ConversationFacts.__table__
        chosen = sa.and_(facts.c.started_at >= period.since, facts.c.started_at < period.until,
                         *([facts.c.language == period.language] if period.language else []))  # fmt: skip
        return {
            "period": {
                "since": period.since.isoformat(),
                "until": period.until.isoformat(),
                "language": period.language,
            },  # fmt: skip
            "conversations": connection.execute(sa.select(sa.func.count()).where(chosen)).scalar_one(),
            "phases": _phases(connection, chosen),
            "transitions": _transitions(connection, chosen),
            "personas": _mix(connection, chosen, facts.c.persona, PERSONAS),
            "segments": _mix(connection, chosen, facts.c.segment, SEGMENTS),
            "touchpoints": _touchpoints(connection, chosen),
            "handoffs": _handoffs(connection, period),
            "nps": None,  # the NPS asked in the chat is not built yet (issue 16, item 1)
            "not_understood": _not_understood(connection, chosen),
            "questions": _questions(connection, chosen),
        }


def _handed_over() -> Any:
    facts = ConversationFacts.__table__
    handoffs = HandoffRow.__table__
    return sa.exists().where(handoffs.c.conversation_id == facts.c.sender_id)


def _phases(connection: Connection, chosen: Any) -> dict[str, Any]:
    """The funnel (conversations that got at least this far: awareness → consideration → decision → handoff) and the
    phase each conversation is in now."""
    facts = ConversationFacts.__table__
    columns = []
    for number, step in enumerate(FUNNEL):
        mask = sum(PHASE_BIT[phase] for phase in FUNNEL[number:])
        columns.append(sa.func.sum(sa.case((facts.c.reached.op("&")(mask) != 0, 1), else_=0)).label(step))
    columns.append(sa.func.sum(sa.case((_handed_over(), 1), else_=0)).label("handoff"))
    funnel = connection.execute(sa.select(*columns).where(chosen)).one()._mapping
    now = dict(connection.execute(sa.select(facts.c.phase, sa.func.count()).where(chosen)
                                  .group_by(facts.c.phase)).all())  # fmt: skip
    return {"funnel": {step: int(funnel[step] or 0) for step in (*FUNNEL, "handoff")},
            "now": {phase: int(now.get(phase, 0)) for phase in (*PHASES, None)}}  # fmt: skip


def _transitions(connection: Connection, chosen: Any) -> list[dict[str, Any]]:
    facts = ConversationFacts.__table__
    moves = PhaseTransition.__table__
    rows = connection.execute(
        sa.select(moves.c.from_phase, moves.c.to_phase, sa.func.count().label("count"))
        .select_from(moves.join(facts, facts.c.sender_id == moves.c.sender_id)).where(chosen)
        .group_by(moves.c.from_phase, moves.c.to_phase).order_by(sa.desc("count"))
    ).all()  # fmt: skip
    return [{"from": row.from_phase, "to": row.to_phase, "count": int(row.count)} for row in rows]


def _mix(connection: Connection, chosen: Any, column: Any, known: tuple[str, ...]) -> dict[str | None, int]:
    counts = dict(connection.execute(sa.select(column, sa.func.count()).where(chosen).group_by(column)).all())
    return {name: int(counts.get(name, 0)) for name in (*known, None)}


def _touchpoints(connection: Connection, chosen: Any) -> list[dict[str, Any]]:
    """The first touchpoint against how many of its conversations were handed to sales."""
    facts = ConversationFacts.__table__
    rows = connection.execute(
        sa.select(facts.c.touchpoint, sa.func.count().label("conversations"),
                  sa.func.sum(sa.case((_handed_over(), 1), else_=0)).label("handoffs"))
        .where(chosen).group_by(facts.c.touchpoint).order_by(sa.desc("conversations"))
    ).all()  # fmt: skip
    return [{"touchpoint": row.touchpoint, "conversations": int(row.conversations), "handoffs": int(row.handoffs or 0),
             "conversion": round(int(row.handoffs or 0) / int(row.conversations), 4)} for row in rows]  # fmt: skip


def _handoffs(connection: Connection, period: Period) -> dict[str, Any]:
    """Handoffs created in the period by status, and the time from creation to the first claim."""
    handoffs = HandoffRow.__table__
    activity = HandoffActivityRow.__table__
    chosen = sa.and_(handoffs.c.created_at >= period.since, handoffs.c.created_at < period.until,
                     *([handoffs.c.language == period.language] if period.language else []))  # fmt: skip
    statuses = dict(connection.execute(sa.select(handoffs.c.status, sa.func.count()).where(chosen)
                                       .group_by(handoffs.c.status)).all())  # fmt: skip
    first_claims = (sa.select(activity.c.handoff_id, sa.func.min(activity.c.at).label("claimed_at"))
                    .where(activity.c.action == "claim").group_by(activity.c.handoff_id).subquery())  # fmt: skip
    claimed = connection.execute(
        sa.select(handoffs.c.created_at, first_claims.c.claimed_at)
        .join(first_claims, first_claims.c.handoff_id == handoffs.c.id).where(chosen)
    ).all()  # fmt: skip
    minutes = sorted((_aware(row.claimed_at) - _aware(row.created_at)).total_seconds() / 60 for row in claimed)
    return {"total": int(sum(statuses.values())), "by_kind": {"sales": int(sum(statuses.values()))},
            "by_status": {status: int(count) for status, count in sorted(statuses.items())},
            "claimed": len(minutes), "median_minutes_to_claim": _median(minutes)}  # fmt: skip


def _not_understood(connection: Connection, chosen: Any) -> list[dict[str, Any]]:
    facts = ConversationFacts.__table__
    turns = Turn.__table__
    said = sa.func.lower(turns.c.text)
    rows = connection.execute(
        sa.select(said.label("text"), sa.func.count().label("count"))
        .select_from(turns.join(facts, facts.c.sender_id == turns.c.sender_id))
        .where(chosen, turns.c.understood.is_(False)).group_by(said).order_by(sa.desc("count"), said).limit(TOP)
    ).all()  # fmt: skip
    return [{"text": row.text, "count": int(row.count)} for row in rows]


def _questions(connection: Connection, chosen: Any) -> dict[str, list[dict[str, Any]]]:
    """The most asked intents per phase (the phase the conversation was in when the visitor asked)."""
    facts = ConversationFacts.__table__
    turns = Turn.__table__
    rows = connection.execute(
        sa.select(turns.c.phase, turns.c.intent, sa.func.count().label("count"))
        .select_from(turns.join(facts, facts.c.sender_id == turns.c.sender_id))
        .where(chosen, turns.c.understood.is_(True)).group_by(turns.c.phase, turns.c.intent)
    ).all()  # fmt: skip
    found: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda row: (-int(row.count), str(row.intent))):
        top = found.setdefault(row.phase or "unknown", [])
        if len(top) < TOP:
            top.append({"intent": row.intent, "count": int(row.count)})
    return found


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    return round(values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2, 1)


def to_csv(figures: dict[str, Any]) -> str:
    """The figures as one table: figure, key, value (a chart's rows are those of its figure)."""
    import csv
    import io

    rows: list[tuple[str, str, Any]] = [("conversations", "", figures["conversations"])]
    rows += [("funnel", step, count) for step, count in figures["phases"]["funnel"].items()]
    rows += [("phase_now", phase or "unknown", count) for phase, count in figures["phases"]["now"].items()]
    rows += [("transition", f"{move['from'] or 'start'} → {move['to']}", move["count"])
             for move in figures["transitions"]]  # fmt: skip
    rows += [("persona", name or "unknown", count) for name, count in figures["personas"].items()]
    rows += [("segment", name or "unknown", count) for name, count in figures["segments"].items()]
    for touchpoint in figures["touchpoints"]:
        name = touchpoint["touchpoint"] or "unknown"
        rows += [(f"touchpoint_{key}", name, touchpoint[key]) for key in ("conversations", "handoffs", "conversion")]
    handoffs = figures["handoffs"]
    rows += [("handoffs_by_status", status, count) for status, count in handoffs["by_status"].items()]
    rows += [("handoffs_by_kind", kind, count) for kind, count in handoffs["by_kind"].items()]
    rows.append(("handoffs_median_minutes_to_claim", "", handoffs["median_minutes_to_claim"]))
    rows += [("not_understood", item["text"], item["count"]) for item in figures["not_understood"]]
    rows += [(f"questions_{phase}", item["intent"], item["count"])
             for phase, items in figures["questions"].items() for item in items]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("figure", "key", "value"))
    writer.writerows((figure, key, "" if value is None else value) for figure, key, value in rows)
    return out.getvalue()
