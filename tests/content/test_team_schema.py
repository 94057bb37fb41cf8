"""The sales team file's schema (data/sales/team.yml): the shipped file loads, every mistake an admin can make names
file, line and field, and a running bot keeps the last good version when a bad edit lands."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bot.catalogue.schema import ContentError
from bot.config import PROJECT_ROOT
from bot.content.schemas.team import opening_span
from bot.reloading import ReloadingFile
from bot.sales.routing import assign, load_team

#: `salespeople: [lena]`-style: a name where a salesperson's fields belong
NAME_ONLY = ("salespeople:\n  - id: lena", "salespeople:\n  - lena\n  - id: lena")

GOOD = """\
version: 1
promise_hours: 2
salespeople:
  - id: lena
    name: Lena Vogt
    email: lena@example.de
    languages: [de, en]
    time_zone: Europe/Berlin
    hours: {mon: "09:00-17:00", fri: "09:00-15:00"}
  - id: max
    name: Max Huber
    email: max@example.at
    languages: [de]
    time_zone: Europe/Vienna
    hours: {mon: "08:00-16:30"}
rules:
  - when: {language: en}
    to: [lena]
  - to: [lena, max]
"""


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "team.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_team(path)
    return [f"line {p.line}, {p.field}: {p.message}" for p in caught.value.problems]


def test_the_shipped_team_file_loads() -> None:
    team = load_team(PROJECT_ROOT / "data" / "sales" / "team.yml")
    assert team.salespeople and team.rules


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # a list of names instead of salespeople (crashed lead submission with an AttributeError before)
        (*NAME_ONLY, "line 4, salespeople[1]: must be a mapping"),
        # one language without brackets (was read as the letters 'd' and 'e')
        ("languages: [de]", "languages: de", "line 13, salespeople[2].languages: must be a list"),
        ("languages: [de, en]", "languages: [de, fr]", "line 7, salespeople[1].languages[2]: unknown value 'fr'"),
        ("languages: [de, en]", "langauges: [de, en]", "line 7, salespeople[1].langauges: is not a known field"),
        ("Europe/Vienna", "Europe/Wien", "line 14, salespeople[2].time_zone: unknown time zone 'Europe/Wien'"),
        ('fri: "09:00-15:00"', 'fri: "15:00-09:00"', "line 9, salespeople[1].hours: fri: closing time must be after"),
        ('mon: "08:00-16:30"', 'monday: "08:00-16:30"', "line 15, salespeople[2].hours: unknown name 'monday'"),
        ("email: max@example.at", "email: max at example", "line 12, salespeople[2].email: string does not match"),
        ("id: max", "id: lena", "line 10, salespeople[2].id: 'lena' is already used on line 4"),
        ("to: [lena, max]", "to: [lena, mia]", "line 19, rules[2].to: unknown salespeople mia; use lena, max"),
        ("when: {language: en}", "when: {country: at}", "line 17, rules[1].when: unknown name 'country'"),
        ("promise_hours: 2", "promise_hours: 0", "line 2, promise_hours: ensure this value is greater than"),
    ],
)  # fmt: skip
def test_every_mistake_names_line_and_field(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    problems = problems_of(tmp_path, GOOD.replace(old, new, 1))
    assert any(problem.startswith(expected) or expected in problem for problem in problems), problems


@pytest.mark.parametrize(("span", "opening", "closing"), [
    ("09:00-17:00", (9, 0), (17, 0)), ("8:30-12:00", (8, 30), (12, 0)), ("00:00-24:00", (0, 0), (23, 59))])  # fmt: skip
def test_hours_may_span_the_whole_day(span: str, opening: tuple[int, int], closing: tuple[int, int]) -> None:
    start, end = opening_span(span)
    assert (start.hour, start.minute) == opening and (end.hour, end.minute) == closing
    with pytest.raises(ValueError, match="write hours like"):
        opening_span("00:00-25:00")


def test_all_mistakes_are_listed_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("languages: [de]", "languages: de").replace("to: [lena, max]", "to: [mia]")
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1  # the schema's mistakes first: the rules are checked against valid salespeople
    problems = problems_of(tmp_path, GOOD.replace("id: max", "id: lena").replace("to: [lena, max]", "to: [mia]"))
    assert len(problems) == 2, problems


def test_a_running_bot_keeps_the_last_good_team_when_a_bad_edit_lands(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "team.yml"
    path.write_text(GOOD, encoding="utf-8")
    team = ReloadingFile(path, load_team)
    assert assign(team.get(), {"language": "en"}, {}).id == "lena"
    path.write_text(GOOD.replace(*NAME_ONLY), encoding="utf-8")
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    with caplog.at_level(logging.ERROR, logger="bot.reloading"):
        assert assign(team.get(), {"language": "en"}, {}).id == "lena"  # still routed, by the last good file
        team.get()
    logged = [r.getMessage() for r in caplog.records if "Keeping the previous version" in r.getMessage()]
    assert len(logged) == 1 and "line 4, salespeople[1]" in logged[0]
    fixed = GOOD.replace("languages: [de]", "languages: [de, en]").replace("to: [lena]", "to: [max]")
    path.write_text(fixed, encoding="utf-8")  # a good edit again: it counts
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))
    assert assign(team.get(), {"language": "en"}, {}).id == "max"


def test_make_content_checks_the_team_file_and_loads_nothing_while_it_is_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.catalogue.loader import main

    database = tmp_path / "content.db"
    team = tmp_path / "team.yml"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("TEAM_FILE", str(team))
    team.write_text(GOOD.replace("languages: [de]", "languages: de"), encoding="utf-8")
    assert main([]) == 1
    assert f"{team}, line 13, salespeople[2].languages: must be a list" in capsys.readouterr().err
    team.write_text(GOOD, encoding="utf-8")
    assert main([]) == 0
    assert "Catalogue loaded" in capsys.readouterr().out
