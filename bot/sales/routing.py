"""Who gets a handoff, and when the visitor can expect the call (data/sales/team.yml)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.content.schemas import DAYS, SalespersonEntry, TeamFile, opening_span, parse_team_document, read_team

logger = logging.getLogger(__name__)


class TeamError(ValueError):
    """A salesperson the team file gives no opening hours to cannot be promised a call."""


@dataclass(frozen=True)
class Salesperson:
    id: str
    name: str
    email: str
    languages: tuple[str, ...]
    segments: tuple[str, ...]
    time_zone: str
    hours: Mapping[int, tuple[dt.time, dt.time]]  # weekday (0 = Monday) -> opening, closing


@dataclass(frozen=True)
class Rule:
    when: Mapping[str, str]
    to: tuple[str, ...]


@dataclass(frozen=True)
class Team:
    promise_hours: int
    salespeople: Mapping[str, Salesperson]
    rules: Sequence[Rule]
    #: the support team: who gets handoffs of kind `support` (empty: sales gets them), and its e-mail address
    support: Mapping[str, Salesperson] = field(default_factory=dict)
    support_email: str | None = None

    @property
    def people(self) -> dict[str, Salesperson]:
        """Everyone who can be assigned a handoff, sales and support."""
        return {**self.salespeople, **self.support}


@dataclass(frozen=True)
class CallbackPromise:
    within_hours: bool  # True: within `promise_hours`; False: at `at` (next opening)
    at: dt.datetime  # in the salesperson's time zone


def parse_team(document: Any, display: str = "team.yml") -> Team:
    """The team from the file's parsed YAML; every mistake raised as one ContentError (file, line, field)."""
    return _team(parse_team_document(document, display))


def load_team(path: Path) -> Team:
    """Read and check the file; every mistake raised as one ContentError naming the file, the line and the field,
    which a running bot answers by keeping the last good version (bot/reloading.py)."""
    return _team(read_team(path))


def _person(entry: SalespersonEntry) -> Salesperson:
    return Salesperson(id=entry.id, name=entry.name, email=entry.email, languages=tuple(entry.languages),
                       segments=tuple(entry.segments), time_zone=entry.time_zone,
                       hours={DAYS.index(day): opening_span(span) for day, span in entry.hours.items()})  # fmt: skip


def _team(checked: TeamFile) -> Team:
    people = {entry.id: _person(entry) for entry in checked.salespeople}
    rules = [Rule(when=dict(rule.when), to=tuple(rule.to)) for rule in checked.rules]
    support = {entry.id: _person(entry) for entry in checked.support.people} if checked.support else {}
    return Team(promise_hours=checked.promise_hours, salespeople=people, rules=rules, support=support,
                support_email=checked.support.email if checked.support else None)  # fmt: skip


def candidates(team: Team, facts: Mapping[str, str | None]) -> list[Salesperson]:
    """The salespeople the first matching rule names who speak the visitor's language; for a support handoff, the
    support team members who do (sales, when the file has no support team)."""
    if facts.get("kind") == "support" and team.support:
        speaking = [p for p in team.support.values() if facts.get("language") in p.languages]
        return speaking or list(team.support.values())
    for rule in team.rules:
        if all(facts.get(key) == value for key, value in rule.when.items()):
            people = [team.salespeople[p] for p in rule.to]
            speaking = [p for p in people if facts.get("language") in p.languages]
            if speaking:
                return speaking
    speaking = [p for p in team.salespeople.values() if facts.get("language") in p.languages]
    return speaking or list(team.salespeople.values())


def assign(team: Team, facts: Mapping[str, str | None], last_assigned: Mapping[str, dt.datetime]) -> Salesperson:
    """By rule, then round robin: the candidate who got a handoff least recently (never: first)."""
    people = candidates(team, facts)
    never = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return min(people, key=lambda p: (last_assigned.get(p.id, never), people.index(p)))


def callback_promise(person: Salesperson, now: dt.datetime, promise_hours: int) -> CallbackPromise:
    """Inside business hours: within the promised hours; outside: the next opening time."""
    local = now.astimezone(ZoneInfo(person.time_zone))
    today = person.hours.get(local.weekday())
    if today and today[0] <= local.time() < today[1]:
        return CallbackPromise(True, local + dt.timedelta(hours=promise_hours))
    for offset in range(0, 8):
        day = local.date() + dt.timedelta(days=offset)
        span = person.hours.get(day.weekday())
        if span is None:
            continue
        opening = dt.datetime.combine(day, span[0], tzinfo=local.tzinfo)
        if opening > local:
            return CallbackPromise(False, opening)
    raise TeamError(f"{person.id} has no opening hours")
