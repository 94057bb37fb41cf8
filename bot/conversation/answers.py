"""What we answer from what is known: the fitting product with the visitor's numbers, a worked-out price."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rasa_sdk.events import SlotSet

from bot.catalogue.schema import Product
from bot.conversation.knowledge import named_product
from bot.conversation.pricing import (
    Quote,
    asked_years,
    asks_payoff,
    is_tiered,
    monthly_calculation,
    named_plan,
    one_off_calculation,
    quote,
    quote_message,
)
from bot.conversation.situation import (
    BUSINESS,
    HOME,
    SENSE,
    SLOTS,
    Situation,
    added_count,
    bare_count,
    extract,
    fitting_product,
    quantity_for,
    with_added,
)  # fmt: skip
from bot.formatting import money, plans_text, unit_name
from bot.messages import Messages
from bot.roi_report import percent

_KEYS = {BUSINESS: "business", SENSE: "sense", HOME: "home"}
PERSONAS = ("budget_owner", "technical", "skeptic", "influencer", "experience_seeker")


@dataclass(frozen=True)
class Answer:
    text: str
    events: list[Any] = field(default_factory=list)


def quantity_slot(product_id: str) -> str | None:
    """The situation slot that holds the product's quantity (sites for Business, measuring points for Sense)."""
    return {BUSINESS: SLOTS["sites"], SENSE: SLOTS["measuring_points"]}.get(product_id)


def savings_text(product: Product, energy_cost: Decimal, language: str, messages: Messages) -> str:
    rate = product.roi.savings_rate if product.roi else Decimal("0.1")
    return messages.render("situation_savings", language, energy_cost=money(energy_cost, language),
                           rate=percent(rate, language), savings=money(energy_cost * rate, language))  # fmt: skip


def situation_answer(
    situation: Situation,
    products: Sequence[Product],
    *,
    language: str,
    persona: str | None,
    messages: Messages,
    follow_up_count: int | None = None,
    text: str = "",
) -> Answer | None:
    """The product that fits, why in one sentence with the visitor's numbers, a worked-out price when the
    size is known, the savings when the energy cost is known, and the next step for the persona.
    None when nothing decides the product yet."""
    product = _fitting(situation, products)
    if product is None:
        return None
    count = quantity_for(situation, product.id)
    events: list[Any] = []
    if follow_up_count and product.id != HOME:  # "and for 25?": a new size for the product in focus
        count = follow_up_count
        slot = quantity_slot(product.id)
        if slot:
            events.append(SlotSet(slot, float(count)))
    parts = [_reason(product, count, language, messages)]
    if situation.energy_cost_eur:
        parts.append(savings_text(product, situation.energy_cost_eur, language, messages))
    worked_out = quote(product, count) if count and product.id != HOME else None
    if worked_out:
        parts.append(quote_message(worked_out, language, messages))
        grown = growth_note(worked_out, text, language, messages)
        if grown:
            parts.append(grown)
    elif product.segment == "b2c" or count is None:  # a household, or a size not yet said: what the plans cost
        parts.append(plans_text(product, language))
    if product.roi and product.roi.typical_results and asks_payoff(text):  # "zahlt si des aus?", "my boss wants
        parts.append(product.roi.typical_results.get(language))  # numbers": what customers typically get
    combined = _with_sites(product, situation, products, language, messages)
    if combined:
        parts.append(combined)
    if persona == "budget_owner" and situation.energy_cost_eur:  # never ask for what the visitor already said
        parts.append(messages.render("situation_next_budget_owner_known", language))
    elif persona in PERSONAS:
        parts.append(messages.render(f"situation_next_{persona}", language))
    if product.segment == "b2b" and persona != "influencer":
        parts.append(messages.render("situation_next_b2b", language))
    elif product.segment == "b2c" and persona is None:
        parts.append(messages.render("situation_next_b2c", language))
    if situation.product != product.id:
        events.append(SlotSet("product", product.id))
    return Answer("\n\n".join(parts), events)


def _with_sites(product: Product, situation: Situation, products: Sequence[Product], language: str,
                messages: Messages) -> str | None:  # fmt: skip
    """Machines on several sites ("2 Werke, 40 Maschinen"): the sites compared in one dashboard with Business."""
    business = next((p for p in products if p.id == BUSINESS), None)
    if product.id != SENSE or business is None or not situation.sites or situation.sites < 2:
        return None
    worked_out = quote(business, situation.sites)
    if worked_out is None:
        return None
    return messages.render("situation_sense_with_business", language, sites=situation.sites,
                           product_name=business.name, plan_name=worked_out.plan.name.get(language),
                           monthly=money(worked_out.monthly_eur, language))  # fmt: skip


