"""Reading a customer's NPS answer as they type it, in German and English, and storing it."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.aftersale.nps import Answer, NpsAnswer, add_comment, asked_recently, band, invite, parse_score, record
from bot.db import create_tables, make_engine, make_session_factory


@pytest.mark.parametrize(("typed", "score"), [
    ("9", 9), ("neun", 9), ("nine", 9), ("9/10", 9), ("9 von 10", 9), ("Eine 9!", 9), ("Ich gebe euch eine Zehn", 10),
    ("I'd say nine out of ten", 9), ("zehn von zehn", 10), ("0", 0), ("null", 0), ("zero", 0), ("sieben", 7),
    ("Note: 8 von 10 Punkten", 8), ("9.0", 9), ("vielleicht 6", 6), ("ten!", 10),
])  # fmt: skip
def test_a_score_is_read_however_it_is_typed(typed: str, score: int) -> None:
    assert parse_score(typed) == score


@pytest.mark.parametrize("typed", ["7 oder 8", "8,5", "19", "-1", "keine Ahnung", "12 Punkte", "9-10", "", "gut"])
def test_no_score_or_two_make_the_bot_ask_again(typed: str) -> None:
    assert parse_score(typed) is None


@pytest.mark.parametrize(("score", "expected"), [(10, "promoter"), (9, "promoter"), (8, "passive"), (7, "passive"),
                                                 (6, "detractor"), (0, "detractor")])  # fmt: skip
def test_the_bands(score: int, expected: str) -> None:
    assert band(score) == expected


def test_an_answer_is_stored_and_not_asked_again_within_the_period(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/nps.db")
    create_tables(engine)
    factory = make_session_factory(engine)
    now = dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone.utc)
    assert not asked_recently(factory, "K-1001", now, dt.timedelta(days=90))
    answer_id = record(factory, Answer("conv-1", "K-1001", 7, "de", "wattwerk-home", "retention"), now)
    add_comment(factory, answer_id, "Eine bessere Prognose in der App.")
    assert asked_recently(factory, "K-1001", now + dt.timedelta(days=89), dt.timedelta(days=90))
    assert not asked_recently(factory, "K-1001", now + dt.timedelta(days=91), dt.timedelta(days=90))
    assert not asked_recently(factory, "K-2002", now, dt.timedelta(days=90))
    with pytest.raises(ValueError, match="0 to 10"):
        record(factory, Answer("conv-2", "K-2002", 11, "de"), now)
    add_comment(factory, answer_id, "Und günstigere Zusatzsensoren.")  # both of what the customer said are kept
    with factory() as session:
        assert session.get(NpsAnswer, answer_id).comment == (
            "Eine bessere Prognose in der App.\nUnd günstigere Zusatzsensoren.")  # fmt: skip


def test_a_customer_asked_but_silent_is_not_asked_again_within_the_period(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/nps.db")
    create_tables(engine)
    factory = make_session_factory(engine)
    now = dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone.utc)
    invite(factory, "KD-104233", "conv-1", now)
    assert asked_recently(factory, "KD-104233", now + dt.timedelta(days=30), dt.timedelta(days=90))
    assert not asked_recently(factory, "KD-104233", now + dt.timedelta(days=91), dt.timedelta(days=90))
