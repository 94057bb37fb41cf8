"""Retrieval over the knowledge entries: paraphrases and typos in both languages, thresholds, focus."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.conversation.knowledge import (
    ANSWER_THRESHOLD,
    INTENT_CUES,
    KnowledgeIndex,
    lacks_cue,
    load_index,
    named_product,
    price_question,
    reroute,
)
from bot.conversation.questions import answer_question, open_request, topic_payload, with_full_name
from bot.text import question_part


@pytest.fixture(scope="module")
def index() -> KnowledgeIndex:
    return load_index()


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("Funktioniert Sense mit LoRaWAN-Funk?", "lorawan"),
        ("does sense talk lorawan", "lorawan"),
        ("brauch ich nen smartmeter für den clip", "home-meters"),
        ("is a smart meter necessary for the clip", "home-meters"),
        ("Kann ich Home Plus monatlich kündigen?", "home-contract"),
        ("how do i cancel home plus", "home-contract"),
        ("Wie lang ist die Kündigungsfrist bei Business?", "business-contract"),
        ("Unterschreibt ihr einen AVV?", "dpa"),
        ("do you offer a DPA for gdpr", "dpa"),
        ("Muss ein Elektriker die Sense-Sensoren montieren?", "sense-installation"),
        ("WLAN am Zähler ist zu schwach", "home-wifi"),
        ("support opening hours?", "support-hours"),
        ("Wann erreiche ich euren Suport?", "support-hours"),  # typo
        ("Spricht Sense Modbus TCP?", "sense-protocols"),
        ("Wo liegen meine Daten, in Deutschland?", "data-location"),
        ("wie lange dauert der versand", "home-delivery"),
        ("kann man per rechnung zahlen", "business-payment"),
        ("Gibt es SSO mit Azure AD?", "business-sso"),
    ],
)
def test_paraphrases_and_typos_find_their_entry(index: KnowledgeIndex, question: str, entry: str) -> None:
    best = index.lookup(question).best
    assert best is not None and best.entry.id == entry, index.rank(question)[:3]


@pytest.mark.parametrize("nonsense", ["asdf jklö qwertz", "blubb blubb", "Wie wird das Wetter?", "tell me a joke"])
def test_nonsense_gets_topics_not_an_answer(index: KnowledgeIndex, nonsense: str) -> None:
    lookup = index.lookup(nonsense)
    assert lookup.best is None
    assert len(lookup.nearest) == 3


def test_the_product_in_focus_wins_a_question_that_names_none(index: KnowledgeIndex) -> None:
    question = "Wie lange gibt es Garantie?"
    assert index.lookup(question, focus="wattwerk-home").best.entry.id == "home-warranty"
    assert index.lookup(question, focus="wattwerk-sense").best.entry.id == "sense-warranty"


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("Kann ich Home kündigen?", "wattwerk-home"),
        ("Does Sense do MQTT?", "wattwerk-sense"),
        ("Kündigung?", None),
        ("Home oder Business?", None),
    ],
)
def test_a_named_product_is_the_focus(text: str, product: str | None) -> None:
    assert named_product(text) == product


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "rerouted"),
    [
        ("Geht das über LoRaWAN?", "nlu_fallback", 0.0, "lorawan"),
        ("Kann ich Home Plus jederzeit kündigen?", "ask_renewal", 0.5, "home-contract"),
        ("Ist euer Support auch am Wochenende erreichbar?", "praise", 0.5, "support-hours"),
        ("asdf jklö", "nlu_fallback", 0.0, None),
        ("Gibt es eine Geld-zurück-Garantie für Home?", "ask_guarantee", 0.5, None),  # the standard answer covers it
        ("Was kostet Wattwerk Home?", "ask_price", 0.5, None),
        ("Spricht Sense Modbus TCP?", "greet", 0.9, None),  # greetings are never rerouted
        ("Spricht Sense Modbus TCP?", "inform_situation", 0.9, None),  # the situation answer adds it
        # a confident classifier on a topic it never learned: the entry that fits as well wins ...
        ("Wie lange ist die Vertragslaufzeit bei Wattwerk Business?", "ask_guarantee", 0.82, "business-contract"),
        # ... but not one that fits clearly worse than the classifier is sure
        ("Wie lange ist die Vertragslaufzeit bei Wattwerk Business?", "ask_guarantee", 0.99, None),
        # a question is no praise, however the classifier reads it
        ("wann ist euer Support erreichbar?", "praise", 0.55, "support-hours"),
        # a price question keeps the price answer, which works out the size the visitor gave
        ("8 units, what's the total", "nlu_fallback", 0.3, None),
        ("Was kostet Wattwerk Home?", "ask_price", 0.9, None),
        # a payback reading without a word about payback is not trusted: the entry that fits answers
        ("Wie schnell wär das Teil denn da?", "ask_roi", 0.9, "home-delivery"),
        ("Lohnt sich das schnell?", "ask_roi", 0.9, None),
        # asking us for a recommendation is no question about recommending us
        ("Was würden Sie uns empfehlen?", "nlu_fallback", 0.3, None),
        ("Kann ich euch weiterempfehlen?", "nlu_fallback", 0.3, "review-referral"),
    ],
)
def test_reroute_only_when_an_entry_clearly_fits(
    index: KnowledgeIndex, text: str, intent: str, confidence: float, rerouted: str | None
) -> None:
    match = reroute(index, text, intent, confidence)
    assert (match.entry.id if match else None) == rerouted


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "price"),
    [
        ("Bitte nennen Sie uns einen Richtpreis für diesen Umfang.", "ask_discount", 0.43, True),  # unsure
        ("Und wenn wir gleich fürs ganze Jahr zahlen?", "ask_discount", 0.95, False),  # sure: its own answer
        ("we only have 2 sites, so I'd pay for Professional just to get the API?", "ask_roi", 0.9, True),  # no cue
        ("If I take the home clip for both flats, what's the total?", "ask_specs", 0.74, True),
        ("Will I see how much we feed into the grid?", "nlu_fallback", 0.3, False),  # an amount of energy
        ("how much is it?", "nlu_fallback", 0.3, True),
        ("Was kostet es für 4 Standorte?", "inform_situation", 0.3, False),  # the situation answer prices it
        ("how much is the one-off part? we'd want to pay by invoice", "ask_billing", 0.9, True),  # a prospect
        ("warum kostet meine Rechnung diesen Monat mehr?", "ask_billing", 0.9, False),  # a customer's invoice
    ],
)
def test_price_questions_get_the_price_answer(text: str, intent: str, confidence: float, price: bool) -> None:
    assert price_question(text, intent, confidence) is price


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "Nein, LoRaWAN unterstützen wir nicht"), ("en", "No, we don't support LoRaWAN")],
)
def test_answer_in_the_visitors_language(index: KnowledgeIndex, language: str, expected: str) -> None:
    reply = answer_question(index, "LoRaWAN?", "ask_topic", language)
    assert reply.text.startswith(expected) and reply.buttons == () and reply.entry_id == "lorawan"


@pytest.mark.parametrize(
    ("language", "missed_before", "text"),
    [
        ("de", False, "Dazu habe ich leider keine sichere Antwort. Meinten Sie eines dieser Themen?"),
        ("en", False, "I'm afraid I don't have a reliable answer to that. Did you mean one of these topics?"),
        ("de", True, "Oder wählen Sie eines dieser Themen:"),
    ],
)
def test_no_match_offers_three_topic_buttons(
    index: KnowledgeIndex, language: str, missed_before: bool, text: str
) -> None:
    reply = answer_question(index, "qwertz uiop", "nlu_fallback", language, missed_before=missed_before)
    assert reply.text == text and reply.entry_id is None
    assert len(reply.buttons) == 3
    for button in reply.buttons:
        entry_id = button.payload.split('"topic": "')[1].rstrip('"}')
        assert button.payload == topic_payload(entry_id)
        assert button.title == index.entry(entry_id).title.get(language)


def test_a_topic_button_answers_that_entry(index: KnowledgeIndex) -> None:
    reply = answer_question(index, '/ask_topic{"topic": "sense-protocols"}', "ask_topic", "en", topic="sense-protocols")
    assert "Modbus (RTU and TCP) and MQTT" in reply.text and reply.product == "wattwerk-sense"


def test_the_answer_threshold_separates_answers_from_topics(index: KnowledgeIndex) -> None:
    assert 0.2 < ANSWER_THRESHOLD < 0.8
    assert index.rank("Brauche ich einen Elektriker für den Zähler-Clip?")[0].score >= ANSWER_THRESHOLD
    assert index.rank("Pizza bestellen")[0].score < ANSWER_THRESHOLD


def _examples(intent: str) -> list[str]:
    """The training and test examples of `intent` (data/nlu, tests/nlu), entity markup removed."""
    found = []
    for path in [*PROJECT_ROOT.glob("data/nlu/**/*.yml"), *PROJECT_ROOT.glob("tests/nlu/*.yml")]:
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if item.get("intent") == intent:
                lines = [line.strip()[2:] for line in item["examples"].splitlines() if line.strip()]
                found += [re.sub(r"\[([^\]]+)\][({][^)}]*[)}]", r"\1", line) for line in lines]
    return found


@pytest.mark.parametrize("intent", sorted(INTENT_CUES))
def test_every_example_of_a_cue_intent_has_its_cue_word(intent: str) -> None:
    examples = _examples(intent)
    assert len(examples) > 50
    assert [text for text in examples if lacks_cue(text, intent)] == []


@pytest.mark.parametrize(
    ("text", "intent"),
    [("Wie schnell wär das Teil denn da?", "ask_roi"),
     ("kriegen wir nachts bescheid wenn was komisch läuft?", "ask_voucher"),
     ("we are company with 16 location, which plan is for us", "ask_renewal"),
     ("I'm renting, is my landlord going to be annoyed if I put this on the meter?", "ask_billing"),
     ("und jetzt?", "stop"), ("and if it stays off?", "stop"), ("länger ned?", "deny"),
     ("clip is nach nem jahr kaputt", "deny"), ("modbus tcp ok?", "affirm"),
     ("ok. and which package would 4 sites even be?", "ask_delivery"),
     ("mit wie vielen Standorten kommen wir im kleinsten Paket aus?", "ask_delivery"),
     ("our house has one of those new digital meters with the little infrared eye, not sure of the model",
      "ask_boss_material"),  # nobody else decides, nothing to pass on
     ("can it warn me if it runs at night when it shouldn't", "ask_guarantee"),  # to warn is no warranty
     ("does the clip warn me when the freezer runs at night?", "ask_guarantee")],  # a freezer is not free
)  # fmt: skip
def test_a_reading_without_its_cue_word_is_not_trusted(text: str, intent: str) -> None:
    assert lacks_cue(text, intent)


@pytest.mark.parametrize(
    ("text", "product", "expected"),
    [
        ("Ja: Sense warnt nachts.", "wattwerk-sense", "Ja: Wattwerk Sense warnt nachts."),
        ("Die Wattwerk-Home-App gibt es für iOS.", "wattwerk-home", "Die Wattwerk-Home-App gibt es für iOS."),
        ("Wattwerk Business and Business again.", "wattwerk-business", "Wattwerk Business and Business again."),
        ("Is stored in Frankfurt.", None, "Is stored in Frankfurt."),
    ],
)
def test_an_answer_names_its_product_in_full(text: str, product: str | None, expected: str) -> None:
    assert with_full_name(text, product) == expected


def test_the_question_part_of_a_longer_message_is_matched_on_its_own() -> None:
    index = load_index()
    text = "how accurate are your industrial sensors really? cheap clamps we tried were way off"
    best = index.rank(text)[0]
    assert best.entry.id == "accuracy" and best.score >= ANSWER_THRESHOLD
    # the router compares the whole message, as the classifier read it (the NLU test set stays as it was)
    assert index.rank(text, whole=True)[0].score < ANSWER_THRESHOLD


@pytest.mark.parametrize(
    ("text", "asked"),
    [("Retail group, 60 stores. We need SAP export and Azure AD login.", "We need SAP export"),
     ("I need something for my flat, 2 people", None), ("We also need it for our 4 bakeries", None),
     ("We need 12 sensors for our 3 halls", None)],
)  # fmt: skip
def test_a_stated_requirement_is_a_question(text: str, asked: str | None) -> None:
    assert question_part(text) == asked


@pytest.mark.parametrize(
    ("text", "entries"),
    [("Ohne AVV geht bei uns gar nichts", {"dpa"}), ("works with LoRaWAN?", {"lorawan"}),
     ("misst das Ding auch Gas?", {"energy-types"}), ("Gasthaus mit 3 Zimmern", set()),
     ("Modbus-Registerbelegung?", {"sense-protocols"}),
     ("was ist eigentlich der unterschied zwischen home und home plus", {"home-plans"}),
     ("Starter or Professional for 3 sites?", {"business-plans"}), ("Unterschied Home und Business?", set())],
)  # fmt: skip
def test_keywords_name_their_entry_as_whole_words(index: KnowledgeIndex, text: str, entries: set[str]) -> None:
    assert index.keyword_entries(text) == entries
    if entries:
        assert index.rank(text, keywords=True)[0].entry.id in entries


@pytest.mark.parametrize(
    ("question", "entry"),
    [("will it work if my router is upstairs", "home-wifi"),
     ("muss ich für die montage wen holen", "home-installation")],
)  # fmt: skip
def test_a_concept_finds_an_entry_written_with_other_words(index: KnowledgeIndex, question: str, entry: str) -> None:
    assert index.concepts.tokens(question), "the question uses a word of a concept"
    found = index.lookup(question, focus="wattwerk-home").best
    assert found is not None and found.entry.id == entry, index.rank(question, focus="wattwerk-home")[:3]
    plain = KnowledgeIndex(index.knowledge.copy(update={"concepts": {}}))
    without = next(s.score for s in plain.rank(question, focus="wattwerk-home") if s.entry.id == entry)
    assert found.score > without  # the shared concept adds to the words' similarity


def test_a_concept_lifts_an_answer_over_the_threshold(index: KnowledgeIndex) -> None:
    question = "muss ich für die montage wen holen"
    plain = KnowledgeIndex(index.knowledge.copy(update={"concepts": {}})).lookup(question, focus="wattwerk-home").best
    assert plain is None  # without the concepts: the nearest topics only


def test_a_question_without_a_concept_scores_as_without_concepts(index: KnowledgeIndex) -> None:
    question = "Spricht Sense Modbus TCP?"
    plain = KnowledgeIndex(index.knowledge.copy(update={"concepts": {}}))
    assert not index.concepts.tokens(question)
    assert [(s.entry.id, round(s.score, 6)) for s in index.rank(question)[:5]] == \
        [(s.entry.id, round(s.score, 6)) for s in plain.rank(question)[:5]]


@pytest.mark.parametrize(("question", "expected"), [("do you sell my data to anyone?", "data-use"),
                                                    ("Verkauft ihr meine Daten an Dritte?", "data-use")])
def test_selling_data_is_a_privacy_question_not_one_about_what_we_sell(
    index: KnowledgeIndex, question: str, expected: str
) -> None:
    best = index.lookup(question).best
    assert best is not None and best.entry.id == expected, index.rank(question)[:3]
    assert index.rank("ok, so what do you actually sell?")[0].entry.id != "data-use"


@pytest.mark.parametrize(
    ("text", "escalates"),
    [("wer hilft mir wenn's dann immer noch nicht geht", True), ("who can help us if it still does not connect", True),
     ("Who can help me decide? I'm not sure which plan fits.", False),
     ("Wer hilft mir bei der Montage, ich bin nicht so handwerklich", False)],
)  # fmt: skip
def test_only_a_fault_that_persists_asks_for_support(text: str, escalates: bool) -> None:
    from bot.conversation.questions import asks_for_support

    assert asks_for_support(text) is escalates


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("und für die dritte Halle?", []), ("Is this handy for renters?", []), ("wie genau funktioniert das?", []),
     ("quite a deadline this week", []), ("2.400 € im Jahr", []), ("mein Router hat nur 2,4 GHz", ["zzwifi"]),
     ("how do i get out of it", ["zzcancel"]), ("Kündigungsfrist?", ["zzcancel"])],
)  # fmt: skip
def test_concept_words_match_whole_or_as_marked_beginnings(index: KnowledgeIndex, text: str, tokens: list) -> None:
    assert index.concepts.tokens(text) == tokens


@pytest.mark.parametrize(
    ("text", "intent"),
    [("roughly when is that money paid back?", "ask_roi"), ("when does the sensor earn itself back", "ask_roi"),
     ("wann hab ich das Geld wieder drin?", "ask_roi"), ("ab wann sind wir damit im Plus?", "ask_roi"),
     ("nach wie vielen Monaten hat sich der Sensor bezahlt gemacht?", "ask_roi"),
     ("zahlt ihr auch mit Twint?", "ask_discount"), ("can I go back to the free plan", "ask_renewal"),
     ("ich möchte von Plus zurück auf Basis", "ask_renewal"), ("isch mis Päckli scho unterwägs?", "ask_delivery"),
     ("I don't want to fill this in", "stop")],
)  # fmt: skip
def test_a_reading_in_other_words_keeps_its_cue(text: str, intent: str) -> None:
    assert not lacks_cue(text, intent)


@pytest.mark.parametrize(
    ("text", "intent", "asked"),
    [("Gibt es ein Video? Und einen Rabattcode?", "ask_video", "voucher"),
     ("Läuft die App auf Android, und was kostet der Clip?", "ask_topic", "price"),
     ("Is your source code open, and can I host it myself?", "ask_hosting", None),  # no voucher code
     ("Was kostet Business, und gibt es eine API?", "ask_price", None)],  # the price answer gives the price
)  # fmt: skip
def test_a_price_or_voucher_in_another_part_of_the_message(text: str, intent: str, asked: str | None) -> None:
    assert open_request(text, intent) == asked


@pytest.mark.parametrize(
    ("text", "arrival"),
    [("if I order the clip today when would it get here?", True),
     ("wenn ich heute bestelle, wann wär der dann da?", True),
     ("Ich bestelle jetzt. Wie lange dauert die Lieferung?", True), ("I want to order the clip", False),
     ("when would it pay off?", False), ("how long does the installation take?", False),
     ("Ich will bestellen, wie lange dauert das da mit der Montage?", False),
     ("ok and if i order today how fast is it here", True)],  # no question mark, the words ask
)  # fmt: skip
def test_a_question_when_an_order_arrives_is_told(text: str, arrival: bool) -> None:
    from bot.conversation.questions import asks_arrival

    assert asks_arrival(text) is arrival
