"""An NLU component that sends specific questions to the knowledge entries (data/content/knowledge.yml).

It runs last (after the FallbackClassifier, see config.yml). A price question stays or becomes
`ask_price` (the answer works out the price for the known size). A message that was not understood
(`nlu_fallback`), or one whose intent only has a generic answer, becomes `ask_topic` when a
knowledge entry fits well enough (bot/conversation/knowledge.py decides); the action server then
answers it with that entry (actions/knowledge.py). The file is read on first use and again when
it changes; a broken file leaves the intents as they are.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.contact import asks_for_our_contact
from bot.conversation.knowledge import (
    CUSTOMER_INTENTS,
    FALLBACK_INTENT,
    OVERVIEW_ENTRY,
    PRICE_INTENT,
    TOPIC_INTENT,
    KnowledgeIndex,
    compares_products,
    in_context_entry,
    keyword_answer,
    lacks_cue,
    load_index,
    price_question,
    reroute,
)
from bot.conversation.pricing import (
    asked_years,
    asks_annual_billing,
    asks_payback,
    asks_price,
    asks_savings,
    bare_billing_period,
    names_voucher_code,
    refers_someone,
)
from bot.conversation.questions import (
    asks_arrival,
    asks_for_support,
    continued_request,
    is_bare_size,
    is_follow_up,
    reports_fault,
)
from bot.conversation.situation import adds_units, corrects_count, extract
from bot.rasa_plugins.context import ACTIVE_LOOP, FOCUS, PREVIOUS_INTENT, PREVIOUS_TEXT
from bot.rasa_plugins.nlu import with_top_intent
from bot.reloading import ReloadingFile
from bot.text import is_question

logger = logging.getLogger(__name__)

DISCOUNT_INTENT = "ask_discount"
REVIEWS_INTENT = "ask_reviews"
SITUATION_INTENT = "inform_situation"
#: words that ask for reviews themselves ("what do reviews say about the payback?")
_REVIEW_WORDS = re.compile(r"review|bewert|rezension|stern|star|rating|testimonial|erfahrungsbericht", re.IGNORECASE)
VOUCHER_INTENT = "ask_voucher"
ROI_INTENT = "ask_roi"
#: asking to be put in touch with sales
CONTACT_REQUEST_INTENT = "request_contact"
#: readings of a question about what it saves that the payback calculator answers better
SAVINGS_MISREAD = frozenset({"express_doubt", "praise", "nlu_fallback", "chitchat", "out_of_scope", "ask_what_is",
                             "ask_features", "ask_comparison"})
#: readings of a question about paying for a year at once that its answer (the discount terms) corrects
ANNUAL_BILLING_MISREAD = frozenset({"ask_roi", "ask_tco", "nlu_fallback"})
SUPPORT_INTENT = "ask_support"
ORDER_INTENT = "order"
DELIVERY_INTENT = "ask_delivery"
#: readings of a customer's request for a person on their case ("wen muss ich da anschreiben", "and if it stays off?")
ESCALATION_MISREAD = frozenset({"nlu_fallback", "stop", "deny", "order", "goodbye", "chitchat", "out_of_scope",
                                "affirm", "inform_contact", "thank", "greet", "praise", "ask_features", "ask_what_is",
                                "express_doubt"})
#: readings of a request for a deal for someone else ("mein Nachbar will auch einen, gibts was für ihn?"): the current
#: vouchers answer it
FRIEND_DEAL_MISREAD = frozenset({"praise", "ask_boss_material", "chitchat", "nlu_fallback", "out_of_scope",
                                 "ask_discount", "ask_topic", "express_doubt", "order", "ask_referral", "ask_delivery"})
#: readings of a message about a voucher code ("der Code SOMMER25 geht nicht") that the voucher answer corrects: it says
#: whether that code is valid and which one is
VOUCHER_MISREAD = frozenset({"inform_situation", "ask_billing", "ask_support", "nlu_fallback", "express_doubt",
                             "chitchat", "out_of_scope", "ask_discount", "ask_guarantee", "ask_what_is",
                             "ask_features", "praise", "ask_delivery", "ask_renewal", "ask_specs"})
#: readings of an answer to a form's question ("15 bitte" for the calculator's savings rate, "ja, 15"): a bare size with
#: them stays the form's answer (the router does not see the form)
FORM_ANSWER_READINGS = frozenset({"nlu_fallback", "affirm"})
#: readings of a message that adds sites or machines ("und wenn ne vierte dazukommt?", "Wir nutzen Starter für 3
#: Filialen, jetzt kommen 2 neue dazu") or only gives a size ("we'd need 10") whose answer (a fallback, the shop,
#: changing the plan in the customer area) does not say what that size needs; the price answer works out its plan
GROWTH_MISREAD = frozenset({"nlu_fallback", "goodbye", "chitchat", "out_of_scope", "ask_support", "ask_features",
                            "ask_what_is", "express_doubt", "praise", "greet", "thank", "ask_topic", "affirm", "order",
                            "ask_renewal"})
#: readings of a short follow-up of the previous request ("und jetzt?", "bis wann gilt der", "no tracking email
#: either") whose answer is not about that request (bot.conversation.questions.continued_request)
CONTINUE_MISREAD = frozenset({"nlu_fallback", "deny", "affirm", "chitchat", "out_of_scope", "express_doubt",
                              "ask_delivery", "inform_contact", "ask_features", "ask_what_is"})
#: readings of a count the visitor corrects outside a form ("sorry, 12 not 21!", "ich meinte 12"): the price answer
#: works out the corrected count
CORRECTION_MISREAD = GROWTH_MISREAD | {"inform_contact", "inform_situation", "deny", "ask_price", "ask_tco"}
#: readings of a question about what it makes in the first year or per year ("what does that add up to in year one",
#: "und aufs Jahr gerechnet?") whose answer has no total; the price answer works it out
YEARS_MISREAD = frozenset({"nlu_fallback", "chitchat", "out_of_scope", "ask_support", "ask_features", "ask_what_is",
                           "express_doubt", "ask_topic", "ask_discount", "ask_comparison", "greet", "thank", "affirm"})
#: readings of a short follow-up for another product ("gilt das für den Haushaltsclip genauso?") whose answer says
#: nothing about the previous question; price, payback and customer requests answer for the named product themselves
FOLLOW_UP_MISREAD = frozenset({"nlu_fallback", "praise", "express_doubt", "chitchat", "out_of_scope", "ask_features",
                               "ask_what_is", "ask_comparison", "ask_referral", "inform_source", "greet",
                               "ask_support"})

#: readings of a question that compares our products ("Unterschied zwischen Home und Business?") whose answer does not
#: tell them apart (the comparison with competitors, the company, one product's features)
OVERVIEW_MISREAD = frozenset({"ask_comparison", "ask_what_is", "ask_features", "nlu_fallback", "chitchat",
                              "express_doubt", "inform_situation"})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class KnowledgeRouter(GraphComponent, IntentClassifier):
    """Turns a specific question into `ask_topic` when a knowledge entry answers it."""

    def __init__(self, config: dict[str, Any], knowledge: ReloadingFile[KnowledgeIndex] | None = None) -> None:
        self.config = config
        if knowledge is None:
            from bot.config import load_settings

            knowledge = ReloadingFile(load_settings().knowledge_file, load_index)
        self._knowledge = knowledge
        self._last_error: str | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KnowledgeRouter:
        router = cls(config)
        router._index()  # read and index the entries as the model loads, not in the first visitor's turn (1 s)
        return router

    def _index(self) -> KnowledgeIndex | None:
        try:
            return self._knowledge.get()
        except (OSError, ValueError) as exc:
            if str(exc) != self._last_error:  # once per problem, not on every message
                logger.error("Knowledge entries unavailable, questions keep their intents: %s", exc)
                self._last_error = str(exc)
            return None

    def process(self, messages: list[Message]) -> list[Message]:
        index = None
        for message in messages:
            text = message.get(TEXT) or ""
            predicted = message.get(INTENT) or {}
            intent = predicted.get("name")
            if not text or text.startswith("/"):
                continue
            confidence = predicted.get("confidence") or 0.0
            period = bare_billing_period(text)  # "und jährlich?" after a price: annual billing; "and monthly?": price
            if period and intent != (DISCOUNT_INTENT if period == "year" else PRICE_INTENT):
                with_top_intent(message, DISCOUNT_INTENT if period == "year" else PRICE_INTENT, max(confidence, 0.5))
                continue
            if intent in ANNUAL_BILLING_MISREAD and asks_annual_billing(text):  # "spart man was, wenn man jährlich
                with_top_intent(message, DISCOUNT_INTENT, max(confidence, 0.5))  # zahlt?": the terms, worked out
                continue
            misread = (intent in CONTINUE_MISREAD or lacks_cue(text, intent)) and not _in_form(message)
            continued = continued_request(text, _previous_intent(message)) if misread else None  # "und jetzt?"
            if continued is not None and continued != intent:  # "bis wann gilt der?" after the vouchers: about them
                with_top_intent(message, continued, max(confidence, 0.5))
                continue
            if intent == ORDER_INTENT and asks_arrival(text):  # "if I order the clip today when would it get here?"
                with_top_intent(message, DELIVERY_INTENT, max(confidence, 0.5))
                continue
            if intent == SITUATION_INTENT and reports_fault(text):  # "2 of our sensors went offline": no prospect
                with_top_intent(message, SUPPORT_INTENT, max(confidence, 0.5))
                continue
            if intent in ESCALATION_MISREAD and asks_for_support(text):  # "and if it stays off?": our support
                with_top_intent(message, SUPPORT_INTENT, max(confidence, 0.5))
                continue
            if intent in FRIEND_DEAL_MISREAD and refers_someone(text):  # "my sister wants one too, any deal for her?"
                with_top_intent(message, VOUCHER_INTENT, max(confidence, 0.5))
                continue
            if intent in VOUCHER_MISREAD and names_voucher_code(text):  # "SOMMER25 geht nicht": that code's validity
                with_top_intent(message, VOUCHER_INTENT, max(confidence, 0.5))
                continue
            if intent == REVIEWS_INTENT and asks_payback(text) and not _REVIEW_WORDS.search(text):
                with_top_intent(message, ROI_INTENT, max(confidence, 0.5))  # "what payback do customers typically see?"
                continue
            if intent == TOPIC_INTENT and not is_question(text) and extract(text).has_facts():
                with_top_intent(message, SITUATION_INTENT, max(confidence, 0.5))  # "nur für mich, kleine mietwohnung"
                continue
            if (intent in SAVINGS_MISREAD or (intent == PRICE_INTENT and not asks_price(text))) and (
                    asks_savings(text) or asks_payback(text)):  # "was sparen wir?", "so when has it paid for itself",
                # "was bringt uns das konkret?" (no price asked): the calculator
                with_top_intent(message, ROI_INTENT, max(confidence, 0.5))
                continue
            if intent in CORRECTION_MISREAD and corrects_count(text) and not _in_form(message):
                with_top_intent(message, PRICE_INTENT, max(confidence, 0.5))  # "sorry, 12 not 21!": the price for 12
                continue
            grows = adds_units(text)  # "a 4th site?", "2 neue kommen dazu"; or only a size: "we'd need 10"
            if intent in GROWTH_MISREAD and (grows or (intent not in FORM_ANSWER_READINGS and is_bare_size(text))):
                with_top_intent(message, PRICE_INTENT, max(confidence, 0.5))
                continue
            if intent in YEARS_MISREAD and asked_years(text) and not asks_annual_billing(text):
                with_top_intent(message, PRICE_INTENT, max(confidence, 0.5))  # "and per year, all in?": the total
                continue
            if price_question(text, intent, confidence):  # a price question gets the worked-out price
                if intent != PRICE_INTENT:
                    with_top_intent(message, PRICE_INTENT, max(confidence, 0.5))
                continue
            index = index or self._index()
            if index is None:
                return messages
            keyed = keyword_answer(index, text, intent)
            if keyed is not None:  # "Ohne AVV geht nichts. Habt ihr einen?": the entry that term names
                with_top_intent(message, TOPIC_INTENT, min(1.0, keyed.score))
                continue
            if (intent in FOLLOW_UP_MISREAD or (intent == SITUATION_INTENT and not extract(text).has_facts())) and (
                    is_follow_up(text)):  # "and for the sensor product too?", "what about the other one, the clip?"
                with_top_intent(message, TOPIC_INTENT, max(confidence, 0.5))  # the previous question, for it
                continue
            if intent in OVERVIEW_MISREAD and compares_products(text) and index.entry(OVERVIEW_ENTRY):
                with_top_intent(message, TOPIC_INTENT, max(confidence, 0.5))  # "Unterschied Home und Business?"
                self._with_topic(message, OVERVIEW_ENTRY)
                continue
            match = reroute(index, text, intent, confidence)
            if match is not None:
                with_top_intent(message, TOPIC_INTENT, match.score)
                continue
            if (intent == FALLBACK_INTENT and asks_for_our_contact(text) and not _in_form(message)
                    and _previous_intent(message) not in CUSTOMER_INTENTS):  # a customer's problem: support
                with_top_intent(message, CONTACT_REQUEST_INTENT, 0.5)  # "wen ruft er an, wenn er Fragen hat?"
                continue
            falls_back = intent == FALLBACK_INTENT or lacks_cue(text, intent)
            in_context = in_context_entry(index, text, _previous_text(message)) if falls_back else None
            tied = None if in_context or intent != FALLBACK_INTENT or _in_form(message) else _tied_reading(
                message, text, confidence)  # a form takes what it asked for
            if in_context is not None:  # "ugh, so what do I do then" after the 5 GHz question: that entry
                with_top_intent(message, TOPIC_INTENT, in_context.score)
                self._with_topic(message, in_context.entry.id)
            elif tied is not None:  # "Gibts ein Video oder Datenblatt?": video 0.42, specs 0.40; the video answers
                with_top_intent(message, tied[0], tied[1])
            elif falls_back and intent != FALLBACK_INTENT:  # no payback calculator for "wie schnell wär das Teil da?"
                with_top_intent(message, FALLBACK_INTENT, 1.0 - confidence)
            elif intent == FALLBACK_INTENT and (focus := _focus(message)) and not _in_form(message):
                # the answer action looks the question up for the product in focus; what it answers from an entry of
                # that product was understood in context ("sieht man damit auch, wo nachts geheizt wird?" about
                # Business)
                best = index.lookup(text, None, focus).best
                if best is not None and best.entry.product == focus:
                    with_top_intent(message, TOPIC_INTENT, min(1.0, best.score))
        return messages

    def _with_topic(self, message: Message, entry_id: str) -> None:
        """Names the entry that answers the message, as the `topic` entity a topic button sends."""
        topic = {"entity": "topic", "value": entry_id, "extractor": type(self).__name__}
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), topic], add_to_output=True)


def _previous_text(message: Message) -> str | None:
    return (message.get("metadata") or {}).get(PREVIOUS_TEXT)


#: the FallbackClassifier's threshold and ambiguity threshold (config.yml): a reading at least this sure was
#: understood; two readings this close are tied
UNDERSTOOD = 0.3
TIED = 0.02
#: readings that are no answer of their own (conversation moves, contact details, payloads)
_NO_TIED_ANSWER = frozenset({"affirm", "deny", "stop", "greet", "goodbye", "thank", "inform_contact", "chitchat",
                             "out_of_scope", "page_view", TOPIC_INTENT, FALLBACK_INTENT})


def _tied_reading(message: Message, text: str, fallback_confidence: float) -> tuple[str, float] | None:
    """The classifier's best reading when the FallbackClassifier called the message not understood only because the
    two best were about as likely (within TIED), both at UNDERSTOOD or more: answering the first beats "I didn't get
    that". Not when IntentGuard found no known word (its fallback is sure: 1.0)."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != FALLBACK_INTENT]
    if fallback_confidence > UNDERSTOOD or len(ranking) < 2:
        return None
    first, second = (ranking[0].get("confidence") or 0.0), (ranking[1].get("confidence") or 0.0)
    if second < UNDERSTOOD or first - second > TIED:
        return None
    best = ranking[0]
    name, confidence = best.get("name"), best.get("confidence") or 0.0
    if name in _NO_TIED_ANSWER or lacks_cue(text, name):
        return None
    return name, confidence


def _previous_intent(message: Message) -> str | None:
    return (message.get("metadata") or {}).get(PREVIOUS_INTENT)


def _focus(message: Message) -> str | None:
    return (message.get("metadata") or {}).get(FOCUS)


def _in_form(message: Message) -> bool:
    """True while a form asks the visitor something: their answer is for it ("12, nicht 21" to the calculator)."""
    return bool((message.get("metadata") or {}).get(ACTIVE_LOOP))
