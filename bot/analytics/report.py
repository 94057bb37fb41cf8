"""The journey figures for a period (and a language): what the dashboard shows and `python -m bot.analytics report`
prints. Computed in SQL from the dashboard's tables (bot/analytics/models.py) and the handoffs; a conversation counts
in the period it started in.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.aftersale.nps import NpsAnswer, band
from bot.aftersale.referrals import ReferralCode, ReferralCredit
from bot.analytics.ingest import PHASE_BIT
from bot.analytics.models import ConversationFacts, Missed, PhaseTransitions, Questions
from bot.journey.vocabulary import PERSONAS, PHASES, SEGMENTS
from bot.sales.models import KINDS, HandoffActivityRow, HandoffRow

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
    """Every figure of the dashboard; the keys are the ones `--format json` prints. Conversations count in the period
    they started in; phase changes, questions and not-understood messages in the period they happened in."""
    with engine.connect() as connection:
        facts = ConversationFacts.__table__
        chosen = sa.and_(facts.c.started_at >= period.since, facts.c.started_at < period.until,
                         *([facts.c.language == period.language] if period.language else []))  # fmt: skip
        mix = _conversations(connection, chosen)
        return {
            "period": {
                "since": period.since.isoformat(),
                "until": period.until.isoformat(),
                "language": period.language,
            },  # fmt: skip
            "conversations": mix["conversations"],
            "phases": mix["phases"],
            "transitions": _transitions(connection, period),
            "personas": mix["personas"],
            "segments": mix["segments"],
            "touchpoints": mix["touchpoints"],
            "handoffs": _handoffs(connection, period),
            "nps": _nps(connection, period),
            "referrals": _referrals(connection, period),
            "not_understood": _not_understood(connection, period),
            "questions": _questions(connection, period),
        }


def _conversations(connection: Connection, chosen: Any) -> dict[str, Any]:
    """One pass over the period's conversations (the index ix_analytics_conversations_mix alone), grouped by what
    the figures need, and one over its handoffs to sales (few: the funnel's last step; a customer's support call or
    extension is no prospect's conversion)."""
    facts = ConversationFacts.__table__
    columns = (facts.c.reached, facts.c.phase, facts.c.persona, facts.c.segment, facts.c.touchpoint)
    groups = connection.execute(sa.select(*columns, sa.func.count().label("count")).where(chosen)
                                .group_by(*columns)).all()  # fmt: skip
    handoffs = HandoffRow.__table__
    handed = connection.execute(
        sa.select(facts.c.touchpoint, sa.func.count()).select_from(handoffs.join(facts, facts.c.sender_id ==
                  handoffs.c.conversation_id)).where(chosen, handoffs.c.kind == "sales").group_by(facts.c.touchpoint)
    ).all()  # fmt: skip
    funnel = dict.fromkeys(FUNNEL, 0)
    now: dict[str | None, int] = dict.fromkeys((*PHASES, None), 0)
    personas: dict[str | None, int] = dict.fromkeys((*PERSONAS, None), 0)
    segments: dict[str | None, int] = dict.fromkeys((*SEGMENTS, None), 0)
    touchpoints: dict[str | None, int] = {}
    for group in groups:
        count = int(group.count)
        for number, step in enumerate(FUNNEL):
            if group.reached & sum(PHASE_BIT[phase] for phase in FUNNEL[number:]):
                funnel[step] += count
        now[group.phase if group.phase in now else None] += count
        personas[group.persona if group.persona in personas else None] += count
        segments[group.segment if group.segment in segments else None] += count
        touchpoints[group.touchpoint] = touchpoints.get(group.touchpoint, 0) + count
    handed_by = {touchpoint: int(count) for touchpoint, count in handed}
    return {
        "conversations": sum(touchpoints.values()),
        "phases": {"funnel": {**funnel, "handoff": sum(handed_by.values())}, "now": now},
        "personas": personas,
        "segments": segments,
        "touchpoints": [{"touchpoint": name, "conversations": count, "handoffs": handed_by.get(name, 0),
                         "conversion": round(handed_by.get(name, 0) / count, 4)}
                        for name, count in sorted(touchpoints.items(), key=lambda item: (-item[1], str(item[0])))],
    }  # fmt: skip


def _days(table: sa.Table, period: Period) -> Any:
    """The rows of a daily table in the period (and its language)."""
    return sa.and_(table.c["day"] >= period.since.date().isoformat(), table.c["day"] < period.until.date().isoformat(),
                   *([table.c["language"] == period.language] if period.language else []))  # fmt: skip


def _transitions(connection: Connection, period: Period) -> list[dict[str, Any]]:
    moves = PhaseTransitions.__table__
    total = sa.func.sum(moves.c["count"]).label("total")
    rows = connection.execute(sa.select(moves.c.from_phase, moves.c.to_phase, total).where(_days(moves, period))
                              .group_by(moves.c.from_phase, moves.c.to_phase)).all()  # fmt: skip
    return [{"from": row.from_phase or None, "to": row.to_phase, "count": int(row.total)}
            for row in sorted(rows, key=lambda row: (-int(row.total), row.from_phase, row.to_phase))]  # fmt: skip


def _handoffs(connection: Connection, period: Period) -> dict[str, Any]:
    """Handoffs created in the period by status, and the time from creation to the first claim."""
    handoffs = HandoffRow.__table__
    activity = HandoffActivityRow.__table__
    chosen = sa.and_(handoffs.c.created_at >= period.since, handoffs.c.created_at < period.until,
                     *([handoffs.c.language == period.language] if period.language else []))  # fmt: skip
    counted = connection.execute(sa.select(handoffs.c.kind, handoffs.c.status, sa.func.count()).where(chosen)
                                 .group_by(handoffs.c.kind, handoffs.c.status)).all()  # fmt: skip
    statuses: Counter[str] = Counter()
    by_kind_status: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
    for kind, status, count in counted:
        statuses[status] += int(count)
        by_kind_status.setdefault(kind or "sales", {})[status] = int(count)
    first_claims = (sa.select(activity.c.handoff_id, sa.func.min(activity.c.at).label("claimed_at"))
                    .where(activity.c.action == "claim").group_by(activity.c.handoff_id).subquery())  # fmt: skip
    claimed = connection.execute(
        sa.select(handoffs.c.kind, handoffs.c.created_at, first_claims.c.claimed_at)
        .join(first_claims, first_claims.c.handoff_id == handoffs.c.id).where(chosen)
    ).all()  # fmt: skip
    waits: dict[str, list[float]] = {kind: [] for kind in by_kind_status}
    for row in claimed:
        waits.setdefault(row.kind or "sales", []).append(
            (_aware(row.claimed_at) - _aware(row.created_at)).total_seconds() / 60
        )
    minutes = sorted(wait for kind_waits in waits.values() for wait in kind_waits)
    return {"total": int(sum(statuses.values())),
            "by_kind": {kind: sum(counts.values()) for kind, counts in by_kind_status.items()},
            "by_status": dict(sorted(statuses.items())),
            "by_kind_status": {kind: dict(sorted(counts.items())) for kind, counts in by_kind_status.items()},
            "claimed": len(minutes), "median_minutes_to_claim": _median(minutes),
            "median_minutes_to_claim_by_kind": {kind: _median(sorted(w)) for kind, w in waits.items()}}  # fmt: skip


def _referrals(connection: Connection, period: Period) -> dict[str, int]:
    """Personal referral links given out in the period, visitors who arrived with one, and how many of those were
    handed to sales."""
    codes = ReferralCode.__table__
    credits = ReferralCredit.__table__
    handoffs = HandoffRow.__table__
    made = sa.and_(codes.c.created_at >= period.since, codes.c.created_at < period.until)
    given = connection.execute(sa.select(sa.func.count()).where(made)).scalar_one()
    arrived = sa.and_(credits.c.created_at >= period.since, credits.c.created_at < period.until)
    visitors = connection.execute(sa.select(sa.func.count()).where(arrived)).scalar_one()
    with_handoff = credits.join(handoffs, handoffs.c.conversation_id == credits.c.conversation_id)
    handed = connection.execute(sa.select(sa.func.count()).select_from(with_handoff)
                                .where(arrived, handoffs.c.kind == "sales")).scalar_one()  # fmt: skip
    return {"links": int(given), "visitors": int(visitors), "handoffs": int(handed)}


def _nps(connection: Connection, period: Period) -> dict[str, Any]:
    """The answers in the period: promoters (9–10), passives (7–8), detractors (0–6), the score (% promoters minus
    % detractors), and the same per week (weeks starting on Monday)."""
    answers = NpsAnswer.__table__
    chosen = sa.and_(answers.c.created_at >= period.since, answers.c.created_at < period.until,
                     *([answers.c.language == period.language] if period.language else []))  # fmt: skip
    rows = connection.execute(sa.select(answers.c.created_at, answers.c.score).where(chosen)).all()
    weeks: dict[str, list[int]] = {}
    for row in rows:
        day = _aware(row.created_at).date()
        weeks.setdefault((day - dt.timedelta(days=day.weekday())).isoformat(), []).append(int(row.score))
    return {**_nps_of([int(row.score) for row in rows]),
            "weeks": [{"week": week, **_nps_of(scores)} for week, scores in sorted(weeks.items())]}  # fmt: skip


def _nps_of(scores: list[int]) -> dict[str, Any]:
    counts = {name: sum(1 for score in scores if band(score) == name) for name in ("promoter", "passive", "detractor")}
    total = len(scores)
    score = round(100 * (counts["promoter"] - counts["detractor"]) / total) if total else None
    return {"answers": total, "promoters": counts["promoter"], "passives": counts["passive"],
            "detractors": counts["detractor"], "score": score}  # fmt: skip


def _not_understood(connection: Connection, period: Period) -> list[dict[str, Any]]:
    missed = Missed.__table__
    said = sa.func.lower(missed.c.text)
    chosen = sa.and_(missed.c.at >= period.since, missed.c.at < period.until,
                     *([missed.c.language == period.language] if period.language else []))  # fmt: skip
    rows = connection.execute(sa.select(said.label("text"), sa.func.count().label("count")).where(chosen)
                              .group_by(said).order_by(sa.desc("count"), said).limit(TOP)).all()  # fmt: skip
    return [{"text": row.text, "count": int(row.count)} for row in rows]


def _questions(connection: Connection, period: Period) -> dict[str, list[dict[str, Any]]]:
    """The most asked intents per phase (the phase the conversation was in when the visitor asked)."""
    asked = Questions.__table__
    total = sa.func.sum(asked.c["count"]).label("total")
    rows = connection.execute(sa.select(asked.c.phase, asked.c.intent, total).where(_days(asked, period))
                              .group_by(asked.c.phase, asked.c.intent)).all()  # fmt: skip
    found: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda row: (-int(row.total), str(row.intent))):
        top = found.setdefault(row.phase or "unknown", [])
        if len(top) < TOP:
            top.append({"intent": row.intent, "count": int(row.total)})
    return found


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    return round(values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2, 1)


