"""A typed answer to the NPS question ("9", "neun", "nine", "9/10"), read as such only right after the question.

The NPS question (actions/aftersale.py) shows buttons 0–10 whose payloads are `/nps_score{"nps_score": N}`. A visitor
may type instead. A bare number means something else elsewhere in this bot (sites, meters, a form's answer), so the
classifier is not taught bare numbers as scores: this component runs last in the NLU pipeline and, when the bot's
last buttons offered `nps_score` (bot/rasa_plugins/context.py `OFFERED`) and the message holds exactly one score
(bot/aftersale/nps.py `parse_score`) and reads as a rating (short, or "eine 7", "3 von 10": `reads_as_rating`), makes
the message `nps_score` with the score as entity; "Seit 10 Tagen keine Daten" stays a support request. A question asked
instead ("Was kostet ein 2. Clip?") stays a question.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.aftersale.nps import parse_score, reads_as_rating
from bot.rasa_plugins.context import OFFERED
from bot.rasa_plugins.nlu import demote, with_top_intent

SCORE_INTENT = "nps_score"
#: a message with a question mark that the classifier reads as a question or request at least this surely is that
#: question ("Und was kostet ein 2. Clip?"); without one, a score with a reason is the answer ("eine 7, der Preis ist
#: halt hoch")
QUESTION_CONFIDENCE = 0.6


def reads_as_score(text: str, intent: str | None, confidence: float, offered: list[str]) -> int | None:
    """The score the message gives to the NPS question just put; None when it was not put, or the message holds no
    single score, or it is a real question of its own."""
    if SCORE_INTENT not in offered or not text or text.startswith("/"):
        return None
    score = parse_score(text)
    if score is None or not reads_as_rating(text):
        return None  # "Seit 10 Tagen keine Daten" mentions a number and answers nothing
    question = (intent or "").startswith(("ask_", "request_")) and confidence >= QUESTION_CONFIDENCE
    return None if question and "?" in text else score


def _no_rating_no_score(message: Message) -> None:
    """The classifier's `nps_score` for a message that is no rating ("Seit 10 Tagen kommen keine Daten mehr" looks
    like "eher eine 3, seit Wochen offline" to it): the next intent it saw instead."""
    text = message.get(TEXT) or ""
    read = (message.get(INTENT) or {}).get("name")
    if read == SCORE_INTENT and not text.startswith("/") and not reads_as_rating(text):
        demote(message, SCORE_INTENT)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ScoreReader(GraphComponent, IntentClassifier):
    """Runs last in the NLU pipeline (config.yml)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ScoreReader:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            _no_rating_no_score(message)
            predicted = message.get(INTENT) or {}
            offered = list((message.get("metadata") or {}).get(OFFERED) or [])
            score = reads_as_score(message.get(TEXT) or "", predicted.get("name"), predicted.get("confidence") or 0.0,
                                   offered)  # fmt: skip
            if score is None:
                continue
            with_top_intent(message, SCORE_INTENT, 1.0)
            entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != "number"]
            entities.append({"entity": SCORE_INTENT, "value": score, "extractor": "ScoreReader"})
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
