"""The KnowledgeRouter NLU component with real Rasa messages: price questions, knowledge entries, a broken file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.knowledge import ANSWER_THRESHOLD, KNOWLEDGE_FILE, load_index
from bot.rasa_plugins.context import ACTIVE_LOOP, FOCUS, PREVIOUS_INTENT, PREVIOUS_TEXT
from bot.rasa_plugins.knowledge import KnowledgeRouter
from bot.reloading import ReloadingFile


def _message(text: str, intent: str, confidence: float) -> Message:
    message = Message(data={TEXT: text})
    ranking = [{"name": intent, "confidence": confidence}, {"name": "greet", "confidence": 0.01}]
    message.set(INTENT, ranking[0])
    message.set(INTENT_RANKING_KEY, ranking)
    return message


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "routed"),
    [
        ("8 units, what's the total", "nlu_fallback", 0.3, "ask_price"),  # a price for the size said before
        ("Wie lange ist die Vertragslaufzeit bei Wattwerk Business?", "ask_guarantee", 0.82, "ask_topic"),
        ("Danke, das war's", "thank", 0.95, "thank"),
        ("ok and after the trial, what's the cheapest plan?", "ask_guarantee", 0.73, "ask_price"),  # no trial question
        ("We run 15 supermarkets and will open 2 more. Which plan now and which later?", "ask_renewal", 0.76,
         "ask_price"),  # a size and a price: no contract change
        ("und wenn ne vierte dazukommt?", "nlu_fallback", 0.3, "ask_price"),  # the plan for the new total
        ("Der Code SOMMER25 geht nicht, was mach ich falsch?", "inform_situation", 0.9, "ask_voucher"),
        ("can i still use SOMMER25 on the clip?", "inform_situation", 0.9, "ask_voucher"),
        ("wer hilft mir wenn's dann immer noch nicht geht", "express_doubt", 0.46, "ask_support"),
        ("Can we use SAML2 for the login?", "ask_specs", 0.8, "ask_specs"),  # a protocol, no voucher code
        ("Wann kommt das Paket für meine Bestellung?", "ask_delivery", 0.9, "ask_delivery"),  # a parcel
        ("Schafft ihr die Lieferung bis morgen?", "goodbye", 0.6, "ask_topic"),  # a question: the delivery entry
        ("Danke, das war's für heute. Tschüss!", "goodbye", 0.9, "goodbye"),
        ("Kann ich den mit SOMMER25 kombinieren?", "inform_situation", 0.9, "ask_voucher"),
        ("und jetzt?", "stop", 0.6, "nlu_fallback"),  # stops nothing
        ("we'd need 10", "ask_renewal", 0.33, "ask_price"),  # only a size: the price for it
        ("Wir nutzen Starter für 3 Filialen, jetzt kommen 2 neue dazu. Was müssen wir tun?", "order", 0.6, "ask_price"),
        ("und jährlich?", "affirm", 0.55, "ask_discount"),  # annual billing after a price
        ("and monthly?", "ask_topic", 0.75, "ask_price"),
        ("what does that add up to in year one", "nlu_fallback", 0.3, "ask_price"),  # the first year's total
        ("we already have 10 Sense measuring points. want to add 5 more on the packaging line. cost?", "ask_delivery",
         0.57, "ask_price"),  # no parcel in it
        ("love the clip. my sister wants one too, is there some kind of deal for her?", "ask_delivery", 0.57,
         "ask_voucher"),
        ("my clip still hasn't come, ordered last week", "ask_delivery", 0.8, "ask_delivery"),
        ("und aufs Jahr gerechnet?", "ask_discount", 0.6, "ask_price"),
        ("spart man was, wenn wir fürs ganze Jahr im Voraus zahlen?", "ask_roi", 0.6, "ask_discount"),  # the terms
        ("modbus tcp ok?", "affirm", 0.41, "ask_topic"),  # a question, no yes
        ("what payback do your customers typically see?", "ask_reviews", 0.79, "ask_roi"),
        ("what do reviews say about the payback?", "ask_reviews", 0.79, "ask_reviews"),
        ("nur für mich privat, kleine mietwohnung", "ask_topic", 0.73, "inform_situation"),  # a statement
        ("Bevor wir weiterreden: Ohne AVV geht bei uns gar nichts. Habt ihr einen?", "ask_boss_material", 0.93,
         "ask_topic"),  # a keyword names the topic
        ("Und wo finde ich die Doku zur Modbus-Registerbelegung?", "order", 0.82, "ask_topic"),
        ("Was kostet Modbus-Anbindung für 10 Maschinen?", "ask_price", 0.9, "ask_price"),  # a price stays a price
        ("Unterstützt ihr SSO über Azure AD?", "ask_integrations", 0.9, "ask_integrations"),  # picks its entry itself
        ("bin mega zufrieden, mein nachbar will auch einen. gibts da was für ihn?", "ask_boss_material", 0.53,
         "ask_voucher"),  # a deal for someone else
        ("love the app. my sister wants one too, any deal for her?", "praise", 0.88, "ask_voucher"),
        ("love the app, my sister says so too", "praise", 0.88, "praise"),
        ("and if it stays off?", "stop", 0.6, "ask_support"),  # a customer's case for support
        ("Bestellnummer WW-4711-22, könnt ihr nachschauen?", "order", 0.35, "ask_support"),
        ("wen muss ich da anschreiben", "nlu_fallback", 0.3, "ask_support"),
        ("2 of our sensors went offline after we updated the mqtt broker", "inform_situation", 0.9, "ask_support"),
        ("seit dem Update senden 3 Sensoren keine Daten mehr", "inform_situation", 0.9, "ask_support"),
        ("our 2 sites send no data to SAP yet, is that possible?", "inform_situation", 0.9, "inform_situation"),
        ("what about the other one, the home clip?", "inform_situation", 0.9, "ask_topic"),  # the last question again
        ("so when has it paid for itself", "nlu_fallback", 0.3, "ask_roi"),
        ("what about the other one, the home clip?", "ask_support", 0.38, "ask_topic"),
        # found by a review: none of these may move
        ("Wir haben 5 Standorte und keine Daten über unseren Verbrauch", "inform_situation", 0.64, "inform_situation"),
        ("Wir sind die ACME24 GmbH mit 3 Standorten", "inform_situation", 0.98, "inform_situation"),
        ("Und wenn das Teil trotzdem nix bringt?", "express_doubt", 0.87, "express_doubt"),
        ("and if we still have questions later?", "nlu_fallback", 0.3, "nlu_fallback"),
        ("Ja, warum nicht?", "affirm", 0.95, "affirm"),
        ("Ja gerne, was brauchen Sie von mir?", "affirm", 0.71, "affirm"),
        ("Ich brauche was für meinen Chef und die Kollegen, am besten ein Angebot", "ask_boss_material", 0.84,
         "ask_boss_material"),
        ("15 bitte", "nlu_fallback", 0.3, "nlu_fallback"),  # the calculator's answer, not a price question
        ("Verlängert sich der Vertrag automatisch für ein zweites Jahr mit neuem Preis?", "ask_renewal", 0.8,
         "ask_renewal"),
        ("Wir haben 2 Standorte, der alte Anbieter ist ausgefallen", "inform_situation", 0.9, "inform_situation"),
        ("Stopp, das war ein Versehen", "stop", 0.9, "stop"),
    ],
)
def test_messages_are_routed_and_the_classifiers_reading_stays_below(
    text: str, intent: str, confidence: float, routed: str
) -> None:
    (message,) = KnowledgeRouter({}).process([_message(text, intent, confidence)])
    assert message.get(INTENT)["name"] == routed
    assert intent in [r["name"] for r in message.get(INTENT_RANKING_KEY)]  # the journey phase reads it


@pytest.mark.parametrize("text", ["und was mach ich dann am Wochenende?", "how long till the replacement is here?"])
def test_a_question_read_as_goodbye_gets_no_goodbye(text: str) -> None:
    (message,) = KnowledgeRouter({}).process([_message(text, "goodbye", 0.6)])
    assert message.get(INTENT)["name"] != "goodbye"


@pytest.mark.parametrize("text", ["Was ist eigentlich der Unterschied zwischen Home und Business?",
                                  "Reicht Home oder brauch ich Business?"])
def test_a_question_that_compares_our_products_gets_the_overview(text: str) -> None:
    (message,) = KnowledgeRouter({}).process([_message(text, "ask_comparison", 0.9)])
    assert message.get(INTENT)["name"] == "ask_topic"
    assert {"entity": "topic", "value": "products-overview"}.items() <= message.get(ENTITIES)[0].items()


def test_a_broken_knowledge_file_keeps_the_intents_and_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "knowledge.yml"
    broken.write_text(KNOWLEDGE_FILE.read_text(encoding="utf-8").replace("version: 1", "version: one"), "utf-8")
    router = KnowledgeRouter({}, ReloadingFile(broken, load_index))
    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            (message,) = router.process([_message("Geht das über LoRaWAN?", "nlu_fallback", 0.2)])
            assert message.get(INTENT)["name"] == "nlu_fallback"
    assert sum("Knowledge entries unavailable" in r.getMessage() for r in caplog.records) == 1


def test_making_sense_names_no_product() -> None:
    (message,) = KnowledgeRouter({}).process([_message("Does it make sense to go for Business or wait?",
                                                        "ask_comparison", 0.9)])  # fmt: skip
    assert not any(e.get("value") == "products-overview" for e in message.get(ENTITIES) or [])


@pytest.mark.parametrize(
    ("previous", "text", "entry"),
    [("Kann ich den Clip selbst montieren? Wir haben noch so einen alten Zähler.",
      "wie lang brauch ich da ungefähr dafür", "home-installation"),
     ("we're moving house next month, what happens to the clip and the app?", "do I keep my history?", "home-move"),
     ("Our router only has 5 GHz. Will the clip connect?", "hmm. what can I do then", "home-wifi")],  # what now
)  # fmt: skip
def test_a_short_follow_up_is_read_with_the_previous_message(previous: str, text: str, entry: str) -> None:
    alone = KnowledgeRouter({}).process([_message(text, "nlu_fallback", 0.3)])[0]
    assert alone.get(INTENT)["name"] == "nlu_fallback"  # on its own it fits no entry
    message = _message(text, "nlu_fallback", 0.3)
    message.set("metadata", {PREVIOUS_TEXT: previous})
    (routed,) = KnowledgeRouter({}).process([message])
    assert routed.get(INTENT)["name"] == "ask_topic"
    assert {"entity": "topic", "value": entry}.items() <= routed.get(ENTITIES)[-1].items()


@pytest.mark.parametrize("text", ["Gits das au in Franke?", "schade. gibts was anderes?"])
def test_a_follow_up_that_shares_no_word_with_the_entry_still_falls_back(text: str) -> None:
    previous = "Was passiert bei einem Internetausfall mit den Daten?"
    together = load_index().rank(f"{previous} {text}", whole=True)[0]
    assert together.score >= ANSWER_THRESHOLD  # read together they would fit an entry …
    message = _message(text, "nlu_fallback", 0.3)
    message.set("metadata", {PREVIOUS_TEXT: previous})
    (routed,) = KnowledgeRouter({}).process([message])
    assert routed.get(INTENT)["name"] == "nlu_fallback"  # … but the follow-up shares no word with it


@pytest.mark.parametrize(("loop", "routed"), [(None, "ask_price"), ("roi_form", "inform_contact")])
def test_a_corrected_count_is_a_price_question_outside_a_form(loop: str | None, routed: str) -> None:
    message = _message("sorry, 14 not 41!", "inform_contact", 0.55)  # digits read as a phone number
    message.set("metadata", {ACTIVE_LOOP: loop} if loop else {})
    (result,) = KnowledgeRouter({}).process([message])
    assert result.get(INTENT)["name"] == routed  # in the calculator the correction answers its question


@pytest.mark.parametrize(
    ("text", "intent", "previous", "routed"),
    [("und ist der noch länger gültig?", "nlu_fallback", "ask_voucher", "ask_voucher"),  # about the voucher
     ("anything else valid?", "deny", "ask_voucher", "ask_voucher"),
     ("nee, lass mal", "deny", "ask_voucher", "deny"),  # refuses the next offer
     ("und was nun?", "stop", "ask_voucher", "ask_voucher"), ("stop it please", "stop", "ask_voucher", "stop"),
     ("the tracking mail never came", "ask_delivery", "ask_delivery", "ask_support"),  # our support, not the parcel
     ("how long to Switzerland?", "ask_delivery", "ask_delivery", "ask_delivery")],
)  # fmt: skip
def test_a_short_follow_up_continues_the_previous_request(text: str, intent: str, previous: str, routed: str) -> None:
    message = _message(text, intent, 0.6)
    message.set("metadata", {PREVIOUS_INTENT: previous})
    (result,) = KnowledgeRouter({}).process([message])
    assert result.get(INTENT)["name"] == routed


@pytest.mark.parametrize(
    ("ranking", "routed"),
    [([("nlu_fallback", 0.3), ("ask_video", 0.42), ("ask_specs", 0.41)], "ask_video"),  # two readings tied
     ([("nlu_fallback", 0.3), ("ask_video", 0.29), ("ask_specs", 0.28)], "nlu_fallback"),  # neither understood
     ([("nlu_fallback", 0.3), ("deny", 0.4), ("stop", 0.39)], "nlu_fallback"),  # no answer of their own
     ([("nlu_fallback", 0.3), ("ask_video", 0.5), ("ask_specs", 0.35)], "nlu_fallback"),  # not tied: unclear
     ([("nlu_fallback", 1.0), ("ask_video", 0.42), ("ask_specs", 0.41)], "nlu_fallback")],  # no known word at all
)  # fmt: skip
def test_two_tied_readings_are_answered_by_the_first(ranking: list[tuple[str, float]], routed: str) -> None:
    message = Message(data={TEXT: "Habt ihr ein Filmchen oder ein Datenblatt zum Weiterschicken?"})
    message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": value} for name, value in ranking])
    (result,) = KnowledgeRouter({}).process([message])
    assert result.get(INTENT)["name"] == routed


def test_no_tied_reading_or_follow_up_replaces_a_forms_answer() -> None:
    message = Message(data={TEXT: "Gibts ein Video oder Datenblatt?"})
    message.set(INTENT, {"name": "nlu_fallback", "confidence": 0.3})
    ranking = [("nlu_fallback", 0.3), ("ask_video", 0.42), ("ask_specs", 0.41)]
    message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": value} for name, value in ranking])
    message.set("metadata", {ACTIVE_LOOP: "lead_form", PREVIOUS_INTENT: "ask_voucher"})
    (result,) = KnowledgeRouter({}).process([message])
    assert result.get(INTENT)["name"] == "nlu_fallback"  # the form's slot mapping takes the text


@pytest.mark.parametrize(
    ("focus", "loop", "routed"),
    [("wattwerk-business", None, "ask_topic"), (None, None, "nlu_fallback"),
     ("wattwerk-home", None, "nlu_fallback"),  # the household's entries have no alerts about heating at night
     ("wattwerk-business", "lead_form", "nlu_fallback")],  # the form takes the text
)  # fmt: skip
def test_a_question_that_fits_the_product_in_focus_is_understood(focus: str | None, loop: str | None,
                                                                 routed: str) -> None:
    text = "sieht man damit auch wo in den ferien oder nachts unnötig geheizt wird?"
    message = _message(text, "nlu_fallback", 0.3)
    message.set("metadata", {key: value for key, value in ((FOCUS, focus), (ACTIVE_LOOP, loop)) if value})
    (result,) = KnowledgeRouter({}).process([message])
    assert result.get(INTENT)["name"] == routed  # the answer action finds the alerts entry of that product


def test_without_a_product_in_focus_a_loose_match_stays_not_understood() -> None:
    text = "hi quick one, what do u guys sell?"
    assert load_index().lookup(text).best is not None  # the answer action would find some entry …
    (result,) = KnowledgeRouter({}).process([_message(text, "nlu_fallback", 0.3)])
    assert result.get(INTENT)["name"] == "nlu_fallback"  # … but only a product in focus makes it understood
