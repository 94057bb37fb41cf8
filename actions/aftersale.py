"""After the sale (issue 16): the NPS question to existing customers and what follows each answer, the referral
link, a call from support for an unhappy customer, and more seats or sites for a business customer.

The logic is in bot/aftersale/ (scores, bands, storage, recognising customers, referral codes); the rules that
chain these actions are in data/rules/aftersale.yml.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.base import SayAction, ServiceAction, UsesServices
from bot.aftersale.customers import nps_due, nps_key
from bot.aftersale.nps import Answer, add_comment, band, invite, parse_score, record, rescore
from bot.aftersale.referrals import code_for, link
from bot.catalogue.schema import Product, ReviewPlatform
from bot.catalogue.service import products_for_segment
from bot.services import Services

logger = logging.getLogger(__name__)

#: what a customer types to leave the passive's question unanswered
_NO_COMMENT = {"nein", "no", "nö", "nichts", "nothing", "nix", "passt", "skip", "überspringen", "keine", "none", "-"}


def new_request(tracker: Tracker) -> list[EventType]:
    """A request of another kind after a stored handoff (support after sales, say): its consent is asked again, for
    its own purpose, and the contact details confirmed again."""
    if not tracker.get_slot("handoff_id"):
        return []
    return [SlotSet("lead_consent", None), SlotSet("lead_contact", None), SlotSet("lead_callback_time", None)]


def nps_buttons() -> list[dict[str, str]]:
    return [{"title": str(score), "payload": f'/nps_score{{"nps_score": "{score}"}}'} for score in range(11)]


def _customer_key(tracker: Tracker) -> str:
    return nps_key(tracker.get_slot("customer_number"), tracker.sender_id)


def _period(services: Services) -> dt.timedelta:
    return dt.timedelta(days=services.settings.nps_period_days)


def should_ask_nps(services: Services, tracker: Tracker) -> bool:
    """A recognised customer not asked in this conversation and not answered within the period (NPS_PERIOD_DAYS).
    A database failure means: do not ask (the question can wait; the conversation must not break)."""
    if not tracker.get_slot("existing_customer"):
        return False
    try:
        return nps_due(services.session_factory, _customer_key(tracker), bool(tracker.get_slot("nps_asked")),
                       services.now(), _period(services))  # fmt: skip
    except SQLAlchemyError as error:
        logger.error("NPS not asked in conversation %s: %s", tracker.sender_id, error)
        return False


def ask_nps(services: Services, dispatcher: CollectingDispatcher, tracker: Tracker, message: str = "nps_question"
            ) -> list[EventType]:  # fmt: skip
    """Puts the NPS question (`message`) with buttons 0–10, and notes that it was put: the customer is not asked
    again within the period, answered or not."""
    try:
        invite(services.session_factory, _customer_key(tracker), tracker.sender_id, services.now())
    except SQLAlchemyError as error:  # asked all the same; it may be asked again sooner
        logger.error("NPS invitation of conversation %s not stored: %s", tracker.sender_id, error)
    text = services.messages.get().render(message, tracker.get_slot("language"))
    dispatcher.utter_message(text=text, buttons=nps_buttons())
    return [SlotSet("nps_asked", True), SlotSet("nps_due", False)]


class ActionAskNps(ServiceAction):
    """After thanks for a support answer that helped (data/rules/aftersale.yml): the NPS question, if still due."""

    def name(self) -> str:
        return "action_ask_nps"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if not should_ask_nps(self.services, tracker):
            return [SlotSet("nps_due", False)]
        return ask_nps(self.services, dispatcher, tracker)


def _score(tracker: Tracker) -> int | None:
    """The score from the buttons' entity, else read from what was typed."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "nps_score":
            try:
                value = int(str(entity.get("value")))
            except ValueError:
                return None
            return value if 0 <= value <= 10 else None
    text = tracker.latest_message.get("text") or ""
    return None if text.startswith("/") else parse_score(text)


def _product(services: Services, tracker: Tracker) -> Product | None:
    """The product the customer talked about, else their segment's when it has only one (Home for households);
    None when it is not known (no guessing: the answer is stored without a product)."""
    products = services.catalogue.products()
    by_id = {p.id: p for p in products}
    if tracker.get_slot("product") in by_id:
        return by_id[tracker.get_slot("product")]
    fitting = products_for_segment(products, tracker.get_slot("segment")) if tracker.get_slot("segment") else []
    return fitting[0] if len(fitting) == 1 else None


def _platforms(services: Services, product: Product | None) -> list[ReviewPlatform]:
    """The product's review platforms; without a known product, every product's, each platform once."""
    if product is not None:
        return list(product.review_platforms)
    seen: dict[str, ReviewPlatform] = {}
    for each in services.catalogue.products():
        for platform in each.review_platforms:
            seen.setdefault(platform.name.casefold(), platform)
    return list(seen.values())


def _reason(tracker: Tracker) -> str | None:
    """A typed answer longer than a short one ("3, der Support war langsam"), kept as the answer's comment."""
    text = (tracker.latest_message.get("text") or "").strip()
    return text[:2000] if text and not text.startswith("/") and len(text.split()) > 3 else None


