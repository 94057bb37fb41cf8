"""Catalogue actions with real rasa-sdk Tracker and CollectingDispatcher: events and what the visitor reads."""

from __future__ import annotations

import datetime as dt

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.experience import ActionShowVideo, ActionShowVoucher
from actions.offers import ActionAcceptOffer
from actions.products import (
    ActionAnnualBillingForSize,
    ActionShowCosts,
    ActionShowPrices,
    ActionShowProduct,
    ActionShowSpecs,
)
from actions.reviews import ActionAnswerDoubt, ActionShowReviews
from bot.services import Services
from tests.helpers import make_tracker, user


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["text"] for m in dispatcher.messages]


def test_the_product_named_in_the_message_is_shown_in_the_visitors_language(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("What can Wattwerk Sense do?", "ask_features")], {"language": "en"})
    events = ActionShowProduct(catalogue_services).run(dispatcher, tracker, {})
    assert events == [SlotSet("product", "wattwerk-sense")]
    (text,) = texts(dispatcher)
    assert text.startswith("Wattwerk Sense: ") and "The highlights:" in text and "https://docs.wattwerk.example" in text


@pytest.mark.parametrize(("text", "language", "shown"),
                         [("was kostet professional", "de", "149 €"), ("enterprise pricing?", "en", "€9")])
def test_a_plan_name_says_which_product(catalogue_services: Services, text: str, language: str, shown: str) -> None:
    dispatcher = CollectingDispatcher()
    events = ActionShowPrices(catalogue_services).run(dispatcher, make_tracker([user(text, "ask_price")],
                                                                               {"language": language}), {})  # fmt: skip
    assert SlotSet("product", "wattwerk-business") in events
    assert shown in " ".join(texts(dispatcher)) and not any(m.get("buttons") for m in dispatcher.messages)


