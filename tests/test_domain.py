"""The domain, the responses, the evidence file and the offers agree, and every answer exists in both languages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rasa.shared.core.domain import Domain

from bot.config import PROJECT_ROOT
from bot.journey.evidence import EvidenceModel
from bot.journey.language import detect_language
from bot.journey.offers import OfferPlan
from bot.messages import load_messages


@pytest.fixture(scope="module")
def domain() -> Domain:
    """The domain as `rasa train` builds it: domain/ and the editors' answers (data/content/responses.yml)."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"), str(PROJECT_ROOT / "domain"),
        [str(PROJECT_ROOT / "data" / "nlu"), str(PROJECT_ROOT / "data" / "rules")],
    )  # fmt: skip
    return importer.get_domain()


def _conditions(variation: dict[str, Any]) -> dict[str, Any]:
    return {c["name"]: c["value"] for c in variation.get("condition") or []}


def test_every_answer_has_a_german_and_an_english_text(domain: Domain) -> None:
    for name, variations in domain.responses.items():
        german = [v for v in variations if _conditions(v).get("language", "de") == "de"]
        english = [v for v in variations if _conditions(v).get("language") == "en"]
        assert german and english, f"{name} needs a German and an English variation"
        for variation in german:
            assert detect_language(variation["text"], None) == "de", (name, variation["text"])
        for variation in english:
            assert detect_language(variation["text"], None) == "en", (name, variation["text"])


def test_every_catalogue_message_reads_as_its_language() -> None:
    messages = load_messages(PROJECT_ROOT / "data" / "content" / "messages.yml")
    for name, texts in messages.templates.items():
        if not re.sub(r"\{\w+\}|[^A-Za-zÄÖÜäöüß]", "", texts["en"]):
            continue  # only placeholders and punctuation, e.g. a review line
        assert detect_language(texts["de"], None) == "de", (name, texts["de"])
        assert detect_language(texts["en"], None) == "en", (name, texts["en"])


def test_every_offer_can_be_asked_in_both_languages(domain: Domain, offers: OfferPlan) -> None:
    asked = {(c.get("pending_offer"), c.get("language")) for c in map(_conditions, domain.responses["utter_offer"])}
    for offer in offers.offers:
        assert (offer, "de") in asked and (offer, "en") in asked, f"utter_offer has no variation for {offer}"


def test_every_offer_delivers_something_the_bot_has(domain: Domain, offers: OfferPlan) -> None:
    for offer in offers.offers.values():
        assert offer.deliver in domain.action_names_or_texts, f"{offer.name} delivers unknown {offer.deliver}"


def test_evidence_names_exactly_the_domain_intents(domain: Domain, evidence: EvidenceModel) -> None:
    # Rasa's built-in intents that never carry journey evidence are left out of the file.
    built_in = {"restart", "back", "session_start"}
    assert set(evidence.intents) == set(domain.intents) - built_in


def test_every_custom_action_in_the_domain_is_served_by_the_action_server(domain: Domain) -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(domain.user_actions) - set(domain.responses) == set(executor.actions)


def _digressions(form: str) -> set[str]:
    """Intents that a rule answers while `form` is active, before the form goes on: the hand-written rules and
    those the questions file makes."""
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"), str(PROJECT_ROOT / "domain"),
        [str(PROJECT_ROOT / "data" / "nlu"), str(PROJECT_ROOT / "data" / "rules")],
    )  # fmt: skip
    intents: set[str] = set()
    for step in importer.get_stories().story_steps:
        users = [e for e in step.events if isinstance(e, UserUttered)]
        before = step.events[: step.events.index(users[0])] if users else []
        loops = {e.name for e in before if type(e).__name__ == "ActiveLoop"}  # the rule's condition
        actions = [e.action_name for e in step.events if isinstance(e, ActionExecuted)]
        if form in loops and users and form in actions[1:]:  # answered, then the form asks again
            intents.add(str(users[0].intent_name))
    return intents - {"nlu_fallback"}  # an unclear answer is the form's to re-ask


def test_a_question_during_the_calculator_is_never_taken_as_the_answer(domain: Domain) -> None:
    # "any promo code?" while the calculator asks for the energy cost is answered, not read as the cost.
    answered = _digressions("roi_form")
    assert {"ask_price", "ask_voucher", "ask_topic"} <= answered
    checked = 0
    for slot in domain.slots:
        for mapping in slot.mappings:
            loops = [c.get("active_loop") for c in mapping.get("conditions") or []]
            if mapping.get("type") == "from_text" and "roi_form" in loops:
                missing = answered - set(mapping.get("not_intent") or [])
                assert not missing, f"{slot.name} takes the text of {sorted(missing)} as its value"
                checked += 1
    assert checked == 3  # roi_units, roi_energy_cost, roi_savings_rate
