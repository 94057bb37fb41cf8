"""More seats, sites or a bigger plan (actions/upsell.py), with real rasa-sdk objects: an existing customer's
extension goes to sales with the new size's list price; the same words from a prospect are a question about prices."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.upsell import ActionHandleUpsell
from bot.services import Services
from tests.helpers import make_tracker, user


def run(services: Services, text: str, slots: dict[str, Any]) -> tuple[str, list[Any]]:
    dispatcher = CollectingDispatcher()
    events = ActionHandleUpsell(services).run(dispatcher, make_tracker([user(text, "request_upsell")], slots), {})
    return " | ".join(m["text"] for m in dispatcher.messages), events


@pytest.mark.parametrize(
    ("text", "language", "sites", "shown"),
    [
        ("we're a law firm with 2 offices. is the clip enough or do we need the business thing?", "en", 2,
         ["Starter", "€49"]),
        ("Wir sind eine Kette mit 18 Filialen, reicht da Professional oder braucht es mehr?", "de", 18,
         ["Enterprise", "162"]),
    ],
)  # fmt: skip
def test_a_prospects_question_about_size_gets_the_prices_and_no_extension(
    catalogue_services: Services, text: str, language: str, sites: int, shown: list[str]
) -> None:
    slots = {"language": language, "journey_phase": "decision", "segment": "b2b", "situation_sites": sites}
    said, events = run(catalogue_services, text, slots)  # the sites as the journey tracking keeps them
    assert all(part in said for part in shown), said
    assert "Wattwerk ausbauen" not in said and "grow with Wattwerk" not in said, "no extension of a contract they lack"
    assert SlotSet("contact_path", "done") in events
    assert not any(event.get("name") == "handoff_kind" for event in events), "no upsell handoff, no contact questions"


@pytest.mark.parametrize("customer", [{"journey_phase": "retention"}, {"existing_customer": True}])
def test_a_customers_extension_names_the_new_sizes_price_and_goes_to_sales(
    catalogue_services: Services, customer: dict[str, Any]
) -> None:
    text = "We have Professional at 14 sites and are taking over four more. What changes for us?"
    slots = {"language": "en", "segment": "b2b", "situation_sites": 18, **customer}  # the slots hold the new total
    said, events = run(catalogue_services, text, slots)
    assert "Enterprise" in said and "162" in said, said
    assert said.index("162") < said.index("grow with Wattwerk"), "the price first, then the handover to sales"
    assert SlotSet("handoff_kind", "upsell") in events and SlotSet("contact_path", "lead") in events


def test_a_household_customer_books_more_itself(catalogue_services: Services) -> None:
    said, events = run(catalogue_services, "Wie bekomme ich einen zweiten Clip für die Einliegerwohnung?",
                       {"language": "de", "segment": "b2c", "journey_phase": "retention"})  # fmt: skip
    assert "Kundenbereich" in said
    assert SlotSet("contact_path", "self_service") in events
