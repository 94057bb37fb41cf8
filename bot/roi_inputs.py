"""What a visitor types into the ROI form, turned into checked numbers (or None: ask again)."""

from __future__ import annotations

from decimal import Decimal

from bot.numbers import parse_number
from bot.text import words

MAX_UNITS = 100_000
MAX_ENERGY_COST_EUR = Decimal(1_000_000_000)
MAX_SAVINGS_RATE = Decimal("0.9")
_TYPICAL = {"typisch", "typische", "typischen", "standard", "normal", "durchschnitt", "keine", "ahnung",
            "weiss", "weis", "typical", "default", "average", "dunno", "know", "idea", "sure", "ja", "yes", "ok",
            "okay", "passt", "gerne", "gern"}  # fmt: skip


def parse_units(text: str) -> int | None:
    """Sites, measuring points or households: a whole number from 1 to 100,000."""
    parsed = parse_number(text)
    if parsed is None or parsed.percent or parsed.value != parsed.value.to_integral_value():
        return None
    value = int(parsed.value)
    return value if 1 <= value <= MAX_UNITS else None


def parse_energy_cost(text: str) -> Decimal | None:
    """Today's energy cost per year in euros: more than 0, in German or English notation, `20k`, `20 Tsd.`."""
    parsed = parse_number(text)
    if parsed is None or parsed.percent or not Decimal(0) < parsed.value <= MAX_ENERGY_COST_EUR:
        return None
    return parsed.value


def parse_savings_rate(text: str, typical: Decimal) -> Decimal | None:
    """Expected savings as a share (0.15): `15 %`, `15`, `0,15`; "typisch"/"typical"/"ja" take `typical`."""
    parsed = parse_number(text)
    if parsed is None:
        return typical if _TYPICAL & set(words(text)) else None
    value = parsed.value / 100 if parsed.percent or parsed.value > 1 else parsed.value
    return value if Decimal(0) <= value <= MAX_SAVINGS_RATE else None
