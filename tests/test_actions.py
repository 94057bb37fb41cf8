"""Actions with real rasa-sdk Tracker and CollectingDispatcher: whole event lists and messages."""

from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.journey import ActionTrackJourney
from actions.offers import ActionAcceptOffer, ActionAnswerOpenRequest, ActionDeclineOffer, ActionOfferNextStep
from bot.services import Services
from tests.helpers import make_tracker, user


def test_track_journey_sets_all_four_slots_from_the_first_message(services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Wie hoch ist der ROI für einen Betrieb mit 25 Leuten?", "ask_roi")])
    events = ActionTrackJourney(services).run(dispatcher, tracker, {})
    assert events[:-1] == [
        SlotSet("journey_phase", "decision"),
        SlotSet("persona", "budget_owner"),
        SlotSet("segment", "b2b"),
        SlotSet("language", "de"),
        SlotSet("situation_employees", 25.0),  # issue 11: the situation is kept, and the product it implies
        SlotSet("product", "wattwerk-business"),
    ]
    assert dispatcher.messages == []
    explanation = events[-1]
    assert explanation["name"] == "journey_explanation"
    persona = explanation["value"]["persona"]
    assert persona["value"] == "budget_owner" and persona["score"] >= 1.0
    assert {"message": 1, "source": "intent", "name": "ask_roi"}.items() <= persona["reasons"][0].items()
    assert explanation["value"]["phase"]["reasons"][0]["message"] == 1


def test_track_journey_returns_only_what_changed(services: Services) -> None:
    history = [
        user("Do you have reviews from customers?", "ask_reviews"),
        user("Any guarantee if it does not work?", "ask_guarantee"),
    ]
    slots = {"journey_phase": "consideration", "persona": "skeptic", "language": "en"}
    first = ActionTrackJourney(services).run(CollectingDispatcher(), make_tracker(history, slots), {})
    assert [event["name"] for event in first] == ["journey_explanation"]  # the rest was known already
    slots["journey_explanation"] = first[0]["value"]
    assert ActionTrackJourney(services).run(CollectingDispatcher(), make_tracker(history, slots), {}) == []


def test_track_journey_follows_a_language_switch(services: Services) -> None:
    history = [user("Was kostet das?", "ask_price"), user("Sorry, in English please: what does it cost?", "ask_price")]
    tracker = make_tracker(history, {"journey_phase": "decision", "language": "de"})
    events = ActionTrackJourney(services).run(CollectingDispatcher(), tracker, {})
    assert events[0] == SlotSet("language", "en")
    assert events[1]["value"]["language"]["reasons"][0]["message"] == 2  # the English message decided it


def test_skeptic_is_offered_reviews_after_an_answer(services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        [user("Ich traue solchen Versprechen nicht", "express_doubt")],
        {"persona": "skeptic", "journey_phase": "consideration", "language": "de"},
    )
    events = ActionOfferNextStep(services).run(dispatcher, tracker, {})
    assert events == [SlotSet("pending_offer", "reviews"), SlotSet("offers_made", ["reviews"])]
    assert dispatcher.messages == []  # the rule that follows utters utter_offer


def test_skeptic_who_just_read_reviews_is_offered_the_guarantee_instead(services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        [user("Any reviews?", "ask_reviews")], {"persona": "skeptic", "journey_phase": "consideration"}
    )
    events = ActionOfferNextStep(services).run(dispatcher, tracker, {})
    assert events == [SlotSet("pending_offer", "guarantee"), SlotSet("offers_made", ["guarantee"])]


def test_each_persona_gets_its_own_offer(services: Services) -> None:
    expected = {
        "influencer": "boss_summary",
        "budget_owner": "roi",
        "technical": "specs",
        "experience_seeker": "video",
        "skeptic": "reviews",
    }
    for persona, offer in expected.items():
        tracker = make_tracker(
            [user("Was kostet das?", "ask_price")], {"persona": persona, "journey_phase": "decision"}
        )
        events = ActionOfferNextStep(services).run(CollectingDispatcher(), tracker, {})
        assert events == [SlotSet("pending_offer", offer), SlotSet("offers_made", [offer])], persona


def test_without_persona_the_phase_and_segment_decide(services: Services) -> None:
    cases = [
        ({"journey_phase": "awareness"}, "ask_what_is", None),  # features were just explained
        ({"journey_phase": "awareness"}, "greet", "features"),
        ({"journey_phase": "decision", "segment": "b2b"}, "ask_price", "sales_call"),
        ({"journey_phase": "decision", "segment": "b2c"}, "ask_price", "order"),
        ({"journey_phase": "retention"}, "ask_support", None),
    ]
    for slots, intent, offer in cases:
        events = ActionOfferNextStep(services).run(
            CollectingDispatcher(), make_tracker([user("...", intent)], slots), {}
        )
        assert events == ([SlotSet("pending_offer", offer), SlotSet("offers_made", [offer])] if offer else []), (
            slots,
            intent,
        )


def test_a_stale_offer_is_cleared_when_nothing_fits(services: Services) -> None:
    slots = {"journey_phase": "retention", "pending_offer": "video"}
    events = ActionOfferNextStep(services).run(
        CollectingDispatcher(), make_tracker([user("Hilfe!", "ask_support")], slots), {}
    )
    assert events == [SlotSet("pending_offer", None)]


def test_an_offer_is_never_made_twice(services: Services) -> None:
    dispatcher = CollectingDispatcher()
    slots = {
        "persona": "technical",
        "journey_phase": "consideration",
        "offers_made": ["specs", "guarantee", "reviews", "video"],
    }
    events = ActionOfferNextStep(services).run(dispatcher, make_tracker([user("API?", "ask_integrations")], slots), {})
    assert events == []
    assert dispatcher.messages == []


def test_accepting_delivers_what_was_offered(services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("ja gerne", "affirm")], {"pending_offer": "payment_terms"})
    events = ActionAcceptOffer(services).run(dispatcher, tracker, {})
    assert events == [SlotSet("pending_offer", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_discount"]


def test_accepting_with_nothing_pending_asks_how_to_help(services: Services) -> None:
    dispatcher = CollectingDispatcher()
    events = ActionAcceptOffer(services).run(dispatcher, make_tracker([user("yes", "affirm")]), {})
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_how_can_help"]


def test_an_offer_delivered_by_an_action_is_handed_over(services: Services, tmp_path) -> None:
    offers_file = tmp_path / "offers.yml"
    offers_file.write_text("offers:\n  roi: {deliver: roi_form}\n", encoding="utf-8")
    from bot.config import settings_from_env
    from bot.services import build_services

    custom = build_services(settings_from_env({"OFFERS_FILE": str(offers_file)}))
    dispatcher = CollectingDispatcher()
    events = ActionAcceptOffer(custom).run(
        dispatcher, make_tracker([user("yes", "affirm")], {"pending_offer": "roi"}), {}
    )
    assert events == [SlotSet("pending_offer", None), FollowupAction("roi_form")]
    assert dispatcher.messages == []


def test_declining_acknowledges_and_clears_the_offer(services: Services) -> None:
    dispatcher = CollectingDispatcher()
    events = ActionDeclineOffer(services).run(
        dispatcher, make_tracker([user("nein danke", "deny")], {"pending_offer": "video"}), {}
    )
    assert events == [SlotSet("pending_offer", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_offer_declined"]


def test_no_offer_is_piled_on_a_question_the_bot_just_asked(services: Services) -> None:
    events = [
        user("Was kostet das?", "ask_price"),
        {"event": "bot", "text": "Um welches Produkt geht es?", "data": {"buttons": [{"title": "A", "payload": "/x"}]}},
    ]
    tracker = make_tracker(events, {"journey_phase": "decision", "segment": "b2b", "pending_offer": "video"})
    assert ActionOfferNextStep(services).run(CollectingDispatcher(), tracker, {}) == [SlotSet("pending_offer", None)]


def test_the_page_and_the_first_touchpoint_count(services: Services) -> None:
    message = user("Hallo!", "greet")
    message["metadata"] = {"page": {"path": "/preise", "utm": {"source": "linkedin"}, "language": "de-DE"}}
    events = ActionTrackJourney(services).run(CollectingDispatcher(), make_tracker([message]), {})
    assert events[:-1] == [SlotSet("journey_phase", "decision"), SlotSet("language", "de"),
                           SlotSet("touchpoint", "social")]  # fmt: skip
    why = events[-1]["value"]
    assert why["phase"]["reasons"] == [{"message": 1, "source": "page", "name": "/preise*", "score": 1.0}]
    language = {"message": 1, "source": "words", "name": None, "score": 1.0}
    assert why["language"] == {"value": "de", "reasons": [language]}


def test_a_segment_from_the_stated_sector_is_explained_by_the_message_that_stated_it(services: Services) -> None:
    history = [user("Wir betreiben ein Fitnessstudio", "inform_situation")]
    slots: dict = {}
    for message in (None, user("Was kostet das?", "ask_price"), user("Und gibt es Rabatt?", "ask_discount")):
        if message is not None:
            history.append(message)
        for event in ActionTrackJourney(services).run(CollectingDispatcher(), make_tracker(history, slots), {}):
            slots[event["name"]] = event["value"]
        assert slots["segment"] == "b2b"
        assert slots["journey_explanation"]["segment"]["reasons"] == [
            {"message": 1, "source": "situation", "name": "gym", "score": None}]  # fmt: skip


def test_a_household_stays_a_household_when_a_later_word_only_suggests_a_machine(services: Services) -> None:
    history = [user("been using the clip in our flat for a month", "inform_situation")]
    slots: dict = {}
    for message in (None, user("the app says the fridge is 40% of our power. is the sensor broken?", "express_doubt")):
        if message is not None:
            history.append(message)
        for event in ActionTrackJourney(services).run(CollectingDispatcher(), make_tracker(history, slots), {}):
            slots[event["name"]] = event["value"]
        assert slots["segment"] == "b2c" and slots["situation_sector"] == "flat"


def _offer_with(services: Services, events: list, slots: dict) -> tuple[list, list[str]]:
    dispatcher = CollectingDispatcher()
    result = ActionOfferNextStep(services).run(dispatcher, make_tracker(events, slots), {})
    return result, [m.get("text") or "" for m in dispatcher.messages]


def test_a_second_question_the_intents_answer_left_open_is_answered_before_the_offer(
    catalogue_services: Services,
) -> None:
    text = "zu Business: kann man auf Rechnung zahlen und gibts ne Testphase?"
    events, texts = _offer_with(catalogue_services, [user(text, "ask_discount")],
                                {"language": "de", "product": "wattwerk-business", "persona": "budget_owner",
                                 "journey_phase": "decision"})  # fmt: skip
    assert len(texts) == 1 and "30 Tage" in texts[0], texts
    assert any(e["name"] == "pending_offer" for e in events)  # the offer still follows


def test_two_questions_the_intents_answer_left_open_are_both_answered_in_their_order(
    catalogue_services: Services,
) -> None:
    text = ("Wir sind ein Maschinenbauer mit 9 Werken. Welches Zahlungsziel habt ihr, und wie viel Vorlauf braucht "
            "eine Kündigung?")
    _, texts = _offer_with(catalogue_services, [user(text, "ask_price")],
                           {"language": "de", "product": "wattwerk-business"})  # fmt: skip
    said = " ".join(texts)
    assert "30 Tagen Zahlungsziel" in said and "Monat Frist" in said, texts
    assert said.index("Zahlungsziel") < said.index("Frist")


def test_no_second_answer_repeats_what_the_bot_just_said_or_strays_to_another_product(
    catalogue_services: Services,
) -> None:
    text = "old meter with the spinning disc. does the clip fit?"
    index = catalogue_services.knowledge.get()
    said = index.entry("home-meters").answer.get("en")
    history = [user(text, "ask_specs"), {"event": "bot", "text": said}]
    _, texts = _offer_with(catalogue_services, history, {"language": "en", "product": "wattwerk-home"})
    assert texts == []
    question = user("Got a video of it? and is there a trial?", "ask_video")
    _, texts = _offer_with(catalogue_services, [question], {"language": "en", "segment": "b2c"})
    assert texts and not any("Sense" in t or "Business" in t for t in texts), texts  # the household's product
    question = user("how fast do you ship, and what warranty is there?", "ask_guarantee")
    _, texts = _offer_with(catalogue_services, [question], {"language": "en"})
    assert any("working days" in t for t in texts), texts  # nothing known about the visitor: the entry that fits
    question = user("My daughter recommended you. Do I need an electrician to fit it?", "inform_source")
    _, texts = _offer_with(catalogue_services, [question], {"language": "en"})
    assert any(t.startswith("Wattwerk Home: ") for t in texts), texts  # the product it is about, named


@pytest.mark.parametrize(
    ("text", "intent", "slots", "said"),
    [
        ("does the app run on Android, and what does the clip cost?", "ask_topic", {"language": "en"}, "79"),
        ("Gibt es ein Video vom Clip? Und habt ihr gerade einen Gutscheincode?", "ask_video",
         {"language": "de", "product": "wattwerk-home", "segment": "b2c"}, "WILLKOMMEN10"),
    ],
)  # fmt: skip
def test_a_price_or_voucher_asked_in_another_part_of_the_message_is_answered(
    catalogue_services: Services, text: str, intent: str, slots: dict[str, str], said: str
) -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerOpenRequest(catalogue_services).run(dispatcher, make_tracker([user(text, intent)], slots), {})
    assert said in " ".join(message.get("text") or "" for message in dispatcher.messages)


def test_one_question_gets_no_second_answer(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("Does the app run on Android?", "ask_topic")], {"language": "en"})
    assert ActionAnswerOpenRequest(catalogue_services).run(dispatcher, tracker, {}) == []
    assert dispatcher.messages == []