def to_csv(figures: dict[str, Any], figure: str = "") -> str:
    """The figures as one table: figure, key, value; with `figure`, only that figure's rows (a chart's: "funnel", or
    "handoffs" for handoffs_by_status, handoffs_by_kind, …)."""
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
    rows += [("referrals", key, count) for key, count in figures["referrals"].items()]
    nps = figures["nps"]
    rows += [("nps", key, nps[key]) for key in ("answers", "promoters", "passives", "detractors", "score")]
    rows += [("nps_week", week["week"], week["score"]) for week in nps["weeks"]]
    handoffs = figures["handoffs"]
    rows += [("handoffs_by_status", status, count) for status, count in handoffs["by_status"].items()]
    rows += [("handoffs_by_kind", kind, count) for kind, count in handoffs["by_kind"].items()]
    rows += [("handoffs_by_kind_status", f"{kind} {status}", count)
             for kind, counts in handoffs["by_kind_status"].items() for status, count in counts.items()]  # fmt: skip
    rows.append(("handoffs_median_minutes_to_claim", "", handoffs["median_minutes_to_claim"]))
    rows += [("handoffs_median_minutes_to_claim_by_kind", kind, minutes)
             for kind, minutes in handoffs["median_minutes_to_claim_by_kind"].items()]  # fmt: skip
    rows += [("not_understood", item["text"], item["count"]) for item in figures["not_understood"]]
    rows += [(f"questions_{phase}", item["intent"], item["count"])
             for phase, items in figures["questions"].items() for item in items]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("figure", "key", "value"))
    writer.writerows((name, key, "" if value is None else value) for name, key, value in rows
                     if not figure or name == figure or name.startswith(figure + "_"))  # fmt: skip
    return out.getvalue()
