"""Catalogue facts as chat text in the visitor's language (German or English number formats)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from bot.catalogue.schema import Plan, Product, Review

_LABELS = {
    "de": {"month": "pro Monat", "per_unit": "pro {unit} und Monat", "once": "einmalig", "free": "kostenlos",
           "from": "ab", "up_to": "bis {n} {unit}"},
    "en": {"month": "per month", "per_unit": "per {unit} per month", "once": "one-off", "free": "free",
           "from": "from", "up_to": "up to {n} {unit}"},
}  # fmt: skip


def money(amount: Decimal, language: str) -> str:
    """49 € / 3,99 € / 1.764 € in German; €49 / €3.99 / €1,764 in English."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole = amount == amount.to_integral_value()
    text = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    if language == "en":
        return f"€{text}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") + " €"


def number(value: Decimal, language: str, places: int = 1) -> str:
    text = f"{Decimal(value):,.{places}f}"
    return text if language == "en" else text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def day(value: dt.date, language: str) -> str:
    return value.strftime("%d.%m.%Y") if language == "de" else value.strftime("%-d %B %Y")


def plan_line(plan: Plan, unit: str, units: str, language: str) -> str:
    labels = _LABELS["en" if language == "en" else "de"]
    if plan.price_eur == 0:
        price = labels["free"]
    elif plan.per_unit:
        price = f"{money(plan.price_eur, language)} {labels['per_unit'].format(unit=unit)}"
    else:
        price = f"{money(plan.price_eur, language)} {labels['month']}"
    parts = [price]
    if plan.one_off_eur:
        parts.append(f"{money(plan.one_off_eur, language)} {labels['once']}")
    if plan.max_units is not None:
        parts.append(labels["up_to"].format(n=plan.max_units, unit=unit if plan.max_units == 1 else units))
    return f"• {plan.name.get(language)}: {', '.join(parts)}"


def unit_name(product: Product, count: int, language: str | None) -> str:
    """The product's unit for `count` ("Standort" / "Standorte", "measuring points"); empty without one."""
    if product.roi is None:
        return ""
    return (product.roi.unit if count == 1 else product.roi.units).get(language)


def plans_text(product: Product, language: str) -> str:
    unit = product.roi.unit.get(language) if product.roi else ""
    units = product.roi.units.get(language) if product.roi else ""
    return "\n".join(plan_line(plan, unit, units, language) for plan in product.plans)


def features_text(product: Product, language: str) -> str:
    return "\n".join(f"• {feature.get(language)}" for feature in product.features)


def specs_text(product: Product, language: str) -> str:
    return "\n".join(f"• {spec.label.get(language)}: {spec.value.get(language)}" for spec in product.specs)


def stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


def review_fields(review: Review, language: str) -> dict[str, str]:
    return {
        "stars": stars(review.rating),
        "review_text": review.text,
        "author": review.author,
        "source": review.source,
        "review_date": day(review.date, language),
    }


def product_names(products: Sequence[Product]) -> str:
    return ", ".join(p.name for p in products)


_WEEKDAYS = {
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def next_slot(at: dt.datetime, language: str) -> str:
    """`am Dienstag, 24.11., ab 09:00 Uhr` / `on Tuesday, 24 November, from 9:00`."""
    if language == "en":
        return f"on {_WEEKDAYS['en'][at.weekday()]}, {at.day} {at.strftime('%B')}, from {at.hour}:{at.minute:02d}"
    return f"am {_WEEKDAYS['de'][at.weekday()]}, {at.strftime('%d.%m.')}, ab {at.strftime('%H:%M')} Uhr"
