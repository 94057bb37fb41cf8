"""The sales handoff in the chat: the lead form, consent, the stored handoff and what happens next."""

from __future__ import annotations

import hashlib
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.aftersale import new_request
from actions.base import SayAction, ServiceAction, UsesServices
from actions.live import live_button, live_person
from actions.meetings import meeting_button
from bot.contact import (
    ContactDetails,
    asks_for_our_contact,
    consent_answer,
    details_from_conversation,
    looks_like_bad_email,
    plausible_company,
    plausible_name,
)
from bot.conversation.answers import known_facts
from bot.conversation.situation import from_slots
from bot.formatting import next_slot
from bot.privacy.forget import forget_contact_details
from bot.sales.handoffs import Consent, Contact, brief_from_events, complete_handoff, create_handoff
from bot.sales.routing import callback_promise
from bot.services import Services
from bot.text import markdown_literal

LEAD_SLOTS = ("lead_name", "lead_company", "lead_contact", "lead_consent")
_STOP_OR_QUESTION = ("stop", "ask_", "request_contact", "chitchat", "out_of_scope", "goodbye", "affirm", "deny")
_SKIP = {"überspringen", "ueberspringen", "skip", "egal", "nein", "no", "nope", "later", "später", "ja", "yes"}
_ANY_TIME = {"egal", "jederzeit", "immer", "beliebig", "any", "anytime", "whenever", "skip", "überspringen",
             "ueberspringen", "nein", "no", "passt"}  # fmt: skip


def conversation_details(tracker: Tracker) -> ContactDetails:
    """Everything the visitor revealed in any message of this conversation."""
    messages = [
        (event.get("text") or "", (event.get("parse_data") or {}).get("entities") or [])
        for event in tracker.events
        if event.get("event") == "user" and not (event.get("text") or "").startswith("/")
    ]
    return details_from_conversation(messages)


def forget_lead_details(services: Services, tracker: Tracker) -> None:
    """No consent: the contact details typed so far are removed from the stored conversation."""
    details = conversation_details(tracker)
    known = [details.name, details.company, details.email, details.phone,
             *(tracker.get_slot(slot) for slot in ("lead_name", "lead_company", "lead_contact"))]  # fmt: skip
    forget_contact_details(services.session_factory, tracker.sender_id, [str(k) for k in known if k],
                           tracker.get_slot("language"))  # fmt: skip


def consent_text(services: Services, language: str) -> tuple[str, str]:
    """The consent question as shown, and its version (changes whenever an editor changes the text)."""
    templates = services.messages.get().templates["lead_consent"]
    version = hashlib.sha256((templates["de"] + "\n" + templates["en"]).encode()).hexdigest()[:12]
    return templates["en" if language == "en" else "de"], version


class ActionHandleContactRequest(ServiceAction):
    """Businesses (and visitors whose segment is not known) get the lead form, after our sales contact when they asked
    for it; households self-service."""

    def name(self) -> str:
        return "action_handle_contact_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("segment") != "b2c" and asks_for_our_contact(tracker.latest_message.get("text") or ""):
            self.say(dispatcher, tracker, "summary_contact")  # "is there a phone number for sales?": ours first
        if tracker.get_slot("segment") == "b2c":
            self.say(dispatcher, tracker, "lead_self_service")
            return [SlotSet("contact_path", "self_service")]
        if tracker.get_slot("handoff_id") and (tracker.get_slot("handoff_kind") or "sales") == "sales":
            self.say(dispatcher, tracker, "lead_already", salesperson=tracker.get_slot("handoff_assignee") or "")
            return [SlotSet("contact_path", "done")]
        return [*new_request(tracker), SlotSet("contact_path", "lead"), SlotSet("handoff_kind", "sales")]


