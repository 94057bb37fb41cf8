"""Who gets a handoff, and when the visitor can expect the call (data/sales/team.yml)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.reloading import load_yaml_file

logger = logging.getLogger(__name__)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TeamError(ValueError):
    """The team file is inconsistent; the message says where."""


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


@dataclass(frozen=True)
class CallbackPromise:
    within_hours: bool  # True: within `promise_hours`; False: at `at` (next opening)
    at: dt.datetime  # in the salesperson's time zone


def _hours(raw: Any, where: str) -> dict[int, tuple[dt.time, dt.time]]:
    if not isinstance(raw, Mapping) or not raw:
        raise TeamError(f'{where}: needs opening hours like {{mon: "09:00-17:00"}}')
    hours = {}
    for day, span in raw.items():
        if day not in DAYS:
            raise TeamError(f"{where}.{day}: use mon, tue, wed, thu, fri, sat or sun")
        try:
            start, end = (dt.time.fromisoformat(part.strip()) for part in str(span).split("-"))
        except ValueError as exc:
            raise TeamError(f'{where}.{day}: write hours like "09:00-17:00", got {span!r}') from exc
        if end <= start:
            raise TeamError(f"{where}.{day}: closing time must be after opening time")
        hours[DAYS.index(day)] = (start, end)
    return hours


def parse_team(document: Any) -> Team:
    if not isinstance(document, Mapping) or not document.get("salespeople"):
        raise TeamError("the file needs a 'salespeople:' list")
    people: dict[str, Salesperson] = {}
    for i, raw in enumerate(document["salespeople"]):
        where = f"salespeople[{i + 1}]"
        for key in ("id", "name", "email", "languages", "time_zone", "hours"):
            if not raw.get(key):
                raise TeamError(f"{where}.{key}: is missing")
        try:
            ZoneInfo(raw["time_zone"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise TeamError(f"{where}.time_zone: unknown time zone {raw['time_zone']!r}") from exc
        if raw["id"] in people:
            raise TeamError(f"{where}.id: {raw['id']!r} is used twice")
        people[raw["id"]] = Salesperson(
            id=raw["id"], name=raw["name"], email=raw["email"], languages=tuple(raw["languages"]),
            segments=tuple(raw.get("segments") or ("b2b",)), time_zone=raw["time_zone"],
            hours=_hours(raw["hours"], f"{where}.hours"),
        )  # fmt: skip
    rules = []
    for i, raw in enumerate(document.get("rules") or []):
        to = tuple(raw.get("to") or ())
        unknown = [p for p in to if p not in people]
        if not to or unknown:
            raise TeamError(f"rules[{i + 1}].to: needs known salespeople, unknown: {', '.join(unknown) or '(empty)'}")
        rules.append(Rule(when=dict(raw.get("when") or {}), to=to))
    return Team(promise_hours=int(document.get("promise_hours") or 2), salespeople=people, rules=rules)


def load_team(path: Path) -> Team:
    """Read and check the file; errors name the file and the place in it."""
    return load_yaml_file(path, parse_team, TeamError)


def candidates(team: Team, facts: Mapping[str, str | None]) -> list[Salesperson]:
    """The salespeople the first matching rule names who speak the visitor's language."""
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
