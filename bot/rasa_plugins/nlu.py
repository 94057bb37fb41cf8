"""A small NLU component that corrects blind spots of the statistical intent classifier.

1. A message with an e-mail address or phone number and no question is the visitor giving
   contact details (`inform_contact`), whatever the names in it resemble ("Dubois" looks
   like "dubious" to character n-grams).
2. A message that is only a number or an amount ("24.000 €", "15 %", "3") states a fact
   (`inform_situation`), typically an answer to the ROI calculator's question.
3. A message without a single word the model has seen in training (keyboard mash, "???")
   is not understood (`nlu_fallback`), instead of being forced onto the likeliest short intent.
4. A message that states the visitor's situation (size, energy cost, sector: "We own 9 bakeries and
   electricity is killing us") is `inform_situation` when the model read it as small talk, doubt, an
   off-topic or an unclear message (bot/conversation/situation.py decides what counts as a fact);
   a short money question misread the same way ("€ per month for 30?") is `ask_price`.
5. A question without an e-mail address or phone number gives no contact details: the classifier's next reading
   stands.
6. Intents that only a client sends, as a payload like `/page_view` (which Rasa parses without
   the model), are never the answer for typed words: "view" is not a page view.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, vstack

from bot.contact import DIALLED_NUMBER
from bot.conversation.knowledge import lacks_cue
from bot.conversation.pricing import asks_price, settles_price
from bot.conversation.questions import is_follow_up
from bot.conversation.situation import bare_count, extract
from bot.text import is_question

EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[A-Za-z]{2,}")
# Phone numbers start with + or 0 (international or national form), so amounts never match.
PHONE = DIALLED_NUMBER
CONTACT_INTENT = "inform_contact"
# Intents that are never the right reading of a message stating the visitor's situation.
SITUATION_MISREAD = frozenset({"out_of_scope", "chitchat", "express_doubt", "ask_comparison", "praise", "greet",
                               "ask_referral", "inform_source", "ask_support", "goodbye", "thank", "deny", "affirm",
                               "nlu_fallback", "ask_what_is", "request_contact"})  # fmt: skip
_ASKS_FOR_A_PERSON = re.compile(r"\b(?:talk|speak|call|contact|sales|person|someone|demo|quote|offer|sprechen|"
                                r"anruf|rückruf|ruf|kontakt|vertrieb|ansprech|jemand|angebot|termin|beratung)",
                                re.IGNORECASE)  # fmt: skip


UNSURE = 0.4  # below this confidence the model's reading of a message with facts is not trusted


SURE = 0.85  # at or above this confidence the model's reading stands


def _misread(intent: str | None, confidence: float) -> bool:
    """`confidence` is the gap-adjusted confidence: two intents within a hair of each other count as unsure."""
    if confidence >= SURE:
        return False
    if confidence == 0.0:  # ambiguous: no reading can be trusted
        return True
    return intent in SITUATION_MISREAD or (
        confidence < UNSURE and intent not in ("ask_price", "ask_roi", "ask_tco", "inform_situation", CONTACT_INTENT)
    )


def _certainty(message: Message) -> float:
    """The top intent's confidence, or 0 when the runner-up is within 0.05 of it (the FallbackClassifier
    would call that ambiguous)."""
    ranking = [r.get("confidence") or 0.0 for r in message.get(INTENT_RANKING_KEY) or []]
    top = float((message.get(INTENT) or {}).get("confidence") or 0.0)
    return 0.0 if len(ranking) > 1 and ranking[0] - ranking[1] < 0.05 else max(top, 1e-6)


def short_price_question(text: str, intent: str | None, confidence: float = 0.5) -> bool:
    """True for a short money question the model read as small talk or was unsure about."""
    return _misread(intent, confidence) and len(text.split()) <= 10 and asks_price(text)


def states_situation(text: str, intent: str | None, confidence: float = 0.5) -> bool:
    """True when a message misread as `intent` states facts about the visitor (size, cost, sector)."""
    misread = _misread(intent, confidence) or lacks_cue(text, intent)
    if not misread and intent not in SITUATION_MISREAD and intent != CONTACT_INTENT:
        return False  # a sure reading of another intent: no need to read the facts
    if intent == "request_contact" and _ASKS_FOR_A_PERSON.search(text):
        return False
    if is_follow_up(text):  # "gilt das für den Haushaltsclip genauso?": the previous question, not a household
        return False
    situation = extract(text)
    if misread and not situation.has_facts() and is_question(text) and bare_count(text) is not None:
        return True  # "could we only do the 5 biggest ones first?": a size for the product in focus
    if not misread:
        # a question with numbers of sites, machines, people or euros is no praise, however sure; without an
        # e-mail address or phone number (IntentGuard checks that first) they are no contact details either
        sized = any((situation.sites, situation.measuring_points, situation.employees, situation.energy_cost_eur))
        if not (sized and (intent == CONTACT_INTENT or is_question(text))):
            return False
    return situation.has_facts()


AMOUNT_ONLY = re.compile(
    r"^\s*(?:ca\.?|circa|etwa|about|approx\.?|~)?\s*[€$]?\s*-?\d[\d.,' ]*\s*"
    r"(?:k|tsd\.?|mio\.?|%|prozent|percent|€|eur|euro|euros)?\s*"
    r"(?:pro jahr|im jahr|per year|a year|/ ?jahr)?\s*[.!]?\s*$",
    re.IGNORECASE,
)


def gives_contact_details(text: str) -> bool:
    """True for a statement (no question) that contains an e-mail address or a phone number."""
    return "?" not in text and has_contact_details(text)


def has_contact_details(text: str) -> bool:
    """True when the message contains an e-mail address or a phone number."""
    return bool(EMAIL.search(text)) or any(sum(c.isdigit() for c in m) >= 6 for m in PHONE.findall(text))


def demote(message: Message, name: str) -> None:
    """Makes the classifier's next reading the message's intent (`name` was a misreading)."""
    others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    if others:
        with_top_intent(message, others[0]["name"], others[0].get("confidence") or 0.0)
    else:
        with_top_intent(message, "nlu_fallback", 1.0)


#: how far below a corrected intent the classifier's readings stay in the ranking, so that the FallbackClassifier
#: (ambiguity_threshold in config.yml) does not call the correction ambiguous
RANKING_GAP = 0.1


def with_top_intent(message: Message, name: str, confidence: float) -> None:
    """Makes `name` the message's intent; the classifier's reading stays in the ranking below it (at most
    RANKING_GAP below `confidence`: "ein Standort, 6 Maschinen" read as doubt at 0.91 is the situation, clearly)."""
    ceiling = max(0.0, confidence - RANKING_GAP)
    ranking = [{**r, "confidence": min(r.get("confidence") or 0.0, ceiling)}
               for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]  # fmt: skip
    top = {"name": name, "confidence": confidence}
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentGuard(GraphComponent, IntentClassifier):
    """Runs after the intent classifier and before the FallbackClassifier (see config.yml)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # `known_words_featurizer`: alias of the word-level CountVectorsFeaturizer whose
        # vocabulary decides whether a message has any known word.
        # `payload_only_intents`: intents sent only as payloads (`/page_view`), never typed.
        return {"known_words_featurizer": "word_counts", "contact_confidence": 0.9,
                "payload_only_intents": ["page_view"]}  # fmt: skip

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.payload_only = frozenset(config["payload_only_intents"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentGuard:
        return cls(config)

    def _knows_a_word(self, message: Message) -> bool:
        _, sentence = message.get_sparse_features(TEXT, [self.config["known_words_featurizer"]])
        return sentence is not None and sentence.features.nnz > 0

    def _without_payload_only_intents(self, message: Message) -> None:
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in self.payload_only]
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        if (message.get(INTENT) or {}).get("name") in self.payload_only:
            message.set(INTENT, ranking[0] if ranking else {"name": "nlu_fallback", "confidence": 1.0},
                        add_to_output=True)  # fmt: skip

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._without_payload_only_intents(message)
            text = message.get(TEXT) or ""
            predicted = message.get(INTENT) or {}
            intent = predicted.get("name")
            confidence = _certainty(message)
            if intent == "request_contact" and not states_situation(text, intent, confidence):  # "call me at 0171"
                continue
            if gives_contact_details(text):
                confidence = max(self.config["contact_confidence"], predicted.get("confidence") or 0.0)
                with_top_intent(message, CONTACT_INTENT, confidence)
            elif intent == "ask_price" and settles_price(text):
                demote(message, "ask_price")  # "will the clip read it without a PIN? price is fine btw"
            elif AMOUNT_ONLY.match(text):
                with_top_intent(message, "inform_situation", self.config["contact_confidence"])
            elif short_price_question(text, intent, confidence):  # "kosten für die drei standorte?": a price, for them
                with_top_intent(message, "ask_price", self.config["contact_confidence"])
            elif states_situation(text, intent, confidence):
                with_top_intent(message, "inform_situation", self.config["contact_confidence"])
            elif intent == CONTACT_INTENT and is_question(text) and not has_contact_details(text):
                demote(message, CONTACT_INTENT)  # "Mein Clip ist nach 14 Monaten hinüber. Garantie?" gives no contact
            elif intent and intent != CONTACT_INTENT and not self._knows_a_word(message):
                with_top_intent(message, "nlu_fallback", 1.0)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FastLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Rasa's logistic-regression intent classifier with the same model and the same probabilities, in a
    twentieth of the time per message (4 ms → 0.2 ms here).

    scikit-learn multiplies a message's sparse features with the transposed weight matrix; stored
    row by row, that transpose is copied in full (37 intents × 32,000 features) for every message.
    Stored column by column, the transpose needs no copy. And the message's sentence features are
    joined once, without Rasa's copies of its token features.
    """

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        rows = [self._sentence_features(message) for message in messages]
        if any(row is None for row in rows) or any(m.get_dense_features(attribute=TEXT)[1] for m in messages):
            return super()._create_X(messages)
        return rows[0] if len(rows) == 1 else vstack(rows, format="csr")

    @staticmethod
    def _sentence_features(message: Message) -> Any:
        """The message's sparse sentence features side by side, in the featurizers' order: what
        `Message.get_sparse_features` returns second, without copying and joining the token features too."""
        parts = [f.features.tocsr() for f in message.features
                 if f.attribute == TEXT and f.is_sparse() and f.type == FEATURE_TYPE_SENTENCE]  # fmt: skip
        if not parts:
            return None
        if any(part.shape[0] != 1 for part in parts):
            return hstack(parts, format="csr")
        # one row each: side by side by hand, SciPy's general hstack costs a millisecond here
        offsets = np.cumsum([0] + [part.shape[1] for part in parts[:-1]])
        data = np.concatenate([part.data for part in parts])
        columns = np.concatenate([part.indices + offset for part, offset in zip(parts, offsets, strict=True)])
        return csr_matrix((data, columns, np.array([0, len(data)])), shape=(1, sum(part.shape[1] for part in parts)))

    def process(self, messages: list[Message]) -> list[Message]:
        coefficients = getattr(self.clf, "coef_", None)
        if coefficients is not None and not coefficients.flags.f_contiguous:
            self.clf.coef_ = np.asfortranarray(coefficients)
        return super().process(messages)
