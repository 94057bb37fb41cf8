"""Contact details as visitors type them, and who gets the handoff when."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from bot.catalogue.schema import ContentError
from bot.config import PROJECT_ROOT
from bot.contact import (
    ContactDetails,
    asks_for_our_contact,
    details_from_conversation,
    details_from_message,
    looks_like_bad_email,
)
from bot.sales.handoffs import company_size
from bot.sales.routing import assign, callback_promise, load_team, parse_team

TEAM = load_team(PROJECT_ROOT / "data" / "sales" / "team.yml")
UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anna Berger, Berger Logistik GmbH, anna.berger@example.de, 0171 2345678",
         ContactDetails("Anna Berger", "Berger Logistik GmbH", "anna.berger@example.de", "0171 2345678")),
        ("Bitte ruft mich an: Jonas Meier, Meier Handel GmbH, 0221 998877",
         ContactDetails("Jonas Meier", "Meier Handel GmbH", None, "0221 998877")),
        ("Claire Dubois, Dubois Consulting SARL, claire@dubois-consulting.fr",
         ContactDetails("Claire Dubois", "Dubois Consulting SARL", "claire@dubois-consulting.fr", None)),
        ("meine Nummer: +49 (0)221 99 88 77", ContactDetails(phone="+49 (0)221 99 88 77")),
        ("Hallo, ich hätte gern ein Angebot", ContactDetails()),
        ("Wir sind 25 Leute, 3 Standorte", ContactDetails()),
    ],
)  # fmt: skip
def test_details_in_one_message(text: str, expected: ContactDetails) -> None:
    assert details_from_message(text, []) == expected


def test_details_from_earlier_messages_are_kept_and_later_ones_win() -> None:
    found = details_from_conversation([
        ("Ich bin Jonas von der Meier Handel GmbH", [{"entity": "person", "value": "Jonas"}]),
        ("meine Mail: jonas@meier.example", []),
        ("oder lieber jonas.meier@meier.example", []),
    ])  # fmt: skip
    assert found == ContactDetails("Jonas", None, "jonas.meier@meier.example", None)


@pytest.mark.parametrize("text", ["anna@berger", "anna(at)berger.de", "@berger.de"])
def test_an_invalid_email_is_noticed(text: str) -> None:
    assert looks_like_bad_email(text) or "@" not in text


@pytest.mark.parametrize("text", ["anna@berger", "a" * 50_000 + "@berger", "a" * 50_000, "x @ y " * 10_000])
def test_a_huge_answer_to_the_contact_question_is_judged_at_once(text: str) -> None:
    """A visitor's 50,000-character answer while the bot asks for a contact: judged in well under a second (the action
    server does nothing else meanwhile), with the same verdict as for a short one."""
    started = time.monotonic()
    verdict = looks_like_bad_email(text)
    assert time.monotonic() - started < 0.5
    assert verdict == ("@" in text and "berger" in text)


def test_team_size_for_the_brief() -> None:
    assert company_size(["Wir sind ein Betrieb mit 25 Leuten", "Hallo"]) == 25
    assert company_size(["a company of 1,200 employees"]) == 1200
    assert company_size(["Wir haben 3 Standorte"]) is None


def test_routing_by_rule_then_round_robin() -> None:
    assert assign(TEAM, {"language": "de", "product": "wattwerk-sense"}, {}).id == "tom.becker"
    first = assign(TEAM, {"language": "en"}, {})
    second = assign(TEAM, {"language": "en"}, {first.id: dt.datetime(2026, 11, 23, 10, tzinfo=UTC)})
    assert (first.id, second.id) == ("sarah.miller", "lena.vogt")


def test_a_german_speaker_is_never_routed_to_someone_without_german() -> None:
    hours = {"mon": "09:00-17:00"}
    only_english = parse_team({
        "salespeople": [
            {"id": "a", "name": "A", "email": "a@x", "languages": ["en"], "time_zone": "UTC", "hours": hours},
            {"id": "b", "name": "B", "email": "b@x", "languages": ["de"], "time_zone": "UTC", "hours": hours},
        ],
        "rules": [{"to": ["a"]}],
    })  # fmt: skip
    assert assign(only_english, {"language": "de"}, {}).id == "b"


def test_support_handoffs_go_to_the_support_team_in_the_callers_language_and_sales_without_one() -> None:
    assert assign(TEAM, {"language": "en", "kind": "support"}, {}).id == "jana.kraus"  # Felix speaks German only
    first = assign(TEAM, {"language": "de", "kind": "support"}, {})
    second = assign(TEAM, {"language": "de", "kind": "support"}, {first.id: dt.datetime(2026, 11, 23, tzinfo=UTC)})
    assert {first.id, second.id} == {"jana.kraus", "felix.graf"}
    assert assign(TEAM, {"language": "en", "kind": "upsell"}, {}).id in TEAM.salespeople  # an extension is sales'
    hours = {"mon": "09:00-17:00"}
    no_support = parse_team({"salespeople": [{"id": "a", "name": "A", "email": "a@x", "languages": ["de"],
                                              "time_zone": "UTC", "hours": hours}]})  # fmt: skip
    assert assign(no_support, {"language": "de", "kind": "support"}, {}).id == "a"


def test_a_support_person_cannot_share_an_id_with_a_salesperson() -> None:
    hours = {"mon": "09:00-17:00"}
    person = {"id": "a", "name": "A", "email": "a@x", "languages": ["de"], "time_zone": "UTC", "hours": hours}
    with pytest.raises(ContentError, match="support.people\\[1\\].id: 'a' is already used"):
        parse_team({"salespeople": [person], "support": {"email": "support@x", "people": [person]}})


def test_inside_business_hours_the_promise_is_hours_outside_the_next_opening() -> None:
    lena = TEAM.salespeople["lena.vogt"]
    inside = callback_promise(lena, dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC), 2)  # Monday 11:00 Berlin
    assert inside.within_hours
    evening = callback_promise(lena, dt.datetime(2026, 11, 23, 18, 0, tzinfo=UTC), 2)  # Monday 19:00 Berlin
    assert (evening.within_hours, evening.at.isoformat()) == (False, "2026-11-24T09:00:00+01:00")
    friday = callback_promise(lena, dt.datetime(2026, 11, 27, 15, 30, tzinfo=UTC), 2)  # Friday 16:30, closed at 15
    assert friday.at.isoformat() == "2026-11-30T09:00:00+01:00"


def test_team_file_mistakes_are_named() -> None:
    with pytest.raises(ContentError, match="salespeople\\[1\\].time_zone: unknown time zone 'Mars/Base'"):
        parse_team({"salespeople": [{"id": "a", "name": "A", "email": "a@x", "languages": ["de"],
                                     "time_zone": "Mars/Base", "hours": {"mon": "09:00-17:00"}}]})  # fmt: skip


@pytest.mark.parametrize(
    ("text", "ours"),
    [("is there a phone number for sales?", True), ("Und wenn er dann Fragen hat, wen ruft er an?", True),
     ("Wie erreiche ich euren Vertrieb?", True), ("Can someone from sales call me?", False),
     ("Kann mich jemand anrufen? 0171 2345678", False),
     ("Haben wir einen festen Ansprechpartner oder nur Hotline?", False),
     ("How can I contact your support team?", False), ("What number of sites does Starter cover?", False),
     ("Wie erreiche ich 20 % Einsparung?", False), ("whats your phone number?", True)],
)  # fmt: skip
def test_asking_for_our_number_is_told_from_giving_ones_own(text: str, ours: bool) -> None:
    assert asks_for_our_contact(text) is ours
