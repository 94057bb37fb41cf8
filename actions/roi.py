"""The ROI/TCO calculator as a Rasa form: asks only for what it does not know, then calculates."""

from __future__ import annotations

from abc import ABC
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.base import ServiceAction, UsesServices, visitor_products
from bot.catalogue.schema import Product
from bot.catalogue.service import find_product
from bot.conversation.answers import roi_prefill
from bot.conversation.pricing import plan_prices
from bot.conversation.questions import answer_question
from bot.conversation.situation import extract, fitting_product, from_slots
from bot.formatting import money, unit_name
from bot.roi import RoiInput, calculate_roi
from bot.roi_inputs import parse_energy_cost, parse_savings_rate, parse_units
from bot.roi_report import percent, roi_record, roi_values
from bot.text import is_question

ROI_SLOTS = ("roi_units", "roi_energy_cost", "roi_savings_rate")


def roi_product(products: list[Product], tracker: Tracker) -> Product | None:
    """The product to calculate: named or in context, else the one for the segment (households: Home)."""
    with_roi = [p for p in products if p.roi is not None]
    named = find_product(tracker.latest_message.get("text") or "", with_roi)
    if named:
        return named
    by_id = {p.id: p for p in with_roi}
    if tracker.get_slot("product") in by_id:
        return by_id[tracker.get_slot("product")]
    implied = fitting_product(from_slots(tracker.get_slot))  # what size and sector decide
    if implied in by_id:
        return by_id[implied]
    segment = tracker.get_slot("segment") or "b2b"  # ROI questions come mostly from businesses
    return next((p for p in with_roi if p.segment == segment), with_roi[0] if with_roi else None)


class RoiAction(ServiceAction, ABC):
    """Abstract: the product and texts the ROI actions share."""

    def roi_product(self, tracker: Tracker) -> Product | None:
        return roi_product(self.services.catalogue.products(), tracker)


