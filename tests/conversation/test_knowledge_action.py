"""action_answer_question with real rasa-sdk objects: what the visitor reads, buttons and the product slot."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import ActionAnswerGuarantee, ActionAnswerQuestion, ActionAnswerRequest
from bot.services import Services
from tests.helpers import make_tracker, user


def _run(services: Services, events: list[dict], slots: dict) -> tuple[list[dict], list]:
    dispatcher = CollectingDispatcher()
    result = ActionAnswerQuestion(services).run(dispatcher, make_tracker(events, slots), {})
    return dispatcher.messages, result


@pytest.mark.parametrize(
    ("text", "language", "expected", "product"),
    [
        ("Brauche ich für den Clip einen Smart Meter?", "de", "Einen Smart Meter brauchen Sie nicht", "wattwerk-home"),
        ("does it work over lorawan", "en", "No, we don't support LoRaWAN", None),
        ("Gibt es einen AVV?", "de", "Auftragsverarbeitungsvertrag (AVV)", None),
    ],
)
def test_a_question_is_answered_from_the_knowledge_entries(
    catalogue_services: Services, text: str, language: str, expected: str, product: str | None
) -> None:
    messages, events = _run(catalogue_services, [user(text, "ask_topic")], {"language": language})
    (message,) = messages
    assert expected in message["text"] and not message["buttons"]
    assert events == ([SlotSet("product", product)] if product else [])


@pytest.mark.parametrize(
    ("text", "language", "first", "second"),
    [("Gibts ne REST API und wo liegen die Daten?", "de", "REST API", "Frankfurt"),
     ("do you support Modbus and is there an API?", "en", "Modbus", "REST API")],
)  # fmt: skip
def test_two_questions_in_one_message_get_two_answers(
    catalogue_services: Services, text: str, language: str, first: str, second: str
) -> None:
    messages, _ = _run(catalogue_services, [user(text, "ask_topic")], {"language": language, "segment": "b2b"})
    assert len(messages) == 2  # one answer each, whichever comes first
    assert all(any(part in m["text"] for m in messages) for part in (first, second))


def test_a_question_with_the_situation_names_the_fitting_product_first(catalogue_services: Services) -> None:
    text = "physio chain, 5 clinics. we use power bi for everything, can your data go in there?"
    slots = {"language": "en", "segment": "b2b", "situation_sites": 5.0, "situation_sector": "medical_practice"}
    messages, events = _run(catalogue_services, [user(text, "ask_topic")], slots)
    assert "Wattwerk Business" in messages[0]["text"] and "5 sites" in messages[0]["text"]
    assert "Power BI" in messages[1]["text"]
    assert events == [SlotSet("product", "wattwerk-business")]


def test_the_product_in_focus_decides_between_entries(catalogue_services: Services) -> None:
    slots = {"language": "de", "product": "wattwerk-sense"}
    messages, events = _run(catalogue_services, [user("Muss das ein Fachmann einbauen?", "ask_topic")], slots)
    assert "Elektrofachkraft" in messages[0]["text"] and events == []


def test_nonsense_gets_the_nearest_topics_as_buttons(catalogue_services: Services) -> None:
    messages, events = _run(catalogue_services, [user("xyzzy plugh", "nlu_fallback", 0.2)], {"language": "en"})
    (message,) = messages
    assert message["text"].startswith("I'm afraid I don't have a reliable answer")
    assert len(message["buttons"]) == 3
    assert all(b["payload"].startswith('/ask_topic{"topic": "') for b in message["buttons"])
    assert events == []


def test_a_second_miss_only_offers_topics(catalogue_services: Services) -> None:
    events = [user("xyzzy", "nlu_fallback", 0.2), user("plugh plover", "nlu_fallback", 0.2)]
    messages, _ = _run(catalogue_services, events, {"language": "de"})
    assert messages[0]["text"] == "Oder wählen Sie eines dieser Themen:" and len(messages[0]["buttons"]) == 3


def test_a_topic_button_answers_its_entry(catalogue_services: Services) -> None:
    event = user('/ask_topic{"topic": "support-hours"}', "ask_topic")
    event["parse_data"]["entities"] = [{"entity": "topic", "value": "support-hours"}]
    messages, _ = _run(catalogue_services, [event], {"language": "en"})
    assert messages[0]["text"].startswith("Our support team is available Monday to Friday")


@pytest.mark.parametrize(
    ("first", "follow_up", "language", "expected", "product"),
    [
        ("Does Home have an API?", "and for the sensor product too?", "en", "REST API", "wattwerk-sense"),
        ("Wie schnell ist der Clip da?", "und bei Sense?", "de", "5–10 Werktagen", "wattwerk-sense"),
    ],
)
def test_a_follow_up_asks_the_previous_question_for_the_product_it_names(
    catalogue_services: Services, first: str, follow_up: str, language: str, expected: str, product: str
) -> None:
    events = [user(first, "ask_topic"), user(follow_up, "ask_topic")]
    messages, result = _run(catalogue_services, events, {"language": language, "product": "wattwerk-home"})
    (message,) = messages
    assert expected in message["text"]
    assert result == [SlotSet("product", product)]


def test_a_question_of_its_own_is_no_follow_up(catalogue_services: Services) -> None:
    events = [user("Wie schnell ist der Clip da?", "ask_topic"), user("Hat Sense auch eine App?", "ask_topic")]
    messages, _ = _run(catalogue_services, events, {"language": "de"})
    assert "Werktag" not in messages[0]["text"]


def test_a_button_before_a_follow_up_is_not_asked_again(catalogue_services: Services) -> None:
    events = [user('/ask_topic{"topic": "home-delivery"}', "ask_topic"), user("und bei Sense?", "ask_topic")]
    messages, _ = _run(catalogue_services, events, {"language": "de"})
    assert "Werktag" not in messages[0]["text"]


def test_a_follow_up_without_an_answer_for_the_other_product_offers_topics(catalogue_services: Services) -> None:
    events = [user("Wie ist das Wetter morgen?", "out_of_scope"), user("und bei Sense?", "ask_topic")]
    messages, _ = _run(catalogue_services, events, {"language": "de"})
    assert messages[0]["text"] == "Dazu habe ich leider keine sichere Antwort. Meinten Sie eines dieser Themen?"
    assert len(messages[0]["buttons"]) == 3


@pytest.mark.parametrize(
    ("text", "intent", "language", "expected"),
    [
        # a request an entry answers: the answer, not the pointer to the help centre
        ("Mein Clip sendet seit gestern keine Daten mehr, die App zeigt nur Striche", "ask_support", "de", "WLAN"),
        ("Kann ich Home Plus jederzeit kündigen?", "ask_renewal", "de", "Mindestlaufzeit"),
        # a request no entry answers: the standard answer for its intent
        ("Auf meiner letzten Rechnung stimmt die Adresse nicht", "ask_billing", "de", "utter_billing"),
        ("Ich brauche eine Kopie meiner Rechnung", "ask_billing", "de", "utter_billing"),  # not paying by invoice
        ("Rechnung", "ask_billing", "de", "utter_billing"),
        ("I need help with my account", "ask_support", "en", "utter_support"),
        # a question that an entry answers less clearly is still better answered by it, unless it is about an invoice
        ("quick question before I order: my router only does 5 GHz, will the clip connect to it?", "ask_support",
         "en", "2.4 GHz"),
        ("They charged me 3.99 twice this month for Home Plus, who sorts that out?", "ask_billing", "en",
         "utter_billing"),
    ],
)
def test_a_customers_request_is_answered_from_a_fitting_entry(
    catalogue_services: Services, text: str, intent: str, language: str, expected: str
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user(text, intent)], {"language": language})
    ActionAnswerRequest(catalogue_services).run(dispatcher, tracker, {})
    message = dispatcher.messages[0]  # a fault report adds where support helps (next test)
    if expected.startswith("utter_"):
        assert message["response"] == expected and not message["text"]
    else:
        assert expected in message["text"]


@pytest.mark.parametrize(
    ("text", "language", "expected", "events"),
    [("and a longer business trial?", "en", "TEST60", [SlotSet("product", "wattwerk-business")]),
     ("Kann ich den Clip zurückschicken, wenn er nichts bringt?", "de", "60 Tage",
      [SlotSet("product", "wattwerk-home")]),
     ("Can I try it without risk?", "en", None, [])],
)  # fmt: skip
def test_a_guarantee_question_for_one_product_gets_that_products_answer(
    catalogue_services: Services, text: str, language: str, expected: str | None, events: list
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user(text, "ask_guarantee")], {"language": language})
    result = ActionAnswerGuarantee(catalogue_services).run(dispatcher, tracker, {})
    (message,) = dispatcher.messages
    if expected is None:  # no product named: every product's way to try without risk
        assert message["response"] == "utter_guarantee"
    else:
        assert expected in message["text"]
    assert result == events


@pytest.mark.parametrize(
    ("focus", "text", "language", "expected", "absent"),
    [("wattwerk-home", "Und wenn es gar nicht klappt, kann ich es wieder retournieren?", "de", "60 Tage",
      "30 Tage kostenlos"),
     ("wattwerk-business", "and how long can we try it before committing to anything", "en", "30", "money-back")],
)  # fmt: skip
def test_a_guarantee_question_about_the_product_in_focus_gets_its_answer_only(
    catalogue_services: Services, focus: str, text: str, language: str, expected: str, absent: str
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user(text, "ask_guarantee")], {"language": language, "product": focus})
    assert ActionAnswerGuarantee(catalogue_services).run(dispatcher, tracker, {}) == []
    (message,) = dispatcher.messages
    assert expected in message["text"] and absent not in message["text"], message["text"]


def test_a_certification_question_gets_the_overview_with_the_test(catalogue_services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("TÜV or self-certified?", "ask_guarantee")],
                           {"language": "en", "product": "wattwerk-sense"})  # fmt: skip
    ActionAnswerGuarantee(catalogue_services).run(dispatcher, tracker, {})
    (message,) = dispatcher.messages
    assert message["response"] == "utter_guarantee"


@pytest.mark.parametrize(
    ("text", "language", "support"),
    [("Seit unserem MQTT-Broker-Update sind zwei Sensoren offline. Was tun?", "de", "hilft unser Support"),
     ("two of our sensors went offline after we updated the broker, what now?", "en", "our support team helps")],
)  # fmt: skip
def test_a_customers_fault_gets_no_product_pitch_and_ends_with_support(catalogue_services: Services, text: str,
                                                                       language: str, support: str) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user(text, "ask_support")], {"language": language, "product": "wattwerk-sense",
                                                           "situation_measuring_points": 2.0})
    ActionAnswerRequest(catalogue_services).run(dispatcher, tracker, {})
    said = [m["text"] or m["response"] for m in dispatcher.messages]
    assert not any("Wattwerk Sense" in t and ("passt" in t or "right fit" in t) for t in said)  # no pitch
    assert support in said[-1] and "support@wattwerk.example" in said[-1]