def test_an_unclear_product_gets_buttons_to_choose(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Was kostet das?", "ask_price")], {"language": "de", "segment": "b2b"})
    events = ActionShowPrices(catalogue_services).run(dispatcher, tracker, {})
    assert events == []
    (message,) = dispatcher.messages
    assert message["text"] == "Gerne! Um welches Produkt geht es Ihnen?"
    assert message["buttons"] == [
        {"title": "Wattwerk Business", "payload": '/ask_price{"product":"wattwerk-business"}'},
        {"title": "Wattwerk Sense", "payload": '/ask_price{"product":"wattwerk-sense"}'},
    ]


def test_a_household_gets_the_home_prices_in_german_format(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        [user("Was kostet das für unsere Wohnung?", "ask_price")], {"language": "de", "segment": "b2c"}
    )
    events = ActionShowPrices(catalogue_services).run(dispatcher, tracker, {})
    assert events == [SlotSet("product", "wattwerk-home")]
    (text,) = texts(dispatcher)
    assert "Das kostet Wattwerk Home:" in text and "3,99 € pro Haushalt und Monat" in text and "79 € einmalig" in text


def test_the_product_in_context_answers_a_follow_up(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        [user("And the API?", "ask_integrations")], {"language": "en", "product": "wattwerk-business"}
    )
    events = ActionShowSpecs(catalogue_services).run(dispatcher, tracker, {})
    assert events == []
    (text,) = texts(dispatcher)
    # the asked fact from data/content/knowledge.yml for the product in context, not the whole spec sheet
    assert text.startswith("Yes: REST API, webhooks and Python SDK come with the Professional plan")


def test_a_spec_question_without_a_product_is_answered_before_asking_which_one(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Where is the data hosted?", "ask_hosting")], {"language": "en"})
    ActionShowSpecs(catalogue_services).run(dispatcher, tracker, {})
    (message,) = dispatcher.messages
    assert "Frankfurt" in message["text"] and not message.get("buttons")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [("where do you host the data? hospital IT will ask that first thing", "en", "Frankfurt"),
     ("und wo hostet ihr das alles, unsere IT fragt", "de", "Frankfurt")],
)  # fmt: skip
def test_a_hosting_question_needs_no_product(catalogue_services: Services, text: str, language: str,
                                            expected: str) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user(text, "ask_hosting")], {"language": language})
    ActionShowSpecs(catalogue_services).run(dispatcher, tracker, {})
    (message,) = dispatcher.messages  # where the data is kept is the same for every product: no "which product?"
    assert expected in message["text"] and not message.get("buttons")


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        ({"language": "de", "product": "wattwerk-business", "situation_sites": 7.0},
         "Für Ihre 7 Standorte mit Wattwerk Business Professional heißt das: Bei jährlicher Abrechnung zahlen Sie "
         "10 × 149 € = 1.490 € im Jahr statt 12 × 149 € = 1.788 €."),
        ({"language": "en", "situation_sites": 18.0},
         "For your 18 sites with Wattwerk Business Enterprise, that means: with annual billing you pay "
         "10 × €162 = €1,620 a year instead of 12 × €162 = €1,944."),
        ({"language": "de", "product": "wattwerk-business"}, None),  # size unknown: the terms alone
        ({"language": "en", "product": "wattwerk-home"}, None),  # no annual billing for Home
    ],
)  # fmt: skip
def test_annual_billing_is_worked_out_for_the_known_size(
    catalogue_services: Services, slots: dict[str, object], expected: str | None
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("und wenn wir fürs ganze Jahr zahlen?", "ask_discount")], slots)
    ActionAnnualBillingForSize(catalogue_services).run(dispatcher, tracker, {})
    assert texts(dispatcher) == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("slots", "shown", "not_shown"),
    [
        ({"language": "de", "product": "wattwerk-home"}, "Das kostet Wattwerk Home:", "Business Starter"),
        ({"language": "de", "product": "wattwerk-sense", "situation_measuring_points": 6.0}, "6 × 390 € = 2.340 €",
         "Business Starter"),
    ],
)  # fmt: skip
def test_running_costs_are_those_of_the_visitors_product(
    catalogue_services: Services, slots: dict[str, object], shown: str, not_shown: str
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Was kommt da noch an Kosten dazu?", "ask_tco")], slots)
    ActionShowCosts(catalogue_services).run(dispatcher, tracker, {})
    (text,) = texts(dispatcher)
    assert shown in text and not_shown not in text


def test_a_general_spec_question_still_gets_the_spec_sheet(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        [user("Technical details please", "ask_specs")], {"language": "en", "product": "wattwerk-business"}
    )
    assert ActionShowSpecs(catalogue_services).run(dispatcher, tracker, {}) == []
    (text,) = texts(dispatcher)
    assert (
        text.startswith("Technical details of Wattwerk Business:") and "Integrations: " in text and "Hosting: " in text
    )


def test_a_skeptic_sees_a_critical_review_with_the_companys_answer(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        [user("Gibt es ehrliche Bewertungen von Firmen mit 40 Leuten?", "ask_reviews")],
        {"language": "de", "persona": "skeptic", "product": "wattwerk-business"},
    )
    tracker.latest_message["entities"] = [{"entity": "number", "value": "40"}]
    (event,) = ActionShowReviews(catalogue_services).run(dispatcher, tracker, {})
    assert event["name"] == "reviews_shown" and len(event["value"]) == 3  # for the sales brief
    messages = texts(dispatcher)
    assert messages[0].startswith("Wattwerk Business hat im Schnitt 4,4 von 5 Sternen aus 10 geprüften Bewertungen.")
    reviews = [m for m in messages if m.startswith(("★", "☆"))]
    assert len(reviews) == 3
    assert any(m.startswith(("★★★☆☆", "★★☆☆☆", "★☆☆☆☆")) for m in reviews), "a critical review is shown"
    assert messages[-1].startswith("Unsere Antwort darauf: ")


def test_a_visitor_who_is_not_a_skeptic_sees_praise_only(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Any reviews for Wattwerk Home?", "ask_reviews")], {"language": "en"})
    events = ActionShowReviews(catalogue_services).run(dispatcher, tracker, {})
    assert events[0] == SlotSet("product", "wattwerk-home") and events[1]["name"] == "reviews_shown"
    assert len(events) == 2 and all(review_id.startswith("home-") for review_id in events[1]["value"])
    reviews = [m for m in texts(dispatcher) if m.startswith("★")]
    assert len(reviews) == 3 and all(m.startswith(("★★★★★", "★★★★☆")) for m in reviews)


def test_only_a_valid_voucher_is_offered(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Habt ihr einen Gutschein für Wattwerk Home?", "ask_voucher")], {"language": "de"})
    ActionShowVoucher(catalogue_services).run(dispatcher, tracker, {})
    (text,) = texts(dispatcher)
    assert "WILLKOMMEN10" in text and "31.03.2027" in text and "SOMMER25" not in text


@pytest.mark.parametrize(
    ("segment", "codes"), [(None, {"WILLKOMMEN10", "TEST60"}), ("b2c", {"WILLKOMMEN10"}), ("b2b", {"TEST60"})]
)
def test_without_a_product_every_current_voucher_is_offered(
    catalogue_services: Services, segment: str | None, codes: set[str]
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("any discount code for a first order?", "ask_voucher")],
                           {"language": "en", "segment": segment})  # fmt: skip
    ActionShowVoucher(catalogue_services).run(dispatcher, tracker, {})
    shown = {code for code in ("WILLKOMMEN10", "TEST60", "SOMMER25") for text in texts(dispatcher) if code in text}
    assert shown == codes and not any(m.get("buttons") for m in dispatcher.messages)


def test_after_the_last_voucher_expired_none_is_offered(catalogue_services: Services) -> None:
    services = Services(**{**catalogue_services.__dict__, "today": lambda: dt.date(2027, 4, 1)})
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("promo code for Wattwerk Home?", "ask_voucher")], {"language": "en"})
    ActionShowVoucher(services).run(dispatcher, tracker, {})
    (text,) = texts(dispatcher)
    assert text.startswith("There is no valid voucher for Wattwerk Home") and "WILLKOMMEN10" not in text