class ActionNpsAnswer(ServiceAction):
    """Stores the score (with conversation, customer, product, phase, language and date) and answers its band:
    promoters get the review platforms and their referral link, passives are asked what would make it a 10 (the
    form nps_comment_form), detractors an apology and the offer of a call from support (`pending_offer`)."""

    def name(self) -> str:
        return "action_nps_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        services = self.services
        score = _score(tracker)
        if not tracker.get_slot("nps_asked"):
            # a rating nobody asked for ("10 out of 10 from me!"): thanks; only answers to the question count
            self.say(dispatcher, tracker, "nps_unprompted")
            return [SlotSet("nps_band", None)]
        if score is None:
            text = services.messages.get().render("nps_unclear", tracker.get_slot("language"))
            dispatcher.utter_message(text=text, buttons=nps_buttons())
            return [SlotSet("nps_band", None), SlotSet("nps_asked", True)]
        product = _product(services, tracker)
        answer = Answer(conversation_id=tracker.sender_id, customer=_customer_key(tracker), score=score,
                        language=tracker.get_slot("language") or "de", product=product.id if product else None,
                        phase=tracker.get_slot("journey_phase"))  # fmt: skip
        stored = tracker.get_slot("nps_answer_id")
        try:  # a second score in the same conversation corrects the first
            answer_id = rescore(services.session_factory, int(stored), score) if stored else None
            answer_id = answer_id or record(services.session_factory, answer, services.now())
            reason = _reason(tracker)
            if reason:
                add_comment(services.session_factory, answer_id, reason)
        except SQLAlchemyError as error:  # the customer still gets the answer to their band; the score is lost
            logger.error("NPS answer %s of conversation %s not stored: %s", score, tracker.sender_id, error)
            answer_id = None
        events: list[EventType] = [SlotSet("nps_band", band(score)), SlotSet("nps_answer_id", answer_id),
                                   SlotSet("nps_asked", True)]  # fmt: skip
        if band(score) == "promoter":
            self._promoter(dispatcher, tracker, product)
        elif band(score) == "detractor":
            self.say(dispatcher, tracker, "nps_detractor")
            made = list(tracker.get_slot("offers_made") or [])
            events += [SlotSet("pending_offer", "support_call"), SlotSet("offers_made", [*made, "support_call"])]
        return events  # a passive is asked by the form (action_ask_nps_comment)

    def _promoter(self, dispatcher: CollectingDispatcher, tracker: Tracker, product: Product | None) -> None:
        services = self.services
        platforms = _platforms(services, product)
        if platforms:
            listed = ", ".join(f"[{p.name}]({p.url})" for p in platforms)
            self.say(dispatcher, tracker, "nps_promoter", product_name=product.name if product else "Wattwerk",
                     platforms=listed)  # fmt: skip
        else:
            self.say(dispatcher, tracker, "nps_promoter_thanks")
        try:
            code = code_for(services.session_factory, _customer_key(tracker), tracker.sender_id, services.now())
        except SQLAlchemyError as error:
            logger.error("Referral code for conversation %s not made: %s", tracker.sender_id, error)
            return
        self.say(dispatcher, tracker, "nps_referral", link=link(services.settings.web_base_url, code), code=code)


class ActionAskNpsComment(SayAction):
    """The passive's question: what would make it a 10."""

    message = "nps_passive"

    def name(self) -> str:
        return "action_ask_nps_comment"


class ValidateNpsCommentForm(UsesServices, FormValidationAction):
    """Whatever the customer writes is the comment; "nein", "nichts", "skip" or stop leave it empty ("–")."""

    def name(self) -> str:
        return "validate_nps_comment_form"

    def validate_nps_comment(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:  # fmt: skip
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = str(value or "").strip()
        if intent in ("deny", "stop") or text.lower().strip(".!") in _NO_COMMENT:
            return {"nps_comment": "–"}
        return {"nps_comment": text[:2000]}


class ActionSaveNpsComment(ServiceAction):
    """Adds the passive's comment to their stored answer."""

    def name(self) -> str:
        return "action_save_nps_comment"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        comment = tracker.get_slot("nps_comment") or "–"
        answer_id = tracker.get_slot("nps_answer_id")
        if comment == "–":
            self.say(dispatcher, tracker, "nps_comment_skipped")
            return [SlotSet("nps_comment", None)]
        if answer_id:
            try:
                add_comment(self.services.session_factory, int(answer_id), comment)
            except SQLAlchemyError as error:
                logger.error("NPS comment of conversation %s not stored: %s", tracker.sender_id, error)
        self.say(dispatcher, tracker, "nps_comment_saved")
        return [SlotSet("nps_comment", None)]


class ActionRequestSupportCall(ServiceAction):
    """An unhappy customer said yes to a call from support: the contact questions with consent, then a handoff of
    kind `support` to the support team (data/sales/team.yml)."""

    def name(self) -> str:
        return "action_request_support_call"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("handoff_id") and tracker.get_slot("handoff_kind") == "support":
            self.say(dispatcher, tracker, "support_already", salesperson=tracker.get_slot("handoff_assignee") or "")
            return [SlotSet("contact_path", "done")]
        return [*new_request(tracker), SlotSet("handoff_kind", "support"), SlotSet("contact_path", "lead")]


class ActionReferralLink(ServiceAction):
    """A customer who asks about recommending us gets the review link and their personal referral link; the code is
    generated once per customer (customer number, else the conversation) and stored."""

    def name(self) -> str:
        return "action_referral_link"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        services = self.services
        code = code_for(services.session_factory, _customer_key(tracker), tracker.sender_id, services.now())
        self.say(dispatcher, tracker, "referral_link", link=link(services.settings.web_base_url, code), code=code)
        return []
