"""`data/sales/team.yml`: the sales team, their hours and the routing rules."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import conint, conlist, constr, validator

from bot.catalogue.schema import ContentError, ContentProblem
from bot.content.schemas.base import NonEmpty, Strict, locate_in, read_document, validated
from bot.journey.vocabulary import SEGMENTS

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def opening_span(text: str) -> tuple[dt.time, dt.time]:
    """ "09:00-17:00" as (opening, closing), "00:00-24:00" the whole day; ValueError saying what is wrong."""
    match = _SPAN.match(str(text))
    if not match:
        raise ValueError(f'write hours like "09:00-17:00", got {text!r}')
    try:
        start, end = (dt.time.max if part == "24:00" else dt.time.fromisoformat(part.zfill(5))
                      for part in match.groups())  # fmt: skip
    except ValueError as exc:
        raise ValueError(f'write hours like "09:00-17:00", got {text!r}') from exc
    if end <= start:
        raise ValueError(f"closing time must be after opening time, got {text!r}")
    return start, end


class SalespersonEntry(Strict):
    id: NonEmpty  # type: ignore[valid-type]
    name: NonEmpty  # type: ignore[valid-type]
    email: constr(strip_whitespace=True, regex=r"^[^@\s]+@[^@\s]+$")  # type: ignore[valid-type]
    languages: conlist(Literal["de", "en"], min_items=1)  # type: ignore[valid-type]
    segments: conlist(Literal[SEGMENTS], min_items=1) = ["b2b"]  # type: ignore[valid-type]
    time_zone: NonEmpty  # type: ignore[valid-type]
    hours: dict[Literal[DAYS], str]  # type: ignore[valid-type]

    @validator("time_zone")
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use a name like Europe/Berlin)") from exc
        return value

    @validator("hours")
    def _hours(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError('needs opening hours like {mon: "09:00-17:00"}')
        for day, span in value.items():
            try:
                opening_span(span)
            except ValueError as exc:
                raise ValueError(f"{day}: {exc}") from exc
        return value


class RoutingRule(Strict):
    #: conditions that must all match: the visitor's language, the product they asked about, their persona
    when: dict[Literal["language", "product", "persona"], NonEmpty] = {}  # type: ignore[valid-type]
    to: conlist(NonEmpty, min_items=1)  # type: ignore[valid-type]


class SupportTeam(Strict):
    """Who calls a customer back who is unhappy or stuck (handoffs of kind `support`), instead of sales."""

    #: the e-mail channel sends support handoffs here instead of SALES_EMAIL_TO
    email: constr(strip_whitespace=True, regex=r"^[^@\s]+@[^@\s]+$")  # type: ignore[valid-type]
    people: conlist(SalespersonEntry, min_items=1)  # type: ignore[valid-type]


class TeamFile(Strict):
    """`data/sales/team.yml`: who can get a handoff, their hours, and the routing rules."""

    version: Literal[1] = 1
    promise_hours: conint(ge=1, le=72) = 2  # type: ignore[valid-type]
    salespeople: conlist(SalespersonEntry, min_items=1)  # type: ignore[valid-type]
    rules: list[RoutingRule] = []
    #: without it, support handoffs go to sales (and the bot's answers still say so honestly: a call back)
    support: SupportTeam | None = None


def parse_team_document(document: Any, display: str, root: yaml.Node | None = None) -> TeamFile:
    """The team file from its parsed YAML (and, for line numbers, its YAML tree); raises ContentError listing every
    problem with line and field."""
    team = validated(document, root, display, TeamFile, "salespeople and rules")
    problems: list[ContentProblem] = []
    first: dict[str, int] = {}
    for index, person in enumerate(team.salespeople):
        line, field = locate_in(root, ("salespeople", index, "id"))
        if person.id in first:
            message = f"{person.id!r} is already used on line {first[person.id]}"
            problems.append(ContentProblem(display, line, field, message))
        first.setdefault(person.id, line)
    for index, person in enumerate(team.support.people if team.support else []):
        line, field = locate_in(root, ("support", "people", index, "id"))
        if person.id in first:
            message = f"{person.id!r} is already used on line {first[person.id]}"
            problems.append(ContentProblem(display, line, field, message))
    for index, rule in enumerate(team.rules):
        unknown = [name for name in rule.to if name not in first]
        if unknown:
            line, field = locate_in(root, ("rules", index, "to"))
            message = f"unknown salespeople {', '.join(unknown)}; use {', '.join(first)}"
            problems.append(ContentProblem(display, line, field, message))
    if problems:
        raise ContentError(problems)
    return team


def read_team(path: Path, display: str | None = None) -> TeamFile:
    document, root, shown = read_document(path, display, "salespeople and rules")
    return parse_team_document(document, shown, root)
