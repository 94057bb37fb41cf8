"""How urgent a lead is, from what the bot learned: segment, journey phase, team size and the ROI result, with the
reasons in the salesperson's language, so the inbox can say why (a score alone convinces nobody)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

LEVELS = (("high", 60), ("medium", 30), ("low", 0))
LEVEL_NAMES = {"de": {"high": "hoch", "medium": "mittel", "low": "niedrig"},
               "en": {"high": "high", "medium": "medium", "low": "low"}}  # fmt: skip
PHASE_POINTS = {"decision": 30, "consideration": 15, "retention": 10, "advocacy": 10, "awareness": 0}
_REASONS = {
    "b2b": ("Geschäftskunde", "business customer"),
    "decision": ("kurz vor der Entscheidung", "about to decide"),
    "consideration": ("vergleicht Angebote", "comparing offers"),
    "retention": ("Bestandskunde", "existing customer"),
    "advocacy": ("Bestandskunde", "existing customer"),
    "large": ("{n} Mitarbeitende oder Standorte", "{n} staff or sites"),
    "medium": ("{n} Mitarbeitende oder Standorte", "{n} staff or sites"),
    "payback": ("rechnet sich nach {months} Monaten", "pays back after {months} months"),
    "savings": ("spart netto {net} € in 3 Jahren", "saves €{net} net over 3 years"),
}  # fmt: skip


@dataclass(frozen=True)
class Priority:
    score: int
    level: str  #: high, medium or low
    reasons: tuple[str, ...]

    def level_name(self, language: str) -> str:
        return LEVEL_NAMES["en" if language == "en" else "de"][self.level]


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def lead_priority(handoff: Mapping[str, Any], language: str = "de") -> Priority:
    """Points for a business customer (25), the phase (decision 30, consideration 15, a customer 10), the size (50 or
    more 20, 10 or more 10) and the ROI result (payback within a year 20, a net saving over three years 5)."""
    english = language == "en"
    points, reasons = 0, []

    def add(score: int, key: str, **values: Any) -> None:
        nonlocal points
        points += score
        reasons.append(_REASONS[key][english].format(**values))

    if handoff.get("segment") == "b2b":
        add(25, "b2b")
    phase = handoff.get("phase")
    if PHASE_POINTS.get(phase):
        add(PHASE_POINTS[phase], phase)
    size = handoff.get("company_size")
    if isinstance(size, int) and size >= 10:
        add(20 if size >= 50 else 10, "large" if size >= 50 else "medium", n=size)
    roi = handoff.get("roi") or {}
    payback, net = _number(roi.get("payback_months")), _number(roi.get("net_3y_eur"))
    if payback is not None and payback <= 12:
        months = f"{payback:.1f}".rstrip("0").rstrip(".")
        add(20, "payback", months=months if english else months.replace(".", ","))
    if net is not None and net > 0:
        add(5, "savings", net=f"{net:,.0f}" if english else f"{net:,.0f}".replace(",", "."))
    level = next(name for name, minimum in LEVELS if points >= minimum)
    return Priority(points, level, tuple(reasons))
