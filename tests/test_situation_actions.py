"""Issue 11 actions with real rasa-sdk objects: situation answers, prices for a known size, ROI prefill, crash fix."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.journey import ActionTrackJourney
from actions.leads import ActionAskLeadContact, ActionHandleContactRequest
from actions.products import ActionShowPrices
from actions.roi import ActionAskRoiEnergyCost, ActionCalculateRoi, ActionStartRoi
from actions.situation import ActionAnswerSituation
from actions.summary import ActionCreateBossSummary
from bot.services import Services
from tests.helpers import make_tracker, user


def texts(dispatcher: CollectingDispatcher) -> str:
    return " | ".join(m.get("text") or "" for m in dispatcher.messages) + " | " + " | ".join(
        b["title"] for m in dispatcher.messages for b in m.get("buttons") or []
    )


def slots_after(services: Services, history: list[tuple[str, str]], slots: dict[str, Any] | None = None) -> dict:
    """The slots after action_track_journey has seen each message in turn."""
    current: dict[str, Any] = dict(slots or {})
    events: list[dict[str, Any]] = []
    for text, intent in history:
        events.append(user(text, intent))
        for event in ActionTrackJourney(services).run(CollectingDispatcher(), make_tracker(events, current), {}):
            current[event["name"]] = event["value"]
    return current


def test_the_situation_is_kept_and_refined_over_the_conversation(catalogue_services: Services) -> None:
    slots = slots_after(catalogue_services, [
        ("Wir sind eine Zahnarztpraxis mit 2 Standorten", "inform_situation"),
        ("Was kostet das?", "ask_price"),
        ("Wir zahlen 18.000 € im Jahr für Strom", "inform_situation"),
    ])  # fmt: skip
    assert {k: slots.get(k) for k in ("situation_sites", "situation_energy_cost", "situation_sector", "product",
                                       "segment")} == {  # fmt: skip
        "situation_sites": 2.0, "situation_energy_cost": 18000.0, "situation_sector": "medical_practice",
        "product": "wattwerk-business", "segment": "b2b",
    }  # fmt: skip


def test_an_energy_bill_alone_keeps_the_product_in_focus(catalogue_services: Services) -> None:
    slots = slots_after(catalogue_services, [
        ("We run a plastics plant: 6 injection moulding machines, 2 compressors and 3 chillers.", "inform_situation"),
        ("ok. does it pay off? the energy bill for that hall is around 180,000 EUR a year", "ask_roi"),
    ])  # fmt: skip
    assert slots["product"] == "wattwerk-sense" and slots["situation_energy_cost"] == 180000.0
    named = slots_after(catalogue_services, [("We have 8 machines", "inform_situation"),
                                             ("and Business for our 3 sites?", "ask_price")])  # fmt: skip
    assert named["product"] == "wattwerk-business"  # a product named or a size for another one still decides


@pytest.mark.parametrize(
    ("text", "language", "persona", "shown", "not_shown"),
    [
        ("We own 9 bakeries and electricity is killing us", "en", None,
         ["Wattwerk Business", "your 9 sites", "Professional", "€149", "€490", "sales team"], ["Wattwerk Home"]),
        ("Wir sind ein Metallbaubetrieb mit 8 Maschinen", "de", "technical",
         ["Wattwerk Sense", "Ihre 8 Messpunkte", "8 × 4 € = 32 €", "8 × 390 € = 3.120 €", "technischen Details"],
         ["Wattwerk Home"]),
        ("hi, wohne zur miete, stromrechnung war dieses jahr 1.200 euro", "de", None,
         ["Wattwerk Home", "Ihren Haushalt", "144 €"], ["Wattwerk Business", "Wattwerk Sense"]),
        ("manufacturing company, 5 sites, we spend about €90k a year on power", "en", "budget_owner",
         ["Wattwerk Business", "€13,500", "Professional", "payback"], ["Wattwerk Home"]),
        ("Ich muss das meinem Chef vorstellen. Wir sind ein Hotel mit 3 Häusern", "de", "influencer",
         ["Wattwerk Business", "Starter", "Zusammenfassung", "im ersten Monat"], ["Wattwerk Home"]),
        ("servus, hab a gasthaus, nur 1 standort. zahlt si des aus?", "de", None,
         ["Wattwerk Business", "Starter", "10–20 %", "im ersten Monat"], ["Wattwerk Home"]),
        ("Wir sind ein kleines Büro, ein Standort, 12 Leute.", "de", None,
         ["Wattwerk Business", "Ihren Standort", "Starter", "49 €"], ["Wattwerk Home", "im ersten Monat"]),
        # "which product fits?" is answered by the situation answer: no overview, no other product's entry after it
        ("small hotel, 40 rooms, all in one building. which of ur products fits", "en", None,
         ["Wattwerk Business", "Starter"], ["Wattwerk Home"]),
        ("Spaß beiseite. Ich hab ne kleine Schreinerei, ein Standort, 6 Maschinen. Was passt da?", "de", None,
         ["Wattwerk Sense", "6 × 390 €"], ["Wattwerk Home"]),
    ],
)  # fmt: skip
def test_a_situation_gets_the_fitting_product_with_their_numbers_and_a_next_step(
    catalogue_services: Services, text: str, language: str, persona: str | None, shown: list[str],
    not_shown: list[str],
) -> None:  # fmt: skip
    slots = {**slots_after(catalogue_services, [(text, "inform_situation")], {"language": language}),
             "persona": persona}
    dispatcher = CollectingDispatcher()
    ActionAnswerSituation(catalogue_services).run(dispatcher, make_tracker([user(text, "inform_situation")], slots), {})
    reply = texts(dispatcher)
    assert all(part in reply for part in shown), reply
    assert not any(part in reply for part in not_shown), reply


@pytest.mark.parametrize(
    ("text", "language", "shown"),
    [("we'd need 6 sensors on our compressors, who installs them?", "en", ["Wattwerk Sense", "electrician"]),
     ("Wir sind eine Spedition mit 4 Lagerhallen, wo liegen die Daten?", "de", ["Wattwerk Business", "Frankfurt"]),
     ("Retail group, 60 stores. We need SAP export and Azure AD login.", "en", ["Enterprise", "SAP"]),
     # no question, but a word that names what matters: the answer to it
     ("Wir wohnen zur Miete, der Zähler im Keller ist noch ein alter Ferraris-Zähler.", "de",
      ["Wattwerk Home", "Infrarot"])],
)  # fmt: skip
def test_a_question_inside_a_situation_statement_is_answered_too(
    catalogue_services: Services, text: str, language: str, shown: list[str]
) -> None:
    slots = slots_after(catalogue_services, [(text, "inform_situation")], {"language": language})
    dispatcher = CollectingDispatcher()
    ActionAnswerSituation(catalogue_services).run(dispatcher, make_tracker([user(text, "inform_situation")], slots), {})
    reply = texts(dispatcher)
    assert all(part in reply for part in shown), reply


def test_nothing_known_keeps_the_general_question(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Ich erzähl mal", "inform_situation")], {"language": "de"})
    assert ActionAnswerSituation(catalogue_services).run(dispatcher, tracker, {}) == []
    assert "Was ist Ihnen dabei am wichtigsten" in texts(dispatcher)


@pytest.mark.parametrize(
    ("history", "language", "shown", "not_shown"),
    [
        ([("We own 9 bakeries", "inform_situation"), ("What would it cost for the 9 shops?", "ask_price")], "en",
         ["Professional", "€149", "€490"], ["Wattwerk Home", "Which product"]),
        ([("Wir betreiben 20 Supermärkte", "inform_situation"), ("preis für alle 20 märkte?", "ask_price")], "de",
         ["Enterprise", "20 × 9 € = 180 €", "1.490 €"], ["Wattwerk Home"]),
        ([("Tell me about Wattwerk Sense", "ask_features"), ("what would 25 sensors cost per month?", "ask_price")],
         "en", ["25 × €4 = €100", "25 × €390 = €9,750"], ["Wattwerk Home"]),
        ([("Metallbau mit 8 Maschinen", "inform_situation"), ("was kostet das für die 8", "ask_price")], "de",
         ["32 €", "3.120 €"], ["Wattwerk Home"]),
        ([("Wir sind eine Zahnarztpraxis mit 2 Standorten", "inform_situation"), ("was kostet das?", "ask_price")],
         "de", ["Starter", "49 €", "keine Einrichtungsgebühr"], ["Wattwerk Home", "Um welches Produkt"]),
        ([("whats the warranty on the home clip", "ask_guarantee"), ("ok ordering 2. total?", "ask_price")], "en",
         ["2 × €79 = €158"], []),
        ([("15 sites, Wattwerk Business", "inform_situation"), ("and if we grow to 16?", "ask_price")], "en",
         ["Enterprise", "16 × €9 = €144"], []),
    ],
)  # fmt: skip
def test_a_price_question_with_a_known_size_gets_the_worked_out_amount(
    catalogue_services: Services, history: list[tuple[str, str]], language: str, shown: list[str],
    not_shown: list[str],
) -> None:  # fmt: skip
    slots = slots_after(catalogue_services, history, {"language": language})
    dispatcher = CollectingDispatcher()
    events = ActionShowPrices(catalogue_services).run(dispatcher, make_tracker([user(*history[-1])], slots), {})
    reply = texts(dispatcher)
    assert all(part in reply for part in shown), reply
    assert not any(part in reply for part in not_shown), reply
    assert all(isinstance(e, dict) for e in events)


def test_a_known_business_is_never_offered_home(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("was kostet das", "ask_price")], {"language": "de", "segment": "b2b"})
    ActionShowPrices(catalogue_services).run(dispatcher, tracker, {})
    assert "Wattwerk Home" not in texts(dispatcher)


@pytest.mark.parametrize(
    ("slots", "said", "events"),
    [
        ({"language": "de", "situation_sites": 4.0, "situation_energy_cost": 90000.0, "segment": "b2b"},
         "Gern rechne ich das für 4 Standorte und 90.000 € Energiekosten im Jahr durch – mit Wattwerk Business, das "
         "typischerweise rund 15 % der Energiekosten spart. Unsere Kunden sparen typischerweise 10–20 % ihrer "
         "Energiekosten; die einmalige Einrichtung hat sich meist schon im ersten Monat bezahlt gemacht.",
         [SlotSet("roi_units", 4), SlotSet("roi_energy_cost", 90000.0), SlotSet("roi_savings_rate", 0.15)]),
        ({"language": "en", "situation_measuring_points": 12.0, "product": "wattwerk-sense"},
         "Happy to work it out for 12 measuring points – with Wattwerk Sense, which typically saves around 8% of "
         "energy costs.", [SlotSet("roi_units", 12)]),
        ({"language": "de", "segment": "b2c", "situation_sector": "terraced_house"},
         "Gern rechne ich das für Ihren Haushalt durch – mit Wattwerk Home, das typischerweise rund 12 % der "
         "Energiekosten spart. Bei typischen 1.400 € Stromkosten im Jahr sparen Haushalte mit Wattwerk Home rund "
         "170 €; der Clip für 79 € hat sich so meist nach gut einem halben Jahr bezahlt gemacht.", []),
        # only the cost known: the savings at once, the count is asked next
        ({"language": "de", "situation_energy_cost": 18500.0, "segment": "b2b"},
         "Gern rechne ich das für 18.500 € Energiekosten im Jahr durch – mit Wattwerk Business, das typischerweise "
         "rund 15 % der Energiekosten spart. Bei 18.500 € Energiekosten im Jahr und typisch 15 % Einsparung sind "
         "das rund 2.775 € pro Jahr. Unsere Kunden sparen typischerweise 10–20 % ihrer Energiekosten; die einmalige "
         "Einrichtung hat sich meist schon im ersten Monat bezahlt gemacht.", [SlotSet("roi_energy_cost", 18500.0)]),
    ],
)  # fmt: skip
def test_the_calculator_takes_what_the_visitor_said_and_confirms_it(
    catalogue_services: Services, slots: dict[str, Any], said: str, events: list[Any]
) -> None:
    dispatcher = CollectingDispatcher()
    result = ActionStartRoi(catalogue_services).run(dispatcher, make_tracker([user("lohnt sich das?", "ask_roi")],
                                                                             slots), {})  # fmt: skip
    assert [m["text"] for m in dispatcher.messages] == [said]
    assert result == events


def test_the_calculator_names_the_plan_for_the_size_when_asked_which_plan(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("gotta convince my boss. 5 warehouses. which plan + what's the payback", "ask_roi")],
                           {"language": "en", "situation_sites": 5.0, "segment": "b2b"})  # fmt: skip
    ActionStartRoi(catalogue_services).run(dispatcher, tracker, {})
    text = texts(dispatcher)
    assert text.startswith("Wattwerk Business for 5 sites: the Professional plan") and "within the first month" in text


def test_without_numbers_the_calculator_starts_as_before(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Ab wann rechnet sich das?", "ask_roi")], {"language": "de", "segment": "b2b"})
    assert ActionStartRoi(catalogue_services).run(dispatcher, tracker, {}) == []
    assert "Wenn Sie mir Ihre Zahlen nennen" in texts(dispatcher)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "Das konnte ich nicht als Anzahl lesen"), ("en", "I couldn't read that as a number")],
)
def test_a_sentence_in_the_units_slot_gets_a_clear_message_not_a_crash(
    catalogue_services: Services, language: str, expected: str
) -> None:
    slots = {"language": language, "segment": "b2b", "roi_units": "und wenns nix bringt, krieg ich mein geld zurück?",
             "roi_energy_cost": 60000.0, "roi_savings_rate": 0.15}  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = ActionCalculateRoi(catalogue_services).run(dispatcher, make_tracker([user("x", "affirm")], slots), {})
    assert expected in texts(dispatcher)
    assert SlotSet("roi_units", None) in events
    ask = CollectingDispatcher()
    ActionAskRoiEnergyCost(catalogue_services).run(ask, make_tracker([user("x", "affirm")], slots), {})
    assert ask.messages  # asks for the cost instead of crashing


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        ({"language": "de", "situation_sites": 9.0, "situation_energy_cost": 90000.0},
         "Sie müssen es nicht wiederholen: Ihr Interesse an Wattwerk Business, Ihre 9 Standorte und 90.000 € "
         "Energiekosten im Jahr."),
        ({"language": "en", "situation_measuring_points": 25.0},
         "so you won't have to repeat it: your interest in Wattwerk Sense, your 25 measuring points."),
    ],
)  # fmt: skip
def test_the_lead_form_confirms_what_the_visitor_already_said(
    catalogue_services: Services, slots: dict[str, Any], expected: str
) -> None:
    dispatcher = CollectingDispatcher()
    ActionAskLeadContact(catalogue_services).run(dispatcher, make_tracker([user("Rückruf bitte", "request_contact")],
                                                                          slots), {})  # fmt: skip
    assert len(dispatcher.messages) == 2
    assert expected in texts(dispatcher)


def test_the_lead_form_adds_nothing_when_nothing_is_known(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    ActionAskLeadContact(catalogue_services).run(dispatcher, make_tracker([user("call me", "request_contact")],
                                                                          {"language": "en"}), {})  # fmt: skip
    assert len(dispatcher.messages) == 1


@pytest.mark.parametrize(
    ("text", "slots", "number_first"),
    [("is there a phone number for sales?", {"language": "en"}, True),
     ("Can someone from sales call me?", {"language": "en"}, False)],
)  # fmt: skip
def test_a_business_asking_for_our_number_gets_it_before_the_lead_form(
    catalogue_services: Services, text: str, slots: dict[str, Any], number_first: bool
) -> None:
    dispatcher = CollectingDispatcher()
    events = ActionHandleContactRequest(catalogue_services).run(
        dispatcher, make_tracker([user(text, "request_contact")], slots), {})
    assert ("+49 30 1234 5670" in texts(dispatcher)) is number_first
    assert events == [SlotSet("contact_path", "lead"), SlotSet("handoff_kind", "sales")]  # the callback still offered


def test_a_summary_request_with_the_situation_names_the_fitting_plan_first(catalogue_services: Services) -> None:
    text = "Ich muss das meinem Chef vorstellen. Maschinenbauer, drei Standorte, und wir brauchen zwingend SSO"
    slots = slots_after(catalogue_services, [(text, "ask_boss_material")], {"language": "de"})
    dispatcher = CollectingDispatcher()
    ActionCreateBossSummary(catalogue_services).run(dispatcher, make_tracker([user(text, "ask_boss_material")], slots),
                                                    {})  # fmt: skip
    reply = texts(dispatcher)
    assert all(part in reply for part in ("Wattwerk Business", "Ihre 3 Standorte", "Professional", "/summary/",
                                          "10–20 %")), reply  # fmt: skip


@pytest.mark.parametrize(
    ("history", "language", "shown"),
    [
        # machines on several sites: Sense for the machines, Business to compare the sites in one dashboard
        ([("Lebensmittelhersteller, 2 Werke, rund 40 Kühlaggregate und Kompressoren.", "inform_situation")], "de",
         ["Wattwerk Sense für 40 Messpunkte", "Ihre 2 Standorte vergleichen Sie dazu", "Wattwerk Business Starter"]),
        # a household gets what the clip and the plans cost at once
        ([("im just a homeowner, detached house, 4 people", "inform_situation")], "en", ["Wattwerk Home", "€79"]),
        # counts added to the known ones
        ([("We run 14 supermarkets", "inform_situation"), ("we're opening 3 more next spring", "inform_situation")],
         "en", ["17 sites", "Enterprise"]),
    ],
)  # fmt: skip
def test_the_situation_answer_uses_everything_said(
    catalogue_services: Services, history: list[tuple[str, str]], language: str, shown: list[str]
) -> None:
    slots = slots_after(catalogue_services, history, {"language": language})
    dispatcher = CollectingDispatcher()
    events = [user(text, intent) for text, intent in history]
    ActionAnswerSituation(catalogue_services).run(dispatcher, make_tracker(events, slots), {})
    reply = texts(dispatcher)
    assert all(part in reply for part in shown), reply