def _fitting(situation: Situation, products: Sequence[Product]) -> Product | None:
    return next((p for p in products if p.id == fitting_product(situation)), None)


def _reason(product: Product, count: int | None, language: str, messages: Messages) -> str:
    key = _KEYS.get(product.id, "business")
    if count and product.roi:
        key_count = "situation_scope_one" if count == 1 else "situation_scope_count"  # "Ihren Standort"
        scope = messages.render(key_count, language, count=count, units=unit_name(product, count, language))
    else:
        scope = messages.render(f"situation_scope_{key}", language)
    return messages.render(f"situation_reason_{key}", language, scope=scope)


def situation_reason(situation: Situation, products: Sequence[Product], *, language: str,
                     messages: Messages) -> Answer | None:  # fmt: skip
    """Only the product that fits and why, in one sentence: said before the answer to a question asked together
    with the situation ("physio chain, 5 clinics. can your data go into Power BI?"). None: nothing decides."""
    product = _fitting(situation, products)
    if product is None:
        return None
    events = [SlotSet("product", product.id)] if situation.product != product.id else []
    return Answer(_reason(product, quantity_for(situation, product.id), language, messages), events)


def growth_note(q: Quote, text: str, language: str, messages: Messages) -> str | None:
    """What the units the message adds ("we add 5 more", "2 neue Filialen kommen dazu") change: what the added units
    cost on their own (per-unit products), or the plan that is enough before them when the total needs a bigger
    one (tiered products). None: nothing added, or nothing changes."""
    added = added_count(text)
    if not added or q.units <= added:
        return None
    before = q.units - added
    if is_tiered(q.product):
        now = quote(q.product, before)
        if now is None or now.plan.id == q.plan.id:
            return None
        key = "price_growth_plan" if before > 1 else "price_growth_plan_one"
        return messages.render(key, language, count=before,
                               units=unit_name(q.product, before, language), plan_name=now.plan.name.get(language),
                               monthly=money(now.monthly_eur, language))  # fmt: skip
    extra = quote(q.product, added, q.plan)
    if extra is None:
        return None
    key = "price_growth_units" if added > 1 else "price_growth_unit"
    return messages.render(key, language, added=added, units=unit_name(q.product, added, language),
                           one_off=one_off_calculation(extra, language),
                           monthly=monthly_calculation(extra, language))  # fmt: skip


def price_for_size(product: Product, situation: Situation, text: str) -> Quote | None:
    """A worked-out price when the size is known: a count in this message (`for the 9 shops`, `and for 25?`,
    `ordering 2`, with what it adds: `10 points and 5 more`) or the one the visitor gave before; None: show the
    price list."""
    said = with_added(Situation(), extract(text, product.id), text)
    count = quantity_for(said, product.id)
    added = added_count(text)
    if count is not None and count == added:
        count = None  # "2 neue Filialen kommen dazu": added to the known count (the slots hold the total)
    count = count or (None if added else bare_count(text))  # "noch 4 Kälteanlagen dazu?": 4 more, not 4
    if count is None:
        count = quantity_for(situation, product.id)
    plan = named_plan(product, text)
    if count is None and plan is not None:
        count = max(1, plan.min_units)  # "was kostet des Plus im Jahr": one clip; "was kostet Starter": one site
    if count is None and product.segment == "b2c" and asked_years(text):
        count = 1  # "und im ersten Jahr mit dem Clip?": one household
    return quote(product, count, plan) if count else None


#: a question for the sum of everything ("so altogether per month?", "Was ist das dann monatlich zusammen?")
_TOTAL = re.compile(r"zusammen|insgesamt|gesamt|alles in allem|altogether|all together|in total|\btotal|combined|"
                    r"\bboth\b|beides|\ball in\b", re.IGNORECASE)


