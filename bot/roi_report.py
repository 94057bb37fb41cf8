"""An ROI result (as kept in the `roi_result` slot) in words and numbers of the visitor's language."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bot.catalogue.schema import Product
from bot.formatting import money, number, unit_name
from bot.messages import Messages
from bot.roi import RoiInput, RoiResult


def percent(rate: Decimal, language: str | None) -> str:
    hundred = rate * 100
    value = number(hundred, language or "de", places=0 if hundred == hundred.to_integral_value() else 1)
    return f"{value}%" if language == "en" else f"{value} %"


def roi_record(product: Product, data: RoiInput, result: RoiResult) -> dict[str, Any]:
    """What is kept of a calculation (slot `roi_result`, summary page, sales brief): JSON-safe."""
    return {
        "product": product.id, "plan": result.plan_id, "units": data.units,
        "annual_energy_cost_eur": str(data.annual_energy_cost_eur), "savings_rate": str(data.savings_rate),
        "annual_savings_eur": str(result.annual_savings_eur),
        "annual_running_cost_eur": str(result.annual_running_cost_eur),
        "one_off_cost_eur": str(result.one_off_cost_eur),
        "payback_months": None if result.payback_months is None else str(result.payback_months),
        "tco_3y_eur": str(result.tco_3y_eur), "net_3y_eur": str(result.net_3y_eur),
    }  # fmt: skip


def roi_values(record: Mapping[str, Any], product: Product, language: str, messages: Messages) -> dict[str, str]:
    """The placeholders of the `roi_result` and `summary_roi` messages."""
    payback_months = record.get("payback_months")
    if payback_months is None:
        payback = messages.render("roi_payback_never", language)
    elif Decimal(payback_months) == 0 and Decimal(record["one_off_cost_eur"]) == 0:
        payback = messages.render("roi_payback_immediate", language)
    elif Decimal(payback_months) == 0:  # savings this large repay the one-off costs within days
        payback = messages.render("roi_payback_within_a_month", language)
    else:
        payback = messages.render("roi_payback_months", language, months=number(Decimal(payback_months), language))
    plan = next((p.name.get(language) for p in product.plans if p.id == record.get("plan")), record.get("plan", ""))
    units = int(record.get("units") or 1)
    units_text = unit_name(product, units, language)
    return {
        "plan": str(plan),
        "annual_savings": money(Decimal(record["annual_savings_eur"]), language),
        "annual_running_cost": money(Decimal(record["annual_running_cost_eur"]), language),
        "monthly_running_cost": money(Decimal(record["annual_running_cost_eur"]) / 12, language),
        "one_off_cost": money(Decimal(record["one_off_cost_eur"]), language),
        "payback": payback,
        "tco_3y": money(Decimal(record["tco_3y_eur"]), language),
        "net_3y": money(Decimal(record["net_3y_eur"]), language),
        "units_count": str(units),
        "units": units_text,
        "energy_cost": money(Decimal(record["annual_energy_cost_eur"]), language),
        "savings_rate": percent(Decimal(record["savings_rate"]), language),
    }