class ValidateLeadForm(UsesServices, FormValidationAction):
    """Takes details from any message of the conversation; re-asks for invalid e-mail or phone."""

    def name(self) -> str:
        return "validate_lead_form"

    @staticmethod
    def _answering(tracker: Tracker, slot: str) -> str | None:
        """The latest message, if it answers the question for `slot` (not a question or "stop")."""
        if tracker.get_slot("requested_slot") != slot:
            return None
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        if intent.startswith(_STOP_OR_QUESTION):
            return None
        return tracker.latest_message.get("text") or None

    async def extract_lead_contact(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:  # fmt: skip
        details = conversation_details(tracker)
        contact = ", ".join(filter(None, (details.email, details.phone)))
        if contact:
            return {"lead_contact": contact} if contact != tracker.get_slot("lead_contact") else {}
        text = self._answering(tracker, "lead_contact")
        if text and (looks_like_bad_email(text) or sum(c.isdigit() for c in text) >= 4):
            dispatcher.utter_message(
                text=self.services.messages.get().render("lead_invalid_contact", tracker.get_slot("language"))
            )
        return {}

    async def extract_lead_consent(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:  # fmt: skip
        if tracker.get_slot("requested_slot") != "lead_consent":
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in ("deny", "stop"):
            return {"lead_consent": False}
        answer = consent_answer(tracker.latest_message.get("text") or "")
        if intent == "affirm" and answer is not False:
            return {"lead_consent": True}
        return {} if answer is None else {"lead_consent": answer}


class ActionAskLeadContact(SayAction):
    """Asks how to reach the visitor and confirms what they already said (sites, energy cost), so sales
    does not ask again; for a call from support, support's own question."""

    message = "lead_ask_contact"

    def name(self) -> str:
        return "action_ask_lead_contact"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("handoff_kind") == "support":
            self.say(dispatcher, tracker, "support_ask_contact")
            return []
        self.say(dispatcher, tracker, self.message)
        known = known_facts(from_slots(tracker.get_slot), tracker.get_slot("language") or "de",
                            self.services.messages.get(), self.services.catalogue.products())  # fmt: skip
        if known:
            self.say(dispatcher, tracker, "lead_known", known=known)
        return []


class ActionAskLeadConsent(ServiceAction):
    """States the purpose, links the privacy policy and asks yes or no."""

    def name(self) -> str:
        return "action_ask_lead_consent"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = tracker.get_slot("language") or "de"
        details = conversation_details(tracker)
        contact = ", ".join(v for v in (details.name, details.company, details.email, details.phone) if v)
        text = self.services.messages.get().render("lead_consent", language, contact=markdown_literal(contact))
        yes, no = ("Yes, agreed", "No") if language == "en" else ("Ja, einverstanden", "Nein")
        dispatcher.utter_message(text=text, buttons=[{"title": yes, "payload": "/affirm"},
                                                     {"title": no, "payload": "/deny"}])  # fmt: skip
        return []


class ActionSubmitLead(ServiceAction):
    """With consent: stores the handoff (committed before confirming), then says who calls when."""

    def name(self) -> str:
        return "action_submit_lead"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        language = tracker.get_slot("language") or "de"
        team = self.services.team.get()
        kind = tracker.get_slot("handoff_kind") or "sales"
        if not tracker.get_slot("lead_consent"):
            forget_lead_details(self.services, tracker)
            self.say(dispatcher, tracker, "support_no_consent" if kind == "support" else "lead_no_consent")
            return [*(SlotSet(slot, None) for slot in LEAD_SLOTS), SlotSet("contact_path", None),
                    SlotSet("handoff_stored", False)]  # fmt: skip
        now = self.services.now()
        text, version = consent_text(self.services, language)
        details = conversation_details(tracker)
        contact = Contact(name=details.name, company=details.company, email=details.email, phone=details.phone)
        brief = brief_from_events(tracker.events, tracker.slots)
        handoff = create_handoff(
            self.services.session_factory, tracker.sender_id, contact, Consent(now, version, text), brief, team,
            self.services.settings.handoff_channels, now, kind=kind,
        )  # fmt: skip
        person = handoff.assignee
        name = person.name if person else "Wattwerk"
        if not handoff.created:  # this conversation's request of this kind is stored already: nothing new was sent
            self.say(dispatcher, tracker, "support_already" if kind == "support" else "lead_already", salesperson=name)
            return [SlotSet("handoff_id", handoff.id), SlotSet("handoff_assignee", name), SlotSet("contact_path", None),
                    SlotSet("handoff_stored", False)]  # fmt: skip
        promise = callback_promise(person, now, team.promise_hours) if person else None
        values = {"name_part": f", {markdown_literal(contact.name)}" if contact.name else "", "salesperson": name,
                  "salesperson_first": name.split()[0]}  # fmt: skip
        support = kind == "support"  # the support team calls back, and the text says so
        if promise is None or promise.within_hours:
            self.say(dispatcher, tracker, "support_confirm_soon" if support else "lead_confirm_soon",
                     hours=team.promise_hours, **values)  # fmt: skip
        else:
            self.say(dispatcher, tracker, "support_confirm_later" if support else "lead_confirm_later",
                     when=next_slot(promise.at, language), **values)  # fmt: skip
        known = [SlotSet(f"lead_{k}", v) for k, v in (("name", contact.name), ("company", contact.company)) if v]
        return [SlotSet("handoff_id", handoff.id), SlotSet("handoff_assignee", name), SlotSet("contact_path", None),
                SlotSet("handoff_stored", True), *known]  # fmt: skip


class ActionAskLeadCallbackTime(ServiceAction):
    """When is a call convenient; beside it a meeting to book (actions/meetings.py) and, in business hours while a
    salesperson has the live queue open, a chat with them now (actions/live.py)."""

    def name(self) -> str:
        return "action_ask_lead_callback_time"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        messages, language = self.services.messages.get(), tracker.get_slot("language")
        if not tracker.get_slot("handoff_id") or tracker.get_slot("handoff_kind") not in (None, "sales"):
            self.say(dispatcher, tracker, "lead_ask_callback")
            return []
        texts, buttons = [messages.render("lead_ask_callback", language)], [meeting_button(self.services, tracker)]
        person = live_person(self.services, tracker)
        if person is not None:
            texts.append(messages.render("live_offer", language, salesperson=markdown_literal(person.name)))
            buttons.insert(0, live_button(self.services, tracker))
        dispatcher.utter_message(text="\n\n".join(texts), buttons=buttons)
        return []


class ActionAskLeadName(SayAction):
    message = "lead_ask_name"

    def name(self) -> str:
        return "action_ask_lead_name"


class ActionAskLeadCompany(SayAction):
    message = "lead_ask_company"

    def name(self) -> str:
        return "action_ask_lead_company"


class ValidateCallbackForm(UsesServices, FormValidationAction):
    """After consent: asks only for what is still missing (name and company are prefilled when known),
    then the callback time. Every question can be skipped ("überspringen", "skip", "egal", "ja").
    """

    def name(self) -> str:
        return "validate_callback_form"

    @staticmethod
    def _answer(value: Any, parse: Any) -> str | None:
        """None stays None (ask); a skip word gives "–"; otherwise what was typed, tidied."""
        if value is None:
            return None
        text = str(value).strip()
        if not text or (len(text.split()) <= 2 and _SKIP & set(text.lower().strip("„“\"'.!").split())):
            return "–"
        return parse(text) or text[:200]

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:  # fmt: skip
        """Support calls a customer back: their company is not asked."""
        if tracker.get_slot("handoff_kind") == "support":
            return [slot for slot in domain_slots if slot != "lead_company"]
        return domain_slots

    def validate_lead_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:  # fmt: skip
        return {"lead_name": self._answer(value, plausible_name)}

    def validate_lead_company(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:  # fmt: skip
        return {"lead_company": self._answer(value, plausible_company)}


class ActionSaveCallbackTime(ServiceAction):
    """Adds name and company (if they were asked after consent) and the callback time to the handoff."""

    def name(self) -> str:
        return "action_save_callback_time"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        wanted = (tracker.get_slot("lead_callback_time") or "").strip()
        language = tracker.get_slot("language") or "de"
        if not wanted or _ANY_TIME & set(wanted.lower().replace("-", " ").split()):
            wanted = "any time" if language == "en" else "jederzeit"
        handoff_id = tracker.get_slot("handoff_id")
        if handoff_id:
            given = {key: tracker.get_slot(f"lead_{key}") for key in ("name", "company")}
            complete_handoff(self.services.session_factory, int(handoff_id), self.services.now(), callback_time=wanted,
                             **{key: value for key, value in given.items() if value and value != "–"})  # fmt: skip
        self.say(dispatcher, tracker, "lead_callback_saved", callback_time=markdown_literal(wanted))
        # a live chat nobody could take, or slots shown: over now, and not a state later turns should depend on
        return [SlotSet("lead_callback_time", wanted), SlotSet("live_state", None), SlotSet("meeting_state", None)]


class ActionCancelLead(ServiceAction):
    """The visitor stopped the lead form: no handoff, and the contact details typed so far are
    removed from the stored conversation."""

    def name(self) -> str:
        return "action_cancel_lead"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        forget_lead_details(self.services, tracker)
        self.say(dispatcher, tracker, "lead_no_consent")
        return [*(SlotSet(slot, None) for slot in LEAD_SLOTS), SlotSet("contact_path", None)]