def combined_total(products: Sequence[Product], situation: Situation, text: str, language: str,
                   messages: Messages) -> str | None:  # fmt: skip
    """Sense for the known machines and Business for the known sites added up, when the visitor asks for the total
    and both sizes are known ("6 cooling units in each of 4 stores, plus the dashboard: so the monthly total?");
    None otherwise."""
    by_id = {p.id: p for p in products}
    if not _TOTAL.search(text) or SENSE not in by_id or BUSINESS not in by_id or named_product(text):
        return None  # "Was kostet Sense insgesamt?" asks for one product's total
    if not situation.measuring_points or not situation.sites:
        return None
    sense, business = quote(by_id[SENSE], situation.measuring_points), quote(by_id[BUSINESS], situation.sites)
    if sense is None or business is None:
        return None
    return messages.render(
        "combined_total", language, points=situation.measuring_points, sites=situation.sites,
        sense_name=sense.product.name, business_name=business.product.name,
        plan_name=business.plan.name.get(language), sense_monthly=money(sense.monthly_eur, language),
        business_monthly=money(business.monthly_eur, language),
        monthly=money(sense.monthly_eur + business.monthly_eur, language),
        sense_once=money(sense.one_off_eur, language), business_once=money(business.one_off_eur, language),
        once=money(sense.one_off_eur + business.one_off_eur, language),
    )


def roi_prefill(product: Product | None, situation: Situation, language: str, messages: Messages,
                text_asked: str = "") -> Answer | None:  # fmt: skip
    """The ROI form's slots from what is known, and one sentence that confirms them (with the typical savings
    when only the energy cost is known, and the plan for the size when `text_asked` asks which plan); None: nothing
    known.

    With the size (households: always one) and the energy cost known, the product's typical savings rate
    is taken too, so the calculator needs nothing more."""
    if product is None or product.roi is None:
        return None
    known: list[str] = []
    events: list[Any] = []
    count = 1 if product.segment == "b2c" else quantity_for(situation, product.id)
    if count and product.segment != "b2c":
        known.append(messages.render("roi_prefilled_units", language, count=count,
                                     units=unit_name(product, count, language)))  # fmt: skip
        events.append(SlotSet("roi_units", count))
    if situation.energy_cost_eur:
        known.append(messages.render("roi_prefilled_cost", language, energy_cost=money(situation.energy_cost_eur,
                                                                                         language)))  # fmt: skip
        events.append(SlotSet("roi_energy_cost", float(situation.energy_cost_eur)))
        if count:
            events.append(SlotSet("roi_savings_rate", float(product.roi.savings_rate)))
    if not known:
        if fitting_product(situation) != product.id:
            return None
        known.append(messages.render(f"situation_scope_{_KEYS.get(product.id, 'business')}", language))
    text = messages.render("roi_prefilled", language, known=messages.render("roi_prefilled_and", language).join(known),
                           product_name=product.name, rate=percent(product.roi.savings_rate, language))  # fmt: skip
    if situation.energy_cost_eur and not count:  # the savings now; payback and TCO once the size is known
        text += " " + savings_text(product, situation.energy_cost_eur, language, messages)
    if product.roi.typical_results:  # what customers see, before the calculation with the middle of that range
        text += " " + product.roi.typical_results.get(language)
    worked_out = quote(product, count) if count and is_tiered(product) and _ASKS_PLAN.search(text_asked) else None
    if worked_out:  # "which plan + what's the payback": the plan for their size first
        text = quote_message(worked_out, language, messages) + "\n\n" + text
    return Answer(text, events)


#: a question about which plan fits ("which plan + what's the payback", "welcher Tarif")
_ASKS_PLAN = re.compile(r"\b(?:plan|plans|tarif\w*|paket\w*|package|tier)\b", re.IGNORECASE)


def known_facts(situation: Situation, language: str, messages: Messages, products: Sequence[Product] = ()) -> str:
    """What the visitor said about size and cost, as one phrase (`9 Standorte und 90.000 € Energiekosten im Jahr`),
    after the product that fits it when `products` has it (`Ihr Interesse an Wattwerk Sense, Ihre 120 Messpunkte`);
    empty when nothing is known."""
    parts = []
    for count, key in ((situation.sites, "sites"), (situation.measuring_points, "measuring_points"),
                       (situation.employees, "employees")):  # fmt: skip
        if count:
            parts.append(messages.render(f"known_{key}", language, count=count))
    if situation.energy_cost_eur:
        parts.append(messages.render("roi_prefilled_cost", language, energy_cost=money(situation.energy_cost_eur,
                                                                                         language)))  # fmt: skip
    facts = messages.render("roi_prefilled_and", language).join(parts)
    fitting = next((p for p in products if p.id == fitting_product(situation)), None)
    if fitting is None or not situation.has_facts():
        return facts
    interest = messages.render("known_product", language, product_name=fitting.name)
    return f"{interest}, {facts}" if facts else interest