@pytest.mark.parametrize(
    ("text", "language", "said"),
    [("Der Code SOMMER25 geht nicht, was mach ich falsch?", "de",
      ["Der Code SOMMER25 (25 € Rabatt auf den Zähler-Clip (Sommeraktion 2025)) galt nur vom 01.06.2025 bis "
       "31.08.2025 und ist inzwischen abgelaufen", "WILLKOMMEN10"]),
     ("does willkommen10 still work? the shop refuses it", "en",
      ["The code WILLKOMMEN10 is valid: 10% off your first order, for Wattwerk Home", "support@wattwerk.example"])],
)  # fmt: skip
def test_a_code_the_visitor_names_gets_its_own_validity(
    catalogue_services: Services, text: str, language: str, said: list[str]
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user(text, "ask_voucher")], {"language": language, "segment": "b2b"})
    events = ActionShowVoucher(catalogue_services).run(dispatcher, tracker, {})
    reply = " ".join(texts(dispatcher))
    assert all(part in reply for part in said), reply
    assert "TEST60" not in reply and events == [SlotSet("product", "wattwerk-home"), SlotSet("voucher", "WILLKOMMEN10")]


@pytest.mark.parametrize(
    ("slots", "text", "language", "said"),
    [({"product": "wattwerk-home", "voucher": "WILLKOMMEN10"}, "was zahl ich dann", "de",
      "Mit dem Gutschein WILLKOMMEN10 zahlen Sie bei der ersten Bestellung einmalig 79 € − 10 % = 71,10 € statt 79 €."),
     ({"product": "wattwerk-home", "voucher": "WILLKOMMEN10"}, "what would 2 clips cost then?", "en",
      "With the code WILLKOMMEN10 you pay €158 − 10% = €142.20 one-off on your first order instead of €158.")],
)  # fmt: skip
def test_a_price_after_a_voucher_is_worked_out_with_it(
    catalogue_services: Services, slots: dict, text: str, language: str, said: str
) -> None:
    dispatcher = CollectingDispatcher()
    ActionShowPrices(catalogue_services).run(dispatcher, make_tracker([user(text, "ask_price")],
                                                                      {"language": language, **slots}), {})  # fmt: skip
    assert said in texts(dispatcher), texts(dispatcher)


@pytest.mark.parametrize(
    ("slots", "text", "language", "said"),
    [({"product": "wattwerk-home"}, "und im ersten Jahr mit dem Clip zam?", "de",
      ["Im ersten Jahr zahlen Sie damit 79 € einmalig + 12 × 0 € = 79 €.",
       "Home Plus: Im ersten Jahr zahlen Sie damit 79 € einmalig + 12 × 3,99 € = 126,88 €."]),
     ({"product": "wattwerk-business", "situation_sites": 40.0}, "per year?", "en",
      ["In the first year that comes to €1,490 one-off + 12 × €360 = €5,810."])],
)  # fmt: skip
def test_a_price_per_year_is_worked_out_for_the_first_year(
    catalogue_services: Services, slots: dict, text: str, language: str, said: list[str]
) -> None:
    dispatcher = CollectingDispatcher()
    ActionShowPrices(catalogue_services).run(dispatcher, make_tracker([user(text, "ask_price")],
                                                                      {"language": language, **slots}), {})  # fmt: skip
    shown = texts(dispatcher)
    assert all(any(part in message for message in shown) for part in said), shown


def test_a_price_with_that_code_uses_the_current_voucher(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("how much is the clip with that code", "ask_price")],
                           {"language": "en", "product": "wattwerk-home"})  # fmt: skip
    ActionShowPrices(catalogue_services).run(dispatcher, tracker, {})
    assert "With the code WILLKOMMEN10 you pay €79 − 10% = €71.10 one-off on your first order instead of €79." in (
        texts(dispatcher))


