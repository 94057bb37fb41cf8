"""Tracks where the visitor stands in the journey, after every message."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.base import ServiceAction
from bot.aftersale.customers import Recognition, recognise
from bot.aftersale.referrals import credit
from bot.catalogue.service import find_product
from bot.conversation.situation import (
    BUSINESS,
    SECTORS,
    SENSE,
    extract,
    from_slots,
    slot_values,
    with_added,
    with_known_sites,
)
from bot.journey.inference import Turn, infer_journey, turns_from_events
from bot.journey.touchpoint import referral_code

logger = logging.getLogger(__name__)


class ActionTrackJourney(ServiceAction):
    """Sets journey_phase, persona, segment, language and the first touchpoint from the conversation so far,
    and the visitor's situation (domain/situation.yml, the product in focus) from the latest message.

    Rasa runs it inside action_extract_slots after each visitor message (the slots' custom
    mapping names it), so the answer to that message already sees the updated slots.
    """

    def name(self) -> str:
        return "action_track_journey"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turns = turns_from_events(tracker.events)
        state = infer_journey(
            turns,
            self.services.evidence.get(),
            default_language=self.services.settings.default_language,
            signal=self.services.signal.get(),
            phase_model=self.services.phase_model.get(),
        )
        slots = {
            "journey_phase": state.phase,
            "persona": state.persona,
            "segment": state.segment,
            "language": state.language,
            "touchpoint": state.touchpoint,
        }
        values, stated_now = self._situation(tracker, state.segment)
        slots.update(values)
        explanation = state.explanation()
        if slots["segment"] != state.segment:  # the visitor's stated situation decided it
            explanation["segment"] = self._stated_segment(tracker, turns, slots, stated_now)
        slots["journey_explanation"] = explanation
        slots.update(self._customer(tracker, turns, state.phase))
        if state.touchpoint == "referral" and tracker.get_slot("touchpoint") is None:
            self._credit_referral(tracker, turns)
        return [SlotSet(name, value) for name, value in slots.items() if tracker.get_slot(name) != value]

    def _customer(self, tracker: Tracker, turns: list[Turn], phase: str | None) -> dict[str, Any]:
        """Whether this is an existing customer's conversation (bot/aftersale/customers.py), and their number."""
        known = Recognition(bool(tracker.get_slot("existing_customer")), tracker.get_slot("customer_number"))
        found = recognise([turn.text for turn in turns if turn.typed], [turn.page for turn in turns if turn.page],
                          phase, self.services.website.get(), known)  # fmt: skip
        values = {"existing_customer": found.customer or None, "customer_number": found.number}
        if tracker.get_slot("nps_due") and (tracker.latest_message.get("intent") or {}).get("name") != "thank":
            values["nps_due"] = False  # the NPS question follows thanks for the support answer, not a later one
        return values

    def _credit_referral(self, tracker: Tracker, turns: list[Turn]) -> None:
        """A visitor who arrived with a customer's referral link: that customer is credited (once per visitor)."""
        code = referral_code(next((turn.page for turn in turns if turn.page), None))
        if code is None:
            return
        try:
            credit(self.services.session_factory, code, tracker.sender_id, self.services.now())
        except SQLAlchemyError as error:  # the conversation goes on; the credit is missing, and said so
            logger.error("Referral %s of conversation %s not credited: %s", code, tracker.sender_id, error)

    @staticmethod
    def _stated_segment(tracker: Tracker, turns: list[Turn], slots: dict[str, Any], stated_now: bool) -> dict[str, Any]:
        """The segment's reason when the situation decided it: the message that stated it, kept from turn to turn."""
        before = (tracker.get_slot("journey_explanation") or {}).get("segment") or {}
        kept = [r for r in before.get("reasons") or [] if r.get("source") == "situation"]
        if kept and before.get("value") == slots["segment"] and not stated_now:
            return before
        typed = sum(turn.typed for turn in turns)
        number = typed if stated_now and typed else None
        reason = {"message": number, "source": "situation", "name": slots.get("situation_sector"), "score": None}
        return {"value": slots["segment"], "reasons": [reason]}

    def _situation(self, tracker: Tracker, inferred_segment: str | None) -> tuple[dict[str, Any], bool]:
        """What the latest message adds to the situation; a segment the visitor stated beats keyword hints.
        Also whether the latest message stated a segment or sector."""
        text = tracker.latest_message.get("text") or ""
        products = self.services.catalogue.products()
        entity = next(tracker.get_latest_entity_values("product"), None)
        named = {p.id: p for p in products}.get(entity or "") or find_product(text, products)
        known = from_slots(tracker.get_slot)
        said = with_known_sites(known, with_added(known, extract(text, named.id if named else None), text), text)
        situation = known.refined(said)
        values = slot_values(situation)
        sector_segment = next((segment for name, segment, _, _ in SECTORS if name == situation.sector), None)
        # a sector the visitor named ("in our flat") beats a segment a product only implies ("is the sensor broken?")
        values["segment"] = sector_segment or said.segment or inferred_segment
        # a large energy bill alone implies Business: it does not replace a business product in focus ("the energy
        # bill for that hall is around 180,000 EUR": still Sense), only the household's clip
        bill_only = not named and said.product == BUSINESS and not (
            said.sites or said.measuring_points or said.employees or said.sector)
        if said.product and not (bill_only and known.product in (BUSINESS, SENSE)):
            values["product"] = said.product
        return values, bool(said.segment or said.sector)