class ValidateRoiForm(UsesServices, FormValidationAction):
    """Checks every answer; a household needs no unit count; invalid input gets a clear re-ask."""

    def name(self) -> str:
        return "validate_roi_form"

    def _product(self, tracker: Tracker) -> Product | None:
        return roi_product(self.services.catalogue.products(), tracker)

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        product = self._product(tracker)
        if product is not None and product.segment == "b2c":
            return [slot for slot in domain_slots if slot != "roi_units"]
        return domain_slots

    def _reask(self, dispatcher: CollectingDispatcher, tracker: Tracker, message: str) -> None:
        """Says why the answer does not fit; a question asked instead is answered (knowledge entry or nearest
        topics) rather than read as a wrong number. The form then asks again."""
        text = tracker.latest_message.get("text") or ""
        language = tracker.get_slot("language")
        if is_question(text):
            reply = answer_question(self.services.knowledge.get(), text, None, language,
                                    focus=tracker.get_slot("product"),
                                    segment_products=visitor_products(self.services, tracker))  # fmt: skip
            buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
            dispatcher.utter_message(text=reply.text, buttons=buttons)
            return
        dispatcher.utter_message(text=self.services.messages.get().render(message, language))

    def _stated(self, tracker: Tracker, slot: str, parse: Callable[[str], Any]) -> dict[str, Any]:
        """The requested number when the visitor stated it in a message the slot mapping skipped for its intent
        ("Stromkosten sind so 14.000 € im Jahr" read as a TCO question); a question is never taken as a number."""
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot("requested_slot") != slot or tracker.get_slot(slot) is not None or is_question(text):
            return {}
        value = parse(text)
        return {} if value is None else {slot: value if isinstance(value, int) else float(value)}

    async def extract_roi_units(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict[str, Any]:  # fmt: skip
        return self._stated(tracker, "roi_units", parse_units)

    async def extract_roi_energy_cost(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> dict[str, Any]:  # fmt: skip
        stated = self._stated(tracker, "roi_energy_cost", parse_energy_cost)
        if stated or tracker.get_slot("roi_energy_cost") is not None:
            return stated
        if tracker.get_slot("requested_slot") == "roi_energy_cost":
            return {}  # its own mapping reads the answer
        # the energy cost said while another number was asked for ("eine Halle, 4 Maschinen, Energiekosten so
        # 60.000 € im Jahr" as the answer to "how many?") is not asked for again
        text = tracker.latest_message.get("text") or ""
        cost = None if is_question(text) else extract(text).energy_cost_eur  # "Kostet das Set 390 €?" is no bill
        return {} if cost is None else {"roi_energy_cost": float(cost)}

    def validate_roi_units(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:  # fmt: skip
        units = parse_units(str(value))
        if units is None:
            self._reask(dispatcher, tracker, "roi_invalid_units")
        return {"roi_units": units}

    def validate_roi_energy_cost(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:  # fmt: skip
        cost = parse_energy_cost(str(value))
        if cost is None:
            self._reask(dispatcher, tracker, "roi_invalid_energy_cost")
        return {"roi_energy_cost": None if cost is None else float(cost)}

    def validate_roi_savings_rate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:  # fmt: skip
        product = self._product(tracker)
        typical = product.roi.savings_rate if product and product.roi else Decimal("0.1")
        rate = parse_savings_rate(str(value), typical)
        if rate is None and (tracker.latest_message.get("intent") or {}).get("name") == "ask_roi":
            rate = typical  # "und wann hat sich das gerechnet?": the visitor wants the result, with the typical rate
        if rate is None:
            self._reask(dispatcher, tracker, "roi_invalid_savings_rate")
        return {"roi_savings_rate": None if rate is None else float(rate)}


class ActionAskRoiUnits(RoiAction):
    def name(self) -> str:
        return "action_ask_roi_units"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        product = self.roi_product(tracker)
        language = tracker.get_slot("language")
        units = product.roi.units.get(language) if product and product.roi else ""
        self.say(dispatcher, tracker, "roi_ask_units", units=units, product_name=product.name if product else "")
        return []


class ActionAskRoiEnergyCost(RoiAction):
    def name(self) -> str:
        return "action_ask_roi_energy_cost"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        product = self.roi_product(tracker)
        language = tracker.get_slot("language") or "de"
        count = parse_units(str(tracker.get_slot("roi_units") or 1)) or 1
        if product is None or product.roi is None:
            scope, example = "", money(Decimal(10000), language)
        else:
            scope = f"{count} {unit_name(product, count, language)}"
            example = money(product.roi.typical_energy_cost_eur * count, language)
        self.say(dispatcher, tracker, "roi_ask_energy_cost", scope=scope, example=example)
        return []


class ActionAskRoiSavingsRate(RoiAction):
    def name(self) -> str:
        return "action_ask_roi_savings_rate"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        product = self.roi_product(tracker)
        typical = product.roi.savings_rate if product and product.roi else Decimal("0.1")
        self.say(dispatcher, tracker, "roi_ask_savings_rate", product_name=product.name if product else "",
                 typical=percent(typical, tracker.get_slot("language")))  # fmt: skip
        return []


class ActionCalculateRoi(RoiAction):
    """Annual savings, payback and three-year TCO with the assumptions; kept in `roi_result`."""

    def name(self) -> str:
        return "action_calculate_roi"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        product = self.roi_product(tracker)
        language = tracker.get_slot("language") or "de"
        if product is None or product.roi is None:
            self.say(dispatcher, tracker, "catalogue_unavailable")
            return []
        units = 1 if product.segment == "b2c" else parse_units(str(tracker.get_slot("roi_units") or 1))
        cost = parse_energy_cost(str(tracker.get_slot("roi_energy_cost") or ""))
        raw_rate = tracker.get_slot("roi_savings_rate")
        rate = None if raw_rate is None else parse_savings_rate(str(raw_rate), product.roi.savings_rate)
        invalid = "roi_invalid_units" if units is None else "roi_invalid_energy_cost" if cost is None else (
            "roi_invalid_savings_rate" if rate is None else None
        )
        if units is None or cost is None or rate is None:  # a sentence where a number belongs: say so, ask again
            self.say(dispatcher, tracker, str(invalid))
            return [SlotSet(name, None) for name in ROI_SLOTS]
        data = RoiInput(units=units, annual_energy_cost_eur=cost, savings_rate=rate)
        summary = roi_record(product, data, calculate_roi(data, plan_prices(product, units)))  # as the price answer
        values = roi_values(summary, product, language, self.services.messages.get())
        self.say(dispatcher, tracker, "roi_result", product_name=product.name, **values)
        return [SlotSet("roi_result", summary), SlotSet("product", product.id)]


class ActionStartRoi(RoiAction):
    """Starts the calculator with what the visitor already said (sites, energy cost), confirmed in one sentence;
    with size and cost known the typical savings rate is taken, so the result follows at once."""

    def name(self) -> str:
        return "action_start_roi"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        product = self.roi_product(tracker)
        prefill = roi_prefill(product, from_slots(tracker.get_slot), tracker.get_slot("language") or "de",
                              self.services.messages.get(), tracker.latest_message.get("text") or "")  # fmt: skip
        if prefill is None:
            self.say(dispatcher, tracker, "roi_intro")
            return []
        dispatcher.utter_message(text=prefill.text)
        return prefill.events