def test_a_voucher_no_longer_valid_is_not_worked_into_the_price(catalogue_services: Services) -> None:
    services = Services(**{**catalogue_services.__dict__, "today": lambda: dt.date(2027, 4, 1)})
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("was zahl ich dann", "ask_price")],
                           {"language": "de", "product": "wattwerk-home", "voucher": "WILLKOMMEN10"})  # fmt: skip
    ActionShowPrices(services).run(dispatcher, tracker, {})
    reply = " ".join(texts(dispatcher))
    assert "79 €" in reply and "WILLKOMMEN10" not in reply and "71,10" not in reply


def test_a_voucher_and_price_question_at_once_gets_both(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("gibts nen gutschein für den clip? was zahl ich dann?", "ask_voucher")],
                           {"language": "de", "product": "wattwerk-home"})  # fmt: skip
    events = ActionShowVoucher(catalogue_services).run(dispatcher, tracker, {})
    voucher, price = texts(dispatcher)
    assert "WILLKOMMEN10" in voucher and "79 € − 10 % = 71,10 €" in price
    assert events == [SlotSet("voucher", "WILLKOMMEN10")]


def test_a_doubt_about_a_named_product_gets_what_its_customers_save(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("bringt der Clip wirklich was oder ist das Bauernfängerei?", "express_doubt")],
                           {"language": "de"})  # fmt: skip
    events = ActionAnswerDoubt(catalogue_services).run(dispatcher, tracker, {})
    assert "rund 170 €" in dispatcher.messages[0]["text"] and dispatcher.messages[1]["response"] == "utter_doubt"
    assert events == [SlotSet("product", "wattwerk-home")]


def test_a_doubt_without_a_product_gets_the_proof_only(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Klingt zu schön, um wahr zu sein", "express_doubt")], {"language": "de"})
    assert ActionAnswerDoubt(catalogue_services).run(dispatcher, tracker, {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_doubt"]


def test_the_video_link_comes_from_the_catalogue(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Video?", "ask_video")], {"language": "en", "product": "wattwerk-home"})
    ActionShowVideo(catalogue_services).run(dispatcher, tracker, {})
    (text,) = texts(dispatcher)
    assert "https://wattwerk.example/video/" in text


def test_an_accepted_offer_is_delivered_by_the_catalogue_action(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("ja", "affirm")], {"language": "de", "pending_offer": "video", "segment": "b2c"})
    events = ActionAcceptOffer(catalogue_services).run(dispatcher, tracker, {})
    assert events == [SlotSet("pending_offer", None), SlotSet("product", "wattwerk-home")]
    assert "https://wattwerk.example/video/" in texts(dispatcher)[0]


def test_without_a_loaded_catalogue_the_visitor_is_told_where_to_look(services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Preise?", "ask_price")], {"language": "de"})
    assert ActionShowPrices(services).run(dispatcher, tracker, {}) == []
    assert texts(dispatcher) == [services.messages.get().render("catalogue_unavailable", "de")]


def test_reviews_without_a_clear_product_cover_the_whole_catalogue(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Gibt es echte Kundenbewertungen?", "ask_reviews")], {"language": "de"})
    (event,) = ActionShowReviews(catalogue_services).run(dispatcher, tracker, {})
    assert event["name"] == "reviews_shown"
    assert (
        texts(dispatcher)[0].startswith("Wattwerk hat im Schnitt ")
        and "aus 30 geprüften Bewertungen" in texts(dispatcher)[0]
    )
    assert not any(m.get("buttons") for m in dispatcher.messages), "no product question in between"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [("so whats the monthly total then", "en", ["€96 + €149 = €245", "€9,360 + €490 = €9,850"]),
     ("Was ist das dann monatlich zusammen?", "de", ["96 € + 149 € = 245 €", "9.360 € + 490 € = 9.850 €"])],
)  # fmt: skip
def test_the_total_adds_sense_for_the_machines_and_business_for_the_sites(
    catalogue_services: Services, text: str, language: str, expected: list[str]
) -> None:
    slots = {"language": language, "product": "wattwerk-business", "situation_sites": 4.0,
             "situation_measuring_points": 24.0}  # fmt: skip
    dispatcher = CollectingDispatcher()
    ActionShowPrices(catalogue_services).run(dispatcher, make_tracker([user(text, "ask_price")], slots), {})
    said = " ".join(texts(dispatcher)).replace("\u00a0", " ")
    assert all(part in said for part in expected), said


def test_no_total_without_both_sizes_or_a_question_for_it(catalogue_services: Services) -> None:
    for text, slots in [("so whats the monthly total then", {"situation_sites": 4.0}),
                        ("what does it cost?", {"situation_sites": 4.0, "situation_measuring_points": 24.0})]:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker([user(text, "ask_price")], {"language": "en", "product": "wattwerk-business", **slots})
        ActionShowPrices(catalogue_services).run(dispatcher, tracker, {})
        assert not any("Together" in t for t in texts(dispatcher)), texts(dispatcher)
