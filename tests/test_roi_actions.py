"""The ROI form's actions with real rasa-sdk objects: validation, re-asks, the result and its slot."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.roi import ActionAskRoiEnergyCost, ActionAskRoiUnits, ActionCalculateRoi, ValidateRoiForm
from bot.services import Services
from tests.helpers import make_tracker, user

DOMAIN: dict[str, Any] = {
    "forms": {"roi_form": {"required_slots": ["roi_units", "roi_energy_cost", "roi_savings_rate"]}},
    "slots": {name: {"type": "any", "mappings": [{"type": "from_text"}]} for name in
              ("roi_units", "roi_energy_cost", "roi_savings_rate")},
}  # fmt: skip


def form_tracker(text: str, intent: str, slots: dict[str, Any], extracted: str | None = None) -> Any:
    """A tracker inside the form; `extracted` is the slot Rasa just filled from the message."""
    events = [user(text, intent)] + ([{"event": "slot", "name": extracted, "value": text}] if extracted else [])
    tracker = make_tracker(events, slots)
    tracker.active_loop = {"name": "roi_form"}
    return tracker


def validate(services: Services, text: str, slot: str, slots: dict[str, Any]) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(text, "inform_situation", {**slots, slot: text, "requested_slot": slot}, extracted=slot)
    events = asyncio.run(ValidateRoiForm(services).run(dispatcher, tracker, DOMAIN))
    return events, dispatcher


def test_a_german_amount_is_stored_as_a_number(catalogue_services: Services) -> None:
    slots = {"language": "de", "segment": "b2b", "roi_units": 4}
    events, dispatcher = validate(catalogue_services, "ca. 60.000 € im Jahr", "roi_energy_cost", slots)
    assert events == [SlotSet("roi_energy_cost", 60000.0)]
    assert dispatcher.messages == []


def test_an_impossible_value_is_refused_with_a_clear_re_ask_in_the_visitors_language(
    catalogue_services: Services,
) -> None:
    events, dispatcher = validate(catalogue_services, "-5", "roi_units", {"language": "en", "segment": "b2b"})
    assert events == [SlotSet("roi_units", None)]
    assert dispatcher.messages[0]["text"].startswith("I couldn't read that as a number.")


@pytest.mark.parametrize(
    ("language", "question", "answer"),
    [("de", "moment, braucht man für die Montage der Sensoren einen Elektriker?", "Elektrofachkraft"),
     ("en", "wait, how long does installing a sensor take?", "electrician")],
)  # fmt: skip
def test_a_question_instead_of_a_number_is_answered_not_refused(
    catalogue_services: Services, language: str, question: str, answer: str
) -> None:
    slots = {"language": language, "segment": "b2b", "product": "wattwerk-sense"}
    events, dispatcher = validate(catalogue_services, question, "roi_units", slots)
    assert events == [SlotSet("roi_units", None)]  # the form asks for the number again
    assert answer in dispatcher.messages[0]["text"]
    assert "number" not in dispatcher.messages[0]["text"] and "Anzahl" not in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("text", "intent", "slot", "expected"),
    [("stromkosten sind so 14.000 € im jahr für beide zusammen", "ask_tco", "roi_energy_cost", 14000.0),
     ("we've got 12 sites", "ask_price", "roi_units", 12),
     ("is there a 30 day trial?", "ask_guarantee", "roi_energy_cost", None)],  # a question is no answer
)  # fmt: skip
def test_a_stated_number_fills_the_requested_slot_whatever_the_intent(
    catalogue_services: Services, text: str, intent: str, slot: str, expected: Any
) -> None:
    slots = {"language": "de", "segment": "b2b", "requested_slot": slot,
             "roi_units": None if slot == "roi_units" else 2}
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(text, intent, slots)  # the slot mapping skipped the message for its intent
    events = asyncio.run(ValidateRoiForm(catalogue_services).run(dispatcher, tracker, DOMAIN))
    filled = {e["name"]: e["value"] for e in events if e["name"] == slot}
    assert filled.get(slot) == expected


def test_typical_takes_the_products_savings_rate(catalogue_services: Services) -> None:
    slots = {"language": "de", "segment": "b2b", "roi_units": 4, "roi_energy_cost": 60000.0}
    events, _ = validate(catalogue_services, "typisch", "roi_savings_rate", slots)
    assert events == [SlotSet("roi_savings_rate", 0.15)]


def test_a_household_is_not_asked_how_many_households(catalogue_services: Services) -> None:
    tracker = form_tracker("Lohnt sich das für unser Haus?", "ask_roi", {"language": "de", "segment": "b2c"})
    slots = asyncio.run(
        ValidateRoiForm(catalogue_services).required_slots(
            ["roi_units", "roi_energy_cost", "roi_savings_rate"], CollectingDispatcher(), tracker, DOMAIN
        )
    )
    assert slots == ["roi_energy_cost", "roi_savings_rate"]


def test_the_questions_name_the_products_units(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("3 Lager", "inform_situation")], {"language": "en", "product": "wattwerk-sense"})
    assert ActionAskRoiUnits(catalogue_services).run(dispatcher, tracker, {}) == []
    assert "How many measuring points would you like to equip with Wattwerk Sense?" in dispatcher.messages[0]["text"]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("3", "inform_situation")], {"language": "de", "segment": "b2b", "roi_units": 3})
    ActionAskRoiEnergyCost(catalogue_services).run(dispatcher, tracker, {})
    assert "für 3 Standorte" in dispatcher.messages[0]["text"] and "72.000 €" in dispatcher.messages[0]["text"]


def test_the_result_lists_savings_payback_tco_and_assumptions(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"language": "de", "segment": "b2b", "roi_units": 4, "roi_energy_cost": 60000.0, "roi_savings_rate": 0.15}
    events = ActionCalculateRoi(catalogue_services).run(
        dispatcher, make_tracker([user("typisch", "affirm")], slots), {}
    )
    assert events == [
        SlotSet("roi_result", {
            "product": "wattwerk-business", "plan": "business-professional", "units": 4,
            "annual_energy_cost_eur": "60000.0", "savings_rate": "0.15", "annual_savings_eur": "9000.00",
            "annual_running_cost_eur": "1788.00", "one_off_cost_eur": "490.00", "payback_months": "0.8",
            "tco_3y_eur": "5854.00", "net_3y_eur": "21146.00",
        }),
        SlotSet("product", "wattwerk-business"),
    ]  # fmt: skip
    (text,) = [m["text"] for m in dispatcher.messages]
    for expected in (
        "Einsparung pro Jahr: 9.000 €",
        "Laufende Kosten pro Jahr: 1.788 € (149 € im Monat)",
        "Amortisation: nach etwa 0,8 Monaten",
        "Gesamtkosten über 3 Jahre (TCO): 5.854 €",
        "Annahmen: 4 Standorte, Energiekosten 60.000 €",
    ):
        assert expected in text, expected  # fmt: skip


def test_one_off_costs_repaid_within_days_are_not_called_none(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"language": "en", "segment": "b2b", "roi_units": 14, "roi_energy_cost": 1200000.0,
             "roi_savings_rate": 0.15}  # fmt: skip
    ActionCalculateRoi(catalogue_services).run(dispatcher, make_tracker([user("typical", "affirm")], slots), {})
    (text,) = [m["text"] for m in dispatcher.messages]
    assert "One-off costs: €490" in text and "Payback: in less than a month" in text, text


def test_zero_savings_say_it_never_pays_back(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"language": "en", "segment": "b2c", "roi_energy_cost": 1200.0, "roi_savings_rate": 0.0}
    ActionCalculateRoi(catalogue_services).run(dispatcher, make_tracker([user("0 %", "inform_situation")], slots), {})
    assert "Payback: not with these assumptions" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    ("text", "language"),
    [("Wir sind Metallbau, eine Halle, 4 Maschinen. Energiekosten so 60.000 € im Jahr.", "de"),
     ("4 machines in one hall, and we pay about €60,000 a year for energy", "en")],
)  # fmt: skip
def test_an_energy_cost_said_with_the_count_is_not_asked_for_again(
    catalogue_services: Services, text: str, language: str
) -> None:
    slots = {"language": language, "segment": "b2b", "product": "wattwerk-sense", "requested_slot": "roi_units",
             "roi_units": text}  # fmt: skip
    tracker = form_tracker(text, "inform_situation", slots, extracted="roi_units")
    events = asyncio.run(ValidateRoiForm(catalogue_services).run(CollectingDispatcher(), tracker, DOMAIN))
    assert SlotSet("roi_units", 4) in events and SlotSet("roi_energy_cost", 60000.0) in events


@pytest.mark.parametrize(("text", "language"), [("Und wann hat sich das gerechnet?", "de"),
                                                ("so when does it pay for itself?", "en")])
def test_asking_for_the_payback_instead_of_a_rate_takes_the_typical_rate(
    catalogue_services: Services, text: str, language: str
) -> None:
    slots = {"language": language, "segment": "b2b", "product": "wattwerk-sense", "roi_units": 4,
             "roi_energy_cost": 60000.0, "requested_slot": "roi_savings_rate", "roi_savings_rate": text}  # fmt: skip
    tracker = form_tracker(text, "ask_roi", slots, extracted="roi_savings_rate")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateRoiForm(catalogue_services).run(dispatcher, tracker, DOMAIN))
    assert SlotSet("roi_savings_rate", 0.08) in events and dispatcher.messages == []


def test_the_sense_kits_are_paid_per_measuring_point_as_in_the_price_answer(catalogue_services: Services) -> None:
    slots = {"language": "de", "segment": "b2b", "product": "wattwerk-sense", "roi_units": 4,
             "roi_energy_cost": 60000.0, "roi_savings_rate": 0.08}  # fmt: skip
    tracker = make_tracker([user("typisch", "affirm")], slots)
    events = ActionCalculateRoi(catalogue_services).run(CollectingDispatcher(), tracker, {})
    result = events[0]["value"]
    assert result["one_off_cost_eur"] == "1560.00"  # 4 × 390 €, as "4 × 390 € = 1.560 €" in the price answer
    assert result["tco_3y_eur"] == "2136.00"  # 1.560 € + 36 × 16 €
