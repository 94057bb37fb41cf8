"""ROI form inputs in German and English notation, and the values the form refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.roi_inputs import parse_energy_cost, parse_savings_rate, parse_units


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.200,50 €", "1200.50"), ("1,200.50", "1200.50"), ("20k", "20000"), ("20 Tsd.", "20000"),
     ("etwa 24.000 Euro im Jahr", "24000"), ("€ 3,500", "3500"), ("2 Mio", "2000000")],
)  # fmt: skip
def test_energy_cost_in_both_notations(text: str, expected: str) -> None:
    assert parse_energy_cost(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["0", "-500", "keine Ahnung", "15 %", "5 Mrd", ""])
def test_impossible_energy_costs_are_refused(text: str) -> None:
    assert parse_energy_cost(text) is None


@pytest.mark.parametrize(("text", "expected"), [("12", 12), ("wir haben 3 Standorte", 3), ("1.200", 1200),
                                               ("we open the 16th store in May, 15 until then", 15)])
def test_units(text: str, expected: int) -> None:
    assert parse_units(text) == expected


@pytest.mark.parametrize("text", ["0", "2,5", "-3", "viele", "150000"])
def test_impossible_units_are_refused(text: str) -> None:
    assert parse_units(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("15 %", "0.15"), ("15", "0.15"), ("0,15", "0.15"), ("12.5 percent", "0.125"), ("typisch", "0.12"),
     ("I don't know", "0.12"), ("ja", "0.12"), ("0 %", "0")],
)  # fmt: skip
def test_savings_rate(text: str, expected: str) -> None:
    assert parse_savings_rate(text, typical=Decimal("0.12")) == Decimal(expected)


@pytest.mark.parametrize("text", ["95 %", "150", "viel", "-5 %"])
def test_impossible_savings_rates_are_refused(text: str) -> None:
    assert parse_savings_rate(text, typical=Decimal("0.12")) is None
